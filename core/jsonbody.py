"""The declared shape of each API endpoint's JSON body, checked before the endpoint runs.

An endpoint says which fields it reads, of which kind, within which limits:

    @bp.post("/imports/<int:batch_id>/commit")
    @accepts(confirm_removals=Field("boolean"))
    def commit_import(batch_id, body): ...

`accepts` reads the body, checks every declared field and hands the endpoint a dict of the fields
that were given. A body that is not a JSON object, a field of the wrong kind, out of its range or
too long is answered 400 with {"error": {"code": "body_invalid", "problems": {field: reason}}},
before anything else happens; fields that are not declared are ignored. The declarations also
appear in docs/api.md and feed the route fuzz test.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any

from flask import request

from core.errors import api_error

MAX_TEXT = 2000


@dataclass(frozen=True)
class Field:
    """One field of a body: its kind, whether it must be there, and its limits.

    Kinds: text, integer, number (an integer or a decimal; text such as "95 %" is left to the
    rate reader), scalar (text or number), boolean, date (YYYY-MM-DD), datetime (ISO 8601),
    texts, integers, scalars (lists of them), codes (a list of texts or one comma-separated text), object (a JSON
    object, checked by the endpoint), mapping (an object, or the same as "key=value" lines of text).
    """

    kind: str
    required: bool = False
    nullable: bool = False
    low: float | None = None
    high: float | None = None
    max_length: int = MAX_TEXT
    choices: tuple | None = None

    def problem(self, value) -> str | None:
        """Return why a value does not fit this field (in Chinese), or None."""
        if value is None:
            return None if self.nullable or not self.required else "不能为空"
        check = _KINDS[self.kind]
        reason = check(self, value)
        if reason is None and self.choices is not None and value not in self.choices:
            reason = "须为以下之一：" + "、".join(str(c) for c in self.choices)
        return reason

    def describe(self) -> str:
        """Say the field's kind and limits, for docs/api.md."""
        parts = [self.kind + (" (required)" if self.required else "")]
        if self.choices:
            parts.append("one of " + "/".join(str(c) for c in self.choices))
        if self.low is not None or self.high is not None:
            parts.append(f"{self.low if self.low is not None else ''}…{self.high if self.high is not None else ''}")
        return ", ".join(parts)


def _text(field, value):
    if not isinstance(value, str):
        return "须为文字"
    if len(value) > field.max_length:
        return f"不能超过 {field.max_length} 个字符"
    if "\x00" in value:
        return "不能含控制字符"
    return None


def _integer(field, value):
    if isinstance(value, bool) or not isinstance(value, int):
        return "须为整数"
    return _in_range(field, value)


def _number(field, value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "须为数字"
    return _in_range(field, value)


def _scalar(field, value):
    return _text(field, value) if isinstance(value, str) else _number(field, value)


def _boolean(field, value):
    return None if isinstance(value, bool) else "须为 true 或 false"


def _date(field, value):
    if not isinstance(value, str) or len(value) != 10:
        return "须为日期（YYYY-MM-DD）"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "须为有效日期（YYYY-MM-DD）"
    return None


def _datetime(field, value):
    if not isinstance(value, str) or len(value) > 40:
        return "须为时间（ISO 8601，如 2026-12-02T16:16+08:00）"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return "须为有效时间（ISO 8601，如 2026-12-02T16:16+08:00）"
    return None


def _list_of(check):
    def validate(field, value):
        if not isinstance(value, list) or len(value) > 10_000:
            return "须为列表"
        for item in value:
            reason = check(Field("item", low=field.low, high=field.high, max_length=field.max_length), item)
            if reason:
                return f"列表中的值{reason}"
        return None

    return validate


def _codes(field, value):
    if isinstance(value, str):
        return _text(field, value)
    return _list_of(_text)(field, value)


def _mapping(field, value):
    return None if isinstance(value, dict) else _text(field, value)


def _object(field, value):
    return None if isinstance(value, dict) else "须为 JSON 对象"


def _in_range(field, value):
    if field.low is not None and value < field.low:
        return f"不能小于 {field.low}"
    if field.high is not None and value > field.high:
        return f"不能大于 {field.high}"
    return None


_KINDS = {"text": _text, "integer": _integer, "number": _number, "scalar": _scalar, "boolean": _boolean,
          "date": _date, "datetime": _datetime, "texts": _list_of(_text), "integers": _list_of(_integer),
          "scalars": _list_of(_scalar),
          "codes": _codes, "mapping": _mapping, "object": _object}


def identifier(required: bool = False, nullable: bool = False) -> Field:
    """Return a field holding a row id, as the database stores it (1 to 2**31 - 1)."""
    return Field("integer", required=required, nullable=nullable, low=1, high=2**31 - 1)


def read_body(fields: dict[str, Field]) -> tuple[dict | None, dict]:
    """Return the declared fields of the request's JSON body and the problems found (field -> reason)."""
    data: Any
    if not request.get_data(cache=True):
        data = {}
    else:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return None, {"": "请求体须为 JSON 对象"}
    values, problems = {}, {}
    for name, field in fields.items():
        if name not in data:
            if field.required:
                problems[name] = "缺少此字段"
            continue
        reason = field.problem(data[name])
        if reason:
            problems[name] = reason
        else:
            values[name] = data[name]
    return values, problems


def accepts(**fields: Field):
    """Check the endpoint's JSON body against its declared fields and pass them in as `body`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            values, problems = read_body(fields)
            if problems:
                message = "；".join(f"{name}：{reason}" if name else reason for name, reason in problems.items())
                return api_error(400, "body_invalid", message, problems=problems)
            return view(*args, body=values, **kwargs)

        wrapped.body_fields = fields
        return wrapped

    return decorator
