"""Exports opened back and read cell by cell: XLSX with openpyxl, CSV (UTF-8 with BOM) with csv."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models import AuditLog
from support.reports_factory import add_campaign

A, B = "440802", "440803"


@pytest.fixture
def campaign_id(app, session):
    with app.app_context():
        return add_campaign(session, {
            A: {"N": 500, "verified": [[]] * 8 + [["not_authentic"], ["inaccurate_data"]], "open": 2},
            B: {"N": 400, "verified": [[]] * 4, "outcomes": {"refused": 1}},
        })


def sheet_rows(data, title):
    book = load_workbook(io.BytesIO(data))
    return [list(row) for row in book[title].iter_rows(values_only=True)], book[title]


def test_statistics_workbook_has_every_table_with_exact_figures(login_as, campaign_id):
    client = login_as("manager")
    response = client.get(f"/reports/{campaign_id}/export/statistics.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["不一致率", "回访结果率", "帮扶服务覆盖率", "审计结论", "指标说明"]
    notes, _ = sheet_rows(response.data, "指标说明")
    named = {row[0]: row[1] for row in notes[1:]}
    assert named["回访完成率（RR1）"] == "全部抽中样本中完成核实的比例。"  # the glossary's line, with the AAPOR code
    assert {"接触率（CON1）", "配合率（COOP1）", "拒访率（REF1）", "不一致率", "95%置信区间"} <= set(named)
    rows, sheet = sheet_rows(response.data, "不一致率")
    assert rows[0][:8] == ["县（市、区）代码", "县（市、区）", "问题类型", "有问题人数（d）", "已核实人数（m）", "未结样本数",
                           "仍在回访中", "比率"]
    chikan_any = next(r for r in rows if r[0] == A and r[2] == "任一问题")
    assert chikan_any[3:8] == [2, 10, 2, 2, 0.2]
    assert chikan_any[10] == pytest.approx(4 / 12)  # worst case (d + open)/(m + open)
    assert sheet.cell(row=rows.index(chikan_any) + 1, column=8).number_format == "0.0%"
    overall = next(r for r in rows if r[0] is None and r[2] == "任一问题")  # empty cell
    assert overall[1] == "全市（分层估计）" and overall[7] == pytest.approx(500 / 900 * 0.2)
    outcomes, _ = sheet_rows(response.data, "回访结果率")
    xiashan = next(r for r in outcomes if r[0] == B)
    assert xiashan[1:10] == ["霞山区", 5, 4, 0, 1, 0, 0, 0, 0.8]  # units, I, P, R, NC, O, open, RR1
    audit, _ = sheet_rows(response.data, "审计结论")
    assert {r[0]: r[10] for r in audit[1:]} == {A: "尚无定论", B: "尚无定论"}


def test_rates_csv_has_a_byte_order_mark_and_the_same_figures(login_as, campaign_id):
    client = login_as("manager")
    data = client.get(f"/reports/{campaign_id}/export/rates.csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == "县（市、区）代码"
    chikan_type = next(r for r in rows if r[0] == A and r[2] == "登记不真实")
    assert chikan_type[3:8] == ["1", "10", "2", "2", "0.1"]


def test_verification_records_are_masked(login_as, campaign_id):
    client = login_as("coordinator")
    rows, _ = sheet_rows(client.get(f"/reports/{campaign_id}/export/verifications.xlsx?county={A}").data, "核查结论")
    assert len(rows) == 11 and rows[0][:5] == ["县（市、区）代码", "县（市、区）", "姓名", "公民身份号码", "联系电话"]
    wrong = next(r for r in rows[1:] if r[15] == "信息不准确")
    assert "********" in wrong[3] and wrong[4].startswith("138") and "*" in wrong[4]
    assert "联系电话: 139****1111" in wrong[16]


def test_attempts_export_in_local_time(login_as, campaign_id):
    client = login_as("coordinator")
    data = client.get(f"/reports/{campaign_id}/export/attempts.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 12 + 5
    first = rows[1]
    assert first[0] == A and first[4] == "电话回访" and first[6] == "2026-05-06 10:00"


def test_rectification_list_export(login_as, campaign_id, client):
    login_as("coordinator")
    client.post(f"/reports/{campaign_id}/rectification/generate", data={"due_days": "20"})
    rows, _ = sheet_rows(client.get(f"/reports/{campaign_id}/export/rectification.xlsx").data, "整改清单")
    assert [r[5] for r in rows[1:]] == ["登记不真实", "信息不准确"]
    assert rows[1][8] == "待整改" and rows[1][10] == "否"


def test_unknown_export_is_not_found(login_as, campaign_id):
    client = login_as("manager")
    assert client.get(f"/reports/{campaign_id}/export/persons.xlsx").status_code == 404
    assert client.get(f"/reports/{campaign_id}/export/rates.pdf").status_code == 404


def test_every_download_is_in_the_audit_log_with_what_and_how_many_rows(login_as, campaign_id, session):
    client = login_as("coordinator")
    client.get(f"/reports/{campaign_id}/export/attempts.csv")
    client.get(f"/reports/{campaign_id}/export/verifications.xlsx?county={A}")
    entries = session.scalars(select(AuditLog).where(AuditLog.action == "report.export").order_by(AuditLog.id)).all()
    assert [(e.object_id, e.username, e.detail) for e in entries] == [
        (str(campaign_id), "coordinator", {"what": "attempts", "format": "csv", "county": None, "rows": 17}),
        (str(campaign_id), "coordinator", {"what": "verifications", "format": "xlsx", "county": A, "rows": 10}),
    ]


@pytest.mark.parametrize(("what", "label"), [("statistics", "统计表"), ("attempts", "回访记录"),
                                             ("verifications", "核查结论"), ("rectification", "整改清单")])
def test_export_files_are_named_in_chinese_with_campaign_and_date(login_as, campaign_id, what, label):
    from urllib.parse import unquote

    from core.timefmt import local_today

    client = login_as("manager")
    header = client.get(f"/reports/{campaign_id}/export/{what}.xlsx?county={A}").headers["Content-Disposition"]
    assert header.isascii() and f'filename="{what}-{campaign_id}-{A}-' in header
    name = unquote(header.split("filename*=UTF-8''")[1])
    assert name == f"{label}-2026年失业登记专项核查-赤坎区-{local_today():%Y%m%d}.xlsx"
