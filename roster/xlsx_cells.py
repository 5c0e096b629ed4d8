"""Turn pieces of an XLSX sheet's XML into rows of cell values, as python-calamine would give them.

The streaming reader (roster/xlsx_stream.py) cuts a sheet's XML at `</row>` boundaries; a piece is
parsed here, in whichever process checks its rows. Regular expressions find the rows and cells
(they run in C); Python only places each value. Values are those of python-calamine 0.9.1, the
reader this one stands in for (tests/roster/test_xlsx_stream.py compares the two cell by cell):
numbers are floats, a number under a date or time format is a date, datetime, time or timedelta,
booleans are bools, an error cell (#N/A) and an empty cell are "", text decoded as
roster/xlsx_values.py says.

Pure code: no Flask, no database. Shared strings are read from the file that
roster/xlsx_package.py wrote, mapped into memory by every process that reads them.
"""

from __future__ import annotations

import mmap
import re
from dataclasses import dataclass
from itertools import compress

from roster.xlsx_values import (
    NUMBER,
    OTHER,
    XML_BLANKS,
    CellError,
    date_value,
    iso_value,
    rich_text,
    xml_text,
)

_REFERENCE = re.compile(r"\br\s*=")


# --- shared strings --------------------------------------------------------------------------


class SharedStrings:
    """A workbook's shared strings, read from the file roster/xlsx_package.py writes: the texts as one
    UTF-8 block, then the offset of each text (8 bytes each, one more than there are texts), then the
    count. Mapped into memory, so that every process reading the sheet shares one copy."""

    def __init__(self, path: str):
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if _size(handle) else None
        if self._map is None:
            self.count, self._offsets = 0, memoryview(b"").cast("Q")
            return
        self.count = int.from_bytes(self._map[-8:], "little")
        start = len(self._map) - 8 - 8 * (self.count + 1)
        self._offsets = memoryview(self._map)[start:len(self._map) - 8].cast("Q")

    def __len__(self) -> int:
        return self.count

    def text(self, index: int) -> str:
        """Return the text at an index."""
        if not 0 <= index < self.count:
            raise CellError("a cell names a shared string the workbook does not have")
        offsets = self._offsets
        return self._map[offsets[index]:offsets[index + 1]].decode("utf-8", "surrogatepass")  # type: ignore[index]

    def close(self) -> None:
        """Unmap the file."""
        self._offsets.release()
        if self._map is not None:
            self._map.close()


def _size(handle) -> int:
    """Return an open file's size."""
    handle.seek(0, 2)
    return handle.tell()


_open_strings: dict[str, SharedStrings] = {}


def shared_strings(path: str | None) -> SharedStrings | None:
    """Return the shared strings of a file, mapped once per process (a worker keeps the last one)."""
    if path is None:
        return None
    strings = _open_strings.get(path)
    if strings is None:
        for old in _open_strings.values():
            old.close()
        _open_strings.clear()
        strings = _open_strings[path] = SharedStrings(path)
    return strings


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetFormat:
    """What a worker needs, besides the XML, to read a sheet's cells: the element prefix ("" or "x:"),
    the kind of each cell style (OTHER, DATETIME, TIMEDELTA by style index), the 1904 date system,
    and the shared strings' file."""

    prefix: str
    style_kinds: tuple[int, ...]
    is_1904: bool
    strings_path: str | None


def column_letters(index: int) -> str:
    """Turn a 0-based column index into its letters (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """Turn column letters (A, Z, AA) into a 0-based column index."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


class RowParser:
    """Parse pieces of a sheet's XML into sparse rows: (row number, [(column index, value), …]).

    The fast path reads the XML every common writer produces (Excel, WPS, LibreOffice, openpyxl,
    XlsxWriter) with one pattern of greedy character classes, which Python's regular expressions
    run at C speed; a piece it does not account for whole is read again by the general path.
    """

    def __init__(self, sheet: SheetFormat):
        self.sheet = sheet
        p = re.escape(sheet.prefix)
        self._rows = re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.DOTALL)
        self._cells = re.compile(
            rf'<{p}c\b(?:\s+r="([A-Z]{{1,3}})[0-9]*")?([^>]*?)(?:(/)>|>(.*?)</{p}c>)', re.DOTALL)
        self._t = re.compile(rf"<{p}t\b([^>]*?)(?:/>|>(.*?)</{p}t>)", re.DOTALL)
        self._attribute = re.compile(r'\b([rst])\s*=\s*["\']([^"\']*)["\']')
        self._row_number = re.compile(r'\br\s*=\s*["\']([0-9]+)["\']')
        self._shape: re.Pattern[str] | None = None
        self._shape_width = 0
        self._row_starts = ("", "")
        self._columns: dict[str, int] = {}
        self._kinds: dict[str, tuple[str | None, int]] = {}
        self._numbers: dict[tuple[str, int], object] = {}
        self._strings = shared_strings(sheet.strings_path)
        self._inline_start, self._inline_end = f"<{sheet.prefix}is><{sheet.prefix}t>", f"</{sheet.prefix}t></{sheet.prefix}is>"
        self._v_start, self._v_end = f"<{sheet.prefix}v>", f"</{sheet.prefix}v>"

    def rows(self, xml: str, previous: int = 0) -> list[tuple[int, list]]:
        """Return the rows of a piece of sheet XML that hold cells, numbered; `previous` is the number
        of the row before the piece (rows must come in order, each numbered)."""
        return self._general_rows(xml, previous)

    def shaped(self, first_column: int, width: int) -> None:
        """Prepare the fast path for rows of cells within `width` columns from `first_column`."""
        p = re.escape(self.sheet.prefix)
        letters = [column_letters(first_column + offset) for offset in range(width)]
        # Per column: its attributes, then an inline string's text or a <v>'s text; all optional. An
        # inline text that needs decoding (an entity, an _xHHHH_ escape, a carriage return, blanks to
        # trim at either end) does not match: its row, so its piece, goes to the general path.
        text = r"(?![ \t\n])[^<&\r_]*(?<![ \t\n])"
        cell = (rf'(?:<{p}c r="{{}}[0-9]+"([^>/]*)(?:/>|>(?:<{p}is><{p}t>({text})</{p}t></{p}is>|<{p}v>([^<]*)</{p}v>)'
                rf"</{p}c>))?")
        self._shape = re.compile(rf'<{p}row r="([0-9]+)"[^>/]*(?:/>|>' + "".join(cell.format(x) for x in letters)
                                 + rf"</{p}row>)")
        self._shape_width = width
        self._row_starts = (f"<{self.sheet.prefix}row ", f"<{self.sheet.prefix}row>")

    def shaped_rows(self, data: bytes, previous: int = 0) -> list[tuple[int, list]] | None:
        """Return the rows of a piece laid out as values (see shaped()), each row in one match of one
        pattern; None when a row has a cell out of the common forms (a formula, rich text, a column out
        of the width, text that needs decoding): the general path reads those."""
        if self._shape is None:
            return None
        xml = data.decode("utf-8")
        matches = self._shape.findall(xml)
        if len(matches) != xml.count(self._row_starts[0]) + xml.count(self._row_starts[1]):
            return None
        found = []
        no_values = ("",) * self._shape_width
        positions = range(self._shape_width)
        kinds, strings, numbers, value_of = self._kinds, self._strings, self._numbers, self._value
        for match in matches:
            number = int(match[0])
            if number <= previous:
                raise CellError(f"row {number} comes after row {previous}")
            previous = number
            values = list(match[2::3])
            texts = match[3::3]
            if texts != no_values:
                rests = match[1::3]
                for index in compress(positions, texts):  # the columns holding a <v>, found in C
                    text, rest = texts[index], rests[index]
                    kind = kinds.get(rest)
                    if kind is None:
                        try:
                            kind = kinds[rest] = self._kind(rest)
                        except CellError as error:
                            raise CellError(f"row {number}: {error}") from None
                    cell_type = kind[0]
                    if cell_type == "s" and strings is not None and text.isdigit():
                        values[index] = strings.text(int(text))
                        continue
                    value = numbers.get((text, kind[1])) if cell_type is None else None
                    if value is None:
                        try:
                            value = value_of(kind, self._v_start + text + self._v_end)
                        except CellError as error:
                            raise CellError(f"row {number}: {error}") from None
                    values[index] = "" if value is None else value
            found.append((number, values))
        return found

    def _general_rows(self, xml: str, previous: int) -> list[tuple[int, list]]:
        """Read the rows of a piece whatever the order and quoting of their attributes."""
        found = []
        for attributes, body in self._rows.findall(xml):
            match = self._row_number.search(attributes)
            if match is None:
                raise CellError("a row without its number (r attribute)")
            number = int(match.group(1))
            if number <= previous:
                raise CellError(f"row {number} comes after row {previous}")
            previous = number
            if body:
                try:
                    cells = self.cells(body)
                except CellError as error:
                    raise CellError(f"row {number}: {error}") from None
                if cells:
                    found.append((number, cells))
        return found

    def cells(self, body: str) -> list[tuple[int, object]]:
        """Return the cells of a row's XML that hold a value, as (column index, value)."""
        cells = []
        columns, kinds = self._columns, self._kinds
        column = -1
        for letters, rest, closed, content in self._cells.findall(body):
            if closed:
                continue  # <c r="B2" s="1"/>: a styled cell without a value; calamine skips it whole
            if letters:
                column = columns.get(letters, -1)
                if column < 0:
                    column = columns[letters] = column_index(letters)
            elif "r" in rest and _REFERENCE.search(rest):
                column, rest = self._reference(rest)
            else:
                column += 1
            kind = kinds.get(rest)
            if kind is None:
                kind = kinds[rest] = self._kind(rest)
            if not content:
                continue
            value = self._value(kind, content)
            if value is not None:
                cells.append((column, value))
        return cells

    def _reference(self, rest: str) -> tuple[int, str]:
        """Read a cell reference written after other attributes; return its column and the other attributes."""
        attributes = dict(self._attribute.findall(rest))
        letters = re.match(r"[A-Z]{1,3}", attributes.get("r", ""))
        if letters is None:
            raise CellError(f"a cell reference calamine cannot read: {attributes.get('r')!r}")
        others = " ".join(f'{key}="{value}"' for key, value in attributes.items() if key != "r")
        return column_index(letters.group()), " " + others

    def _kind(self, rest: str) -> tuple[str | None, int]:
        """Read a cell's type and style attributes: (type, what its number format makes of a number)."""
        attributes = dict(self._attribute.findall(rest))
        style = attributes.get("s")
        kinds = self.sheet.style_kinds
        if style is None:
            style_kind = OTHER
        else:
            index = int(style) if style.isascii() and style.isdigit() else 0
            style_kind = kinds[index] if index < len(kinds) else OTHER
        cell_type = attributes.get("t")
        if cell_type not in (None, "n", "s", "b", "e", "str", "d", "inlineStr"):
            raise CellError(f'unknown cell type t="{cell_type}"')
        return cell_type, style_kind

    def _value(self, kind: tuple, content: str):
        """Return a cell's value from its content (<v>, <is>, <f>); None for no value."""
        cell_type = kind[0]
        if cell_type == "inlineStr":
            opening, closing = self._inline_start, self._inline_end
            if content.startswith(opening) and content.endswith(closing):
                text = content[len(opening):-len(closing)]
                if "<" not in text:
                    if "&" in text or "_x" in text or "\r" in text or (text and (text[0] in XML_BLANKS
                                                                               or text[-1] in XML_BLANKS)):
                        return xml_text(text, True)
                    return text
            start = content.find(f"<{self.sheet.prefix}is")
            if start < 0:
                return None  # only a <v> (ignored for an inline string) or a formula
            return rich_text(content[start:], self._t)
        v_start, v_end = self._v_start, self._v_end
        if content.startswith(v_start) and content.endswith(v_end):
            raw = content[len(v_start):-len(v_end)]
        else:
            start = content.find(v_start)
            if start < 0:
                start = content.find(f"<{self.sheet.prefix}is")
                # An inline string under another type is read as text, as calamine does; else a formula
                # without its cached value, or an empty <v/>.
                return rich_text(content[start:], self._t) if start >= 0 else None
            end = content.find(v_end, start)
            if end < 0:
                raise CellError("a value element without its end")
            raw = content[start + len(v_start):end]
        if cell_type is None or cell_type == "n":
            if not raw:
                return None
            cached = self._numbers.get((raw, kind[1]))
            if cached is not None:
                return cached
            if not NUMBER.fullmatch(raw):
                if cell_type is None:
                    return xml_text(raw, False)
                raise CellError(f"not a number: {raw[:20]!r}")
            number = float(raw)
            value = number if kind[1] == OTHER else date_value(number, kind[1], self.sheet.is_1904)
            if len(self._numbers) < 100_000:
                self._numbers[raw, kind[1]] = value
            return value
        if cell_type == "s":
            if not raw:
                return None
            if self._strings is None:
                raise CellError("a cell names a shared string the workbook does not have")
            return self._strings.text(int(raw) if raw.isascii() and raw.isdigit() else 0)
        if cell_type == "str":
            return xml_text(raw, False)
        if cell_type == "b":
            return None if not raw else raw != "0"
        if cell_type == "e":
            return None if not raw else ""  # an error (#N/A): calamine gives "" but counts the cell
        return iso_value(xml_text(raw, False)) if raw else None  # "d"


def place(cells: list[tuple[int, object]], first_column: int, width: int, max_columns: int) -> list:
    """Lay out a row's cells from the sheet's first column, padded with "" to `width` at least; a cell
    past column `max_columns` raises CellError with its column number."""
    values: list = [""] * width
    for column, value in cells:
        index = column - first_column
        if index < 0:
            continue  # left of every cell of the top rows: see roster/xlsx_stream.py
        if index >= len(values):
            if column >= max_columns:
                raise CellError(str(column + 1))
            values.extend([""] * (index + 1 - len(values)))
        values[index] = value
    return values
