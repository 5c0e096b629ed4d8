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
            "missing": lambda: _("There is no user %(user)s.", **self.params),
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
    user.must_change_password = False


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


def user_state(user: User) -> dict:
    """Return what an audit entry keeps of an account before and after a change."""
    return {"display_name": user.display_name, "role": user.role, "county": user.county_code,
            "active": user.active, "must_change_password": user.must_change_password}


def _load(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("missing", user=user_id)
    return user


def edit_user(user_id: int, via: str, **changes) -> User:
    """Change a user's display name, role and county scope (None: all counties), with an audit entry of
    the account before and after; a role or county change ends their sessions (models.user)."""
    with db.write_transaction() as session:
        user = _load(session, user_id)
        before = user_state(user)
        role = changes.get("role", user.role)
        county = changes.get("county_code", user.county_code)
        _check_role(session, role, county)
        if "display_name" in changes:
            user.display_name = (changes["display_name"] or "").strip()[:64]
        user.role, user.county_code = role, county or None
        after = user_state(user)
        if after != before:
            auditlog.record("user.edit", "user", user.id, username=user.username, via=via, before=before, after=after)
        return user


def switch_active(user_id: int, active: bool, via: str) -> User:
    """Enable or disable a user, with an audit entry; disabling ends their sessions and revokes their
    API tokens at once (a re-enabled user asks for a new token)."""
    from auth.tokens import revoke_tokens

    with db.write_transaction() as session:
        user = _load(session, user_id)
        before = user_state(user)
        set_active(session, user, active)
        revoked = 0 if active else revoke_tokens(session, user.id)
        auditlog.record("user.enable" if active else "user.disable", "user", user.id, username=user.username,
                        via=via, before=before, after=user_state(user), tokens_revoked=revoked)
        return user


def one_time_password() -> str:
    """Make a random password that passes the password rules, to be changed at the next login."""
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I to misread
    while True:
        password = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
        if password_problem(password) is None:
            return password


def reset_to_one_time_password(user_id: int, via: str) -> tuple[User, str]:
    """Give a user a one-time password they must change at their next login; their sessions end.
    Return the user and the password (shown once, never stored in the clear nor logged)."""
    password = one_time_password()
    with db.write_transaction() as session:
        user = _load(session, user_id)
        before = user_state(user)
        user.set_password(password, password_hash_method())
        user.must_change_password = True
        auditlog.record("user.password_reset", "user", user.id, username=user.username, via=via,
                        before=before, after=user_state(user))
        return user, password


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


def assign_role(user_id: int, role: str, county_code: str | None) -> None:
    """Give a user another role and county scope (raises AccountError); their sessions end."""
    with db.write_transaction() as session:
        change_role(session, session.get(User, user_id), role, county_code)
