"""Turn cell values as county files give them into clean field values.

Every function takes what the reader produced (str from CSV; str, float, bool, date or datetime from
XLSX) and returns the clean value, None for "empty", or raises NormalizeError with a stable code that
roster.validate turns into a Problem. Each starts with a fast path for the common, already-clean
value, because the import calls them for every cell of up to a million rows.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

import phonenumbers

from config.counties import ZHANJIANG_COUNTIES


class NormalizeError(ValueError):
    """A value that cannot be turned into its field's form; code is a Problem code."""

    def __init__(self, code: str, **params: object) -> None:
        """Keep the Problem code and the values its message needs."""
        super().__init__(code)
        self.code = code
        self.params = params


_CACHE_LIMIT = 200_000
_normalize = unicodedata.normalize


def nfkc(text: str) -> str:
    """Fold full-width letters, digits and punctuation to their plain forms."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


# C0 and C1 control characters (tab, line breaks and the like are whitespace and fold to spaces
# first). PostgreSQL refuses NUL in text, and none of them belongs in a roster.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def text(value: object) -> str | None:
    """Clean free text: NFKC, trimmed, inner whitespace (tabs, line breaks) folded to one space;
    None when empty; a control character left (NUL, say) raises control_character."""
    if value is None:
        return None
    if value.__class__ is str:
        cleaned = " ".join(_normalize("NFKC", value).split())
        # isprintable is the fast test; it is also False for private-use characters (rare hanzi in
        # GB18030 files), which are kept.
        if not cleaned.isprintable() and _CONTROL.search(cleaned):
            raise NormalizeError("control_character")
        return cleaned or None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def visible(value: object) -> str:
    """Show a value with its control characters spelt out (NUL as \\x00), for messages and storage."""
    shown = value if value.__class__ is str else str(value)
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", shown)


_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "．": "·", ".": "·", "。": "·"})
_NAME_SHAPE = re.compile(r"[^\W\d_]+(?:[·' -][^\W\d_]+)*")


def person_name(value: object) -> str | None:
    """Clean a person's name; Chinese names lose inner spaces, minority names keep their "·"."""
    if value is None:
        return None
    raw = value if value.__class__ is str else text(value)
    if not raw:
        return None
    name = nfkc(raw)
    parts = name.split()
    if len(parts) != 1:
        if not parts:
            return None
        # Chinese names have no spaces ("张 三" is 张三); Latin-script names keep one between words.
        name = " ".join(parts) if name.isascii() else "".join(parts)
    else:
        name = parts[0]
    if name.isalpha():
        return name
    if not name.isascii():
        # Minority names are written with a middle dot; files use look-alikes.
        name = name.translate(_NAME_DOTS)
    if not _NAME_SHAPE.fullmatch(name):
        raise NormalizeError("name_invalid")
    return name


_ID_CLEAN = re.compile(r"[\s\-']")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_FLOAT_TEXT = re.compile(r"[0-9]+\.0+")


def id_number(value: object) -> str | None:
    """Clean an ID number to upper-case text; refuse numbers Excel has rounded."""
    # Excel keeps 15 significant digits, so an 18-digit ID typed into a number cell has lost its
    # last digits (4.40802199001011E+17) and cannot be recovered from the file.
    if value is None:
        return None
    if value.__class__ is str:
        if len(value) == 18 and _ID18.fullmatch(value):
            return value
        cleaned = nfkc(value).strip()
        if cleaned.startswith('="') and cleaned.endswith('"'):
            cleaned = cleaned[2:-1]  # Excel's ="..." trick for keeping a number as text in a CSV
        cleaned = _ID_CLEAN.sub("", cleaned).upper()
        if not cleaned:
            return None
        if _SCIENTIFIC.fullmatch(cleaned) or (_FLOAT_TEXT.fullmatch(cleaned) and len(cleaned) > 17):
            raise NormalizeError("precision_lost")
        return cleaned
    if isinstance(value, bool):
        raise NormalizeError("id_number_format")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and 0 < value < 1e15:
            return str(int(value))  # exact in a float; the length check will say what is wrong
        raise NormalizeError("precision_lost")
    raise NormalizeError("id_number_format")


def long_number_text(value: object) -> str | None:
    """Clean a code-like number kept as text (certificate number); refuse rounded floats."""
    if isinstance(value, float):
        if not value.is_integer() or value >= 1e15:
            raise NormalizeError("precision_lost")
        return str(int(value))
    cleaned = text(value)
    if cleaned is None:
        return None
    if _SCIENTIFIC.fullmatch(cleaned):
        raise NormalizeError("precision_lost")
    return cleaned.replace(" ", "").upper()


def _county_names() -> dict[str, str]:
    """Map county names, with and without the city prefix, to their codes."""
    names = {}
    for county in ZHANJIANG_COUNTIES:
        for prefix in ("", "湛江市", "湛江"):
            names[prefix + county.name_zh] = county.code
        names[county.name_en.lower()] = county.code
    names["开发区"] = names["经开区"] = names["湛江开发区"] = "440871"
    return names


_COUNTY_BY_NAME = _county_names()
_SIX_DIGITS = re.compile(r"[0-9]{6}")
_COUNTY_CODE_TEXT = re.compile(r"([0-9]{6})(?:\.0+|0{6})?")


def county_code(value: object, names: dict[str, str] | None = None) -> str | None:
    """Turn a county cell (440802, 440802.0, "440802", "赤坎区") into a 6-digit code text."""
    # Text that is no code and no known name comes back cleaned; the caller checks it against the
    # known counties.
    if value is None:
        return None
    if value.__class__ is str and len(value) == 6 and _SIX_DIGITS.fullmatch(value):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    try:
        cleaned = text(value)
    except NormalizeError:
        return visible(value)  # no county: the caller reports it as unknown
    if cleaned is None:
        return None
    cleaned = cleaned.replace(" ", "")
    match = _COUNTY_CODE_TEXT.fullmatch(cleaned)
    if match:
        return match.group(1)
    lookup = _COUNTY_BY_NAME if names is None else names
    return lookup.get(cleaned) or lookup.get(cleaned.lower()) or cleaned


# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is 1900-02-29, a day that never
# was (kept by Excel for Lotus 1-2-3 compatibility); from serial 61 on, days count from 1899-12-30.
_SERIAL_EARLY_EPOCH = date(1899, 12, 31)
_SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL_MAX = 2958465  # 9999-12-31


def excel_serial_to_date(serial: float) -> date:
    """Convert an Excel serial day number (1900 date system) to a date; the time part is dropped."""
    if not 1 <= serial < _SERIAL_MAX + 1:  # also refuses NaN and infinity
        raise NormalizeError("date_invalid")
    day = int(serial)
    if day == 60:
        raise NormalizeError("date_invalid")
    return (_SERIAL_EARLY_EPOCH if day < 60 else _SERIAL_EPOCH) + timedelta(days=day)


_DATE_TEXT = re.compile(
    r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?"
    r"(?:[ T]+[0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2}(?:\.[0-9]+)?)?)?"
)
_DATE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
date_cache: dict[object, date | str] = {}


def _parse_date(value: object) -> date | str:
    """Parse one date value; return the date or a Problem code."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "date_format"
    if isinstance(value, int | float):
        if value != value:  # NaN
            return "date_format"
        if 19000101 <= value <= 29991231 and float(value).is_integer():
            match = _DATE_COMPACT.fullmatch(str(int(value)))  # 20250301 typed as a number
        else:
            try:
                return excel_serial_to_date(value)
            except NormalizeError as error:
                return error.code
    elif isinstance(value, str):
        cleaned = nfkc(value).strip()
        match = _DATE_TEXT.fullmatch(cleaned) or _DATE_COMPACT.fullmatch(cleaned)
    else:
        return "date_format"
    if match is None:
        return "date_format"
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return "date_invalid"


def parse_date(value: object) -> date | None:
    """Read a date from a date cell, an Excel serial number or text such as 2025年3月1日."""
    if value is None or value == "":
        return None
    if value.__class__ is date:
        return value
    result = date_cache.get(value)
    if result is None:
        if value.__class__ is str and not value.strip():
            return None
        result = _parse_date(value)
        if len(date_cache) >= _CACHE_LIMIT:
            date_cache.clear()
        date_cache[value] = result
    if isinstance(result, str):  # the cache holds dates and Problem codes (plain str)
        raise NormalizeError(result)
    return result


def _cn_pattern(desc) -> re.Pattern[str]:
    """Compile one of phonenumbers' own CN patterns."""
    return re.compile(desc.national_number_pattern)


_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
assert _CN is not None  # phonenumbers ships metadata for every region it knows, CN among them
# phonenumbers' own pattern for CN mobile numbers: a national number matching it is exactly what
# phonenumbers.is_valid_number accepts as a mobile, so the fast path never disagrees with it
# (tests/roster/test_roster_validate.py checks the two agree).
CN_MOBILE = _cn_pattern(_CN.mobile)
_MOBILE_WITH_PREFIX = re.compile(r"(?:\+86|0086|86)?(1[0-9]{10})")
_PHONE_NOISE = re.compile(r"[\s\-()'.]")
_PHONE_SPLIT = re.compile(r"[/,;、|]|\s{2,}|(?<=[0-9])\s(?=1[0-9]{10})")
_phone_cache: dict[str, str | None] = {}


def _phone_slow(cleaned: str) -> str | None:
    """Parse a number with phonenumbers (landlines, +86, several numbers in one cell)."""
    for candidate in (cleaned, *_PHONE_SPLIT.split(cleaned)):
        candidate = candidate.strip()
        if not candidate:
            continue
        compact = _PHONE_NOISE.sub("", candidate)
        match = _MOBILE_WITH_PREFIX.fullmatch(compact)
        if match and CN_MOBILE.fullmatch(match.group(1)):
            return "+86" + match.group(1)
        try:
            number = phonenumbers.parse(candidate, "CN")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def phone(value: object) -> str | None:
    """Normalise a mainland mobile or landline number to E.164; None when empty."""
    if value is None:
        return None
    if value.__class__ is str:
        if len(value) == 11 and CN_MOBILE.fullmatch(value):
            return "+86" + value
        cleaned = nfkc(value).strip()
        if not cleaned:
            return None
    elif isinstance(value, float | int) and not isinstance(value, bool):
        # A phone in a number cell: 11 digits survive Excel's 15; a landline lost its leading 0,
        # which phonenumbers does not need for a CN national number.
        if not float(value).is_integer() or value <= 0:
            raise NormalizeError("phone_invalid")
        cleaned = str(int(value))
        if len(cleaned) == 11 and CN_MOBILE.fullmatch(cleaned):
            return "+86" + cleaned
    else:
        raise NormalizeError("phone_invalid")
    result = _phone_cache.get(cleaned, "")
    if result == "":
        result = _phone_slow(cleaned)
        if len(_phone_cache) >= _CACHE_LIMIT:
            _phone_cache.clear()
        _phone_cache[cleaned] = result
    if result is None:
        raise NormalizeError("phone_invalid")
    return result


def code_lookup(codelist, aliases: dict[str, str] | None = None) -> dict[object, str]:
    """Build a value -> code dict accepting codes, Chinese and English labels and aliases."""
    lookup: dict[object, str] = {}
    for code, zh, en in codelist:
        for key in (code, zh, en, en.lower()):
            lookup[key] = code
        if code.isdigit():
            lookup[str(int(code))] = code  # "01" that lost its leading zero in a number cell
            lookup[float(code)] = code  # 1.0 from a number cell; 1 hashes the same
    for alias, code in (aliases or {}).items():
        lookup[alias] = code
        lookup[nfkc(alias).lower()] = code
    return lookup


def code_value(value: object, lookup: dict[object, str]) -> str | None:
    """Map a cell to a code via a code_lookup dict; raise code_unknown when nothing matches."""
    if value is None:
        return None
    try:
        found = lookup.get(value)
    except TypeError:
        found = None
    if found is not None:
        return found
    cleaned = text(value)
    if cleaned is None:
        return None
    key = cleaned.replace(" ", "")
    found = lookup.get(key) or lookup.get(key.lower()) or lookup.get(cleaned.lower())
    if found is None:
        raise NormalizeError("code_unknown")
    return found
