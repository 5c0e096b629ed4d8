"""Read a county's roster file (CSV or Excel) into headers and a stream of rows.

The content decides the format, not the file name: a zip or OLE container is a workbook (read with
python-calamine: .xlsx, .xls, .ods), a known binary or web-page signature is refused with a clear
message, anything else is CSV text. CSV text is UTF-8 (with or without BOM) when it decodes as such
strictly, else GB18030 (a superset of GBK and GB2312, what Excel on Chinese Windows writes); the
whole file is checked before the first row is given out, so a row is never half-decoded.

Rows come as (row number, values). The row number is the one the user sees in Excel: the first row
of the file or sheet is 1, blank rows count but are not given out. A title row above the header
("赤坎区失业登记人员名册") is skipped: the header row is the first of the top rows naming the most
known fields.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

import python_calamine

from roster.columns import count_recognised
from roster.normalize import visible
from roster.sheetscan import MAX_COLUMNS, SheetRefused, check_workbook

_CHUNK = 1 << 20
_HEADER_SEARCH_ROWS = 10
_MIN_RECOGNISED = 2
# A roster line is a few hundred characters; 200 columns of long addresses stay far below this.
# A longer line is refused before the CSV parser splits it into millions of fields.
MAX_LINE_CHARS = 1 << 20

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
    last_row: int | None = None  # a workbook sheet's last row number, known before reading
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


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded roster file held in memory."""
    return _read(data[:65536], lambda: _memory_chunks(data), lambda: io.BytesIO(data), filename)


def open_table(path: str | os.PathLike[str], filename: str | None = None) -> Table:
    """Read a roster file from disk, streaming it; messages name it `filename` (else its own name)."""
    filename = filename or os.path.basename(os.fspath(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise ReaderError("file_unreadable", filename, detail=error.strerror or str(error)) from None
    return _read(head, lambda: _file_chunks(path), lambda: open(path, "rb"), filename, path=path)


def _memory_chunks(data: bytes) -> Iterator[bytes]:
    """Yield a byte string in chunks without copying it whole."""
    view = memoryview(data)
    for start in range(0, len(view), _CHUNK):
        yield view[start:start + _CHUNK]


def _file_chunks(path) -> Iterator[bytes]:
    """Yield a file's bytes in chunks."""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


_BINARY_SIGNATURES = (
    b"\x89PNG", b"%PDF", b"\xff\xd8\xff", b"GIF8", b"BM", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"II*\x00",
    b"MM\x00*", b"\x7fELF", b"MZ",
)
_WEB_STARTS = (b"<!doctype", b"<html", b"<table", b"<meta", b"<?xml", b"<head", b"<body", b"<style")
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _sniff(head: bytes) -> str:
    """Classify a file by its first bytes: empty, workbook, web, binary, utf-16 or text."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
        return "workbook"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16" if head[2:].strip(b"\x00 \t\r\n") else "empty"
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if not body.strip():
        return "empty"
    if head.startswith(_BINARY_SIGNATURES):
        return "binary"
    if body.lstrip()[:16].lower().startswith(_WEB_STARTS):
        return "web"
    if b"\x00" in head:
        return "binary"
    # A stray control character (a DOS end-of-file mark) is tolerated; binary data is full of them.
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return "binary" if controls > len(head) // 200 + 2 else "text"


def _read(head: bytes, chunks, opener, filename: str, path=None) -> Table:
    """Dispatch on the sniffed kind of file."""
    kind = _sniff(head)
    if kind == "empty":
        raise ReaderError("empty_file", filename)
    if kind == "binary":
        raise ReaderError("not_a_spreadsheet", filename)
    if kind == "web":
        raise ReaderError("web_page_file", filename)
    if kind == "workbook":
        return _read_workbook(path if path is not None else opener(), filename)
    if kind == "utf-16":  # Excel's "Unicode text" export
        encoding = "utf-16" if _decodes(chunks(), "utf-16") else None
    else:
        encoding = _detect_encoding(chunks, head.startswith(codecs.BOM_UTF8))
        if encoding == "gb18030" and _has_utf8_line(head):
            raise ReaderError("encoding_mixed", filename)
    if encoding is None:
        raise ReaderError("encoding_unknown", filename)
    return _read_csv(head, opener, encoding, filename)


def _decodes(chunks: Iterable[bytes], encoding: str) -> bool:
    """Say whether the whole stream decodes strictly, without keeping the text."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(chunks: Callable[[], Iterable[bytes]], has_bom: bool) -> str | None:
    """Return utf-8-sig / utf-8 when the file is valid UTF-8, else gb18030 if valid, else None."""
    if _decodes(chunks(), "utf-8"):
        return "utf-8-sig" if has_bom else "utf-8"
    if not has_bom and _decodes(chunks(), "gb18030"):
        return "gb18030"
    return None


def _has_utf8_line(head: bytes) -> bool:
    """Say whether a line near the top holds Chinese text in UTF-8 (two files of different encodings
    pasted together): GBK text is almost never valid UTF-8 too, over a few characters."""
    for line in head.splitlines()[:-1]:  # the last line may be cut off
        if sum(byte >= 0x80 for byte in line) >= 6:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def _sniff_delimiter(head: bytes, encoding: str) -> str:
    """Pick the delimiter that occurs most in the first line with content."""
    text = head.decode(encoding, errors="ignore")
    line = next((candidate for candidate in text.splitlines() if candidate.strip()), "")
    counts = {delimiter: line.count(delimiter) for delimiter in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _is_blank(values: list) -> bool:
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


def _lines(text, filename: str, first_row: int = 1) -> Iterator[str]:
    """Yield a text file's lines; refuse one longer than MAX_LINE_CHARS before reading it whole."""
    number = first_row
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise ReaderError("line_too_long", filename, row=number)
        yield line
        number += 1


def _find_header(numbered: Iterator[Row], filename: str) -> tuple[int, list, list[Row]]:
    """Take the header row from the top of the rows; return it and the data rows read past it."""
    top: list[Row] = []
    for row in numbered:
        if not _is_blank(row[1]):
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
    pick = best if scores[best] >= _MIN_RECOGNISED else 0
    number, header = top[pick]
    return number, header, top[pick + 1:]


def _make_table(numbered: Iterator[Row], filename: str, **details) -> Table:
    """Find the header, make sure a data row follows, and wrap the rest as the row stream."""
    header_row, header, pending = _find_header(numbered, filename)
    data_rows = _non_blank(chain(pending, numbered))
    first = next(data_rows, None)
    if first is None:
        raise ReaderError("header_only", filename)
    headers = ["" if value is None else visible(str(value).strip()) for value in header]
    return Table(headers, chain((first,), data_rows), header_row, **details)


@dataclass(frozen=True)
class CsvLines:
    """Consecutive lines of a CSV file that holds no quote character, so that each line is one record.

    Parsing them is left to whoever calls rows(): a worker process, where it costs the reader nothing.
    """

    first_row: int
    lines: list[str]
    delimiter: str
    filename: str

    def rows(self) -> list[Row]:
        """Parse the lines into numbered rows, leaving blank ones out, as Table.rows does."""
        rows, number = [], self.first_row - 1
        try:
            for number, values in enumerate(csv.reader(self.lines, delimiter=self.delimiter), start=self.first_row):
                if not _is_blank(values):
                    rows.append((number, values))
            return rows
        except csv.Error as error:
            raise ReaderError("csv_malformed", self.filename, row=number + 1, detail=str(error)) from None


def csv_line_chunks(path, table: Table, filename: str, size: int) -> Iterator[CsvLines]:
    """Yield the data lines of a quote-free CSV file read as `table`, in chunks of `size` lines.

    Only for a file without any quote character: there, and only there, lines and records are the
    same, so that the lines after the header row are exactly the table's rows.
    """
    with open(path, encoding=table.encoding, newline="") as text:
        for _ in islice(text, table.header_row):
            pass
        first = table.header_row + 1
        guarded = _lines(text, filename, first)
        while lines := list(islice(guarded, size)):
            yield CsvLines(first, lines, table.delimiter or ",", filename)
            first += len(lines)


def _non_blank(rows: Iterator[Row]) -> Iterator[Row]:
    """Drop blank rows; a row whose first cell holds text is decided without looking further."""
    for row in rows:
        first = row[1][0] if row[1] else None
        if (first.__class__ is str and first and not first.isspace()) or not _is_blank(row[1]):
            yield row


def _read_csv(head: bytes, opener, encoding: str, filename: str) -> Table:
    """Read CSV text in the detected encoding with the sniffed delimiter."""
    delimiter = _sniff_delimiter(head, encoding)
    binary = opener()
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    reader = csv.reader(_lines(text, filename), delimiter=delimiter)

    def numbered() -> Iterator[Row]:
        """Yield CSV records with their row numbers; close the file at the end."""
        number = 0
        try:
            for number, values in enumerate(reader, start=1):
                yield number, values
        except csv.Error as error:
            raise ReaderError("csv_malformed", filename, row=number + 1, detail=str(error)) from None
        finally:
            text.close()

    stream = numbered()
    try:
        table = _make_table(stream, filename, file_format="csv", encoding=encoding, delimiter=delimiter)
    except ReaderError:
        stream.close()
        raise
    table._closers.append(stream.close)
    return table


def _check_workbook(source, filename: str) -> None:
    """Refuse a workbook that is a zip bomb or holds a sheet too large to load (roster/sheetscan.py)."""
    try:
        check_workbook(source)
    except SheetRefused as refused:
        raise ReaderError(refused.code, filename, detail=refused.detail) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _read_workbook(source, filename: str) -> Table:
    """Read the first sheet with recognised headers (else the first visible sheet) of a workbook."""
    _check_workbook(source, filename)  # before calamine loads anything
    try:
        workbook = python_calamine.load_workbook(source)
    except python_calamine.PasswordError:
        raise ReaderError("workbook_encrypted", filename) from None
    except python_calamine.CalamineError as error:
        detail = str(error)
        if "detect" in detail.lower():
            raise ReaderError("not_a_spreadsheet", filename) from None
        raise ReaderError("workbook_unreadable", filename, detail=detail) from None
    except Exception as error:  # calamine raises plain errors for some broken containers
        raise ReaderError("workbook_unreadable", filename, detail=str(error)) from None
    names = [
        meta.name for meta in workbook.sheets_metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        and meta.visible == python_calamine.SheetVisibleEnum.Visible
    ] or list(workbook.sheet_names)
    first_table: Table | None = None
    first_error: ReaderError | None = None
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except python_calamine.CalamineError as error:
            raise ReaderError("workbook_unreadable", filename, detail=str(error)) from None
        if sheet.width > MAX_COLUMNS:  # an .xls, which the scan does not open; its format caps it at 256
            raise ReaderError("too_many_columns", filename, detail=str(sheet.width))
        # iter_rows starts at the sheet's first row even when it is empty, so row numbers are
        # the index + 1 (tests/test_roster_reader.py checks this against a sheet with blank top rows).
        try:
            table = _make_table(
                enumerate(sheet.iter_rows(), start=1), filename, file_format="workbook", sheet=name,
                last_row=sheet.height,
            )
        except ReaderError as error:
            if first_error is None or error.code == "header_only":
                first_error = error  # "only a header" says more than "empty"
            continue
        if count_recognised(table.headers) >= _MIN_RECOGNISED:
            first_table = table
            break
        first_table = first_table or table
    if first_table is not None:
        first_table._closers.append(workbook.close)
        return first_table
    raise first_error or ReaderError("empty_file", filename)
