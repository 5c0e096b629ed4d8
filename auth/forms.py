"""Forms of the accounts area."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, SubmitField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    submit = SubmitField(_l("Create user"))


class PasswordChangeForm(PageForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two new passwords differ."))])
    submit = SubmitField(_l("Change password"))


class UserEditForm(PageForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("Role"))
    county_code = SelectField(_l("County scope"))
    submit = SubmitField(_l("Save changes"))


class ConfirmForm(PageForm):
    """A button that changes something, with its CSRF token (the page asks to confirm first)."""

    submit = SubmitField(_l("Confirm"))


class ProfileForm(PageForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=64)])
    phone = TelField(_l("My phone number"), validators=[Optional(), Length(max=32)],
                     description=_l("The number a click-to-call provider rings first; e.g. 138 0013 8000 or +86 759 1234567."))
    submit = SubmitField(_l("Save profile"))
