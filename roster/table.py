"""A roster file read as a table: its header row and a stream of numbered rows, and the error a reader
raises for a file it cannot read (roster/reader.py decides which reader reads a file).

Rows come as (row number, values). The row number is the one the user sees in Excel: the first row
of the file or sheet is 1, blank rows count but are not given out. A title row above the header
("赤坎区失业登记人员名册") is skipped: the header row is the first of the top rows naming the most
known fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from roster.columns import count_recognised
from roster.normalize import visible
from roster.sheetscan import MAX_COLUMNS

_HEADER_SEARCH_ROWS = 10
MIN_RECOGNISED = 2  # known fields a header row names at least

MESSAGES: dict[str, tuple[str, str]] = {
    "empty_file": ("文件“{filename}”是空的，没有任何数据", "The file “{filename}” is empty"),
    "header_only": (
        "文件“{filename}”只有表头，没有数据行",
        "The file “{filename}” has a header row but no data rows",
    ),
    "not_a_spreadsheet": (
        "文件“{filename}”不是表格文件（CSV 或 Excel），可能是图片、PDF 或其他文件改了扩展名",
        "The file “{filename}” is not a spreadsheet (CSV or Excel); it may be an image, a PDF or "
        "another file renamed",
    ),
    "web_page_file": (
        "文件“{filename}”是网页或 XML 格式（业务系统导出的“.xls”常是这样），请用 Excel 打开后"
        "另存为 .xlsx 或 CSV 再导入",
        "The file “{filename}” is a web page or XML file (often what systems export as “.xls”); "
        "open it in Excel and save it as .xlsx or CSV",
    ),
    "encoding_unknown": (
        "无法识别文件“{filename}”的文字编码（既不是 UTF-8 也不是 GBK/GB18030），请在 Excel 中另存为"
        "“CSV UTF-8”后再导入",
        "The text encoding of “{filename}” is neither UTF-8 nor GBK/GB18030; save it from Excel as "
        "“CSV UTF-8”",
    ),
    "encoding_mixed": (
        "文件“{filename}”中混有两种文字编码（一部分是 UTF-8，一部分是 GBK），可能是两个文件拼接而成。"
        "请在 Excel 中打开后另存为“CSV UTF-8”再导入",
        "The file “{filename}” mixes two text encodings (part UTF-8, part GBK), perhaps two files pasted "
        "together; save it from Excel as “CSV UTF-8”",
    ),
    "workbook_encrypted": (
        "Excel 文件“{filename}”设置了打开密码，请取消密码后再导入",
        "The Excel file “{filename}” is password-protected; remove the password and import again",
    ),
    "workbook_unreadable": (
        "无法读取 Excel 文件“{filename}”，文件可能已损坏（{detail}）",
        "The Excel file “{filename}” cannot be read; it may be damaged ({detail})",
    ),
    "file_unreadable": ("无法打开文件“{filename}”（{detail}）", "Cannot open the file “{filename}” ({detail})"),
    "too_many_columns": (
        "文件“{filename}”的表格有{detail}列，超过了200列的上限，不像是失业登记名册。请只保留名册的列后再导入",
        "The file “{filename}” has {detail} columns, more than the limit of 200; keep only the roster's "
        "columns and import again",
    ),
    "sheet_too_large": (
        "Excel 文件“{filename}”的工作表过大（{detail}，行 × 列，含中间的空白区域），无法安全读取。"
        "请删除数据以外的空行空列，或另存为 CSV（UTF-8）后再导入",
        "A sheet of the Excel file “{filename}” is too large to read safely ({detail}, rows × columns, "
        "blank cells between included); delete the empty rows and columns or save it as CSV (UTF-8)",
    ),
    "workbook_too_large": (
        "Excel 文件“{filename}”解压后过大（{detail}），可能是恶意构造的压缩文件，已拒绝读取",
        "The Excel file “{filename}” expands to too much data ({detail}); it may be a zip bomb and was "
        "not read",
    ),
    "line_too_long": (
        "文件“{filename}”第{row}行超过100万个字符，不像是名册的一行，请检查文件内容",
        "Row {row} of “{filename}” is longer than a million characters; it is not a roster row",
    ),
    "csv_malformed": (
        "文件“{filename}”第{row}行格式有误（{detail}），常见原因是引号未配对",
        "Row {row} of “{filename}” is malformed ({detail}); an unpaired quote is the usual cause",
    ),
}


class ReaderError(Exception):
    """A file that cannot be read as a roster; code is stable, messages are for the user."""

    def __init__(self, code: str, filename: str = "", row: int | None = None, detail: str = "") -> None:
        """Fill in the messages for the code."""
        zh, en = MESSAGES[code]
        params = {"filename": filename, "row": row, "detail": detail}
        self.code = code
        self.row = row
        self.message_zh = zh.format(**params)
        self.message_en = en.format(**params)
        self._params = (code, filename, row, detail)
        super().__init__(self.message_en)

    def __reduce__(self):
        """Rebuild from the constructor's arguments, so the error survives the trip from a worker process."""
        return type(self), self._params


Row = tuple[int, list]


@dataclass
class Table:
    """A roster file's header row and its data rows as (row number, values), read lazily.

    Iterating rows may still raise ReaderError("csv_malformed") for a broken line deep in a file.
    """

    headers: list[str]
    rows: Iterator[Row]
    header_row: int = 1
    file_format: str = "csv"  # "csv" or "workbook"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    last_row: int | None = None  # a workbook sheet's last row number, known (or estimated) before reading
    # For a streamed XLSX sheet: yields the data rows again as pieces of XML that row-checking workers
    # parse (roster/xlsx_stream.py SheetPiece), as CSV lines are sent to them.
    pieces: Callable[[], Iterator] | None = field(default=None, repr=False)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Release the file behind the rows."""
        for closer in self._closers:
            closer()

    def __enter__(self) -> Table:
        """Use the table in a with block that closes it."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the table at the end of the with block."""
        self.close()


def is_blank(values: list) -> bool:
    """Say whether a row has no value at all."""
    for value in values:
        if value is None or value == "":
            continue
        if value.__class__ is str and not value.strip().strip("\x1a"):  # \x1a: DOS end-of-file mark
            continue
        return False
    return True


def _width(values: list) -> int:
    """Return the position of a row's last non-blank value."""
    for position in range(len(values), 0, -1):
        value = values[position - 1]
        if value is not None and not (value.__class__ is str and not value.strip()):
            return position
    return 0


def _find_header(numbered: Iterator[Row], filename: str) -> tuple[int, list, list[Row]]:
    """Take the header row from the top of the rows; return it and the data rows read past it."""
    top: list[Row] = []
    for row in numbered:
        if not is_blank(row[1]):
            top.append(row)
            if len(top) >= _HEADER_SEARCH_ROWS:
                break
    if not top:
        raise ReaderError("empty_file", filename)
    for _, values in top:  # before anything is built from a header row
        width = _width(values)
        if width > MAX_COLUMNS:
            raise ReaderError("too_many_columns", filename, detail=str(width))
    scores = [count_recognised(values) for _, values in top]
    best = max(range(len(top)), key=scores.__getitem__)
    pick = best if scores[best] >= MIN_RECOGNISED else 0
    number, header = top[pick]
    return number, header, top[pick + 1:]


def make_table(numbered: Iterator[Row], filename: str, **details) -> Table:
    """Find the header, make sure a data row follows, and wrap the rest as the row stream."""
    header_row, header, pending = _find_header(numbered, filename)
    data_rows = _non_blank(chain(pending, numbered))
    first = next(data_rows, None)
    if first is None:
        raise ReaderError("header_only", filename)
    headers = ["" if value is None else visible(str(value).strip()) for value in header]
    return Table(headers, chain((first,), data_rows), header_row, **details)


def _non_blank(rows: Iterator[Row]) -> Iterator[Row]:
    """Drop blank rows; a row whose first cell holds text is decided without looking further."""
    for row in rows:
        first = row[1][0] if row[1] else None
        if (first.__class__ is str and first and not first.isspace()) or not is_blank(row[1]):
            yield row
