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
from typing import NamedTuple

from config import codelists
from roster import normalize as nz
from roster.columns import FIELD_BY_NAME
from roster.normalize import NormalizeError
from roster.retirement import statutory_retirement_date

ERROR = "error"
WARNING = "warning"


class Problem(NamedTuple):
    """One thing wrong with one value of one row, in Chinese and English."""

    row: int
    field: str | None
    value_as_given: object
    code: str
    message_zh: str
    message_en: str
    severity: str = ERROR


class RowResult(NamedTuple):
    """A row's clean record (None when an error rejects it) and all its problems."""

    record: dict | None
    problems: list[Problem]


# code: (severity, Chinese message, English message). {label}/{label_en} is the field's label,
# {value} the value as given; other names are filled by the check.
MESSAGES: dict[str, tuple[str, str, str]] = {
    "required_missing": (ERROR, "{label}为必填项，不能为空",
        "{label_en} is required"),
    "name_invalid": (ERROR, "姓名“{value}”含有数字或符号",
        "Name “{value}” contains digits or symbols"),
    "precision_lost": (ERROR, "{label}在 Excel 中被存成了数字，Excel 只保留15位有效数字，后几位已丢失，"
        "无法从文件中恢复。请把该列设置为“文本”格式，重新录入号码后再导入",
        "{label_en} was stored as a number in Excel, which keeps only 15 significant digits: the last "
        "digits are lost and cannot be recovered. Format the column as Text, re-enter the numbers and "
        "import again"),
    "id_number_length": (ERROR, "公民身份号码应为18位，“{value}”为{length}位",
        "The citizen ID number must have 18 characters; “{value}” has {length}"),
    "id_number_first_generation": (ERROR, "“{value}”是15位的第一代身份证号码，已停止使用，请填写18位公民身份号码",
        "“{value}” is a 15-digit first-generation ID number, no longer valid; give the 18-digit number"),
    "id_number_format": (ERROR, "公民身份号码“{value}”格式不正确：前17位应为数字，第18位为数字或X",
        "Citizen ID number “{value}” is malformed: 17 digits then a digit or X"),
    "id_number_checksum": (ERROR, "公民身份号码“{value}”的校验码（第18位）不正确，号码有误{hint_zh}",
        "Citizen ID number “{value}” has a wrong check digit (18th character){hint_en}"),
    "id_number_birth_date": (ERROR, "公民身份号码“{value}”中的出生日期 {birth} 不存在或不合理",
        "The birth date {birth} in citizen ID number “{value}” does not exist or is implausible"),
    "county_unknown": (ERROR, "县（市、区）“{value}”不在县区列表中",
        "County “{value}” is not in the list of counties"),
    "county_mismatch": (ERROR, "该行的县（市、区）{county} 与本次导入的县区 {default} 不一致",
        "The row's county {county} differs from the county {default} this file is imported for"),
    "code_unknown": (ERROR, "{label}“{value}”不在代码表中，可填写：{choices}",
        "{label_en} “{value}” is not in the code list; use one of: {choices_en}"),
    "date_format": (ERROR, "{label}“{value}”无法识别为日期，请使用 2025-03-01 或 2025年3月1日 这样的格式",
        "{label_en} “{value}” is not a readable date; use a form like 2025-03-01"),
    "date_invalid": (ERROR, "{label}“{value}”不是有效日期",
        "{label_en} “{value}” is not a valid date"),
    "registered_in_future": (ERROR, "失业登记日期 {registered} 晚于今天（{today}）",
        "Registration date {registered} is after today ({today})"),
    "registered_before_birth": (ERROR, "失业登记日期 {registered} 早于出生日期 {birth}",
        "Registration date {registered} is before the birth date {birth}"),
    "registered_under_16": (ERROR, "登记时未满16周岁（出生日期 {birth}，登记日期 {registered}），不在法定劳动年龄内",
        "Under 16 at registration (born {birth}, registered {registered}): below working age"),
    "cancelled_before_registration": (ERROR, "注销日期 {cancelled} 早于失业登记日期 {registered}",
        "Cancellation date {cancelled} is before the registration date {registered}"),
    "control_character": (ERROR, "{label}“{value}”含有不可见的控制字符（如 \\x00），请在原表格中删除后再导入",
        "{label_en} “{value}” contains an invisible control character (such as \\x00); remove it and import again"),
    "gender_mismatch": (WARNING, "性别“{value}”与公民身份号码第17位所示性别（{id_gender}）不一致",
        "Gender “{value}” disagrees with the citizen ID number's 17th digit ({id_gender_en})"),
    "phone_invalid": (WARNING, "联系电话“{value}”不是有效的手机或固定电话号码（固定电话请带区号，如 0759-3388123），未导入该号码",
        "Phone “{value}” is not a valid mobile or landline number (give landlines with their area code, "
        "e.g. 0759-3388123); the number was not imported"),
    "cancelled_in_future": (WARNING, "注销日期 {cancelled} 晚于今天（{today}）",
        "Cancellation date {cancelled} is after today ({today})"),
    "registered_past_retirement": (WARNING, "登记时已达到法定退休年龄（{retirement} 起）",
        "Already at statutory retirement age when registered (from {retirement})"),
}
PROBLEM_CODES = tuple(MESSAGES)
ERROR_CODES = frozenset(code for code, (severity, _, _) in MESSAGES.items() if severity == ERROR)

_CODELISTS = {
    "gender": codelists.GENDERS,
    "unemployment_reason": codelists.UNEMPLOYMENT_REASONS,
    "employment_status": codelists.EMPLOYMENT_STATUSES,
}
_GENDER = nz.code_lookup(codelists.GENDERS, codelists.GENDER_ALIASES)
_REASON = nz.code_lookup(codelists.UNEMPLOYMENT_REASONS, codelists.UNEMPLOYMENT_REASON_ALIASES)
_STATUS = nz.code_lookup(codelists.EMPLOYMENT_STATUSES, codelists.EMPLOYMENT_STATUS_ALIASES)
_GENDER_LABELS = {"1": ("男", "male"), "2": ("女", "female")}


def make_problem(row: int, field: str | None, value: object, code: str, **params: object) -> Problem:
    """Build a Problem with its messages filled in from MESSAGES."""
    severity, zh, en = MESSAGES[code]
    spec = FIELD_BY_NAME.get(field) if field else None
    if field in _CODELISTS:
        entries = _CODELISTS[field]
        params.setdefault("choices", "、".join(f"{c} {z}" for c, z, _ in entries))
        params.setdefault("choices_en", ", ".join(f"{c} {e}" for c, _, e in entries))
    values = {
        "label": spec.label_zh if spec else "",
        "label_en": spec.label_en if spec else "",
        "value": "" if value is None else nz.visible(value),
        **params,
    }
    return Problem(row, field, value, code, zh.format(**values), en.format(**values), severity)


_CHECK_CHARS = "0123456789X"
_ID_WEIGHTS_BASE = 13  # int(17 digits, 13) folds GB 11643's weights 2^(17-i) mod 11, as stdnum does
_EARLIEST_BIRTH = date(1900, 1, 1)
# No person on a register was born after this; checked before any date arithmetic, so that a birth
# date with a valid check digit centuries ahead (9940-01-01) is an error, not an overflow.
_LATEST_BIRTH = date(2200, 12, 31)
_CN_MOBILE = nz.CN_MOBILE
_is_normalized = unicodedata.is_normalized
_text = nz.text
_dates = nz.date_cache

# Per ID birth-date digits (YYYYMMDD): (birth, 16th birthday, retirement day for a man, for a woman
# on the cadre track), or None when there is no such day. Births repeat a lot: compute each once.
_birth_cache: dict[str, tuple[date, date, date, date] | None] = {}


def _birth_info(digits: str) -> tuple[date, date, date, date] | None:
    """Return the cached birth facts for an ID's 8 birth-date digits."""
    info = _birth_cache.get(digits, False)
    if info is False:
        try:
            birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:  # no such day
            birth = None
        if birth is None or not _EARLIEST_BIRTH <= birth <= _LATEST_BIRTH:
            info = None
        else:
            # Born 29 February: the 16th birthday in a common year is taken as 1 March.
            leap_day = (birth.month, birth.day) == (2, 29)
            sixteen = date(birth.year + 16, 3, 1) if leap_day else birth.replace(year=birth.year + 16)
            retire_man = statutory_retirement_date(birth, "1")
            info = (birth, sixteen, retire_man, statutory_retirement_date(birth, "2", "cadre"))
        if len(_birth_cache) >= 100_000:
            _birth_cache.clear()
        _birth_cache[digits] = info
    return info


def _check_id(value: object, add) -> str | None:
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
    elif not (number[:17].isdigit() and number.isascii() and number[17] in _CHECK_CHARS):
        add("id_number", "id_number_format")
    elif _CHECK_CHARS[(1 - 2 * int(number[:17], _ID_WEIGHTS_BASE)) % 11] != number[17]:
        hint_zh = hint_en = ""
        if number.endswith("000"):
            hint_zh = "（末尾为0，可能是 Excel 以数字格式保存时丢失了末几位，请将该列设为文本格式）"
            hint_en = " (trailing zeros: Excel may have rounded it as a number; format the column as Text)"
        add("id_number", "id_number_checksum", hint_zh=hint_zh, hint_en=hint_en)
    else:
        return number
    return None


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


def _clean_record(raw: dict, today: date, known: set[str] | frozenset[str], default_county: str | None):
    """Return the record of a row with no problem at all in the common forms, else None."""
    # The lean path a million-row import takes for almost every row: each check is the fast path of
    # the thorough one, and anything unusual, even a warning, returns None so that
    # _validate_thoroughly decides and explains. A test checks validate_row always equals it.
    get = raw.get
    county = get("county_code")
    if county.__class__ is not str or county not in known:
        if (county is not None and county != "") or default_county not in known:
            return None
        county = default_county
    elif default_county is not None and county != default_county:
        return None
    name = get("name")
    if name.__class__ is not str or not name.isalpha() or not _is_normalized("NFKC", name):
        return None
    number = get("id_number")
    if number.__class__ is not str or len(number) != 18 or not number.isascii() or not number[:17].isdigit():
        return None
    if _CHECK_CHARS[(1 - 2 * int(number[:17], _ID_WEIGHTS_BASE)) % 11] != number[17]:
        return None
    info = _birth_cache.get(number[6:14]) or _birth_info(number[6:14])
    if info is None or info[0] > today or info[0] < _EARLIEST_BIRTH:
        return None
    id_gender = "1" if number[16] in "13579" else "2"
    gender = get("gender")
    if gender is not None and gender != "" and _GENDER.get(gender) != id_gender:
        return None
    try:
        # Each line: a dict hit for the common value, else the normaliser (which may raise).
        value = get("unemployment_reason")
        reason = _REASON.get(value) or nz.code_value(value, _REASON)
        value = get("employment_status")
        status = _STATUS.get(value) or nz.code_value(value, _STATUS)
        phone = get("phone")
        if phone.__class__ is str and len(phone) == 11 and _CN_MOBILE.fullmatch(phone):
            phone = "+86" + phone
        else:
            phone = nz.phone(phone)
        value = get("registered_on")
        registered_on = _dates.get(value)
        if registered_on.__class__ is not date:
            registered_on = nz.parse_date(value)
        value = get("cancelled_on")
        cancelled_on = None
        if value is not None and value != "":
            cancelled_on = _dates.get(value)
            if cancelled_on.__class__ is not date:
                cancelled_on = nz.parse_date(value)
        certificate = get("certificate_number")
        if certificate.__class__ is not str or not (certificate.isascii() and certificate.isdigit()):
            certificate = nz.long_number_text(certificate)
        household_address = _text(get("household_address"))
        residence_address = _text(get("residence_address"))
        agency = _text(get("registering_agency"))
    except NormalizeError:
        return None
    if registered_on is None or registered_on > today or registered_on < info[1]:
        return None
    if registered_on >= (info[2] if id_gender == "1" else info[3]):
        return None
    if cancelled_on is not None and (cancelled_on < registered_on or cancelled_on > today):
        return None
    return {
        "county_code": county,
        "name": name,
        "gender": id_gender,
        "id_number": number,
        "phone": phone,
        "household_address": household_address,
        "residence_address": residence_address,
        "unemployment_reason": reason,
        "registered_on": registered_on,
        "registering_agency": agency,
        "certificate_number": certificate,
        "employment_status": status,
        "cancelled_on": cancelled_on,
    }


def _validate_thoroughly(
    raw: dict, row_number: int, today: date, known: set[str] | frozenset[str], default_county: str | None
) -> RowResult:
    """Check every field of a row that the lean path declined, collecting every problem."""
    problems: list[Problem] = []
    get = raw.get

    def add(field: str, code: str, **params: object) -> None:
        """Record a problem with the field's value as given."""
        problems.append(make_problem(row_number, field, get(field), code, **params))

    def cleaned(field: str, clean, *args):
        """Return the field's clean value, recording the problem when it has none."""
        try:
            return clean(get(field), *args)
        except NormalizeError as error:
            add(field, error.code)
            return None

    name = cleaned("name", nz.person_name)
    if name is None and not problems:  # name is checked first: any problem so far is its own
        add("name", "required_missing")

    id_number = _check_id(get("id_number"), add)
    birth_info = id_gender = None
    if id_number is not None:
        birth_info = _birth_info(id_number[6:14])
        if birth_info is None or birth_info[0] > today or birth_info[0] < _EARLIEST_BIRTH:
            add("id_number", "id_number_birth_date", birth=f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}")
            birth_info = None
        id_gender = "1" if id_number[16] in "13579" else "2"

    county = nz.county_code(get("county_code")) or default_county
    if county is None:
        add("county_code", "required_missing")
    elif county not in known:
        add("county_code", "county_unknown")
    elif default_county is not None and county != default_county:
        add("county_code", "county_mismatch", county=county, default=default_county)

    had = len(problems)
    gender = cleaned("gender", nz.code_value, _GENDER)
    if gender is None and len(problems) == had:
        gender = id_gender  # empty: the ID says it
    elif gender is not None and id_gender is not None and gender != id_gender:
        zh, en = _GENDER_LABELS[id_gender]
        add("gender", "gender_mismatch", id_gender=zh, id_gender_en=en)

    reason = cleaned("unemployment_reason", nz.code_value, _REASON)
    status = cleaned("employment_status", nz.code_value, _STATUS)
    phone = cleaned("phone", nz.phone)

    had = len(problems)
    registered_on = cleaned("registered_on", nz.parse_date)
    if registered_on is None:
        if len(problems) == had:
            add("registered_on", "required_missing")
    else:
        registered = registered_on.isoformat()
        if registered_on > today:
            add("registered_on", "registered_in_future", registered=registered, today=today.isoformat())
        if birth_info is not None:
            birth, sixteen, retire_male, retire_female = birth_info
            retirement = retire_male if id_gender == "1" else retire_female
            if registered_on < birth:
                add("registered_on", "registered_before_birth", registered=registered, birth=birth.isoformat())
            elif registered_on < sixteen:
                add("registered_on", "registered_under_16", registered=registered, birth=birth.isoformat())
            elif registered_on >= retirement:
                add("registered_on", "registered_past_retirement", retirement=retirement.isoformat())

    cancelled_on = cleaned("cancelled_on", nz.parse_date)
    if cancelled_on is not None:
        cancelled = cancelled_on.isoformat()
        if registered_on is not None and cancelled_on < registered_on:
            add("cancelled_on", "cancelled_before_registration", cancelled=cancelled, registered=registered)
        if cancelled_on > today:
            add("cancelled_on", "cancelled_in_future", cancelled=cancelled, today=today.isoformat())

    certificate_number = cleaned("certificate_number", nz.long_number_text)
    household_address = cleaned("household_address", nz.text)
    residence_address = cleaned("residence_address", nz.text)
    agency = cleaned("registering_agency", nz.text)
    if any(problem.severity == ERROR for problem in problems):
        return RowResult(None, problems)
    return RowResult({
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
    }, problems)
