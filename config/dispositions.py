"""Disposition codes of call-back and visit attempts, and the follow-up code lists built on them.

Codes are stable strings stored in the database; labels may change. The `(code, zh, en)` views
(`DISPOSITION_CODELIST`, `FINAL_OUTCOMES`, ...) work with `config.codelists.label`.
"""

from typing import NamedTuple

PHONE = "phone"
VISIT = "visit"

CHANNELS = (
    (PHONE, "电话回访", "Phone call-back"),
    (VISIT, "实地走访", "Home visit"),
)

# AAPOR-style outcome categories. A unit is "contacted" when its category is anything but
# non_contact; out_of_scope units leave every denominator (they are replaced by reserves).
CATEGORIES = (
    ("completed", "完成", "Completed"),
    ("partial", "部分完成", "Partial"),
    ("refusal", "拒绝", "Refusal"),
    ("non_contact", "未接触", "Non-contact"),
    ("other", "其他", "Other"),
)


class Disposition(NamedTuple):
    code: str
    zh: str
    en: str
    channel: str  # PHONE or VISIT
    category: str  # one of CATEGORIES
    ends_case: bool  # no further attempt on any channel
    ends_channel: bool  # this channel is useless now: phone escalates to visit, visit closes
    out_of_scope: bool  # not a registered person of the county on the frame date
    final_outcome: str | None  # the outcome a case-ending disposition closes with
    shortcut: str | None  # keyboard key on the caller's page, unique per channel


D = Disposition
DISPOSITIONS: tuple[Disposition, ...] = (
    D("completed", "完成", "Completed", PHONE, "completed", True, False, False, None, "1"),
    D("partial", "部分完成", "Partial (broke off)", PHONE, "partial", False, False, False, None, None),
    D("appointment", "预约回拨", "Appointment (call back later)", PHONE, "other", False, False, False, None, "5"),
    D("no_answer", "无人接听", "No answer", PHONE, "non_contact", False, False, False, None, "2"),
    D("busy", "占线", "Busy", PHONE, "non_contact", False, False, False, None, "3"),
    D("switched_off", "关机/停机", "Switched off / out of service", PHONE, "non_contact", False, False, False, None, "4"),
    D("number_not_exist", "空号", "Number does not exist", PHONE, "non_contact", False, True, False, None, "6"),
    D("wrong_person", "非本人/号码错误", "Wrong person / wrong number", PHONE, "non_contact", False, True, False, None, "7"),
    D("refused", "拒访", "Refused", PHONE, "refusal", True, False, False, "refused", "8"),
    D("barrier", "语言或健康障碍", "Language or health barrier", PHONE, "other", False, True, False, None, None),
    D("deceased", "告知已故", "Reported deceased", PHONE, "other", True, False, False, "deceased", None),
    D("do_not_contact", "要求不再联系", "Asked not to be contacted again", PHONE, "refusal", True, False, False,
      "do_not_contact", None),
    D("out_of_scope", "不属于抽查范围", "Out of scope (not registered in this county on the frame date)", PHONE,
      "other", True, False, True, "out_of_scope", None),
    D("visit_completed", "当面核实", "Completed in person", VISIT, "completed", True, False, False, None, "1"),
    D("visit_proxy", "家属代答", "Answered by family (proxy)", VISIT, "completed", True, False, False, None, "3"),
    D("nobody_home", "无人在家", "Nobody home", VISIT, "non_contact", False, False, False, None, "2"),
    D("no_such_person", "查无此人", "No such person at the address", VISIT, "non_contact", False, True, False, None, "6"),
    D("moved", "已搬离", "Moved away from the address", VISIT, "non_contact", False, True, False, None, "7"),
    D("visit_refused", "拒访", "Refused", VISIT, "refusal", True, False, False, "refused", "8"),
    D("visit_deceased", "告知已故", "Reported deceased", VISIT, "other", True, False, False, "deceased", None),
    D("visit_out_of_scope", "不属于抽查范围", "Out of scope (not registered in this county on the frame date)",
      VISIT, "other", True, False, True, "out_of_scope", None),
)
del D

DISPOSITION_BY_CODE = {d.code: d for d in DISPOSITIONS}
DISPOSITION_CODELIST = tuple((d.code, d.zh, d.en) for d in DISPOSITIONS)


def dispositions_for(channel: str) -> tuple[Disposition, ...]:
    """Return the dispositions a caller may record on the given channel, in display order: those with a
    keyboard key first, by their key, so that the keys read 1, 2, 3 … down the page; then the others."""
    return tuple(sorted((d for d in DISPOSITIONS if d.channel == channel),
                        key=lambda d: (d.shortcut is None, d.shortcut or "")))


# Where a task stands. "awaiting_record": the contact is complete, the verification form is not.
TASK_STATUSES = (
    ("open", "待回访", "Open"),
    ("awaiting_record", "待录入核查结论", "Awaiting verification record"),
    ("closed", "已结案", "Closed"),
)

# Final outcomes of a closed case, highest precedence first (see callbacks.rules.final_outcome).
FINAL_OUTCOMES = (
    ("verified", "已核实", "Verified"),
    ("out_of_scope", "不属于抽查范围", "Out of scope"),
    ("deceased", "已故", "Deceased"),
    ("do_not_contact", "要求不再联系", "Do not contact"),
    ("refused", "拒访", "Refused"),
    ("partial", "部分完成", "Partial"),
    # Reached, but every attempt ran out without an interview: a language or health barrier, an
    # appointment never kept. Contacted (AAPOR O), unlike "unreachable" (NC).
    ("not_completed", "已接触未完成", "Contacted, not completed"),
    ("unreachable", "失联", "Unreachable"),
)

# Why a task got its plan; shown beside the due time and written to the task's log.
PLAN_REASONS = (
    ("first_attempt", "首次联系", "First attempt"),
    ("retry", "按规则再次联系", "Retry by the rules"),
    ("appointment", "预约回拨", "Appointment"),
    ("appointment_missed", "预约已错过，按规则重排", "Appointment missed, rescheduled by the rules"),
    ("appointment_invalid", "预约时间无效，按规则重排", "Appointment time invalid, rescheduled by the rules"),
    ("phone_unusable", "电话无法使用，转实地走访", "Phone unusable, moved to a visit"),
    ("escalated_to_visit", "电话回访次数已满，转实地走访", "Phone attempts used up, moved to a visit"),
    ("awaiting_record", "已接通，待录入核查结论", "Contact completed, awaiting the verification record"),
    ("verified", "已录入核查结论", "Verification recorded"),
    ("ended_by_disposition", "按结果代码结案", "Ended by the disposition"),
    ("address_unusable", "地址无法找到本人，结案", "Person not found at the address, case ended"),
    ("attempts_exhausted", "走访次数已满，结案", "Visit attempts used up, case ended"),
)

# Why an appointment time is refused at entry (callbacks.rules.appointment_problems).
APPOINTMENT_PROBLEMS = (
    ("appointment_missing", "未填写预约时间", "No appointment time given"),
    ("appointment_unreadable", "预约时间格式不对，应为 2026-11-27T10:00+08:00 这样的格式",
     "The appointment time is not readable: write it like 2026-11-27T10:00+08:00"),
    ("appointment_no_zone", "预约时间缺少时区，请加上 +08:00", "The appointment time has no time zone: add +08:00"),
    ("appointment_not_after_call", "预约时间须晚于本次通话", "The appointment must be after this call"),
    ("appointment_too_far", "预约时间过远", "The appointment is too far ahead"),
    ("appointment_outside_hours", "预约时间不在可约时段内", "The appointment is outside the hours allowed"),
)

# The AAPOR category a closed case counts under in the rates (sampling.rates): I, P, R, NC, O.
# Out-of-scope units are replaced by reserves and leave the rates; open cases count as OPEN.
OUTCOME_CATEGORY = {
    "verified": "completed",
    "deceased": "other",
    "do_not_contact": "refusal",
    "refused": "refusal",
    "partial": "partial",
    "not_completed": "other",
    "unreachable": "non_contact",
}
