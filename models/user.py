"""Accounts: users with one role and an optional county scope, API tokens, login attempts."""

from datetime import datetime
from functools import cache

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, event, inspect
from sqlalchemy.orm import InstanceState, Mapped, Session, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.orm import Base, utcnow
from models.county import County

ROLES = ("admin", "coordinator", "caller", "manager")


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    phone: Mapped[str | None] = mapped_column(String(32))
    ccc_user_id: Mapped[str | None] = mapped_column(String(128))  # Tencent CCC agent (UserId), set by an admin
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session cookie; raising it ends all the user's browser sessions at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    last_login_at: Mapped[datetime | None]
    # Set by a password reset: every request leads to the password change page until the user changes it.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default="0")

    county: Mapped[County | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session cookie: the id and the session version."""
        return f"{self.id}.{self.session_version}"

    def set_password(self, password: str, method: str = "scrypt") -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)


def verify_password(password_hash: str | None, password: str, method: str) -> bool:
    """Check a password against a stored hash; with none, against a dummy, so both cost one hash."""
    matches = check_password_hash(password_hash or dummy_hash(method), password)
    return matches and password_hash is not None


@cache
def dummy_hash(method: str) -> str:
    """Return a hash of no one's password, made with the method real passwords are hashed with."""
    return generate_password_hash("no user has this password", method=method)


# A change to any of these ends every browser session of the user (the API tokens stay: a disabled
# user's tokens are refused by auth.tokens, and tokens are revoked on their own).
SESSION_ENDING_FIELDS = ("password_hash", "role", "county_code", "active")


@event.listens_for(Session, "before_flush")
def _end_sessions_on_account_change(session, _flush_context, _instances) -> None:
    """Raise the session version of every user whose password, role, county or active flag changed."""
    for user in session.dirty:
        if isinstance(user, User) and _changes_access(user):
            user.session_version = User.session_version + 1


def _changes_access(user: User) -> bool:
    state: InstanceState[User] = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in SESSION_ENDING_FIELDS)


class ApiToken(Base):
    """A revocable token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists so a token can be recognised
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """One try to log in; the throttle counts recent failures per account and per address.

    Kept in the database so that the limit holds across web workers.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "remote_addr", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]


class SearchEvent(Base):
    """One search of the roster by a user; the search throttle counts the last minute's.

    Kept in the database so that the limit holds across web workers.
    """

    __tablename__ = "search_event"
    __table_args__ = (Index("ix_search_event_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginThrottle(Base):
    """Failures counted under one key (an account, an account at an address, an address).

    One row per key, locked while a login claims its try, so that parallel guesses cannot all
    pass the check before any of them is counted.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    blocked_until: Mapped[datetime | None]
