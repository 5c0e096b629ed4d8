"""A row's problems: one per thing wrong with one value, with a stable code, a severity and messages in
Chinese and English (roster/validate.py documents when each code applies)."""

from __future__ import annotations

from typing import NamedTuple

from config import codelists
from roster import normalize as nz
from roster.columns import FIELD_BY_NAME

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
