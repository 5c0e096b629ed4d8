"""The verification questions as the form asks them, and the sections of the caller's queue
(code-list labels: core.i18n.label)."""

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


# The sections of the caller's queue (callbacks.queue.SECTIONS): name, title, badge colour, in page order.
QUEUE_SECTIONS = (
    ("due_now", _l("Due now"), "primary"),
    ("appointments", _l("Appointments"), "info"),
    ("to_record", _l("Contact made — verification record to fill in"), "warning"),
    ("overdue", _l("Overdue"), "danger"),
    ("missed_appointments", _l("Missed appointments"), "danger"),
    ("visits", _l("Home visits"), "secondary"),
    ("upcoming", _l("Coming up"), "light"),
)
