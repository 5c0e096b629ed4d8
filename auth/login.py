"""Logging in, out and changing one's own password: each step one write transaction of its own.

The password hash is checked outside any transaction (it is slow on purpose), so that no lock is
held meanwhile; the throttle counts a try as failed before the check and takes it back after a
good password (auth/throttle.py).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from auth.accounts import change_password, password_hash_method
from auth.sessions import end_all_sessions
from auth.throttle import claim_try, note_attempt, note_success
from core import auditlog
from core.extensions import db
from models import User
from models.user import verify_password


def claim_login_try(username: str, address: str, at: datetime) -> datetime | None:
    """Count a try in advance; return when the user may try again if a delay still runs, else None."""
    with db.write_transaction() as session:
        return claim_try(session, username, address, at, current_app.config)


def check_login(username: str, password: str, address: str, at: datetime) -> User | None:
    """Check a username and password; keep the try in the history; return the user when both are right."""
    user = db.session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.active else None
    db.session.rollback()  # end the read before the slow hash, so no lock is held meanwhile
    ok = verify_password(stored, password, password_hash_method())
    with db.write_transaction() as session:
        note_attempt(session, username, address, ok, at)
        if ok:
            note_success(session, username, address, current_app.config)
            session.execute(update(User).where(User.id == user.id).values(last_login_at=at))
            auditlog.record("login", "user", user.id, user=user)
    return user if ok else None


def log_out(user_id: int) -> None:
    """End the user's sessions on every device."""
    with db.write_transaction() as session:
        end_all_sessions(session, user_id)
        auditlog.record("logout", "user", user_id)


def current_password_is(user: User, password: str) -> bool:
    """Tell whether the password is the user's current one (the throttle's try is claimed before)."""
    return verify_password(user.password_hash, password, password_hash_method())


def set_own_password(user: User, password: str, address: str) -> None:
    """Set the user's new password (raises auth.accounts.AccountError); their other sessions end."""
    with db.write_transaction() as session:
        user = session.merge(user)
        change_password(session, user, password)
        note_success(session, user.username, address, current_app.config)
        auditlog.record("user.password", "user", user.id)

