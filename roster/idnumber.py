"""The citizen ID number (GB 11643): its check digit and the birth date it holds.

Only the check-digit rule and the birth date are used, not the area code (roster/validate.py says why).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from roster import normalize as nz
from roster.normalize import NormalizeError
from roster.retirement import statutory_retirement_date

CHECK_CHARS = "0123456789X"
ID_WEIGHTS_BASE = 13  # int(17 digits, 13) folds GB 11643's weights 2^(17-i) mod 11, as stdnum does
EARLIEST_BIRTH = date(1900, 1, 1)
# No person on a register was born after this; checked before any date arithmetic, so that a birth
# date with a valid check digit centuries ahead (9940-01-01) is an error, not an overflow.
LATEST_BIRTH = date(2200, 12, 31)


# Per ID birth-date digits (YYYYMMDD): (birth, 16th birthday, retirement day for a man, for a woman
# on the cadre track), or None when there is no such day. Births repeat a lot: compute each once.
birth_cache: dict[str, tuple[date, date, date, date] | None] = {}


def birth_info(digits: str) -> tuple[date, date, date, date] | None:
    """Return the cached birth facts for an ID's 8 birth-date digits."""
    # False: not cached yet (None is a cached "no such birth date")
    info: tuple[date, date, date, date] | Literal[False] | None = birth_cache.get(digits, False)
    if info is False:
        try:
            birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:  # no such day
            birth = None
        if birth is None or not EARLIEST_BIRTH <= birth <= LATEST_BIRTH:
            info = None
        else:
            # Born 29 February: the 16th birthday in a common year is taken as 1 March.
            leap_day = (birth.month, birth.day) == (2, 29)
            sixteen = date(birth.year + 16, 3, 1) if leap_day else birth.replace(year=birth.year + 16)
            retire_man = statutory_retirement_date(birth, "1")
            info = (birth, sixteen, retire_man, statutory_retirement_date(birth, "2", "cadre"))
        if len(birth_cache) >= 100_000:
            birth_cache.clear()
        birth_cache[digits] = info
    return info


def check_id(value: object, add) -> str | None:
    """Clean and check an ID number; report problems through add and return it only when valid."""
    try:
        number = nz.id_number(value)
    except NormalizeError as error:
        add("id_number", error.code)
        return None
    if number is None:
        add("id_number", "required_missing")
    elif len(number) != 18:
        if len(number) == 15 and number.isdigit():
            add("id_number", "id_number_first_generation")
        else:
            add("id_number", "id_number_length", length=len(number))
    elif not (number[:17].isdigit() and number.isascii() and number[17] in CHECK_CHARS):
        add("id_number", "id_number_format")
    elif CHECK_CHARS[(1 - 2 * int(number[:17], ID_WEIGHTS_BASE)) % 11] != number[17]:
        hint_zh = hint_en = ""
        if number.endswith("000"):
            hint_zh = "（末尾为0，可能是 Excel 以数字格式保存时丢失了末几位，请将该列设为文本格式）"
            hint_en = " (trailing zeros: Excel may have rounded it as a number; format the column as Text)"
        add("id_number", "id_number_checksum", hint_zh=hint_zh, hint_en=hint_en)
    else:
        return number
    return None
