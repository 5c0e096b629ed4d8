"""Forms of the registers area."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from core.inputs import PageForm


class RegisterUploadForm(PageForm):
    kind = SelectField(_l("Kind of register"))
    file = FileField(_l("Register file (XLSX or CSV)"), validators=[FileRequired(_l("Choose a file to upload."))])
    label = StringField(_l("Name of the list (other lists)"), validators=[Optional(), Length(max=64)])
    mapping = TextAreaField(_l("Column names (only when asked): one “column header=field” a line"),
                            validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Import"))


class MatchForm(PageForm):
    submit = SubmitField(_l("Run the match"))
