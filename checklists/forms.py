"""Forms of the checklist pages: an item of the checklist, a county's entry on an item, a meeting."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.inputs import PageForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemForm(PageForm):
    area = SelectField(_l("Area"), validators=[Optional()])
    text = TextAreaField(_l("What the item checks"), validators=[DataRequired(), Length(max=2000)])
    text_en = TextAreaField(_l("In English (optional)"), validators=[Optional(), Length(max=2000)])
    methods = MultiCheckboxField(_l("Methods"), validators=[DataRequired()])
    submit = SubmitField(_l("Save the item"))


class EntryForm(PageForm):
    conclusion = SelectField(_l("Conclusion"), validators=[Optional()])
    findings = TextAreaField(_l("Findings"), validators=[Optional(), Length(max=4000)])
    ledger_ref = StringField(_l("Ledger page reference"), validators=[Optional(), Length(max=255)])
    checked_on = DateField(_l("Date of the check"), validators=[Optional()])
    responsible_unit = StringField(_l("Responsible unit"), validators=[Optional(), Length(max=128)])
    due_on = DateField(_l("Rectification deadline"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class MeetingForm(PageForm):
    kind = SelectField(_l("Kind of meeting"), validators=[DataRequired()])
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=255)])
    participants = TextAreaField(_l("Participants (one role per line: role: names)"),
                                 validators=[DataRequired(), Length(max=10000)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=20000)])
    problems = TextAreaField(_l("Problems raised (one per line)"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Save the meeting"))
