"""Code lists of the roster fields. Each entry: (code, Chinese label, English label).

One place maps codes to labels; pages, exports and validation all read from here.
"""

from config import checklist, dispositions, registers, telephony, verification

GENDERS = (
    ("1", "男", "Male"),
    ("2", "女", "Female"),
)

UNEMPLOYMENT_REASONS = (
    ("01", "劳动合同期满终止", "Labour contract expired"),
    ("02", "用人单位解除劳动合同", "Dismissed by employer"),
    ("03", "本人辞职", "Resigned"),
    ("04", "企业关闭、破产", "Employer closed or bankrupt"),
    ("05", "毕业后未就业", "Graduate not yet employed"),
    ("06", "个体经营停业", "Self-employment ceased"),
    ("07", "承包土地被征用", "Contracted land requisitioned"),
    ("08", "退役未就业", "Discharged from military, not employed"),
    ("09", "刑满释放", "Released from prison"),
    ("99", "其他", "Other"),
)

EMPLOYMENT_STATUSES = (
    ("10", "失业", "Unemployed"),
    ("20", "就业", "Employed"),
    ("21", "灵活就业", "Flexible employment"),
    ("22", "自主创业", "Self-employed"),
    ("30", "退休", "Retired"),
    ("40", "死亡", "Deceased"),
    ("50", "失联", "Lost contact"),
    ("90", "其他", "Other"),
)


def label(codelist, code: str | None, lang: str = "zh") -> str:
    """Return the label of a code in the given language, or the code itself if unknown."""
    for entry_code, zh, en in codelist:
        if entry_code == code:
            return zh if lang.startswith("zh") else en
    return code or ""


def code_for(codelist, text: str) -> str | None:
    """Find the code whose code, Chinese or English label equals the text."""
    text = (text or "").strip()
    for entry_code, zh, en in codelist:
        if text in (entry_code, zh) or text.lower() == en.lower():
            return entry_code
    return None


# Other spellings county files use for the same codes (exact text, compared after NFKC and lower-
# casing). GB/T 2261.1 gender codes 0 (unknown) and 9 (unstated) are deliberately absent: a roster
# person's gender is known from the ID number, so those values are reported, not accepted.
GENDER_ALIASES = {
    "男性": "1",
    "女性": "2",
    "m": "1",
    "f": "2",
    "man": "1",
    "woman": "2",
}

UNEMPLOYMENT_REASON_ALIASES = {
    "合同期满": "01",
    "劳动合同期满": "01",
    "合同到期": "01",
    "劳动合同到期": "01",
    "终止劳动合同": "01",
    "解除劳动合同": "02",
    "单位解除劳动合同": "02",
    "被辞退": "02",
    "辞退": "02",
    "辞职": "03",
    "个人辞职": "03",
    "主动辞职": "03",
    "企业关闭": "04",
    "企业破产": "04",
    "单位关闭破产": "04",
    "毕业未就业": "05",
    "高校毕业生未就业": "05",
    "应届毕业生": "05",
    "个体工商户停业": "06",
    "停业": "06",
    "土地被征用": "07",
    "失地农民": "07",
    "退役军人": "08",
    "退役": "08",
    "刑释人员": "09",
    "刑满释放人员": "09",
    "其它": "99",
}

EMPLOYMENT_STATUS_ALIASES = {
    "未就业": "10",
    "失业人员": "10",
    "登记失业": "10",
    "已就业": "20",
    "灵活就业人员": "21",
    "创业": "22",
    "已创业": "22",
    "已退休": "30",
    "已死亡": "40",
    "死亡人员": "40",
    "联系不上": "50",
    "其它": "90",
}


# Every code list by the name that pages and exports call it.
BY_NAME: dict[str, tuple] = {
    "gender": GENDERS,
    "unemployment_reason": UNEMPLOYMENT_REASONS,
    "employment_status": EMPLOYMENT_STATUSES,
    "disposition": dispositions.DISPOSITION_CODELIST,
    "channel": dispositions.CHANNELS,
    "task_status": dispositions.TASK_STATUSES,
    "final_outcome": dispositions.FINAL_OUTCOMES,
    "plan_reason": dispositions.PLAN_REASONS,
    "appointment_problem": dispositions.APPOINTMENT_PROBLEMS,
    "outcome_category": dispositions.CATEGORIES,
    "current_status": verification.CURRENT_STATUSES,
    "service": verification.SERVICES,
    "satisfaction": verification.SATISFACTION_LEVELS,
    "wish_to_work": verification.WISH_TO_WORK,
    "core_field": verification.CORE_FIELDS,
    "discrepancy": verification.DISCREPANCY_TYPES,
    "finding_reason": verification.FINDING_REASONS,
    "register_kind": registers.REGISTER_KINDS,
    "register_finding": registers.FINDING_TYPES,
    "finding_stratum": registers.FINDING_STRATA,
    "contribution_kind": registers.CONTRIBUTION_KINDS,
    "entity_status": registers.ENTITY_STATUSES,
    "rectification_source": verification.RECTIFICATION_SOURCES,
    "sms_status": telephony.SMS_STATUSES,
    "call_end_status": telephony.CALL_END_STATUSES,
    "sms_param": telephony.SMS_PARAMS,
    "check_method": checklist.METHODS,
    "check_area": checklist.AREAS,
    "conclusion": checklist.CONCLUSIONS,
    "meeting_kind": checklist.MEETING_KINDS,
    "participant_role": checklist.PARTICIPANT_ROLES,
}
