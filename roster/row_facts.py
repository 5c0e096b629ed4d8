"""The data-quality facts of one roster row on its own (no database): what roster/quality_store.py
stores with each person. Pure, so that the row-checking workers compute them with the rest of a row's
checks and the commit only writes them."""

from datetime import date

from roster.idnumber import birth_info

# The stored columns filled row by row, in the order row_facts returns them.
ROW_FACT_COLUMNS = ("flag_missing_phone", "flag_missing_address", "flag_missing_reason", "retirement_on")


def retirement_day(id_number: str | None, gender: str | None) -> date | None:
    """Return the day the person reaches statutory retirement age (women: the cadre track, as the
    retirement module explains), from the birth date in the ID number; None without a gender or a
    birth date."""
    if gender not in ("1", "2") or not id_number:
        return None
    digits = id_number[6:14]
    info = birth_info(digits) if len(digits) == 8 and digits.isdigit() and digits.isascii() else None
    if info is None:
        return None
    return info[2] if gender == "1" else info[3]


def row_facts(gender, id_number, phone, household_address, residence_address, unemployment_reason,
              cancelled_on) -> tuple[bool, bool, bool, date | None]:
    """Return one person's facts for ROW_FACT_COLUMNS. A cancelled person is missing nothing."""
    registered = cancelled_on is None
    return (registered and not phone,
            registered and not household_address and not residence_address,
            registered and not unemployment_reason,
            retirement_day(id_number, gender))
