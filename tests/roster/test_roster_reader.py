"""Reading county roster files: encodings, delimiters, row numbers, workbooks, files that are no roster."""

import csv
import datetime
import io
import random
import zipfile

import openpyxl
import pytest

from roster.columns import map_headers
from roster.reader import open_table, read_table
from roster.table import MESSAGES, ReaderError

HEADER = "姓名,公民身份号码,联系电话,失业登记日期,县区"
ROWS = [
    "张三,440802199001011231,13812345678,2025-03-01,440802",
    "欧阳·娜娜,110101198506152345,0759-3388123,2025/3/1,赤坎区",
]
CSV_TEXT = "\r\n".join([HEADER, *ROWS]) + "\r\n"


def rows_of(table):
    """Return all rows of a table as a list."""
    return list(table.rows)


# --- encodings and delimiters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CSV_TEXT.encode("utf-8"), "utf-8"),
        (CSV_TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (CSV_TEXT.encode("gbk"), "gb18030"),
        (CSV_TEXT.encode("gb18030"), "gb18030"),
        (CSV_TEXT.encode("utf-16"), "utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16"],
)
def test_csv_in_every_encoding_reads_the_same(data, encoding):
    table = read_table(data, "名册.csv")
    assert table.encoding == encoding
    assert table.headers == HEADER.split(",")
    assert rows_of(table) == [(2, ROWS[0].split(",")), (3, ROWS[1].split(","))]


def test_gb18030_only_characters_are_detected():
    # 𠀀 (U+20000) exists in GB18030 but not in GBK: a GBK decode would fail on it.
    data = (HEADER + "\n𠀀三,440802199001011231,,2025-03-01,440802\n").encode("gb18030")
    table = read_table(data, "a.csv")
    assert rows_of(table)[0][1][0] == "𠀀三"


def test_bom_is_not_part_of_the_first_header():
    table = read_table(CSV_TEXT.encode("utf-8-sig"), "a.csv")
    assert table.headers[0] == "姓名"


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"])
def test_delimiter_is_sniffed(delimiter):
    text = CSV_TEXT.replace(",", delimiter)
    table = read_table(text.encode("utf-8"), "名册.txt")
    assert table.delimiter == delimiter
    assert table.headers == HEADER.split(",")
    assert rows_of(table)[1] == (3, ROWS[1].split(","))


def test_commas_inside_a_tab_delimited_file_do_not_fool_the_sniffer():
    text = '姓名\t"户籍地址,备注"\t身份证号\n张三\t"广东省湛江市,赤坎区"\t440802199001011231\n'
    table = read_table(text.encode(), "a.tsv")
    assert table.delimiter == "\t"
    assert rows_of(table) == [(2, ["张三", "广东省湛江市,赤坎区", "440802199001011231"])]


def test_full_width_digits_and_spaces_are_passed_through_for_normalising():
    text = "姓名,身份证号\n 张 三 ,４４０８０２１９９００１０１１２３１\n"
    assert rows_of(read_table(text.encode(), "a.csv")) == [(2, [" 张 三 ", "４４０８０２１９９００１０１１２３１"])]


# --- row numbers and the header row ----------------------------------------------------------


def test_title_row_above_header_is_skipped_and_row_numbers_stay_as_in_excel():
    text = "赤坎区失业登记人员名册,,,,\n\n" + CSV_TEXT
    table = read_table(text.encode("gbk"), "a.csv")
    assert table.header_row == 3
    assert table.headers == HEADER.split(",")
    assert [number for number, _ in table.rows] == [4, 5]


def test_blank_rows_are_counted_but_not_given_out():
    text = HEADER + "\n" + ROWS[0] + "\n\n,,,,\n" + ROWS[1] + "\n"
    assert [number for number, _ in read_table(text.encode(), "a.csv").rows] == [2, 5]


def test_a_quoted_line_break_is_one_row_as_excel_shows_it():
    text = HEADER + '\n"张\n三",440802199001011231,,2025-03-01,440802\n' + ROWS[1] + "\n"
    assert [number for number, _ in read_table(text.encode(), "a.csv").rows] == [2, 3]


def test_a_dos_end_of_file_mark_does_not_make_a_csv_binary():
    table = read_table(CSV_TEXT.encode("gbk") + b"\x1a", "a.csv")
    assert len(rows_of(table)) == 2


def test_rows_are_a_stream():
    table = read_table(CSV_TEXT.encode(), "a.csv")
    assert iter(table.rows) is table.rows


def test_unclosed_quote_is_reported_with_its_row():
    text = HEADER + "\n" + (ROWS[0] + "\n") * 20 + '"李四,' + "x" * (csv.field_size_limit() + 10) + "\n"
    table = read_table(text.encode(), "a.csv")
    with pytest.raises(ReaderError) as caught:
        rows_of(table)
    assert caught.value.code == "csv_malformed"
    assert caught.value.row == 22


# --- XLSX ------------------------------------------------------------------------------------


def workbook_bytes(build) -> bytes:
    """Make an XLSX file with openpyxl; build(workbook) fills it."""
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_sheet(workbook):
    """Fill the active sheet the way a county office does."""
    sheet = workbook.active
    sheet.title = "名册"
    sheet.append(["*姓名", "身份证号码", "手机号码", "失业登记日期", "县区代码"])
    sheet.append(["张三", "440802199001011231", 13812345678, datetime.date(2025, 3, 1), 440802])
    sheet.append(["李四", 440802199001011231, "13812345678", datetime.datetime(2025, 3, 1, 9, 30), "440802"])
    sheet["D3"].number_format = "yyyy-mm-dd hh:mm"


def test_xlsx_cells_keep_their_types():
    table = read_table(workbook_bytes(roster_sheet), "名册.xlsx")
    assert table.file_format == "workbook"
    assert table.sheet == "名册"
    assert table.headers == ["*姓名", "身份证号码", "手机号码", "失业登记日期", "县区代码"]
    (n1, first), (n2, second) = rows_of(table)
    assert (n1, n2) == (2, 3)
    assert first[1] == "440802199001011231"
    assert first[2] == 13812345678.0
    assert first[3] == datetime.date(2025, 3, 1)
    assert first[4] == 440802.0
    # An ID typed as a number comes back as a float: its last digits are already gone.
    assert isinstance(second[1], float)
    assert second[3] == datetime.datetime(2025, 3, 1, 9, 30)


def test_xlsx_row_numbers_count_blank_top_rows():
    def build(workbook):
        sheet = workbook.active
        sheet["A1"] = "麻章区失业登记人员名册"
        sheet.append([])
        sheet.append(["姓名", "身份证号", "登记日期"])
        sheet.append(["张三", "440802199001011231", "2025-03-01"])
        sheet.append([])
        sheet.append(["李四", "440802199001011231", "2025-03-01"])

    table = read_table(workbook_bytes(build), "a.xlsx")
    assert table.header_row == 3
    assert [number for number, _ in table.rows] == [4, 6]


def test_xlsx_data_starting_in_a_lower_row_keeps_excel_row_numbers():
    def build(workbook):
        sheet = workbook.active
        sheet["B3"] = "姓名"
        sheet["C3"] = "身份证号"
        sheet["B5"] = "张三"
        sheet["C5"] = "440802199001011231"

    table = read_table(workbook_bytes(build), "a.xlsx")
    assert table.header_row == 3
    assert rows_of(table) == [(5, ["张三", "440802199001011231"])]


def test_xlsx_picks_the_sheet_with_roster_headers():
    def build(workbook):
        workbook.active.title = "填表说明"
        workbook.active.append(["请按要求填写"])
        workbook.active.append(["身份证号须为文本格式"])
        hidden = workbook.create_sheet("旧表")
        hidden.sheet_state = "hidden"
        hidden.append(["姓名", "身份证号"])
        hidden.append(["旧", "1"])
        roster = workbook.create_sheet("名册")
        roster.append(["姓名", "身份证号"])
        roster.append(["张三", "440802199001011231"])

    table = read_table(workbook_bytes(build), "a.xlsx")
    assert table.sheet == "名册"


def test_open_table_streams_a_file_from_disk(tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(CSV_TEXT.encode("gbk"))
    with open_table(path) as table:
        assert table.encoding == "gb18030"
        assert len(rows_of(table)) == 2
    xlsx = tmp_path / "名册.xlsx"
    xlsx.write_bytes(workbook_bytes(roster_sheet))
    with open_table(xlsx) as table:
        assert len(rows_of(table)) == 2


# --- files that are no roster ----------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))


def docx_bytes() -> bytes:
    """Make a zip that is not a workbook."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "a.csv", "empty_file"),
        (b"  \r\n\r\n", "a.csv", "empty_file"),
        (b"\xef\xbb\xbf", "a.csv", "empty_file"),
        (b",,,\n,,,\n", "a.csv", "empty_file"),
        (HEADER.encode("gbk") + b"\r\n", "a.csv", "header_only"),
        (HEADER.encode() + b"\n,,,,\n\n", "a.csv", "header_only"),
        (PNG, "名册.xlsx", "not_a_spreadsheet"),
        (PDF, "名册.xlsx", "not_a_spreadsheet"),
        (PDF, "名册.csv", "not_a_spreadsheet"),
        (random.Random(3).randbytes(4096), "名册.csv", "not_a_spreadsheet"),
        (random.Random(3).randbytes(4096), "名册.xlsx", "not_a_spreadsheet"),
        (docx_bytes(), "名册.xlsx", "not_a_spreadsheet"),
        (b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table>", "名册.xls", "web_page_file"),
        (b"name,id\n\x80abc,1\n", "a.csv", "encoding_unknown"),
    ],
    ids=[
        "zero-bytes", "blank-lines", "bom-only", "only-commas", "header-only", "header-and-blank-rows",
        "png-as-xlsx", "pdf-as-xlsx", "pdf-as-csv", "garbage-as-csv", "garbage-as-xlsx", "docx-as-xlsx",
        "html-as-xls", "neither-utf8-nor-gb18030",
    ],
)
def test_files_that_cannot_be_read_get_a_clear_error(data, filename, code):
    with pytest.raises(ReaderError) as caught:
        read_table(data, filename)
    error = caught.value
    assert error.code == code
    assert filename in error.message_zh and filename in error.message_en
    assert error.message_zh != error.message_en


def test_xlsx_with_only_a_header_or_nothing():
    with pytest.raises(ReaderError) as caught:
        read_table(workbook_bytes(lambda wb: wb.active.append(["姓名", "身份证号"])), "a.xlsx")
    assert caught.value.code == "header_only"
    with pytest.raises(ReaderError) as caught:
        read_table(workbook_bytes(lambda wb: None), "a.xlsx")
    assert caught.value.code == "empty_file"


def test_missing_file_on_disk(tmp_path):
    with pytest.raises(ReaderError) as caught:
        open_table(tmp_path / "nope.csv")
    assert caught.value.code == "file_unreadable"


def test_every_reader_code_has_both_messages():
    for zh, en in MESSAGES.values():
        assert zh and en


# --- end to end: read, map, validate ---------------------------------------------------------


def test_xlsx_roster_end_to_end_flags_ids_excel_rounded():
    from stdnum.cn import ric

    from roster.validate import validate_row

    body = "44080219900101121"
    valid_id = body + ric.calc_check_digit(body + "?")

    def build(workbook):
        sheet = workbook.active
        sheet.append(["*姓名", "身份证号码", "手机号码", "失业登记日期", "县区代码"])
        sheet.append(["张三", valid_id, 13812345678, datetime.date(2025, 3, 1), 440802])
        sheet.append(["李四", int(valid_id), "13812345678", datetime.date(2025, 3, 1), "440802"])
        sheet.append(["王五", valid_id, None, 45717, "赤坎区"])

    table = read_table(workbook_bytes(build), "名册.xlsx")
    extract = map_headers(table.headers).extractor()
    results = {
        number: validate_row(extract(values), number, datetime.date(2026, 1, 15), {"440802"})
        for number, values in table.rows
    }
    assert results[2].problems == []
    assert results[2].record["phone"] == "+8613812345678"
    assert results[2].record["registered_on"] == datetime.date(2025, 3, 1)
    assert results[2].record["county_code"] == "440802"
    assert results[3].record is None
    assert [(p.field, p.code) for p in results[3].problems] == [("id_number", "precision_lost")]
    assert "文本" in results[3].problems[0].message_zh
    assert results[4].record["registered_on"] == datetime.date(2025, 3, 1)  # a plain serial number
    assert results[4].record["phone"] is None


def test_extractor_with_leading_columns_leaves_extra_columns_out():
    extract = map_headers(["姓名", "身份证号", "备注"]).extractor()
    assert extract(["张三", "1", "x"]) == {"name": "张三", "id_number": "1"}
    assert extract(["张三"]) == {"name": "张三", "id_number": None}
