"""Hand-built reference registers against a small roster, for the cross-register tests."""

from datetime import date

from sqlalchemy import select, update

from models import Person
from support.roster_factory import add_roster


def fifteen_digits(id18: str) -> str:
    """The first-generation form of an 18-digit ID number (born in the 1900s): no century, no check digit."""
    return id18[:6] + id18[8:17]


def roster_world(session) -> dict:
    """Two counties of ten registered persons each (registered 2025-03-01); person 0 of 440802 is also on
    440881's roster (one ID number in two counties). Return {county: [ID numbers]}."""
    add_roster(session, "440802", 10)
    add_roster(session, "440881", 10, start=100)
    ids = {code: list(session.scalars(select(Person.id_number).where(Person.county_code == code)
                                      .order_by(Person.id))) for code in ("440802", "440881")}
    session.execute(update(Person).where(Person.id_number == ids["440881"][0]).values(id_number=ids["440802"][0]))
    session.commit()
    ids["440881"][0] = ids["440802"][0]
    return ids


def write_csv(path, header: list[str], rows: list[list], encoding: str = "utf-8") -> str:
    """Write a CSV file and return its path."""
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return str(path)


def register_files(tmp_path, ids: dict) -> dict:
    """One file of each kind; comments say what each row should make of the persons of 440802."""
    p = ids["440802"]
    files = {}
    files["social_insurance"] = write_csv(tmp_path / "社保.csv",
        ["公民身份号码", "单位名称", "险种类型", "缴费起始年月", "缴费截止年月", "参保身份"], [
            [p[0], "湛江港集团", "养老", "2025-04", "2025-05", "单位职工"],  # employed after the grace period
            [p[1], "某物流公司", "养老", "202504", "", "单位职工"],  # one month only: nothing
            [fifteen_digits(p[2]), "某超市", "养老", "2025年4月", "2025年6月", ""],  # 15 digits, converted
            [p[7], "", "养老", "2025-04", "2025-09", "灵活就业"],  # flexible: nothing
            ["440802199913319999", "某公司", "养老", "2025-04", "2025-05", ""],  # invalid ID: reported
            ["11010519491231002X", "某公司", "养老", "2025-04", "2025-05", ""],  # not on any roster: dropped
        ], encoding="gbk")
    files["business"] = write_csv(tmp_path / "市场主体.csv",
        ["经营者身份证号", "市场主体名称", "市场主体类型", "成立日期", "登记状态", "注销日期"], [
            [p[3], "霞山某某餐饮店", "个体工商户", "2019-05-01", "注销", "2024-12-31"],  # closed before
            [p[4], "赤坎某某商行", "个体工商户", "2025-05-10", "存续", ""],  # runs a business
            [p[8], "某某店", "个体工商户", "2025-05-10", "注销", ""],  # closed without a date: reported
        ])
    files["death"] = write_csv(tmp_path / "死亡.csv", ["身份证号码", "死亡日期"], [
        [p[5], "2025-03-01"],  # died on the registration date
    ])
    files["pension"] = write_csv(tmp_path / "养老金.csv", ["身份证号码", "首次领取年月"], [
        [p[6], "2024-12"],  # a pension before registration
    ])
    return files


REGISTERED_ON = date(2025, 3, 1)
