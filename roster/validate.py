"""Validate one roster row: clean its values and say, with stable codes, what is wrong with it.

`validate_row` never raises for bad data: it returns the clean record (or None) and every problem
it found. Errors keep a row out of the import; warnings keep it in and mark it for the data-quality
page. The rule for choosing: an error is a row that cannot be stored faithfully as a sampling-frame
unit (no key, no stratum, an unreadable value, dates that contradict each other or the ID); a
warning is a row that is stored as the county gave it but is probably wrong in a way the spot check
itself should examine. Rejecting those would silently take the sloppiest records out of the frame
and bias the county's discrepancy rate downwards.

| code                          | severity | when                                                         |
| ----------------------------- | -------- | ------------------------------------------------------------ |
| required_missing              | error    | name, ID number, county or registration date empty           |
| name_invalid                  | error    | name holds digits or symbols                                 |
| precision_lost                | error    | ID/certificate number stored as an Excel number (15 digits)  |
| id_number_length              | error    | ID number not 18 characters                                  |
| id_number_first_generation    | error    | 15-digit first-generation ID (no longer valid since 2013)    |
| id_number_format              | error    | first 17 not digits, or last not digit/X                     |
| id_number_checksum            | error    | GB 11643 check digit wrong                                   |
| id_number_birth_date          | error    | birth date in the ID impossible, before 1900 or after today  |
| county_unknown                | error    | county not among the known county codes                      |
| county_mismatch               | error    | row's county differs from the county the file is imported for|
| code_unknown                  | error    | gender, reason or status not in config/codelists             |
| date_format                   | error    | date not readable (e.g. 03/01/2025)                          |
| date_invalid                  | error    | no such day (2025-02-30, Excel serial 60 = 1900-02-29)       |
| registered_in_future          | error    | registration date after today                                |
| registered_before_birth       | error    | registration date before the birth date in the ID            |
| registered_under_16           | error    | registered before the 16th birthday (below working age)      |
| cancelled_before_registration | error    | cancellation date before registration date                   |
| control_character             | error    | a text field holds NUL or another control character (tabs and|
|                               |          | line breaks are not: they fold to spaces)                    |
| gender_mismatch               | warning  | gender column disagrees with the ID's 17th digit             |
| phone_invalid                 | warning  | not a valid mainland mobile or landline; phone stored empty  |
| cancelled_in_future           | warning  | cancellation date after today                                |
| registered_past_retirement    | warning  | registered at or after statutory retirement age (cadre track)|

Not checked on purpose: the ID's area code (digits 1-6). It is where the number was first issued,
not where the person lives or registers, so an ID from another province is normal. python-stdnum's
`cn.ric.validate` (2.2) does check it, against a table of division codes with the years each was in
use, and rejects numbers whose code is younger than the holder: every 440802 (赤坎区, a code from
1984) number with a birth year before 1984, although numbers are issued with the code current at
issue. It also crashes with KeyError on 440871. So we use only its check-digit rule and read the
birth date ourselves. A missing phone is no problem here; the data-quality page counts those. An empty
gender is taken from the ID.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from config import codelists
from roster import normalize as nz
from roster.idnumber import CHECK_CHARS, EARLIEST_BIRTH, ID_WEIGHTS_BASE, birth_cache, birth_info, check_id
from roster.normalize import NormalizeError
from roster.problems import ERROR, Problem, RowResult, make_problem

_GENDER = nz.code_lookup(codelists.GENDERS, codelists.GENDER_ALIASES)
_REASON = nz.code_lookup(codelists.UNEMPLOYMENT_REASONS, codelists.UNEMPLOYMENT_REASON_ALIASES)
_STATUS = nz.code_lookup(codelists.EMPLOYMENT_STATUSES, codelists.EMPLOYMENT_STATUS_ALIASES)
_GENDER_LABELS = {"1": ("男", "male"), "2": ("女", "female")}
_CN_MOBILE = nz.CN_MOBILE
_is_normalized = unicodedata.is_normalized
_text = nz.text
_dates = nz.date_cache


def validate_row(
    raw: dict[str, object],
    row_number: int,
    today: date,
    known_county_codes: set[str] | frozenset[str],
    default_county: str | None = None,
) -> RowResult:
    """Clean one row's {field: value as given} and list its problems; record is None on any error."""
    record = _clean_record(raw, today, known_county_codes, default_county)
    if record is not None:
        return RowResult(record, [])
    return _validate_thoroughly(raw, row_number, today, known_county_codes, default_county)


# --- the lean path ---------------------------------------------------------------------------
# The path a million-row import takes for almost every row: each step is the fast path of the
# thorough check, and anything unusual, even a warning, returns None so that _validate_thoroughly
# decides and explains. A test checks validate_row always equals it. It takes the row's values in
# LEAN_FIELDS order, so that the row checker can call it on a row's values without building a dict.

LEAN_FIELDS = ("county_code", "name", "id_number", "gender", "unemployment_reason", "employment_status", "phone",
               "registered_on", "cancelled_on", "certificate_number", "household_address", "residence_address",
               "registering_agency")


def _clean_record(raw: dict, today: date, known: set[str] | frozenset[str], default_county: str | None):
    """Return the record of a row with no problem at all in the common forms, else None."""
    clean = clean_values(tuple(map(raw.get, LEAN_FIELDS)), today, known, default_county)
    return None if clean is None else _record(*clean[:13])


def clean_values(values: tuple, today: date, known: set[str] | frozenset[str], default_county: str | None
                 ) -> tuple | None:
    """Return the clean values of a row's values (LEAN_FIELDS, in order) when it has no problem at all in
    the common forms, else None: (county, name, gender, ID number, phone, household address, residence
    address, reason, registered on, agency, certificate number, employment status, cancelled on, the
    birth facts of the ID)."""
    (county, name, number, gender, reason, status, phone, registered, cancelled, certificate, household,
     residence, agency) = values
    # The county: a known code (or empty, with a known default) that fits the default.
    if county.__class__ is not str or county not in known:
        if (county is not None and county != "") or default_county not in known:
            return None
        county = default_county
    elif default_county is not None and county != default_county:
        return None
    # The name plain letters; the ID number valid with a plausible birth date; the gender agreeing.
    if name.__class__ is not str or not name.isalpha() or not _is_normalized("NFKC", name):
        return None
    if number.__class__ is not str or len(number) != 18 or not number.isascii() or not number[:17].isdigit():
        return None
    if CHECK_CHARS[(1 - 2 * int(number[:17], ID_WEIGHTS_BASE)) % 11] != number[17]:
        return None
    info = birth_cache.get(number[6:14]) or birth_info(number[6:14])
    if info is None or info[0] > today or info[0] < EARLIEST_BIRTH:
        return None
    id_gender = "1" if number[16] in "13579" else "2"
    if gender is not None and gender != "" and _GENDER.get(gender) != id_gender:
        return None
    try:
        # Each line: a dict hit for the common value, else the normaliser (which may raise).
        reason = _REASON.get(reason) or nz.code_value(reason, _REASON)
        status = _STATUS.get(status) or nz.code_value(status, _STATUS)
        if phone.__class__ is str and len(phone) == 11 and _CN_MOBILE.fullmatch(phone):
            phone = "+86" + phone
        else:
            phone = nz.phone(phone)
        registered_on = _dates.get(registered)
        if registered_on.__class__ is not date:
            registered_on = nz.parse_date(registered)
        if cancelled is not None and cancelled != "":
            cancelled_on = _dates.get(cancelled)
            if cancelled_on.__class__ is not date:
                cancelled_on = nz.parse_date(cancelled)
        else:  # assigned here, not before the if: the type checker then sees date | None below
            cancelled_on = None
        if certificate.__class__ is not str or not (certificate.isascii() and certificate.isdigit()):
            certificate = nz.long_number_text(certificate)
        household, residence, agency = _text(household), _text(residence), _text(agency)
    except NormalizeError:
        return None
    # Registered by today, in working age; cancelled, if at all, after that and by today.
    if registered_on is None or registered_on > today or registered_on < info[1]:
        return None
    if registered_on >= (info[2] if id_gender == "1" else info[3]):
        return None
    if cancelled_on is not None and (cancelled_on < registered_on or cancelled_on > today):
        return None
    return (county, name, id_gender, number, phone, household, residence, reason, registered_on, agency,
            certificate, status, cancelled_on, info)


def _record(county, name, gender, id_number, phone, household_address, residence_address, reason, registered_on,
            agency, certificate_number, status, cancelled_on) -> dict:
    """Return a row's clean record, as both paths give it, from its clean values."""
    return {
        "county_code": county,
        "name": name,
        "gender": gender,
        "id_number": id_number,
        "phone": phone,
        "household_address": household_address,
        "residence_address": residence_address,
        "unemployment_reason": reason,
        "registered_on": registered_on,
        "registering_agency": agency,
        "certificate_number": certificate_number,
        "employment_status": status,
        "cancelled_on": cancelled_on,
    }


# --- the thorough check ----------------------------------------------------------------------


class _RowCheck:
    """A row being checked field by field, with every problem found so far."""

    def __init__(self, raw: dict, row_number: int):
        self.get = raw.get
        self.row_number = row_number
        self.problems: list[Problem] = []

    def add(self, field: str, code: str, **params: object) -> None:
        """Record a problem with the field's value as given."""
        self.problems.append(make_problem(self.row_number, field, self.get(field), code, **params))

    def cleaned(self, field: str, clean, *args):
        """Return the field's clean value, recording the problem when it has none."""
        try:
            return clean(self.get(field), *args)
        except NormalizeError as error:
            self.add(field, error.code)
            return None


def _validate_thoroughly(
    raw: dict, row_number: int, today: date, known: set[str] | frozenset[str], default_county: str | None
) -> RowResult:
    """Check every field of a row that the lean path declined, collecting every problem."""
    row = _RowCheck(raw, row_number)
    name = _check_name(row)
    id_number, birth_info_, id_gender = _check_identity(row, today)
    county = _check_county(row, known, default_county)
    gender = _check_gender(row, id_gender)
    reason = row.cleaned("unemployment_reason", nz.code_value, _REASON)
    status = row.cleaned("employment_status", nz.code_value, _STATUS)
    phone = row.cleaned("phone", nz.phone)
    registered_on = _check_registration(row, today, birth_info_, id_gender)
    cancelled_on = _check_cancellation(row, today, registered_on)
    certificate_number = row.cleaned("certificate_number", nz.long_number_text)
    household_address = row.cleaned("household_address", nz.text)
    residence_address = row.cleaned("residence_address", nz.text)
    agency = row.cleaned("registering_agency", nz.text)
    if any(problem.severity == ERROR for problem in row.problems):
        return RowResult(None, row.problems)
    record = _record(county, name, gender, id_number, phone, household_address, residence_address, reason,
                     registered_on, agency, certificate_number, status, cancelled_on)
    return RowResult(record, row.problems)


def _check_name(row: _RowCheck) -> str | None:
    """Check the name, which comes first: any problem so far is its own."""
    name = row.cleaned("name", nz.person_name)
    if name is None and not row.problems:
        row.add("name", "required_missing")
    return name


def _check_identity(row: _RowCheck, today: date):
    """Check the ID number and its birth date; return (ID number, birth facts, gender from the ID),
    None for each the row does not give."""
    id_number = check_id(row.get("id_number"), row.add)
    if id_number is None:
        return None, None, None
    info = birth_info(id_number[6:14])
    if info is None or info[0] > today or info[0] < EARLIEST_BIRTH:
        row.add("id_number", "id_number_birth_date", birth=f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}")
        info = None
    return id_number, info, "1" if id_number[16] in "13579" else "2"


def _check_county(row: _RowCheck, known, default_county: str | None) -> str | None:
    """Check the county: given or the default, known, and the default's when there is one."""
    county = nz.county_code(row.get("county_code")) or default_county
    if county is None:
        row.add("county_code", "required_missing")
    elif county not in known:
        row.add("county_code", "county_unknown")
    elif default_county is not None and county != default_county:
        row.add("county_code", "county_mismatch", county=county, default=default_county)
    return county


def _check_gender(row: _RowCheck, id_gender: str | None) -> str | None:
    """Check the gender against the ID's; an empty one is taken from the ID."""
    had = len(row.problems)
    gender = row.cleaned("gender", nz.code_value, _GENDER)
    if gender is None and len(row.problems) == had:
        return id_gender  # empty: the ID says it
    if gender is not None and id_gender is not None and gender != id_gender:
        zh, en = _GENDER_LABELS[id_gender]
        row.add("gender", "gender_mismatch", id_gender=zh, id_gender_en=en)
    return gender


def _check_registration(row: _RowCheck, today: date, info, id_gender: str | None) -> date | None:
    """Check the registration date: given, by today, and in working age by the ID's birth date."""
    had = len(row.problems)
    registered_on = row.cleaned("registered_on", nz.parse_date)
    if registered_on is None:
        if len(row.problems) == had:
            row.add("registered_on", "required_missing")
        return None
    registered = registered_on.isoformat()
    if registered_on > today:
        row.add("registered_on", "registered_in_future", registered=registered, today=today.isoformat())
    if info is not None:
        birth, sixteen, retire_male, retire_female = info
        retirement = retire_male if id_gender == "1" else retire_female
        if registered_on < birth:
            row.add("registered_on", "registered_before_birth", registered=registered, birth=birth.isoformat())
        elif registered_on < sixteen:
            row.add("registered_on", "registered_under_16", registered=registered, birth=birth.isoformat())
        elif registered_on >= retirement:
            row.add("registered_on", "registered_past_retirement", retirement=retirement.isoformat())
    return registered_on


def _check_cancellation(row: _RowCheck, today: date, registered_on: date | None) -> date | None:
    """Check the cancellation date, if any: not before the registration, and by today."""
    cancelled_on = row.cleaned("cancelled_on", nz.parse_date)
    if cancelled_on is not None:
        cancelled = cancelled_on.isoformat()
        if registered_on is not None and cancelled_on < registered_on:
            row.add("cancelled_on", "cancelled_before_registration", cancelled=cancelled,
                    registered=registered_on.isoformat())
        if cancelled_on > today:
            row.add("cancelled_on", "cancelled_in_future", cancelled=cancelled, today=today.isoformat())
    return cancelled_on
