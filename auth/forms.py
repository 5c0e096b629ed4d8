"""Forms of the accounts area."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from core.inputs import PageForm


class LoginForm(PageForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    submit = SubmitField(_l("Log in"))


class UserForm(PageForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"))
    county_code = SelectField(_l("County scope"))
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])
    submit = SubmitField(_l("Create user"))
