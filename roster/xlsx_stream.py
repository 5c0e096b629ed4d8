"""Read an XLSX sheet as a stream of rows, without loading it: the reader of roster files in .xlsx.

The importing process inflates the sheet's XML and cuts it at `</row>` boundaries; each piece is
parsed into rows by whoever checks them (roster/xlsx_cells.py): this process for a small file, the
row-checking workers for a large one (`SheetPiece`, sent to them as the CSV path sends lines).
Shared strings are read once, into a file every process maps. Memory stays flat whatever the
sheet's size, so the 10,000,000-cell limit of the calamine reader does not apply; the inflated
size of the sheet is capped (MAX_STREAMED_SHEET_BYTES) and zip bombs are refused as they expand.

Rows are what python-calamine gives for the same sheet: the same values (tests/roster/
test_xlsx_stream.py compares them), numbered as in Excel, starting at the sheet's first column.
One difference: calamine starts rows at the leftmost cell of the whole sheet, known only at its
end, where this reader takes the leftmost cell of the rows it reads to find the header. A cell
left of all of those, in a column without a header, is not read; it could not be mapped anyway.

A workbook this reader does not expect raises Unstreamable before a row is given out (roster/
workbook_reader.py then reads it with calamine, logging why); a problem it meets later, deep in the
sheet, is a ReaderError ("workbook_unreadable", or the refusals of a sheet too large).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from roster.columns import count_recognised
from roster.sheetscan import MAX_COLUMNS, MAX_ROWS, SheetRefused
from roster.table import MIN_RECOGNISED, ReaderError, Row, Table, is_blank, make_table
from roster.xlsx_cells import RowParser, SheetFormat, place
from roster.xlsx_package import Package, SheetPart, Unstreamable, sheet_head
from roster.xlsx_values import CellError

# A sheet's extent (rows × columns, from its first cell, blanks between included) beyond which it is
# refused: 1,048,576 rows of 20 columns. No roster comes near it (a million rows of the 13 roster
# fields are 13 million cells); it keeps out the sparse sheets built to look enormous.
MAX_STREAMED_CELLS = 20 * 1_048_576
_HEAD_ROWS = 10  # non-blank rows read to find the header (as roster/table.py does)


@dataclass(frozen=True)
class SheetLayout:
    """Where a sheet's rows sit: the sheet's first row and column (0-based column), the row width,
    and the header's row, after which rows are data."""

    filename: str
    first_row: int
    first_column: int
    width: int
    header_row: int = 0


def _placed(layout: SheetLayout, number: int, cells: list) -> list:
    """Lay out a row's cells; refuse a row beyond the sheet's limits: a cell past column 200, a row
    past Excel's last, or an extent larger than MAX_STREAMED_CELLS."""
    try:
        values = place(cells, layout.first_column, layout.width, MAX_COLUMNS)
    except CellError as error:
        raise ReaderError("too_many_columns", layout.filename, detail=str(error)) from None
    _check_extent(layout, number, len(values))
    return values


def _check_extent(layout: SheetLayout, number: int, columns: int) -> None:
    """Refuse a sheet whose rows reach past Excel's last or whose extent passes MAX_STREAMED_CELLS."""
    rows = number - layout.first_row + 1
    if number > MAX_ROWS or rows * columns > MAX_STREAMED_CELLS:
        raise ReaderError("sheet_too_large", layout.filename, detail=f"{rows:,} × {columns}")


@dataclass(frozen=True)
class SheetPiece:
    """A piece of a sheet's XML whose rows a row-checking worker parses (roster/checking.py)."""

    xml: bytes
    previous_row: int  # the number of the last row before the piece, 0 for none: rows must come in order
    sheet: SheetFormat
    layout: SheetLayout

    def rows(self) -> list[Row]:
        """Parse the piece into numbered data rows (after the header row), blank ones left out."""
        layout = self.layout
        parser = parser_for(self.sheet, layout.first_column, layout.width)
        try:
            shaped = parser.shaped_rows(self.xml, self.previous_row)
            if shaped is not None:
                if shaped:
                    _check_extent(layout, shaped[-1][0], layout.width)
                return [row for row in shaped if row[0] > layout.header_row and not is_blank(row[1])]
            parsed = parser.rows(self.xml.decode("utf-8"), self.previous_row)
        except (CellError, UnicodeDecodeError) as error:
            raise ReaderError("workbook_unreadable", layout.filename, detail=str(error)) from None
        rows = []
        for number, cells in parsed:
            if number <= layout.header_row:
                continue
            values = _placed(layout, number, cells)
            if not is_blank(values):
                rows.append((number, values))
        return rows


_parsers: dict[tuple[SheetFormat, int, int], RowParser] = {}


def parser_for(sheet: SheetFormat, first_column: int, width: int) -> RowParser:
    """Return a row parser for a sheet laid out so, made once per process (a worker keeps the last one)."""
    parser = _parsers.get((sheet, first_column, width))
    if parser is None:
        _parsers.clear()
        parser = _parsers[sheet, first_column, width] = RowParser(sheet)
        parser.shaped(first_column, width)
    return parser


def _last_row_number(piece: bytes, prefix: bytes) -> int | None:
    """Return the number of the last row that starts in a piece of sheet XML."""
    start = piece.rfind(b"<" + prefix + b"row")
    while start >= 0:
        end = piece.find(b">", start)
        tag = piece[start:end]
        if tag[len(prefix) + 4:len(prefix) + 5] in (b" ", b"\t", b"\n", b"\r", b"/", b""):
            number = _ROW_NUMBER.search(tag)
            return int(number.group(1)) if number else None
        start = piece.rfind(b"<" + prefix + b"row", 0, start)
    return None


_ROW_NUMBER = re.compile(rb'\br\s*=\s*["\']([0-9]+)')


class StreamedSheet:
    """One sheet of an open package, read as a stream of rows."""

    def __init__(self, package: Package, part: SheetPart, filename: str):
        self.package, self.part, self.filename = package, part, filename
        pieces = package.sheet_pieces(part.member)  # type: ignore[arg-type]
        first = next(pieces, b"")
        prefix, self.declared_last_row = sheet_head(first, part.member)  # type: ignore[arg-type]
        self.format = SheetFormat(prefix, package.style_kinds, package.is_1904, package.shared_strings_path())
        self.layout: SheetLayout | None = None
        self._pieces = pieces
        self._first = first
        self.estimated_rows = self.declared_last_row

    def numbered(self) -> Iterator[Row]:
        """Yield the sheet's rows as (number, values), parsed here; the top rows decide the layout.

        Until the layout is known (the rows read to find the header), a problem makes the sheet
        Unstreamable, so that calamine reads it instead; after that it is a ReaderError.
        """
        parser = RowParser(self.format)
        previous = 0
        head: list[tuple[int, list]] = []
        non_blank = 0
        for piece in _refusals_read(self._all_pieces(), self.filename):
            try:
                layout = self.layout
                shaped = parser.shaped_rows(piece, previous) if layout is not None else None
                if shaped is not None and layout is not None:
                    if shaped:
                        previous = shaped[-1][0]
                        _check_extent(layout, previous, layout.width)
                    yield from shaped
                    continue
                rows = parser.rows(piece.decode("utf-8"), previous)
            except (CellError, UnicodeDecodeError) as error:
                if self.layout is None:
                    raise Unstreamable(f"sheet {self.part.name}: {error}") from None
                raise ReaderError("workbook_unreadable", self.filename, detail=str(error)) from None
            if rows:
                previous = rows[-1][0]
            if self.layout is None:
                for row in rows:
                    head.append(row)
                    if not is_blank([value for _, value in row[1]]):
                        non_blank += 1
                if non_blank < _HEAD_ROWS:
                    continue
                self.layout = self._layout(head, len(piece))
                parser.shaped(self.layout.first_column, self.layout.width)
                rows, head = head, []
            yield from self._placed(rows)
        if self.layout is None:
            self.layout = self._layout(head, 0)
            yield from self._placed(head)

    def _all_pieces(self) -> Iterator[bytes]:
        """Yield the first piece (read to find the sheet's prefix), then the rest."""
        yield self._first
        self._first = b""
        yield from self._pieces

    def _placed(self, rows: list) -> Iterator[Row]:
        """Lay out parsed rows."""
        layout = self.layout
        assert layout is not None
        for number, cells in rows:
            yield number, _placed(layout, number, cells)

    def _layout(self, head: list, head_bytes: int) -> SheetLayout:
        """Fix the sheet's layout from its top rows: first row, first column and width."""
        for _, cells in head:
            for column, _ in cells:
                if column + 1 > MAX_COLUMNS:
                    raise ReaderError("too_many_columns", self.filename, detail=str(column + 1))
        columns = [column for _, cells in head for column, _ in cells]
        first_column = min(columns, default=0)
        width = max(columns, default=-1) + 1 - first_column
        if self.estimated_rows is None and head and head_bytes:
            part = self.package.members[self.part.member]  # type: ignore[index]
            self.estimated_rows = int(part.file_size / max(head_bytes / max(len(head), 1), 1))
        return SheetLayout(self.filename, head[0][0] if head else 1, first_column, width)

    def pieces(self, header_row: int) -> Iterator[SheetPiece]:
        """Yield the whole sheet again, in pieces for row-checking workers, rows after `header_row` kept."""
        assert self.layout is not None
        layout = SheetLayout(self.filename, self.layout.first_row, self.layout.first_column, self.layout.width,
                             header_row)
        prefix = self.format.prefix.encode()
        previous = 0
        for xml in _refusals_read(self.package.sheet_pieces(self.part.member), self.filename):  # type: ignore[arg-type]
            yield SheetPiece(xml, previous, self.format, layout)
            previous = _last_row_number(xml, prefix) or previous


def _refusals_read(pieces: Iterator[bytes], filename: str) -> Iterator[bytes]:
    """Pass pieces of a sheet through, a refusal met while inflating them (a zip bomb) made a ReaderError."""
    try:
        yield from pieces
    except SheetRefused as refused:
        raise ReaderError(refused.code, filename, detail=refused.detail) from None


def read_streamed(source, filename: str, scratch_dir: str | None = None) -> Table:
    """Read the first sheet with recognised headers (else the first visible sheet) of an XLSX workbook.

    Raises Unstreamable for a workbook to be read by calamine instead, ReaderError for a refusal.
    """
    package = Package(source, scratch_dir)
    try:
        table = _read_package(package, filename)
    except BaseException:
        package.close()
        raise
    table._closers.append(package.close)
    return table


def _read_package(package: Package, filename: str) -> Table:
    """Choose the sheet and read its table, as roster/workbook_reader.py does with calamine."""
    try:
        candidates = [part for part in package.sheets if part.visible and part.worksheet] or package.sheets
        first_table: Table | None = None
        first_error: ReaderError | None = None
        for part in candidates:
            if not part.worksheet or part.member is None:
                raise Unstreamable(f"sheet {part.name} is not a worksheet the stream reader reads")
            sheet = StreamedSheet(package, part, filename)
            try:
                table = make_table(sheet.numbered(), filename, file_format="workbook", sheet=part.name,
                                   last_row=sheet.estimated_rows)
            except ReaderError as error:
                if first_error is None or error.code == "header_only":
                    first_error = error
                continue
            table.last_row = sheet.estimated_rows
            table.pieces = lambda sheet=sheet, table=table: sheet.pieces(table.header_row)
            if count_recognised(table.headers) >= MIN_RECOGNISED:
                return table
            first_table = first_table or table
        if first_table is not None:
            return first_table
        raise first_error or ReaderError("empty_file", filename)
    except SheetRefused as refused:
        raise ReaderError(refused.code, filename, detail=refused.detail) from None

