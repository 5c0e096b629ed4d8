"""Forms of the roster area."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField

from core.inputs import PageForm


class UploadForm(PageForm):
    file = FileField(_l("Roster file (XLSX or CSV)"), validators=[FileRequired(_l("Choose a file to upload."))])
    county = SelectField(_l("County of the file"))
    submit = SubmitField(_l("Upload and check"))
