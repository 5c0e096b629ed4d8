"""Forms of the registers area."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from core.inputs import PageForm


class RegisterUploadForm(PageForm):
    kind = SelectField(_l("Kind of register"))
    file = FileField(_l("Register file (XLSX or CSV)"), validators=[FileRequired(_l("Choose a file to upload."))])
    label = StringField(_l("Name of the list (other lists)"), validators=[Optional(), Length(max=64)])
    submit = SubmitField(_l("Import"))


class MatchForm(PageForm):
    submit = SubmitField(_l("Run the match"))


class MappingForm(PageForm):
    """The mapping step's form: the column choices are read from the request, one select per column."""

    submit = SubmitField(_l("Import with these columns"))
