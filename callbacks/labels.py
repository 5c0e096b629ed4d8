"""Labels of the follow-up code lists in the page's language: one helper, labels stay in config/."""

from flask_babel import lazy_gettext as _l

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

# The verification form's questions, as the form asks them; an error names a question by this label.
QUESTIONS = {
    "identity_confirmed": _l("Identity confirmed (without reading out the ID number)"),
    "registered_by_self": _l("Did the person register as unemployed themselves?"),
    "unemployed_at_registration": _l("Was the person unemployed when registered?"),
    "corrections": _l("Accuracy: core fields the person says are wrong"),
    "wrong_fields": _l("Accuracy: core fields the person says are wrong"),
    "current_status": _l("Status now"),
    "status_since": _l("Since"),
    "services": _l("Services received since registration"),
    "satisfaction": _l("Satisfaction"),
    "wish_to_work": _l("Wish to work"),
}


def question_label(name: str) -> str:
    """Return the label of a verification question (its key when it is not a question)."""
    return str(QUESTIONS.get(name, name))


def followup_label(listname: str, code: str | None) -> str:
    """Return the label of a follow-up code in the page's language."""
    return codelists.label(CODELISTS[listname], code, "zh" if is_chinese() else "en")


def lang() -> str:
    """Return "zh" or "en" for labels built outside templates."""
    return "zh" if is_chinese() else "en"
