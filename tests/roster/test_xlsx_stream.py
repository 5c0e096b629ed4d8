"""The streaming XLSX reader gives what python-calamine gives, cell by cell, row by row, and imports alike.

Workbooks are written as Excel, WPS and the county systems' exports write them (shared strings or
inline strings, date formats, styled empty cells, rich text, formulas) by XlsxWriter and openpyxl,
or as raw XML for the odd cases; each is read by both readers and compared.
"""

import csv
import io
import logging
import os
import zipfile
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import quoteattr

import openpyxl
import pytest
import xlsxwriter
from sqlalchemy import select

from core.extensions import db
from models import ImportProblem
from roster import batches, checking, import_check, workbook_reader, xlsx_package
from roster.reader import open_table, read_table
from roster.spool import read_spool
from roster.table import ReaderError
from roster.workbook_reader import read_with_calamine
from roster.xlsx_cells import column_index, column_letters
from roster.xlsx_stream import Unstreamable, read_streamed
from roster.xlsx_values import DATETIME, OTHER, TIMEDELTA, format_kind, serial_datetime
from support.hostile_files import xlsx as raw_xlsx
from support.import_files import TODAY, csv_file, demo_rows

HEADER = ["姓名", "性别", "公民身份号码", "联系电话", "户籍地址", "常住地址", "失业原因", "失业登记日期", "登记机构",
          "就业创业证编号", "就业状态", "注销日期", "县区代码"]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def table_of(table):
    """Return what a reader gives: header row, headers and every row (trailing blanks cut)."""
    with table:
        rows = [(number, _trimmed(values)) for number, values in table.rows]
        return table.header_row, _trimmed(table.headers), table.sheet, rows


def _trimmed(values):
    values = list(values)
    while values and values[-1] in ("", None):
        values.pop()
    return values


def both(data: bytes, filename="名册.xlsx"):
    """Read a workbook with the stream reader and with calamine."""
    streamed = table_of(read_streamed(io.BytesIO(data), filename))
    loaded = table_of(read_with_calamine(io.BytesIO(data), filename))
    return streamed, loaded


def roster_csv_rows(rows):
    """Return demo rows as the county file's cell texts (CSV order)."""
    out = io.StringIO()
    from demo.roster import write_csv

    write_csv(rows, out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def xlsxwriter_book(rows, constant_memory=False, dates=True) -> bytes:
    """Write roster rows with XlsxWriter: shared strings as Excel does, or inline strings (constant memory)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": constant_memory, "in_memory": not constant_memory})
    sheet = book.add_worksheet("名册")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    bordered = book.add_format({"border": 1})
    table = roster_csv_rows(rows)
    sheet.write_row(0, 0, table[0])
    for number, values in enumerate(table[1:], start=1):
        for column, value in enumerate(values):
            if not value:
                sheet.write_blank(number, column, None, bordered)  # a styled empty cell, as Excel keeps borders
            elif dates and column in (7, 11):
                sheet.write_datetime(number, column, date.fromisoformat(value), day)
            else:
                sheet.write_string(number, column, value)
    book.close()
    return buffer.getvalue()


def openpyxl_book(build) -> bytes:
    """Write a workbook with openpyxl."""
    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the same values as calamine ------------------------------------------------------------


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared-strings", "inline-strings"])
def test_a_roster_written_as_excel_does_reads_as_calamine_reads_it(constant_memory):
    rows = demo_rows(120, seed=4)
    rows[3] = dict(rows[3], household_address="湛江市 & 赤坎区 <北桥>", name="  张三 ")  # entities, blanks
    rows[5] = dict(rows[5], residence_address="a_x000D_b")  # Excel's escape of a carriage return
    streamed, loaded = both(xlsxwriter_book(rows, constant_memory))
    assert streamed == loaded
    assert streamed[3][0] == (2, roster_csv_rows(rows)[1][:7] + [rows[0]["registered_on"]] + streamed[3][0][1][8:])
    # XlsxWriter keeps the blanks (xml:space="preserve") and escapes the escape (_x005F_x000D_).
    assert streamed[3][3][1][4] == "湛江市 & 赤坎区 <北桥>" and streamed[3][3][1][0] == "  张三 "
    assert streamed[3][5][1][5] == "a_x000D_b"


def test_cell_types_dates_and_times_read_as_calamine_reads_them():
    def build(book):
        sheet = book.active
        sheet.title = "名册"
        sheet.append(["*姓名", "身份证号码", "手机号码", "失业登记日期", "县区代码", "备注"])
        sheet.append(["张三", "440802199001011231", 13812345678, date(2025, 3, 1), 440802, True])
        sheet.append(["李四", 440802199001011231, "13812345678", datetime(2025, 3, 1, 9, 30), "440802", False])
        sheet.append(["王五", "x", 0.5, time(9, 30), timedelta(hours=30), "=1+1"])
        sheet.append(["赵六", "y", 45717, 45717, 60, "=A2&B2"])
        sheet["D3"].number_format = "yyyy-mm-dd hh:mm"
        sheet["C5"].number_format = "yyyy年m月d日"
        sheet["D5"].number_format = 'm"M"d"D";@'
        sheet["E5"].number_format = "yyyy-mm-dd"

    streamed, loaded = both(openpyxl_book(build))
    assert streamed == loaded
    rows = dict(streamed[3])
    assert rows[2][3] == date(2025, 3, 1) and rows[3][3] == datetime(2025, 3, 1, 9, 30)
    assert rows[5][2] == date(2025, 3, 1) and rows[5][4] == date(1900, 2, 28)


def test_blank_top_rows_an_indented_sheet_and_several_sheets_read_alike():
    def build(book):
        book.active.title = "填表说明"
        book.active.append(["请按要求填写"])
        hidden = book.create_sheet("旧表")
        hidden.sheet_state = "hidden"
        hidden.append(["姓名", "身份证号"])
        roster = book.create_sheet("名册")
        roster["C3"] = "姓名"
        roster["D3"] = "身份证号"
        roster["C5"] = "张三"
        roster["D5"] = "440802199001011231"
        roster["C7"] = "李四"

    streamed, loaded = both(openpyxl_book(build))
    assert streamed == loaded == (3, ["姓名", "身份证号"], "名册", [(5, ["张三", "440802199001011231"]), (7, ["李四"])])


RAW_ROWS = {
    "entities and escapes": '<c r="A2" t="inlineStr"><is><t>a&amp;b&#x4E2D;&#22995;&quot;&lt;</t></is></c>'
                            '<c r="B2" t="inlineStr"><is><t>_x005F_x000D_|_x000d_|_xD83D_</t></is></c>'
                            '<c r="C2" t="str"><v>  kept  </v></c>',
    "rich text and phonetic runs": '<c r="A2" t="inlineStr"><is><r><t>ab</t></r><r><rPr><b/></rPr>'
                                   '<t xml:space="preserve"> cd </t></r><rPh sb="0" eb="1"><t>PH</t></rPh></is></c>',
    "blanks trimmed unless kept": '<c r="A2" t="inlineStr"><is><t>  sp  </t></is></c>'
                                  '<c r="B2" t="inlineStr"><is><t xml:space="preserve">  p  </t></is></c>'
                                  '<c r="C2" t="inlineStr"><is><t>a\r\nb\rc</t></is></c>',
    "numbers as calamine parses them": '<c r="A2"><v> 12 </v></c><c r="B2"><v>1e3</v></c><c r="C2"><v>abc</v></c>'
                                       '<c r="D2"><v>.5</v></c><c r="E2" t="n"><v>+5</v></c>',
    "booleans, errors, ISO dates": '<c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c>'
                                   '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="d"><v>2025-03-01</v></c>'
                                   '<c r="E2" t="d"><v>2025-03-01T09:30:00</v></c>',
    "formulas and empty cells": '<c r="A2" t="str"><f>B2</f><v>x</v></c><c r="B2"><f>1+1</f></c>'
                                '<c r="C2" s="0"/><c r="D2"><v></v></c><c r="E2" t="inlineStr"><is><t></t></is></c>'
                                '<c r="F2"><v>7</v></c>',
    "cells out of order and repeated": '<c r="C2"><v>1</v></c><c r="A2"><v>2</v></c><c r="A2"><v>3</v></c>',
    "attributes in another order": '<c t="inlineStr" r="B2"><is><t>x</t></is></c><c s="0" r="C2"><v>4</v></c>',
    "cells without references": '<c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c><c r="E2"><v>3</v></c>'
                                '<c><v>4</v></c>',
}


@pytest.mark.parametrize("cells", list(RAW_ROWS.values()), ids=list(RAW_ROWS))
def test_odd_cells_read_as_calamine_reads_them(cells):
    header = "".join(f'<c r="{letter}1" t="inlineStr"><is><t>列{letter}</t></is></c>' for letter in "ABCDEF")
    data = raw_sheet(f'<row r="1">{header}</row><row r="2">{cells}</row>')
    streamed, loaded = both(data)
    assert repr(streamed) == repr(loaded)


def raw_sheet(sheet_data: str, shared: str | None = None, styles: str | None = None, prefix="") -> bytes:
    """Build an XLSX from raw sheet XML (and shared strings, styles), written as an odd writer would."""
    buffer = io.BytesIO()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = [("worksheet", "worksheets/sheet1.xml")]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org'
                         '/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                         '</Types>')
        archive.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                         f'relationships"><Relationship Id="rId1" Type="{relations}/officeDocument" '
                         f'Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
                         f'<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
        if shared is not None:
            parts.append(("sharedStrings", "sharedStrings.xml"))
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared}</sst>')
        if styles is not None:
            parts.append(("styles", "styles.xml"))
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{main}">{styles}</styleSheet>')
        archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships">' + "".join(
                             f'<Relationship Id="rId{n}" Type="{relations}/{kind}" Target="{target}"/>'
                             for n, (kind, target) in enumerate(parts, start=1)) + "</Relationships>")
        namespace = f' xmlns:{prefix[:-1]}="{main}"' if prefix else f' xmlns="{main}"'
        archive.writestr("xl/worksheets/sheet1.xml", f"<{prefix}worksheet{namespace}><{prefix}dimension ref=\"A1\"/>"
                         f"<{prefix}sheetData>{sheet_data}</{prefix}sheetData></{prefix}worksheet>")
    return buffer.getvalue()


def test_shared_strings_rich_pretty_printed_and_empty_read_alike():
    shared = ('<si><t>姓名</t></si><si><t>身份证号</t></si><si><r><t>张</t></r><r><rPr><b/></rPr><t>三</t></r>'
              '<rPh><t>zhang</t></rPh></si>\n  <si>\n    <t xml:space="preserve"> 李四 </t>\n  </si><si/>'
              '<si><t>x_x000D_y&amp;</t></si>')
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>5</v></c></row>'
            '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="s"><v>4</v></c></row>')
    streamed, loaded = both(raw_sheet(rows, shared=shared))
    assert streamed == loaded
    assert streamed[3] == [(2, ["张三", "x\ry&"]), (3, [" 李四 "])]


def test_a_namespace_prefix_on_every_element_reads_alike():
    rows = ('<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c>'
            '<x:c r="B1" t="inlineStr"><x:is><x:t>身份证号</x:t></x:is></x:c></x:row>'
            '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>张三</x:t></x:is></x:c><x:c r="B2"><x:v>1</x:v></x:c>'
            '</x:row>')
    streamed, loaded = both(raw_sheet(rows, prefix="x:"))
    assert streamed == loaded == (1, ["姓名", "身份证号"], "名册", [(2, ["张三", 1.0])])


def test_number_formats_are_dates_as_calamine_decides():
    codes = {"yyyy-mm-dd": DATETIME, "[h]:mm:ss": TIMEDELTA, "#,##0*y": OTHER, '"Y: "0.00"m"': OTHER,
             "H:MM:SS;@": DATETIME, "[Red]0.00": OTHER, "yyyy年m月d日": DATETIME, "[$-F800]dddd": DATETIME,
             "0.00%": OTHER, "am/pm": DATETIME, "\\Y000000": OTHER, "[mm]": TIMEDELTA}
    assert {code: format_kind(code) for code in codes} == codes
    numbers = "".join(f'<numFmt numFmtId="{164 + n}" formatCode={quoteattr(code)}/>' for n, code in enumerate(codes))
    styles = (f"<numFmts>{numbers}</numFmts><cellXfs>" + "".join(f'<xf numFmtId="{164 + n}"/>' for n in range(len(codes)))
              + "".join(f'<xf numFmtId="{n}"/>' for n in (14, 22, 31, 46, 57, 49)) + "</cellXfs>")
    count = len(codes) + 6
    header = "".join(f'<c r="{column_letters(n)}1" t="inlineStr"><is><t>列{n}</t></is></c>' for n in range(count))
    cells = "".join(f'<c r="{column_letters(n)}2" s="{n}"><v>45717.5</v></c>' for n in range(count))
    streamed, loaded = both(raw_sheet(f'<row r="1">{header}</row><row r="2">{cells}</row>', styles=styles))
    assert repr(streamed) == repr(loaded)


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"),
                                                (701, "ZZ"), (702, "AAA"), (16383, "XFD")])
def test_column_letters_and_indexes_are_excels(index, letters):
    assert column_letters(index) == letters and column_index(letters) == index


def test_serial_days_become_the_dates_calamine_makes():
    assert serial_datetime(1, False) == datetime(1900, 1, 1)
    assert serial_datetime(60, False) == datetime(1900, 2, 28)  # Excel's 1900-02-29, which never was
    assert serial_datetime(61, False) == datetime(1900, 3, 1)
    assert serial_datetime(1, True) == datetime(1904, 1, 2)
    assert serial_datetime(45717.99999999, False) == datetime(2025, 3, 1, 23, 59, 59, 999000)


# --- what the stream reader leaves to calamine, and what it refuses ------------------------------


def test_a_workbook_the_stream_reader_does_not_take_is_read_by_calamine_and_logged(caplog):
    rows = ('<row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>身份证号</t></is></c></row>'
            '<row><c t="inlineStr"><is><t>张三</t></is></c><c><v>1</v></c></row>')
    data = raw_sheet(rows)
    with pytest.raises(Unstreamable, match="without its number"):
        read_streamed(io.BytesIO(data), "a.xlsx")
    with caplog.at_level(logging.INFO, logger="roster.workbook_reader"):
        table = read_table(data, "a.xlsx")
    assert table_of(table) == (1, ["姓名", "身份证号"], "名册", [(2, ["张三", 1.0])])
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "calamine" in caplog.text and "without its number" in caplog.text


def test_an_ods_is_left_to_calamine_as_a_matter_of_course(caplog):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # an ODS: a zip without an OOXML workbook
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(Unstreamable) as caught:
        read_streamed(io.BytesIO(buffer.getvalue()), "a.ods")
    assert caught.value.other_format
    with caplog.at_level(logging.INFO, logger="roster.workbook_reader"), pytest.raises(ReaderError):
        read_table(buffer.getvalue(), "a.ods")  # calamine's verdict on this broken ODS
    assert [record.levelname for record in caplog.records] == ["INFO"]


def test_an_ods_and_a_broken_zip_still_get_calamine_s_answers():
    with pytest.raises(Unstreamable):
        read_streamed(io.BytesIO(b"PK\x03\x04 not really a zip"), "a.xlsx")
    with pytest.raises(ReaderError) as caught:
        read_table(b"PK\x03\x04 not really a zip", "a.xlsx")
    assert caught.value.code in ("not_a_spreadsheet", "workbook_unreadable")


def test_a_sheet_past_ten_million_cells_streams_but_calamine_refuses_it():
    header = [(f"{letter}1", name) for letter, name in zip("ABCDEFGHIJKLM", HEADER, strict=True)]
    data = raw_xlsx({1: header, 2: [("A2", "张三")], 900_000: [("M900000", "440802")]})  # 900,000 × 13 cells
    with pytest.raises(ReaderError) as caught:
        read_with_calamine(io.BytesIO(data), "a.xlsx")
    assert caught.value.code == "sheet_too_large"
    assert [number for number, _ in read_table(data, "a.xlsx").rows] == [2, 900_000]


def test_a_problem_deep_in_a_sheet_is_a_reader_error_with_its_cause(monkeypatch):
    monkeypatch.setattr(xlsx_package, "PIECE_BYTES", 2000)
    body = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>张{n}</t></is></c><c r="B{n}"><v>{n}</v></c></row>'
                   for n in range(2, 200))
    head = ('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>身份证号</t></is></c></row>')
    data = raw_sheet(head + body + '<row r="250"><c r="A250" t="zz"><v>1</v></c></row>')
    with pytest.raises(ReaderError) as caught:
        list(read_table(data, "a.xlsx").rows)
    assert caught.value.code == "workbook_unreadable" and 'row 250: unknown cell type t="zz"' in caught.value.message_en


def test_the_shared_strings_file_goes_when_the_table_is_closed(tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsxwriter_book(demo_rows(20, seed=2)))
    table = open_table(path)
    written = [name for name in os.listdir(tmp_path) if name.startswith("xlsx-strings-")]
    assert len(written) == 1
    table.close()
    assert [name for name in os.listdir(tmp_path) if name.startswith("xlsx-strings-")] == []


# --- pieces for the row-checking workers ---------------------------------------------------


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared-strings", "inline-strings"])
def test_pieces_for_the_workers_hold_exactly_the_table_s_rows(tmp_path, monkeypatch, constant_memory):
    monkeypatch.setattr(xlsx_package, "PIECE_BYTES", 3000)
    rows = demo_rows(300, seed=8)
    rows[40] = dict(rows[40], household_address="A & B")  # a piece read by the general path
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsxwriter_book(rows, constant_memory))
    with open_table(path) as table:
        pieces = list(table.pieces())
        in_pieces = [row for piece in pieces for row in piece.rows()]
        assert len(pieces) > 10
        assert in_pieces == list(table.rows)
    assert len(in_pieces) == 300


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(xlsx_package, "PIECE_BYTES", 4000)
    monkeypatch.setattr(checking, "CHUNK_ROWS", 7)
    monkeypatch.setattr(import_check, "CHUNK_ROWS", 7)


def validated(path, workers, name):
    """Validate a file as a new batch; return its counts, problems and spooled records."""
    batch = batches.create_batch(db.session, str(path), name)
    db.session.commit()
    batch = import_check.validate_batch(db.session, batch.id, TODAY, workers=workers, parallel_from_rows=1)
    problems = db.session.execute(select(ImportProblem.row, ImportProblem.field, ImportProblem.code,
                                         ImportProblem.value).where(ImportProblem.batch_id == batch.id)
                                  .order_by(ImportProblem.row, ImportProblem.field)).all()
    counts = {name: getattr(batch, name) for name in (
        "status", "rows_read", "rows_rejected", "rows_warned", "added", "updated", "unchanged", "removed",
        "duplicates", "counties", "headers")}
    records = [record for chunk in read_spool(batches.spool_path(batch)) for record in chunk]
    return counts, problems, records


def messy(total=260):
    """Demo rows with errors and warnings mixed in."""
    rows = demo_rows(total, seed=13)
    for i in range(0, total, 29):
        rows[i] = dict(rows[i], id_number=rows[i]["id_number"][:-1] + "0")
    for i in range(5, total, 41):
        rows[i] = dict(rows[i], registered_on=date(2031, 1, 1))
    for i in range(9, total, 43):
        rows[i] = dict(rows[i], phone=None)
    return rows


def test_an_xlsx_checked_in_workers_imports_as_the_csv_and_as_calamine_would(ctx, tmp_path, small_pieces,
                                                                              monkeypatch):
    rows = messy()
    xlsx_path, csv_path = tmp_path / "名册.xlsx", tmp_path / "名册.csv"
    xlsx_path.write_bytes(xlsxwriter_book(rows))
    csv_file(str(csv_path), rows)
    streamed = validated(xlsx_path, 2, "a.xlsx")
    in_process = validated(xlsx_path, 0, "b.xlsx")
    as_csv = validated(csv_path, 2, "c.csv")

    def unstreamable(*args, **kwargs):
        raise Unstreamable("for the test")

    monkeypatch.setattr(workbook_reader, "read_streamed", unstreamable)
    with_calamine = validated(xlsx_path, 0, "d.xlsx")
    assert streamed[0]["status"] == "previewed" and streamed[0]["rows_rejected"] > 5
    assert streamed == in_process == with_calamine
    assert streamed[0] == as_csv[0] and streamed[2] == as_csv[2]
    # Problems name the same rows and fields; a date shown as given differs (a date cell, not text).
    assert [problem[:3] for problem in streamed[1]] == [problem[:3] for problem in as_csv[1]]


def test_a_refusal_deep_in_the_sheet_fails_the_batch_from_a_worker(ctx, tmp_path, small_pieces):
    rows = roster_csv_rows(demo_rows(200, seed=3))
    cells = {1: [(f"{letter}1", name) for letter, name in zip("ABCDEFGHIJKLM", HEADER, strict=True)]}
    for number, values in enumerate(rows[1:], start=2):
        cells[number] = [(f"{letter}{number}", value) for letter, value in zip("ABCDEFGHIJKLM", values, strict=True)
                         if value]
    cells[150].append(("HZ150", "备注"))  # column 234: past the 200 a roster may have
    path = tmp_path / "名册.xlsx"
    path.write_bytes(raw_xlsx(cells))
    batch = batches.create_batch(db.session, str(path), "a.xlsx")
    db.session.commit()
    batch = import_check.validate_batch(db.session, batch.id, TODAY, workers=2, parallel_from_rows=1)
    assert (batch.status, batch.error_code) == ("failed", "too_many_columns")
    assert "234" in batch.error_message
