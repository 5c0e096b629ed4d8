"""Make the hostile roster files the import must refuse with a coded error, never a crash.

Built here rather than committed: the largest expands to tens of MB and takes a fraction of a second
to make. `CORPUS` lists each as (name, filename, maker, the error code the import must end with);
docs/import.md lists the same corpus for readers. A code in ROW_CODES is a row problem in a batch
that is otherwise checked, not a refusal of the whole file.
"""

import io
import zipfile

from demo.roster import CSV_HEADERS, write_csv
from support.import_files import demo_rows

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
    '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
    'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_START = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main">')


def _cell(ref: str, value: str) -> str:
    """Return an inline-string cell."""
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(cells: dict[int, list[tuple[str, str]]], dimension: str | None = None, filler: int = 0) -> bytes:
    """Build a minimal XLSX from {row: [(ref, text)]}; `filler` bytes of blanks pad the sheet XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row, row_cells in sorted(cells.items()):
                sheet.write(f'<row r="{row}">{"".join(_cell(ref, v) for ref, v in row_cells)}</row>'.encode())
            blank = b" " * (1 << 20)
            for _ in range(filler >> 20):
                sheet.write(blank)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


_HEADER_CELLS = [("A1", "姓名"), ("B1", "公民身份号码"), ("C1", "失业登记日期"), ("D1", "县区")]


def sparse_to_xfd() -> bytes:
    """One cell at A1 and one at XFD1048576: calamine would ask for 549 GB."""
    return xlsx({1: _HEADER_CELLS, 1048576: [("XFD1048576", "x")]})


def sparse_to_z_with_lying_dimension() -> bytes:
    """A header and one cell at Z1048576 under a <dimension> that says A1:D1: 846 MB in calamine."""
    return xlsx({1: _HEADER_CELLS, 1048576: [("Z1048576", "x")]}, dimension="A1:D1")


def zip_bomb() -> bytes:
    """A sheet whose XML expands 40 MiB of blanks from a few tens of KB."""
    return xlsx({1: _HEADER_CELLS}, filler=40 << 20)


def xlsx_wide_header() -> bytes:
    """An XLSX whose header row has 300 columns."""
    refs = [column_letters(n) for n in range(1, 301)]
    return xlsx({1: [(f"{ref}1", f"列{n}") for n, ref in enumerate(refs, start=1)], 2: [("A2", "张三")]})


def column_letters(number: int) -> str:
    """Turn a 1-based column number into its letters."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def csv_columns(count: int) -> bytes:
    """A CSV whose header names `count` unknown columns."""
    return (",".join(f"c{n}" for n in range(count)) + "\r\n" + ",".join("1" for _ in range(3)) + "\r\n").encode()


def long_line() -> bytes:
    """A roster CSV with a 50 MB line after its header."""
    return ",".join(CSV_HEADERS).encode() + b"\r\n" + b"a" * (50 << 20) + b"\r\n"


def roster_csv(rows=30, last: dict | None = None, **changes) -> bytes:
    """A valid county CSV of demo rows, the first row changed by `changes` and the last by `last`."""
    people = [dict(r) for r in demo_rows(rows, seed=11)]
    people[0].update(changes)
    people[-1].update(last or {})
    out = io.StringIO()
    write_csv(people, out)
    return out.getvalue().encode("utf-8")


def nul_near_the_top() -> bytes:
    """A NUL in the first row: the file looks binary."""
    return roster_csv(household_address="湛江市\x00赤坎区")


def nul_deep_in_an_address() -> bytes:
    """A NUL in an address past the first 64 KB, where the text is already taken for CSV."""
    return roster_csv(700, last={"household_address": "湛江市\x00赤坎区"})


def mixed_encodings() -> bytes:
    """A header in UTF-8 and rows in GBK, as when two files are pasted together."""
    head = ("姓名,公民身份号码,失业登记日期,县区\r\n").encode()
    return head + "张三,440802199001011231,2025-03-01,赤坎区\r\n".encode("gbk")


def html_as_xls() -> bytes:
    """A web page saved with an .xls name, what some systems export."""
    return "<html><body><table><tr><td>姓名</td><td>身份证号</td></tr></table></body></html>".encode()


def binary_as_csv() -> bytes:
    """An executable renamed .csv."""
    return b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 16


def formulas() -> bytes:
    """Formula-like text in a name and an address (CSV injection)."""
    return roster_csv(name='=HYPERLINK("http://x","点")', household_address="=1+cmd|' /C calc'!A0")


# (name, filename, maker, code). Filenames include path-traversal attempts.
CORPUS = [
    ("zip-bomb", "名册.xlsx", zip_bomb, "workbook_too_large"),
    ("sparse-xfd", "sparse.xlsx", sparse_to_xfd, "too_many_columns"),
    ("sparse-z-lying-dimension", "sparse-z.xlsx", sparse_to_z_with_lying_dimension, "sheet_too_large"),
    ("xlsx-300-columns", "wide.xlsx", xlsx_wide_header, "too_many_columns"),
    ("csv-100000-columns", "wide.csv", lambda: csv_columns(100_000), "too_many_columns"),
    ("csv-1000000-columns", "widest.csv", lambda: csv_columns(1_000_000), "line_too_long"),
    ("50-mb-line", "long.csv", long_line, "line_too_long"),
    ("nul-near-the-top", "nul.csv", nul_near_the_top, "not_a_spreadsheet"),
    ("nul-deep", "nul-deep.csv", nul_deep_in_an_address, "control_character"),
    ("mixed-encodings", "mixed.csv", mixed_encodings, "encoding_mixed"),
    ("html-as-xls", "export.xls", html_as_xls, "web_page_file"),
    ("binary-as-csv", "../../../../etc/passwd.csv", binary_as_csv, "not_a_spreadsheet"),
    ("formulas", "..\\..\\公式.csv", formulas, "name_invalid"),
]
ROW_CODES = {"control_character", "name_invalid"}
