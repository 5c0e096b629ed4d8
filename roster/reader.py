"""Read a county's roster file (CSV or Excel) into headers and a stream of rows (roster/table.py).

The content decides the format, not the file name: a zip or OLE container is a workbook (read with
python-calamine: .xlsx, .xls, .ods), a known binary or web-page signature is refused with a clear
message, anything else is CSV text. CSV text is UTF-8 (with or without BOM) when it decodes as such
strictly, else GB18030 (a superset of GBK and GB2312, what Excel on Chinese Windows writes); the
whole file is checked before the first row is given out, so a row is never half-decoded.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator

from roster.csv_reader import read_csv
from roster.table import ReaderError, Table
from roster.workbook_reader import read_workbook

_CHUNK = 1 << 20


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


def _memory_chunks(data: bytes) -> Iterator[memoryview]:
    """Yield a byte string in chunks (views of it) without copying it whole."""
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
        if path is None:
            return read_workbook(opener(), filename)
        # A streamed workbook's shared strings go to a file beside the one read, as the spool does.
        return read_workbook(path, filename, os.path.dirname(os.fspath(path)) or None)
    return read_csv(head, chunks, opener, filename, utf16=kind == "utf-16")
