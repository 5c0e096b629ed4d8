"""Decode the values of an XLSX sheet as python-calamine 0.9.1 does: text (entities, Excel's _xHHHH_
escapes, blanks trimmed unless kept), number formats that make a number a date or a duration, and
Excel's serial day numbers.

Pure code: no Flask, no database. roster/xlsx_cells.py and roster/xlsx_package.py use these.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

OTHER, DATETIME, TIMEDELTA = 0, 1, 2  # what a cell style's number format makes of a number

XML_BLANKS = " \t\r\n"
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_COMMENT = re.compile(r"<!--.*?-->|<\?.*?\?>", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
# A number as calamine's float parser takes it; anything else in an untyped cell is text.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|infinity|nan)",
                     re.IGNORECASE)


class CellError(ValueError):
    """A cell or row calamine would refuse, or the stream reader cannot place; detail says which."""


def _entity(match: re.Match) -> str:
    """Return the character an XML entity stands for."""
    hexa, decimal, name = match.groups()
    if name:
        return _NAMED[name]
    code = int(hexa, 16) if hexa else int(decimal)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise CellError(f"character reference &#{code}; is not allowed in XML")
    return chr(code)


def _excel_escape(match: re.Match) -> str:
    """Return the character of an _xHHHH_ escape (Excel writes control characters so); a surrogate stays as written."""
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def xml_text(raw: str, trim: bool) -> str:
    """Decode an element's raw text: line ends as XML reads them, entities, then (unless kept) the outer
    blanks trimmed, then Excel's _xHHHH_ escapes."""
    if "<" in raw:
        raw = _CDATA.sub(lambda match: match.group(1).replace("&", "&amp;").replace("<", "&lt;"), _COMMENT.sub("", raw))
        if "<" in raw:
            raise CellError("markup inside a text element")
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        decoded, found = _ENTITY.subn(_entity, raw)
        if found != raw.count("&"):
            raise CellError("an entity XML does not define, or a bare &")
        raw = decoded
    if trim:
        raw = raw.strip(XML_BLANKS)
    if "_x" in raw:
        raw = _EXCEL_ESCAPE.sub(_excel_escape, raw)
    return raw


def rich_text(body: str, t_tag: re.Pattern) -> str:
    """Join the text runs of a shared or inline string (<t>, or <r><t> runs), phonetic runs (<rPh>) left out."""
    if "rPh" in body:
        body = _PHONETIC.sub("", body)
    parts = []
    for attrs, text in t_tag.findall(body):
        parts.append(xml_text(text, "preserve" not in attrs))
    return "".join(parts)


_PHONETIC = re.compile(r"<(?:\w+:)?rPh\b[^>]*?(?:/>|>.*?</(?:\w+:)?rPh>)", re.DOTALL)


# --- number formats --------------------------------------------------------------------------

# Built-in formats without a numFmt of their own: 14-22 and 45, 47 everywhere, 27-36 and 50-58 the
# East Asian date formats (yyyy"年"m"月"d"日" and the like), as calamine counts them.
_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)}
_BUILTIN_DURATION_FORMATS = {46}


def builtin_format_kind(format_id: int) -> int:
    """Say what a built-in number format (no numFmt defines its id) makes of a number."""
    if format_id in _BUILTIN_DATE_FORMATS:
        return DATETIME
    return TIMEDELTA if format_id in _BUILTIN_DURATION_FORMATS else OTHER


def format_kind(code: str) -> int:
    """Say whether a custom number format code shows a date or time, a duration ([h]:mm), or neither.

    The rules calamine applies: only the first section counts; quoted text, escaped and fill
    characters, and bracketed colours or conditions are no tokens; a date letter (y m d h s) or
    an a/p marker makes it a date; [h], [m] or [s] makes it a duration.
    """
    escaped = quoted = after_a = False
    brackets = 0
    previous, elapsed = " ", False
    for char in code:
        if escaped:
            escaped = False
        elif char in "_\\*":
            escaped = True
        elif quoted:
            quoted = char != '"'
        elif char == '"':
            quoted = True
        elif char == ";":
            return OTHER
        elif char == "[":
            brackets += 1
        elif char == "]" and brackets == 1 and elapsed:
            return TIMEDELTA
        elif char == "]":
            brackets = max(0, brackets - 1)
        elif char in "aA" and not after_a and brackets == 0:
            after_a = True
        elif brackets == 0 and char in ("pm/PM" if after_a else "dmhysDMHYS"):
            return DATETIME
        elif not (elapsed and char.lower() == previous.lower()):
            elapsed = previous == "[" and char in "mhsMHS"
        previous = char
    return OTHER


# --- dates -----------------------------------------------------------------------------------

_EPOCH = datetime(1899, 12, 30)
_MS_PER_DAY = 86_400_000


def serial_datetime(serial: float, is_1904: bool) -> datetime | None:
    """Turn an Excel serial day number into the datetime calamine makes of it (None when out of range)."""
    days = serial + 1462 if is_1904 else serial
    if days < 60:
        days += 1  # Excel's 1900-02-29, which never was: days before it count from 1899-12-31
    try:
        return _EPOCH + timedelta(milliseconds=round(days * _MS_PER_DAY))
    except (OverflowError, ValueError):
        return None


def date_value(serial: float, kind: int, is_1904: bool):
    """Return a number under a date or duration format as python-calamine gives it."""
    if kind == TIMEDELTA:
        try:
            return timedelta(milliseconds=round(serial * _MS_PER_DAY))
        except (OverflowError, ValueError):
            return serial
    moment = serial_datetime(serial, is_1904)
    if moment is None:
        return serial
    if serial < 1.0:
        return moment.time()
    if serial.is_integer():
        return moment.date()
    return moment


def iso_value(text: str):
    """Return a cell of type "d" (an ISO 8601 date and/or time) as python-calamine gives it."""
    try:
        if "T" in text:
            return datetime.fromisoformat(text)
        if ":" in text:
            return time.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        return text


