"""Forms of the follow-up pages. The verification form's answers are read by the same parser as the
API (`callbacks.verification.parse_answers`); the small forms here are WTForms."""

import uuid

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from config.verification import CORE_FIELDS
from core.inputs import PageForm


def new_submission_key() -> str:
    """Return a fresh key for one form; a resubmit of the same form reuses it and records once."""
    return uuid.uuid4().hex


def options(pairs) -> list[SelectChoice]:
    """Turn (value, label) pairs into the choices of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]


def answers_from_form(form) -> dict:
    """Turn the verification form's fields into the plain answers `parse_answers` reads."""
    corrections = {code: form.get(f"correct_{code}", "") for code, _, _ in CORE_FIELDS
                   if form.get(f"wrong_{code}")}
    services_answered = form.get("services_answered") == "yes"
    return {
        "identity_confirmed": form.get("identity_confirmed") or None,
        "registered_by_self": form.get("registered_by_self") or None,
        "unemployed_at_registration": form.get("unemployed_at_registration") or None,
        "corrections": corrections,
        "current_status": form.get("current_status") or None,
        "status_since": form.get("status_since") or None,
        "services": form.getlist("services") if services_answered else None,
        "satisfaction": form.get("satisfaction") or None,
        "wish_to_work": form.get("wish_to_work") or None,
        "training_needs": form.get("training_needs", ""),
        "notes": form.get("notes", ""),
    }


class ReasonForm(PageForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ResolveForm(PageForm):
    resolution = TextAreaField(_l("Decision"), validators=[DataRequired(), Length(max=2000)])
    to_caller = SelectField(_l("Assign to"), coerce=int, validators=[Optional()])
    start_visit = BooleanField(_l("Send to the visit team"))


class QualityForm(PageForm):
    result = SelectField(_l("Re-check result"), choices=options([("confirmed", _l("Record confirmed")),
                                                                 ("disputed", _l("Record disputed"))]))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ScriptForm(PageForm):
    body = TextAreaField(_l("Call script"), validators=[DataRequired(), Length(max=20000)])


class GenerateForm(PageForm):
    visit_first = BooleanField(_l("Start every task as a home visit"))


class AssignTasksForm(PageForm):
    """The assignment table's step: the picked tasks (or all matching the filter) to a caller or the pool."""

    to_caller = SelectField(_l("Assign to"), validators=[DataRequired()])
    scope = SelectField(_l("Which tasks"), choices=options([("picked", _l("The tasks ticked in the table")),
                                                            ("all", _l("All tasks matching the filter"))]))
    task_ids = SelectMultipleField(_l("Tasks"), coerce=int, validate_choice=False)
    expected = IntegerField(validators=[Optional(), NumberRange(min=0, max=10**9)])
