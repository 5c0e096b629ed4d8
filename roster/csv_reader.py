"""Read CSV text into a Table: its encoding checked over the whole file first, its delimiter sniffed.

CSV text is UTF-8 (with or without BOM) when it decodes as such strictly, else GB18030 (a superset
of GBK and GB2312, what Excel on Chinese Windows writes); the whole file is checked before the first
row is given out, so a row is never half-decoded.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from roster.table import ReaderError, Row, Table, is_blank, make_table

# A roster line is a few hundred characters; 200 columns of long addresses stay far below this.
# A longer line is refused before the CSV parser splits it into millions of fields.
MAX_LINE_CHARS = 1 << 20


def read_csv(head: bytes, chunks: Callable[[], Iterable[bytes | memoryview]], opener, filename: str,
             utf16: bool = False) -> Table:
    """Read CSV text (UTF-16 for Excel's "Unicode text") once its encoding is known for the whole file."""
    if utf16:
        encoding = "utf-16" if _decodes(chunks(), "utf-16") else None
    else:
        encoding = _detect_encoding(chunks, head.startswith(codecs.BOM_UTF8))
        if encoding == "gb18030" and _has_utf8_line(head):
            raise ReaderError("encoding_mixed", filename)
    if encoding is None:
        raise ReaderError("encoding_unknown", filename)
    return _read_csv(head, opener, encoding, filename)


def _decodes(chunks: Iterable[bytes | memoryview], encoding: str) -> bool:
    """Say whether the whole stream decodes strictly, without keeping the text."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(chunks: Callable[[], Iterable[bytes | memoryview]], has_bom: bool) -> str | None:
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
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _lines(text, filename: str, first_row: int = 1) -> Iterator[str]:
    """Yield a text file's lines; refuse one longer than MAX_LINE_CHARS before reading it whole."""
    number = first_row
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise ReaderError("line_too_long", filename, row=number)
        yield line
        number += 1


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
        if self.lines and max(map(len, self.lines)) <= csv.field_size_limit():
            # Without quotes a record is its line split at the delimiter: what csv.reader gives, faster.
            # (A longer line may hold a field over the csv module's limit, which it refuses: left to it.)
            delimiter = self.delimiter
            return [(number, values) for number, values in
                    enumerate([line.rstrip("\r\n").split(delimiter) for line in self.lines], start=self.first_row)
                    if not is_blank(values)]
        rows, number = [], self.first_row - 1
        try:
            for number, values in enumerate(csv.reader(self.lines, delimiter=self.delimiter), start=self.first_row):
                if not is_blank(values):
                    rows.append((number, values))
            return rows
        except csv.Error as error:
            raise ReaderError("csv_malformed", self.filename, row=number + 1, detail=str(error)) from None


@dataclass(frozen=True)
class CsvBlock:
    """Consecutive whole lines of a quote-free CSV file: where they are in the file, not yet read.

    The reader only finds where to cut the file at line breaks; reading the block, decoding, splitting
    and parsing are left to whoever calls rows(): a worker process, where they cost the reader nothing,
    and the bytes never pass through a pipe.
    """

    first_row: int
    path: str
    offset: int
    size: int
    encoding: str
    delimiter: str
    filename: str

    def rows(self) -> list[Row]:
        """Read, decode and parse the lines into numbered rows, leaving blank ones out, as Table.rows does."""
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            text = handle.read(self.size).decode(self.encoding)
        if "\r" in text:
            lines = io.StringIO(text, newline="").readlines()
        else:  # line breaks are \n alone: cut there, the breaks left out (CsvLines.rows drops them anyway)
            lines = text.split("\n")
            if lines[-1] == "":
                lines.pop()
        if lines and max(map(len, lines)) >= MAX_LINE_CHARS:  # a line of the limit may be over it with its break
            for number, line in enumerate(io.StringIO(text, newline="").readlines(), start=self.first_row):
                if len(line) > MAX_LINE_CHARS:
                    raise ReaderError("line_too_long", self.filename, row=number)
        return CsvLines(self.first_row, lines, self.delimiter, self.filename).rows()


# Encodings in which a line break is the byte 0x0A or 0x0D and no other character holds either byte,
# so that a file in them can be cut into lines before it is decoded (not UTF-16).
_BYTE_LINE_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")
_BREAK = re.compile(rb"\r\n|\r|\n")


def csv_line_chunks(path, table: Table, filename: str, size: int) -> Iterator[CsvLines | CsvBlock]:
    """Yield the data lines of a quote-free CSV file read as `table`, in chunks of about `size` lines.

    Only for a file without any quote character: there, and only there, lines and records are the
    same, so that the lines after the header row are exactly the table's rows. A file in an encoding
    whose line breaks are single bytes is cut into blocks of bytes at line breaks (counting lines as
    the text reader does: \n, \r\n or a lone \r), the rest is read as text.
    """
    if table.encoding in _BYTE_LINE_ENCODINGS:
        yield from _byte_blocks(path, table, filename, size * BYTES_PER_LINE)
        return
    with open(path, encoding=table.encoding, newline="") as text:
        for _ in islice(text, table.header_row):
            pass
        first = table.header_row + 1
        guarded = _lines(text, filename, first)
        while lines := list(islice(guarded, size)):
            yield CsvLines(first, lines, table.delimiter or ",", filename)
            first += len(lines)


BYTES_PER_LINE = 256  # a roster line's usual length, to turn a chunk's lines into a block's bytes


def _byte_blocks(path, table: Table, filename: str, block_bytes: int) -> Iterator[CsvBlock]:
    """Yield the lines after the header row in blocks of whole lines of about block_bytes."""
    delimiter, encoding = table.delimiter or ",", table.encoding or "utf-8"
    with open(path, "rb") as handle:
        buffer, first, ended = _skip_lines(handle, table.header_row), table.header_row + 1, False
        offset = handle.tell() - len(buffer)  # where the buffer starts in the file
        while True:
            while len(buffer) < block_bytes and not ended:
                data = handle.read(block_bytes)
                buffer, ended = buffer + data, not data
            if not buffer:
                return
            # Cut after the last line break of the block, or of the first line when it is longer.
            cut = (buffer.rfind(b"\n", 0, block_bytes) + 1) or (buffer.find(b"\n") + 1) or (len(buffer) * ended)
            if not cut:  # a line longer than a block: read on, up to the longest line allowed
                if len(buffer) > MAX_LINE_CHARS * 4:
                    raise ReaderError("line_too_long", filename, row=first)
                data = handle.read(block_bytes)
                buffer, ended = buffer + data, not data
                continue
            block, buffer = buffer[:cut], buffer[cut:]
            yield CsvBlock(first, str(path), offset, cut, encoding, delimiter, filename)
            offset += cut
            first += block.count(b"\n") + (block.count(b"\r") - block.count(b"\r\n") if b"\r" in block else 0)


def _skip_lines(handle, count: int) -> bytes:
    """Read past the first `count` lines of a binary file; return what was read beyond them."""
    buffer = b""
    if count == 0:
        return buffer
    while True:
        breaks = list(islice(_BREAK.finditer(buffer), count))
        # A lone \r at the end of what was read may be the first half of \r\n: read on first.
        if len(breaks) == count and not (breaks[-1].group() == b"\r" and breaks[-1].end() == len(buffer)):
            return buffer[breaks[-1].end():]
        data = handle.read(1 << 16)
        if not data:
            return b""
        buffer += data


def _read_csv(head: bytes, opener, encoding: str, filename: str) -> Table:
    """Read CSV text in the detected encoding with the sniffed delimiter."""
    delimiter = _sniff_delimiter(head, encoding)
    binary = opener()
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    reader = csv.reader(_lines(text, filename), delimiter=delimiter)

    def numbered() -> Generator[Row, None, None]:
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
        table = make_table(stream, filename, file_format="csv", encoding=encoding, delimiter=delimiter)
    except ReaderError:
        stream.close()
        raise
    table._closers.append(stream.close)
    return table
