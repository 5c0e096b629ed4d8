"""The columns of each kind of reference register: its fields, their labels and the headers that name them.

Headers are folded as the roster's are (roster/columns.py: full-width characters, case, spaces,
asterisks and parenthesised notes), so "*公民身份号码（18位）" names the ID number here too. A header
not recognised is ignored; a required field without a column stops the import with the list of the
file's headers, and the user names the column (`--map`, the API's `mapping`, the page's mapping step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from roster.columns import normalize_header, recognise


class RegisterField(NamedTuple):
    """A field of a reference register with its labels and whether a row needs it."""

    name: str
    label_zh: str
    label_en: str
    required: bool


_ID = RegisterField("id_number", "公民身份号码", "Citizen ID number", True)

FIELDS: dict[str, tuple[RegisterField, ...]] = {
    "social_insurance": (
        _ID,
        RegisterField("organisation", "单位名称", "Employer", False),
        RegisterField("category", "险种类型", "Insurance type", False),
        RegisterField("period_from", "缴费起始年月", "First month paid", True),
        RegisterField("period_to", "缴费截止年月", "Last month paid", False),
        RegisterField("contribution_kind", "参保身份", "Employee or flexible", False),
    ),
    "business": (
        _ID,
        RegisterField("organisation", "市场主体名称", "Entity name", False),
        RegisterField("category", "市场主体类型", "Entity type", False),
        RegisterField("established_on", "成立日期", "Established on", True),
        RegisterField("status", "登记状态", "Status", False),
        RegisterField("closed_on", "注销日期", "Closed on", False),
    ),
    "death": (
        _ID,
        RegisterField("died_on", "死亡日期", "Date of death", True),
    ),
    "pension": (
        _ID,
        RegisterField("first_paid", "首次领取年月", "First payment month", True),
    ),
    "generic": (
        _ID,
        RegisterField("date", "日期", "Date", True),
        RegisterField("organisation", "标签", "Label", False),
    ),
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "organisation": ("单位名称", "参保单位", "参保单位名称", "用人单位", "工作单位", "employer", "employer_name",
                     "市场主体名称", "主体名称", "企业名称", "字号名称", "名称", "entity", "entity_name",
                     "标签", "事由", "名单", "说明", "label"),
    "category": ("险种类型", "险种", "险种名称", "参保险种", "insurance_type", "市场主体类型", "主体类型",
                 "企业类型", "类型", "entity_type", "type"),
    "period_from": ("缴费起始年月", "起始年月", "缴费开始年月", "开始年月", "费款所属期", "费款所属期起",
                    "缴费年月", "所属期", "缴费月份", "period_from", "from_month", "month"),
    "period_to": ("缴费截止年月", "截止年月", "缴费终止年月", "终止年月", "费款所属期止", "period_to", "to_month"),
    "contribution_kind": ("参保身份", "参保类型", "参保人员类别", "人员类别", "缴费类型", "就业形式",
                          "contribution_kind", "employment"),
    "established_on": ("成立日期", "设立日期", "登记日期", "开业日期", "established_on", "established"),
    "status": ("登记状态", "经营状态", "主体状态", "状态", "status"),
    "closed_on": ("注销日期", "核准注销日期", "吊销日期", "注吊销日期", "closed_on", "closed"),
    "died_on": ("死亡日期", "死亡时间", "died_on", "date_of_death", "death_date"),
    "first_paid": ("首次领取年月", "首次发放年月", "待遇享受年月", "待遇开始年月", "开始领取年月",
                   "开始领取时间", "领取起始年月", "first_paid", "first_payment_month"),
    "date": ("日期", "时间", "发生日期", "date"),
}

_ID_ALIASES = ("经营者身份证号", "经营者证件号码", "法定代表人证件号码", "法定代表人身份证号", "负责人证件号码",
               "投资人证件号码", "参保人身份证号", "死者身份证号", "领取人身份证号")

_FIELD_BY_KEY: dict[str, str] = {
    normalize_header(alias): name for name, aliases in _ALIASES.items() for alias in aliases
} | {normalize_header(alias): "id_number" for alias in _ID_ALIASES}


def field_names(kind: str) -> tuple[str, ...]:
    """Return the names of a kind's fields."""
    return tuple(f.name for f in FIELDS[kind])


def field_label(kind: str, name: str, lang: str) -> str:
    """Return a field's label in a language ("zh" or "en")."""
    for spec in FIELDS[kind]:
        if spec.name == name:
            return spec.label_zh if lang == "zh" else spec.label_en
    return name


def recognise_register(kind: str, header: object) -> str | None:
    """Return the field of this kind a header names, or None."""
    key = normalize_header(header)
    found = _FIELD_BY_KEY.get(key)
    if found is None and recognise(header) == "id_number":
        found = "id_number"
    return found if found in field_names(kind) else None


@dataclass(frozen=True)
class RegisterMapping:
    """Which column feeds which field, and the required fields that have none."""

    index_of: dict[str, int]
    missing: list[str]


def map_register_headers(kind: str, headers: list[str], overrides: dict[str, str] | None = None) -> RegisterMapping:
    """Map a file's headers to a kind's fields; overrides ({header as given: field}) win."""
    overrides = overrides or {}
    names = field_names(kind)
    for target in overrides.values():
        if target not in names:
            raise ValueError(target)
    index_of: dict[str, int] = {}
    for index, header in enumerate(headers):
        found = overrides.get(header) if header in overrides else recognise_register(kind, header)
        if found and found not in index_of:
            index_of[found] = index
    missing = [f.name for f in FIELDS[kind] if f.required and f.name not in index_of]
    return RegisterMapping(index_of, missing)


def suggested_columns(kind: str, headers: list[str]) -> dict[int, str]:
    """Return {column index: field} for the columns the aliases recognise (a field's first column only)."""
    chosen: dict[int, str] = {}
    for index, header in enumerate(headers):
        found = recognise_register(kind, header)
        if found and found not in chosen.values():
            chosen[index] = found
    return chosen


class ChoiceProblem(NamedTuple):
    """What is wrong with a mapping chosen column by column: a code, the field, the columns (1-based)."""

    code: str  # "unknown_field", "required_unmapped" or "field_twice"
    field: str
    columns: tuple[int, ...]


def check_choice(kind: str, headers: list[str], choice: dict[int, str]) -> tuple[dict[str, int], list[ChoiceProblem]]:
    """Check a mapping chosen column by column ({index: field}); return {field: index} and the problems.

    Each required field needs exactly one column and no field may take two; a field of another kind of
    register, or a column the file does not have, is refused.
    """
    names = field_names(kind)
    problems: list[ChoiceProblem] = []
    columns_of: dict[str, list[int]] = {}
    for index, name in sorted(choice.items()):
        if not 0 <= index < len(headers) or name not in names:
            problems.append(ChoiceProblem("unknown_field", name, (index + 1,)))
            continue
        columns_of.setdefault(name, []).append(index)
    for spec in FIELDS[kind]:
        taken = columns_of.get(spec.name, [])
        if len(taken) > 1:
            problems.append(ChoiceProblem("field_twice", spec.name, tuple(i + 1 for i in taken)))
        elif spec.required and not taken:
            problems.append(ChoiceProblem("required_unmapped", spec.name, ()))
    return {name: taken[0] for name, taken in columns_of.items() if len(taken) == 1}, problems
