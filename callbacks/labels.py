"""Labels of the follow-up code lists in the page's language: one helper, labels stay in config/."""

from config import codelists, dispositions, verification
from i18n import is_chinese

CODELISTS = {
    "disposition": dispositions.DISPOSITION_CODELIST,
    "channel": dispositions.CHANNELS,
    "task_status": dispositions.TASK_STATUSES,
    "final_outcome": dispositions.FINAL_OUTCOMES,
    "plan_reason": dispositions.PLAN_REASONS,
    "appointment_problem": dispositions.APPOINTMENT_PROBLEMS,
    "current_status": verification.CURRENT_STATUSES,
    "service": verification.SERVICES,
    "satisfaction": verification.SATISFACTION_LEVELS,
    "wish_to_work": verification.WISH_TO_WORK,
    "core_field": verification.CORE_FIELDS,
    "discrepancy": verification.DISCREPANCY_TYPES,
    "finding_reason": verification.FINDING_REASONS,
}


def followup_label(listname: str, code: str | None) -> str:
    """Return the label of a follow-up code in the page's language."""
    return codelists.label(CODELISTS[listname], code, "zh" if is_chinese() else "en")


def lang() -> str:
    """Return "zh" or "en" for labels built outside templates."""
    return "zh" if is_chinese() else "en"
