"""Forms of the campaigns area (the draw design form is read by campaigns.design.parse_design)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from core.inputs import PageForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(PageForm):
    name = StringField(_l("Campaign name"), validators=[DataRequired(), Length(max=128)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    period_start = DateField(_l("Period from"), validators=[Optional()])
    period_end = DateField(_l("Period to"), validators=[Optional()])
    counties = MultiCheckboxField(_l("Counties in scope"), validators=[DataRequired()])
    submit = SubmitField(_l("Create campaign"))


class ReplaceForm(PageForm):
    reason = SelectField(_l("Out-of-scope reason"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Replace by the next reserve"))
