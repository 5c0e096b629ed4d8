"""Roster rows as a county file gives them, and validating one as row 7 of a file (dated 2026-01-15)."""

from datetime import date

from stdnum.cn import ric

from config.counties import COUNTY_BY_CODE
from roster.validate import validate_row

TODAY = date(2026, 1, 15)
KNOWN = frozenset(COUNTY_BY_CODE)


def make_id(area: str = "440802", birth: str = "19900101", order: str = "12", male: bool = True) -> str:
    """Return a valid 18-character ID number, its check digit computed by python-stdnum."""
    body = area + birth + order + ("1" if male else "2")
    return body + ric.calc_check_digit(body + "?")


MAN_1990 = make_id()
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def wrong_check_digit(number: str) -> str:
    """Return the number with a different, wrong check digit."""
    return number[:17] + ("1" if number[17] != "1" else "2")


def good_row(**changes):
    """Return a clean raw row as a county CSV gives it, with some values changed."""
    row = {
        "county_code": "440802",
        "name": "张三",
        "gender": "男",
        "id_number": MAN_1990,
        "phone": "13812345678",
        "household_address": "广东省湛江市赤坎区中山一路1号",
        "residence_address": "广东省湛江市赤坎区中山一路1号",
        "unemployment_reason": "本人辞职",
        "registered_on": "2025-03-01",
        "registering_agency": "赤坎区公共就业服务中心",
        "certificate_number": "4408020000012345",
        "employment_status": "失业",
        "cancelled_on": "",
    }
    row.update(changes)
    return row


def check(row, **kwargs):
    """Validate a row as row 7 of a file."""
    return validate_row(row, 7, TODAY, KNOWN, **kwargs)


# Values of each field, common and odd, that the lean path must judge as the thorough check does.
LEAN_VARIANTS = {
    "county_code": ["440802", "440803", 440802.0, " 440802", "赤坎区", "", None, "999999"],
    "name": ["张三", "张 三", "Ｍａｒｙ", "阿卜杜拉·买买提", "张三3", "", None, "ﾀﾛｳ"],
    "gender": ["男", "女", "1", "2", 1.0, "", None, "M", "未知"],
    "id_number": [
        MAN_1990, make_id(male=False), make_id(birth="19600101"), make_id(birth="20100101"),
        MAN_1990.lower(), " " + MAN_1990, wrong_check_digit(MAN_1990), 4.40802199001011e17, "", None,
    ],
    "phone": ["13812345678", "14012345678", "0759-3388123", "+8613812345678", 13812345678.0, "", None, "1"],
    "household_address": ["湛江市　赤坎区", "  a  b ", "", None, 12.0, "a\x00b", "a\tb\nc"],
    "residence_address": ["湛江市赤坎区", "", None, "\x7f", "\ue000"],
    "unemployment_reason": ["03", "本人辞职", 3.0, "辞职", "", None, "x"],
    "registered_on": ["2025-03-01", "2025/3/1", 45717, "2026-02-01", "2005-01-01", "2020-06-01", "", "x"],
    "registering_agency": ["中心", "", None, "中心\x1f", "中\x9b心"],
    "certificate_number": ["4408020000012345", "ab12", " 12 3", 123.0, 4.4e17, "1E5", "", None],
    "employment_status": ["失业", "10", "Unemployed", "", None, "?"],
    "cancelled_on": ["", None, "2025-06-01", "2024-01-01", "2026-06-01"],
}

