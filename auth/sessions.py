"""Browser sessions: bound to the user's session version, ended when idle too long or too old.

The session cookie holds "<user id>.<session version>" (User.get_id) and two stamps, when the
user logged in and when they were last seen. A session is good only while the version still
matches the user's (logout, a password, role, county or active change raise it), the user is
active, it has been used within SESSION_IDLE_MINUTES and is younger than SESSION_MAX_HOURS.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from models import User

# Rewrite the last-seen stamp (and so the cookie) at most this often.
SEEN_GRANULARITY = timedelta(minutes=1)



def session_expired(login_at: datetime, seen_at: datetime, at: datetime, idle: timedelta, lifetime: timedelta) -> bool:
    """Tell whether a session started at login_at and last used at seen_at is over at the given time."""
    return at - seen_at > idle or at - login_at > lifetime


def parse_session_id(value: str) -> tuple[int, int] | None:
    """Split "<user id>.<session version>"; None for anything else (older cookies included)."""
    user_id, dot, version = str(value).partition(".")
    if not (dot and user_id.isdigit() and version.isdigit()):
        return None
    return int(user_id), int(version)


def stamp_login(cookie, at: datetime) -> None:
    """Record in the session cookie when the user logged in."""
    cookie["login_at"] = cookie["seen_at"] = int(at.timestamp())


def user_for_session(db_session, session_id: str, cookie, at: datetime, settings):
    """Return the user a session cookie still stands for, or None; note the use when it does."""
    parsed = parse_session_id(session_id)
    if parsed is None or "login_at" not in cookie or "seen_at" not in cookie:
        return None
    user = db_session.get(User, parsed[0])
    if user is None or not user.active or user.session_version != parsed[1]:
        return None
    login_at = datetime.fromtimestamp(cookie["login_at"], UTC)
    seen_at = datetime.fromtimestamp(cookie["seen_at"], UTC)
    if session_expired(login_at, seen_at, at, timedelta(minutes=settings["SESSION_IDLE_MINUTES"]),
                       timedelta(hours=settings["SESSION_MAX_HOURS"])):
        return None
    if at - seen_at >= SEEN_GRANULARITY:
        cookie["seen_at"] = int(at.timestamp())
    return user


def end_all_sessions(db_session, user_id: int) -> None:
    """End every browser session of a user by raising their session version."""
    db_session.execute(update(User).where(User.id == user_id).values(session_version=User.session_version + 1))
