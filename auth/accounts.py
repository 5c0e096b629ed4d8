"""Create and change accounts; shared by the admin page and the CLI.

The functions taking a session add to a transaction another service opened (the demo's loader);
the others are the services pages and commands call, each one write transaction with its audit entry.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from auth.passwords import MIN_LENGTH, password_problem
from core import auditlog
from core.extensions import db
from models import ROLES, County, User

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Coordinator"),
    "caller": _l("Caller"),
    "manager": _l("Manager"),
}


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""

    def __init__(self, kind: str, **params):
        super().__init__(kind)
        self.kind = kind
        self.params = params

    def message(self) -> str:
        """Return the reason in the user's language."""
        messages = {
            "role": lambda: _("Unknown role %(role)s; choose one of %(roles)s.", **self.params),
            "county": lambda: _("Unknown county code %(county)s.", **self.params),
            "exists": lambda: _("The username %(username)s is taken.", **self.params),
            "short": lambda: _("The password must have at least %(n)d characters.", n=MIN_LENGTH),
            "common": lambda: _("This password is too common and easy to guess; choose another."),
        }
        return messages[self.kind]()


def password_hash_method() -> str:
    """Return the hashing method of the running app (tests use a cheap one to stay fast)."""
    from flask import current_app, has_app_context

    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short or too common."""
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)


def _check_role(session, role: str, county_code: str | None) -> None:
    if role not in ROLES:
        raise AccountError("role", role=role, roles=", ".join(ROLES))
    if county_code and session.get(County, county_code) is None:
        raise AccountError("county", county=county_code)


def create_user(session, username: str, password: str, role: str, county_code: str | None = None,
                display_name: str = "") -> User:
    """Validate and add a new user to the session, with an audit entry naming its role and county."""
    _check_role(session, role, county_code)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError("exists", username=username)
    check_password_rules(password)
    user = User(username=username, role=role, county_code=county_code or None, display_name=display_name)
    user.set_password(password, password_hash_method())
    session.add(user)
    session.flush()
    auditlog.record("user.create", "user", user.id, username=username, role=role, county=user.county_code)
    return user


def change_password(session, user: User, password: str) -> None:
    """Set a new password; every browser session of the user ends (models.user)."""
    check_password_rules(password)
    user.set_password(password, password_hash_method())


def set_active(session, user: User, active: bool) -> None:
    """Enable or disable a user; disabling ends their sessions and stops their API tokens."""
    user.active = active


def change_role(session, user: User, role: str, county_code: str | None) -> None:
    """Give a user another role and county scope (None: all counties), with an audit entry of both;
    their sessions end (models.user)."""
    _check_role(session, role, county_code)
    previous_role, previous_county = user.role, user.county_code
    user.role, user.county_code = role, county_code or None
    auditlog.record("user.role", "user", user.id, username=user.username, role=role, county=user.county_code,
                    previous_role=previous_role, previous_county=previous_county)


def register_user(username: str, password: str, role: str, county_code: str | None = None,
                  display_name: str = "") -> User:
    """Create a user (raises AccountError)."""
    with db.write_transaction() as session:
        return create_user(session, username, password, role, county_code, display_name)


def reset_password(user_id: int, password: str, via: str) -> None:
    """Set a user's password for them (raises AccountError); their sessions end."""
    with db.write_transaction() as session:
        user = session.get(User, user_id)
        change_password(session, user, password)
        auditlog.record("user.password", "user", user.id, via=via)


def switch_active(user_id: int, active: bool, via: str) -> None:
    """Enable or disable a user, with an audit entry."""
    with db.write_transaction() as session:
        user = session.get(User, user_id)
        set_active(session, user, active)
        auditlog.record("user.enable" if active else "user.disable", "user", user.id, via=via)


def assign_role(user_id: int, role: str, county_code: str | None) -> None:
    """Give a user another role and county scope (raises AccountError); their sessions end."""
    with db.write_transaction() as session:
        change_role(session, session.get(User, user_id), role, county_code)
