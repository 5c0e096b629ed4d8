"""Check one row of a reference register: clean its values into a record, or say what is wrong.

ID numbers are cleaned as the roster's (roster/normalize.py); a 15-digit first-generation number is
converted to its 18-digit form (python-stdnum computes the check digit), an invalid one is reported and
the row not matched. Problems name the row, the field and the reason in Chinese and English, as the
roster import's error report does.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from stdnum.cn import ric

from registers.columns import field_label
from roster import normalize as nz
from roster.idnumber import birth_info, check_id
from roster.normalize import NormalizeError

# code: (Chinese, English); {label}/{label_en} is the field's label, {value} the value as given.
MESSAGES: dict[str, tuple[str, str]] = {
    "required_missing": ("{label}为必填项，不能为空", "{label_en} is required"),
    "id_number_invalid": ("公民身份号码“{value}”无效（位数、出生日期或校验码不正确），该行不参与比对",
                          "Citizen ID number “{value}” is invalid (length, birth date or check digit); "
                          "the row is not matched"),
    "precision_lost": ("{label}在 Excel 中被存成了数字，后几位已丢失，请把该列设为文本格式后重新导出",
                       "{label_en} was stored as a number in Excel and lost its last digits; format the "
                       "column as Text and export again"),
    "date_invalid": ("{label}“{value}”不是有效日期（如 2025-03-01）", "{label_en} “{value}” is not a date "
                     "(e.g. 2025-03-01)"),
    "month_invalid": ("{label}“{value}”不是有效年月（如 2025-03 或 202503）", "{label_en} “{value}” is not a "
                      "month (e.g. 2025-03 or 202503)"),
    "period_reversed": ("缴费截止年月早于起始年月", "The last month paid is before the first"),
    "closed_before_established": ("注销日期早于成立日期", "The closing date is before the established date"),
    "closed_without_date": ("登记状态为注销，但没有注销日期", "The status is closed but there is no closing date"),
    "value_unknown": ("{label}“{value}”无法识别", "{label_en} “{value}” is not recognised"),
}

_FLEXIBLE = ("灵活就业", "灵活就业人员", "个体", "个体灵活就业", "flexible")
_EMPLOYEE = ("单位", "单位职工", "职工", "在职", "企业职工", "机关事业", "employee")
_CLOSED = ("注销", "吊销", "撤销", "已注销", "closed", "cancelled")
_OPERATING = ("存续", "在营", "开业", "正常", "在业", "operating", "active")
_MONTH_TEXT = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*月?")
_MONTH_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})")


class RowProblem(NamedTuple):
    """One thing wrong with one value of one row."""

    row: int
    field: str | None
    value: str
    code: str
    message_zh: str
    message_en: str


def problem(kind: str, row: int, field: str | None, value: object, code: str) -> RowProblem:
    """Build a problem with its messages filled in."""
    zh, en = MESSAGES[code]
    shown = "" if value is None else nz.visible(str(value))[:60]
    params = {"value": shown, "label": field_label(kind, field or "", "zh"),
              "label_en": field_label(kind, field or "", "en")}
    return RowProblem(row, field, shown, code, zh.format(**params), en.format(**params))


def id_number_18(value: object) -> str | None:
    """Return a valid 18-character ID number (a 15-digit one converted), None when empty.

    Raises NormalizeError("id_number_invalid") for a number of the wrong form, check digit or birth
    date (the roster's checks, roster/idnumber.py; the area code is not checked, as there), and
    NormalizeError("precision_lost") for one Excel has rounded.
    """
    number = nz.id_number(value)
    if number is None:
        return None
    if len(number) == 15 and number.isdigit():
        body = number[:6] + "19" + number[6:]
        number = body + ric.calc_check_digit(body + "0")  # the last character is ignored
    checked = check_id(number, lambda *args, **kwargs: None)
    if checked is None or birth_info(checked[6:14]) is None:
        raise NormalizeError("id_number_invalid")
    return checked


def parse_month(value: object) -> date | None:
    """Read a month (2025-03, 202503, 2025年3月, or any date) as its first day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and 190001 <= value <= 299912:
        value = str(value)
    if isinstance(value, float) and value.is_integer() and 190001 <= value <= 299912:
        value = str(int(value))
    if isinstance(value, str):
        cleaned = nz.nfkc(value).strip()
        match = _MONTH_TEXT.fullmatch(cleaned) or _MONTH_COMPACT.fullmatch(cleaned)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if 1 <= month <= 12:
                return date(year, month, 1)
            raise NormalizeError("month_invalid")
    day = nz.parse_date(value)
    return None if day is None else day.replace(day=1)


class RowChecker:
    """Turn the rows of one kind of register into records for register_record."""

    def __init__(self, kind: str, index_of: dict[str, int]):
        """Remember which column holds each field."""
        self.kind = kind
        self.index_of = index_of

    def check(self, number: int, values: list) -> tuple[dict | None, list[RowProblem]]:
        """Return the row's record (None when rejected) and its problems."""
        problems: list[RowProblem] = []

        def get(name: str) -> object:
            index = self.index_of.get(name)
            return values[index] if index is not None and index < len(values) else None

        def add(name: str, code: str) -> None:
            problems.append(problem(self.kind, number, name, get(name), code))

        def when(name: str, parse=nz.parse_date, code: str = "date_invalid", required: bool = False) -> date | None:
            try:
                day = parse(get(name))
            except NormalizeError as error:
                add(name, "month_invalid" if error.code == "month_invalid" or code == "month_invalid" else code)
                return None
            if day is None and required:
                add(name, "required_missing")
            return day

        raw_id = get("id_number")
        try:
            id_number = id_number_18(raw_id)
        except NormalizeError as error:
            add("id_number", "precision_lost" if error.code == "precision_lost" else "id_number_invalid")
            id_number = None
        else:
            if id_number is None:
                add("id_number", "required_missing")
        record = {"kind": self.kind, "source_row": number, "id_number": id_number, "end_on": None,
                  "organisation": _short(get("organisation"), 128), "category": _short(get("category"), 64),
                  "flexible": False}
        getattr(self, f"_{self.kind}")(record, when, get, add)
        return (None if problems else record), problems

    def _social_insurance(self, record, when, get, add) -> None:
        """Read the months paid and whether the person paid as an employee or a flexible worker."""
        record["start_on"] = when("period_from", parse_month, "month_invalid", required=True)
        record["end_on"] = when("period_to", parse_month, "month_invalid")
        if record["start_on"] and record["end_on"] and record["end_on"] < record["start_on"]:
            add("period_to", "period_reversed")
        kind_text = _text(get("contribution_kind"))
        if kind_text is not None:
            if any(word in kind_text for word in _FLEXIBLE):
                record["flexible"] = True
            elif not any(word in kind_text for word in _EMPLOYEE):
                add("contribution_kind", "value_unknown")

    def _business(self, record, when, get, add) -> None:
        """Read the entity's dates; a closed entity needs its closing date."""
        record["start_on"] = when("established_on", required=True)
        record["end_on"] = when("closed_on")
        status = _text(get("status"))
        closed = status is not None and any(word in status for word in _CLOSED)
        if status is not None and not closed and not any(word in status for word in _OPERATING):
            add("status", "value_unknown")
        if closed and record["end_on"] is None and get("closed_on") in (None, ""):
            add("status", "closed_without_date")
        if record["start_on"] and record["end_on"] and record["end_on"] < record["start_on"]:
            add("closed_on", "closed_before_established")

    def _death(self, record, when, get, add) -> None:
        """Read the date of death."""
        record["start_on"] = when("died_on", required=True)

    def _pension(self, record, when, get, add) -> None:
        """Read the first month paid."""
        record["start_on"] = when("first_paid", parse_month, "month_invalid", required=True)

    def _generic(self, record, when, get, add) -> None:
        """Read the list's date."""
        record["start_on"] = when("date", required=True)


def _text(value: object) -> str | None:
    """Clean a text value; control characters are spelt out rather than refused (only names and codes)."""
    try:
        return nz.text(value)
    except NormalizeError:
        return nz.visible(value)


def _short(value: object, limit: int) -> str | None:
    """Clean a text value and cut it to the column's length."""
    text = _text(value)
    return None if text is None else text[:limit]
