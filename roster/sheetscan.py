"""Measure a workbook before it is loaded: refuse zip bombs and sheets too large to load.

python-calamine loads a sheet as its dense range, from its first to its last cell: a 2 KB XLSX with
one cell at A1 and one at XFD1048576 asks for hundreds of GB and aborts the process. So before
calamine sees an XLSX, every part of the zip is decompressed here as a stream (never held whole),
with a cap on the bytes it really expands to (the sizes in the zip directory may lie), and each
sheet's XML is scanned for the cells that hold a value (a `<dimension>` element may lie or be
absent). The scan uses regular expressions over the byte stream rather than an XML parser: they
run in C, a few seconds for a million-row sheet, where a Python event per element takes minutes.

Pure code: no Flask, no database. Errors are SheetRefused with a reader error code.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

MAX_COLUMNS = 200  # no roster has more; a wider header is refused before anything is built from it
MAX_ROWS = 1_048_576  # Excel's own limit
# Cells of the dense range calamine builds (32 bytes each): 10 million keep it near 320 MB, so that
# the importing process stays under 1 GiB. 770,000 rows of 13 columns fit; larger files go as CSV.
MAX_SHEET_CELLS = 10_000_000
MAX_SHEET_BYTES = 1 << 30  # the XML of one sheet, as expanded
MAX_PART_BYTES = 256 << 20  # any other part (shared strings, styles), as expanded
MAX_PARTS = 10_000
# Deflate expands at most about 1,030 times; XML rarely beyond 100. Past 32 MiB expanded, a part
# still expanding 500 times over is a zip bomb, whatever its final size.
BOMB_RATIO, BOMB_FROM_BYTES = 500, 32 << 20
_CHUNK = 1 << 20
_OVERLAP = 64  # bytes kept from one chunk to the next, so that no cell tag is cut in two

# The reference of every cell (the letters only) and of every row. A row or cell with a style but
# no value counts too: the extent may come out larger than calamine's, never smaller.
_CELL_COLUMN = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})[0-9]')
_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br="([0-9]{1,9})"')
_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref="([A-Z]*)([0-9]*)(?::([A-Z]+)([0-9]+))?"')


class SheetRefused(Exception):
    """A workbook that must not be loaded; code is a reader error code, detail fills its message."""

    def __init__(self, code: str, detail: str = "") -> None:
        """Keep the reader error code and the detail for its message."""
        super().__init__(code, detail)
        self.code, self.detail = code, detail


@dataclass
class SheetExtent:
    """The cells of a sheet that hold a value: first and last row and column (1-based), and the
    extent its `<dimension>` element declares (None when absent)."""

    first_row: int = 0
    last_row: int = 0
    first_column: int = 0
    last_column: int = 0
    declared: tuple[int, int] | None = None  # (last row, last column) as declared

    @property
    def rows(self) -> int:
        """Return the number of rows of the dense range."""
        return self.last_row - self.first_row + 1 if self.last_row else 0

    @property
    def columns(self) -> int:
        """Return the number of columns of the dense range."""
        return self.last_column - self.first_column + 1 if self.last_column else 0


def column_number(letters: bytes | str) -> int:
    """Turn column letters (A, Z, AA, XFD) into a 1-based column number."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - 64
    return number


def check_workbook(source) -> None:
    """Refuse a zip workbook (XLSX, ODS) that is a bomb or holds a sheet too large to load."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError):
        return  # not a readable zip: calamine says what it is
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise SheetRefused("workbook_too_large", f"{len(parts)} parts")
        for part in parts:
            if part.is_dir():
                continue
            if re.fullmatch(r"xl/worksheets/[^/]+\.xml", part.filename):
                name = part.filename.rsplit("/", 1)[-1][:-4]
                check_extent(scan_sheet(expanded(archive, part, MAX_SHEET_BYTES), name), name)
            else:
                for _ in expanded(archive, part, MAX_PART_BYTES):
                    pass


def check_extent(extent: SheetExtent, sheet: str) -> None:
    """Refuse a sheet wider than MAX_COLUMNS, longer than MAX_ROWS or larger than MAX_SHEET_CELLS."""
    if extent.last_column > MAX_COLUMNS:
        raise SheetRefused("too_many_columns", str(extent.last_column))
    if extent.last_row > MAX_ROWS:
        raise SheetRefused("sheet_too_large", f"{sheet}: {extent.rows:,} × {extent.columns}")
    if extent.rows * extent.columns > MAX_SHEET_CELLS:
        raise SheetRefused("sheet_too_large", f"{sheet}: {extent.rows:,} × {extent.columns}")


def expanded(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limit: int):
    """Yield a zip part's bytes as they expand; refuse it past `limit` bytes or as a bomb."""
    size = 0
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise SheetRefused("workbook_too_large", f"{part.filename}: > {limit >> 20} MiB")
                if size > BOMB_FROM_BYTES and size > BOMB_RATIO * max(part.compress_size, 1):
                    raise SheetRefused("workbook_too_large",
                                       f"{part.filename}: {part.compress_size >> 10} KiB → {size >> 20} MiB")
                yield chunk
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        # RuntimeError: an encrypted part. calamine reports a damaged or encrypted file better.
        raise SheetRefused("workbook_unreadable", str(error)) from None


def scan_sheet(chunks, sheet: str = "") -> SheetExtent:
    """Find the extent of a sheet's rows and cells in a stream of its XML bytes; refuse it early
    once it is larger than check_extent allows."""
    extent = SheetExtent()
    tail = b""
    for chunk in chunks:
        text = tail + chunk
        if extent.declared is None and not tail:
            extent.declared = _declared(text)
        # A tag cut at the chunk's end is scanned with the next chunk: stop before the last "<".
        cut = max(text.rfind(b"<"), len(text) - _OVERLAP) if len(text) > _OVERLAP else 0
        _widen(extent, text[:cut])
        tail = text[cut:]
        check_extent(extent, sheet)
    _widen(extent, tail)
    return extent


def _widen(extent: SheetExtent, body: bytes) -> None:
    """Widen the extent by the rows and cells named in a piece of sheet XML."""
    rows = [int(row) for row in _ROW.findall(body)]
    if rows:
        extent.first_row = min(rows + ([extent.first_row] if extent.first_row else []))
        extent.last_row = max(extent.last_row, *rows)
    columns = [column_number(letters) for letters in set(_CELL_COLUMN.findall(body))]
    if columns:
        extent.first_column = min(columns + ([extent.first_column] if extent.first_column else []))
        extent.last_column = max(extent.last_column, *columns)


def _declared(head: bytes) -> tuple[int, int] | None:
    """Read the (last row, last column) a sheet's `<dimension ref="A1:M1000">` declares."""
    match = _DIMENSION.search(head[:4096])
    if match is None:
        return None
    letters, digits = (match.group(3), match.group(4)) if match.group(3) else (match.group(1), match.group(2))
    return (int(digits or 0), column_number(letters or b""))
