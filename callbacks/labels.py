"""The verification questions as the form asks them (code-list labels: core.i18n.label)."""

from flask_babel import lazy_gettext as _l

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
