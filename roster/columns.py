"""Roster columns: the canonical person fields, their labels, and recognising file headers.

County offices name their columns in many ways ("*身份证号码", "公民身份号码（18位）", "ID Number").
Headers are compared after `normalize_header`, which folds full-width characters, case, spaces,
required-column asterisks and parenthesised notes. What is not recognised is returned so that the
import page can offer a mapping step; `FIELDS` gives it the choices with Chinese and English labels.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class FieldSpec(NamedTuple):
    """A canonical person field with its labels for pages and error reports."""

    name: str
    label_zh: str
    label_en: str
    required: bool


# Required: what a row needs to be a sampling-frame unit at all: who (name, ID number), which stratum
# (county; may come from the import's default county instead of a column) and since when
# (registration date). Everything else is checked when present.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("county_code", "县（市、区）", "County", True),
    FieldSpec("name", "姓名", "Name", True),
    FieldSpec("gender", "性别", "Gender", False),
    FieldSpec("id_number", "公民身份号码", "Citizen ID number", True),
    FieldSpec("phone", "联系电话", "Phone", False),
    FieldSpec("household_address", "户籍地址", "Household registration address", False),
    FieldSpec("residence_address", "常住地址", "Residence address", False),
    FieldSpec("unemployment_reason", "失业原因", "Reason for unemployment", False),
    FieldSpec("registered_on", "失业登记日期", "Registration date", True),
    FieldSpec("registering_agency", "登记机构", "Registering agency", False),
    FieldSpec("certificate_number", "就业创业证编号", "Employment and Entrepreneurship Certificate No.", False),
    FieldSpec("employment_status", "就业状态", "Employment status", False),
    FieldSpec("cancelled_on", "注销日期", "Cancellation date", False),
)
FIELD_NAMES = tuple(f.name for f in FIELDS)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.required)

_ALIASES: dict[str, tuple[str, ...]] = {
    "county_code": (
        "县区", "区县", "县区代码", "区县代码", "行政区划代码", "区划代码", "县(市、区)", "县(市、区)代码",
        "县市区", "所属县区", "所属区县", "县区名称", "区县名称", "county", "county_code", "district",
        "district_code", "division_code",
    ),
    "name": ("姓名", "名字", "人员姓名", "失业人员姓名", "name", "full_name", "person_name"),
    "gender": ("性别", "gender", "sex"),
    "id_number": (
        "公民身份号码", "身份证号", "身份证号码", "身份证", "身份证件号码", "证件号码", "社会保障号码",
        "id", "id_number", "id_no", "idno", "id_card", "id_card_number", "citizen_id", "national_id",
        "identity_number",
    ),
    "phone": (
        "联系电话", "手机号码", "电话", "手机", "手机号", "电话号码", "联系方式", "联系号码", "phone",
        "mobile", "tel", "telephone", "phone_number", "mobile_phone",
    ),
    "household_address": (
        "户籍地址", "户籍所在地", "户籍地", "户口所在地", "户口地址", "household_address", "hukou_address",
    ),
    "residence_address": (
        "常住地址", "居住地址", "现居住地址", "现住址", "家庭住址", "常住地", "居住地",
        "residence_address", "current_address", "home_address",
    ),
    "unemployment_reason": ("失业原因", "失业原因代码", "unemployment_reason", "reason"),
    "registered_on": (
        "失业登记日期", "登记日期", "失业登记时间", "登记时间", "registered_on", "registration_date",
        "register_date", "date_registered",
    ),
    "registering_agency": (
        "登记机构", "登记单位", "经办机构", "经办单位", "登记机构名称", "registering_agency",
        "registration_agency", "agency",
    ),
    "certificate_number": (
        "就业创业证编号", "就业创业证号", "就业创业证号码", "就业失业登记证号", "就业失业登记证编号",
        "certificate_number", "certificate_no", "certificate",
    ),
    "employment_status": (
        "就业状态", "就业情况", "人员状态", "当前状态", "状态", "employment_status", "status",
    ),
    "cancelled_on": (
        "注销日期", "注销时间", "失业登记注销日期", "注销登记日期", "cancelled_on", "canceled_on",
        "cancellation_date", "cancel_date", "deregistered_on",
    ),
}

# Columns county files often carry that are known and deliberately not imported, so the mapping
# step does not ask about them.
_IGNORED = (
    "序号", "备注", "年龄", "出生日期", "出生年月", "民族", "文化程度", "学历", "户口性质", "人员类别",
    "政治面貌", "no", "seq", "index", "remark", "remarks", "note", "notes", "age", "birth_date",
)

# Characters that carry no meaning in a header: spaces, required-column markers, separators.
_NOISE = re.compile(r"[\s*★☆※#:_\-.'\"]+")
_NOTE = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>")


def normalize_header(header: object) -> str:
    """Fold a header to the form aliases are compared in."""
    if header is None:
        return ""
    text = unicodedata.normalize("NFKC", str(header)).lower()
    return _NOISE.sub("", text)


def _strip_note(key: str) -> str:
    """Drop parenthesised notes such as "(必填)" or "(18位)"."""
    return _NOTE.sub("", key)


_FIELD_BY_KEY: dict[str, str] = {
    normalize_header(alias): name for name, aliases in _ALIASES.items() for alias in aliases
}
_IGNORED_KEYS = frozenset(normalize_header(h) for h in _IGNORED)


def recognise(header: object) -> str | None:
    """Return the field a header names, or None."""
    key = normalize_header(header)
    if not key:
        return None
    found = _FIELD_BY_KEY.get(key)
    if found is None:
        key = _strip_note(key)
        found = _FIELD_BY_KEY.get(key)
    if found is None and "/" in key:
        # "常住地址/居住地址": accept when every part names the same field.
        parts = {_FIELD_BY_KEY.get(part) for part in key.split("/") if part}
        if len(parts) == 1:
            found = parts.pop()
    return found


def is_ignored(header: object) -> bool:
    """Say whether a header names a known column that is not imported."""
    key = normalize_header(header)
    return key in _IGNORED_KEYS or _strip_note(key) in _IGNORED_KEYS


@dataclass(frozen=True)
class HeaderMapping:
    """Which column feeds which field, and what the mapping step must still ask.

    unknown_headers and ignored_headers hold (column index, header as given); duplicate_headers
    holds (column index, header, field) for columns whose field an earlier column already feeds.
    """

    field_by_index: dict[int, str]
    unknown_headers: list[tuple[int, str]] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    ignored_headers: list[tuple[int, str]] = field(default_factory=list)
    duplicate_headers: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        """Say whether every required field has a column."""
        return not self.missing_required

    def extractor(self):
        """Return a function turning a row's values into a {field: value} dict."""
        pairs = sorted(self.field_by_index.items())
        if not pairs:
            return lambda values: {}
        fields = tuple(f for _, f in pairs)
        width = pairs[-1][0] + 1
        getter = operator.itemgetter(*(i for i, _ in pairs))
        if len(pairs) == 1:
            only = fields[0]

            def extract_one(values):
                """Return the one mapped value as a dict."""
                return {only: values[pairs[0][0]] if len(values) >= width else None}

            return extract_one
        pad = [None] * width
        if all(index == position for position, (index, _) in enumerate(pairs)):
            # Mapped columns are the first ones, in order: zip alone picks them (it stops at the
            # shorter side, so extra columns on the right are left out).

            def extract_leading(values):
                """Return the leading values as a dict."""
                if len(values) < width:
                    values = list(values) + pad[len(values):]
                return dict(zip(fields, values))  # noqa: B905

            return extract_leading

        def extract(values):
            """Return the mapped values as a dict."""
            if len(values) < width:
                # Files drop trailing empty cells; pad so every field gets a value.
                values = list(values) + pad[len(values):]
            # getter returns exactly len(fields) values, so zip needs no strict check (it costs).
            return dict(zip(fields, getter(values)))  # noqa: B905

        return extract


def map_headers(
    headers: list[str],
    overrides: dict[int | str, str | None] | None = None,
    *,
    default_county: str | None = None,
) -> HeaderMapping:
    """Map file headers to fields, applying the user's overrides from the mapping step."""
    # overrides: {column index or header as given: field name, or None/"" to skip the column}.
    # With a default county (the file is one county's register) no county column is required.
    overrides = overrides or {}
    for target in overrides.values():
        if target and target not in FIELD_BY_NAME:
            raise ValueError(f"unknown roster field {target!r}")
    field_by_index: dict[int, str] = {}
    taken: set[str] = set()
    unknown: list[tuple[int, str]] = []
    ignored: list[tuple[int, str]] = []
    duplicates: list[tuple[int, str, str]] = []
    for index, header in enumerate(headers):
        text = "" if header is None else str(header)
        if index in overrides or text in overrides:
            target = overrides[index] if index in overrides else overrides[text]
            if not target:
                ignored.append((index, text))
                continue
        else:
            target = recognise(text)
            if target is None:
                if not normalize_header(text):
                    continue  # an empty header over an empty column is nothing to ask about
                (ignored if is_ignored(text) else unknown).append((index, text))
                continue
        if target in taken:
            duplicates.append((index, text, target))
            continue
        taken.add(target)
        field_by_index[index] = target
    missing = [
        name for name in REQUIRED_FIELDS
        if name not in taken and not (name == "county_code" and default_county)
    ]
    return HeaderMapping(field_by_index, unknown, missing, ignored, duplicates)


def count_recognised(headers: Sequence[object]) -> int:
    """Count the distinct fields a row of headers names (used to find the header row)."""
    return len({f for f in map(recognise, headers) if f is not None})
