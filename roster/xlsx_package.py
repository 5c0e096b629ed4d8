"""Open an XLSX package for the streaming reader: its sheets, the kinds of its cell styles, its shared
strings written to a file once, and a sheet's XML inflated piece by piece, cut at `</row>`.

Every part is inflated as a stream under the guards of roster/sheetscan.py (a cap on the bytes it
really expands to, and on its expansion ratio). Only the parts the reader needs are inflated: the
workbook, its relationships, the styles, the shared strings and the sheets it reads. Anything this
reader does not expect (no workbook part, XML not in UTF-8, a strict-OOXML workbook, markup it does
not parse) raises Unstreamable before a row is given out, and the caller reads the file with
python-calamine instead.

Pure code: no Flask, no database.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from roster.sheetscan import MAX_PARTS, SheetRefused, expanded
from roster.xlsx_values import CellError, builtin_format_kind, format_kind, rich_text, xml_text

MAX_SMALL_PART_BYTES = 64 << 20  # the workbook, its relationships, the styles
MAX_STRINGS_BYTES = 2 << 30  # the shared strings' XML: written to a file, never held whole
MAX_STREAMED_SHEET_BYTES = 4 << 30  # a sheet's XML (a million roster rows take about 0.85 GB)
PIECE_BYTES = 2 << 20  # sheet XML per piece: about 2,000 roster rows

_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_SHEET = re.compile(r"<(?:\w+:)?sheet\b([^>]*)>")
_WORKBOOK_PR = re.compile(r"<(?:\w+:)?workbookPr\b([^>]*)>")
_NUM_FMT = re.compile(r"<(?:\w+:)?numFmt\b([^>]*)>")
_CELL_XFS = re.compile(r"<(?:\w+:)?cellXfs\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?cellXfs>)", re.DOTALL)
_XF = re.compile(r"<(?:\w+:)?xf\b([^>]*)>")
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*[0-9]*(?::[A-Z]+([0-9]+))?"')
_WORKSHEET_TYPE = "/worksheet"


class Unstreamable(Exception):
    """A workbook the streaming reader leaves to python-calamine; the message says why. `other_format`
    is set for a file that is no XLSX at all (.xls, .ods, .xlsb), which calamine reads as a matter of course."""

    def __init__(self, reason: str, other_format: bool = False) -> None:
        super().__init__(reason)
        self.other_format = other_format


@dataclass(frozen=True)
class SheetPart:
    """A sheet as the workbook lists it: its name, its zip member, whether it is visible and a worksheet."""

    name: str
    member: str | None
    visible: bool
    worksheet: bool


def attributes(tag_attributes: str) -> dict[str, str]:
    """Read a tag's attributes (local names, entities decoded)."""
    found = {}
    for name, double, single in _ATTRIBUTE.findall(tag_attributes):
        try:
            found[name.rpartition(":")[2]] = xml_text(double or single, False)
        except CellError as error:
            raise Unstreamable(f"attribute {name}: {error}") from None
    return found


class Package:
    """An open XLSX package: its sheets, date system, style kinds and (once read) shared strings."""

    def __init__(self, source, scratch_dir: str | None = None):
        try:
            self.archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise Unstreamable(f"not a zip file: {error}", other_format=True) from None
        self.scratch_dir = scratch_dir
        self.strings_path: str | None = None
        self._streams: list[Iterator[bytes]] = []
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        """Read the package's directory, workbook, relationships and styles."""
        parts = self.archive.infolist()
        if len(parts) > MAX_PARTS:
            raise SheetRefused("workbook_too_large", f"{len(parts)} parts")
        self.members = {part.filename: part for part in parts if not part.is_dir()}
        workbook = self._target(self._relationships("_rels/.rels", ""), "/officeDocument")
        if workbook is None or not workbook.endswith(".xml") or workbook.endswith("content.xml"):
            raise Unstreamable(f"no XML workbook part ({workbook})", other_format=True)
        text = self.small_text(workbook)
        if "purl.oclc.org/ooxml" in text:
            raise Unstreamable("a strict OOXML workbook")
        base = posixpath.dirname(workbook)
        related = self._relationships(posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels"), base)
        properties = _WORKBOOK_PR.search(text)
        self.is_1904 = attributes(properties.group(1)).get("date1904") in ("1", "true") if properties else False
        self.sheets = []
        for match in _SHEET.finditer(text):
            sheet = attributes(match.group(1))
            rel_type, member = related.get(sheet.get("id", ""), ("", None))
            self.sheets.append(SheetPart(sheet.get("name", ""), member, sheet.get("state", "visible") == "visible",
                                         rel_type.endswith(_WORKSHEET_TYPE)))
        styles = self._target(related, "/styles")
        self.style_kinds = self._style_kinds(styles) if styles in self.members else ()
        strings = self._target(related, "/sharedStrings")
        self._strings_member = strings if strings in self.members else None

    def _relationships(self, member: str, base: str) -> dict[str, tuple[str, str]]:
        """Read a relationships part: {Id: (Type, target member)}."""
        if member not in self.members:
            raise Unstreamable(f"no {member}", other_format=member == "_rels/.rels")
        found = {}
        for match in _RELATIONSHIP.finditer(self.small_text(member)):
            relation = attributes(match.group(1))
            target = relation.get("Target", "")
            if relation.get("TargetMode") == "External":
                continue
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
            found[relation.get("Id", "")] = (relation.get("Type", ""), target)
        return found

    @staticmethod
    def _target(related: dict[str, tuple[str, str]], type_suffix: str) -> str | None:
        """Return the target of the first relationship of a type."""
        return next((target for rel_type, target in related.values() if rel_type.endswith(type_suffix)), None)

    def small_text(self, member: str) -> str:
        """Inflate a small part (workbook, relationships, styles) and decode it."""
        data = b"".join(expanded(self.archive, self.members[member], MAX_SMALL_PART_BYTES))
        return _decoded(data, member)

    def _style_kinds(self, member: str) -> tuple[int, ...]:
        """Say, for each cell style (cellXfs), whether its number format shows dates, durations or neither."""
        text = self.small_text(member)
        custom = {}
        for match in _NUM_FMT.finditer(text):
            number_format = attributes(match.group(1))
            if number_format.get("numFmtId", "").isdigit():
                custom[int(number_format["numFmtId"])] = format_kind(number_format.get("formatCode", ""))
        block = _CELL_XFS.search(text)
        kinds = []
        for match in _XF.finditer(block.group(1) or "" if block else ""):
            format_id = attributes(match.group(1)).get("numFmtId", "0")
            number = int(format_id) if format_id.isdigit() else 0
            kinds.append(custom[number] if number in custom else builtin_format_kind(number))
        return tuple(kinds)

    def shared_strings_path(self) -> str | None:
        """Write the shared strings to a file once (roster/xlsx_cells.py SharedStrings reads it); return its path."""
        if self._strings_member is None or self.strings_path is not None:
            return self.strings_path
        handle, path = tempfile.mkstemp(prefix="xlsx-strings-", suffix=".bin", dir=self.scratch_dir)
        self.strings_path = path
        with os.fdopen(handle, "wb") as out:
            offsets = array("Q", [0])
            for encoded in self._string_pieces():
                out.write(b"".join(encoded))
                offsets.extend(accumulate(map(len, encoded), initial=offsets[-1]))
                offsets.pop(len(offsets) - len(encoded) - 1)  # accumulate repeats the starting offset
            out.write(offsets.tobytes())
            out.write((len(offsets) - 1).to_bytes(8, "little"))
        return path

    def _string_pieces(self) -> Iterator[list[bytes]]:
        """Yield the shared strings' texts in UTF-8, piece by piece of their XML."""
        member = self.members[self._strings_member]  # type: ignore[index]
        tail = b""
        prefix = None
        for chunk in expanded(self.archive, member, MAX_STRINGS_BYTES):
            data = tail + chunk
            if prefix is None:
                found = re.search(rb"<(\w+:)?sst\b", data)
                if found is None:
                    if len(data) > 1 << 20:
                        raise Unstreamable("no <sst> element")
                    tail = data
                    continue
                _decoded(data[:found.start()], member.filename)
                prefix = (found.group(1) or b"").decode()
                end_tag = f"</{prefix}si>".encode()
                data = data[found.end():]
            cut = data.rfind(end_tag)
            cut = cut + len(end_tag) if cut >= 0 else 0
            if cut:
                yield _si_bytes(data[:cut], prefix, member.filename)
            tail = data[cut:]
        if prefix is None:
            raise Unstreamable("no <sst> element")
        if re.search(rf"<{re.escape(prefix)}si\b".encode(), tail):
            yield _si_bytes(tail, prefix, member.filename)

    def sheet_pieces(self, member: str) -> Iterator[bytes]:
        """Yield a sheet's XML in pieces of about PIECE_BYTES, each ending just after a `</row>`; the
        stream is closed with the package, even when its reader stopped half-way."""
        pieces = self._sheet_pieces(member)
        self._streams.append(pieces)
        return pieces

    def _sheet_pieces(self, member: str) -> Iterator[bytes]:
        """Inflate and cut a sheet's XML (sheet_pieces)."""
        part = self.members.get(member)
        if part is None:
            raise Unstreamable(f"the sheet's part {member} is missing")
        end_tag = None
        tail = b""
        for chunk in expanded(self.archive, part, MAX_STREAMED_SHEET_BYTES):
            data = tail + chunk if tail else chunk
            if end_tag is None:
                found = _SHEET_DATA.search(data)
                if found is None:
                    if len(data) > 1 << 20:
                        raise Unstreamable("no <sheetData> in the sheet's first MiB")
                    tail = data
                    continue
                end_tag = b"</" + (found.group(1) or b"") + b"row>"
            while len(data) >= PIECE_BYTES:
                cut = data.rfind(end_tag, 0, PIECE_BYTES)
                if cut < 0:
                    cut = data.find(end_tag, PIECE_BYTES)
                    if cut < 0:
                        break
                cut += len(end_tag)
                yield data[:cut]
                data = data[cut:]
            tail = data
        if tail:
            yield tail

    def close(self) -> None:
        """Close the sheet streams and the zip file, and remove the shared strings' file."""
        for stream in self._streams:
            stream.close()  # type: ignore[attr-defined]
        self._streams.clear()
        self.archive.close()
        if self.strings_path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.strings_path)
            self.strings_path = None


def sheet_head(piece: bytes, member: str) -> tuple[str, int | None]:
    """Read a sheet's first piece: the prefix of its elements ("" or "x:") and the last row its
    <dimension> declares (None when absent)."""
    _decoded(piece[:200], member, head_only=True)
    found = _SHEET_DATA.search(piece)
    if found is None:
        raise Unstreamable("no <sheetData> in the sheet")
    if b"<!DOCTYPE" in piece[:found.start()]:
        raise Unstreamable("a document type declaration")
    dimension = _DIMENSION.search(piece, 0, found.start())
    last_row = int(dimension.group(1)) if dimension and dimension.group(1) else None
    return (found.group(1) or b"").decode(), last_row


def _decoded(data: bytes, member: str, head_only: bool = False) -> str:
    """Decode a part's XML as UTF-8; refuse (to calamine) another encoding or a document type declaration."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unstreamable(f"{member} is not UTF-8")
    if data.startswith(b"<?xml"):
        declaration = data[:data.find(b"?>") + 2]
        encoding = re.search(rb"""encoding\s*=\s*["']([^"']+)""", declaration)
        if encoding and encoding.group(1).lower() not in (b"utf-8", b"utf8"):
            raise Unstreamable(f"{member} is in {encoding.group(1).decode(errors='replace')}")
    if head_only:
        return ""
    if b"<!DOCTYPE" in data[:4096]:
        raise Unstreamable(f"{member} has a document type declaration")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise Unstreamable(f"{member} is not valid UTF-8: {error}") from None


def _si_bytes(piece: bytes, prefix: str, member: str) -> list[bytes]:
    """Return the texts, in UTF-8, of the shared strings in a piece of their XML.

    The common piece, where every string is a plain <si><t>text</t></si> whose text needs no
    decoding, is cut with bytes.split, in C; any other goes through _si_texts.
    """
    p = prefix.encode()
    start = piece.find(b"<" + p + b"si")
    if start < 0:
        return []
    piece = piece[start:]
    opening, closing = b"<%ssi><%st>" % (p, p), b"</%st></%ssi>" % (p, p)
    count = piece.count(b"<" + p + b"si>")
    if count and piece.count(opening) == count == piece.count(closing) and piece.count(b"<") == 4 * count \
            and not any(marker in piece for marker in _marked(opening, closing)):
        texts = piece[len(opening):-len(closing)].split(closing + opening)
        if len(texts) == count:
            _decoded(piece, member)  # valid UTF-8
            return texts
    return [text.encode("utf-8", "surrogatepass") for text in _si_texts(_si_pattern(prefix), _decoded(piece, member),
                                                                          prefix)]


def _marked(opening: bytes, closing: bytes) -> tuple[bytes, ...]:
    """Return what marks a text that needs decoding: an entity, a carriage return, an _xHHHH_ escape,
    blanks at either end (trimmed)."""
    blanks = (b" ", b"\t", b"\n")
    return (b"&", b"\r", b"_x", *(opening + blank for blank in blanks), *(blank + closing for blank in blanks))


def _si_pattern(prefix: str) -> re.Pattern[str]:
    """Return the pattern of one shared string: plain (<si><t>…</t></si>), kept blanks, or anything else."""
    p = re.escape(prefix)
    return re.compile(rf'<{p}si\s*/>|<{p}si>(?:<{p}t>([^<]*)</{p}t>|<{p}t xml:space="preserve">([^<]*)</{p}t>'
                      rf"|(.*?))</{p}si>", re.DOTALL)


def _si_texts(pattern: re.Pattern[str], text: str, prefix: str) -> list[str]:
    """Return the texts of the shared strings in a piece of their XML, in order."""
    t_tag = re.compile(rf"<{re.escape(prefix)}t\b([^>]*?)(?:/>|>(.*?)</{re.escape(prefix)}t>)", re.DOTALL)
    texts: list[str] = []
    append = texts.append
    try:
        for plain, kept, other in pattern.findall(text):
            if plain:
                special = "&" in plain or "_x" in plain or "\r" in plain
                append(xml_text(plain, True) if special else plain.strip(" \t\r\n"))
            elif kept:
                special = "&" in kept or "_x" in kept or "\r" in kept
                append(xml_text(kept, False) if special else kept)
            elif other:
                append(rich_text(other, t_tag))
            else:
                append("")
    except CellError as error:
        raise Unstreamable(f"shared strings: {error}") from None
    return texts
