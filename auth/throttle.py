"""The login throttle: too many recent failures per account or per address lock logins for a while."""

from datetime import timedelta

from sqlalchemy import func, select

from models import LoginAttempt


def is_locked(session, username: str, remote_addr: str, now, settings) -> bool:
    """Tell whether recent failures for this account or this address exceed the configured limits."""
    since = now - timedelta(minutes=settings["LOGIN_LOCKOUT_MINUTES"])

    def failures(column, value):
        query = select(func.count()).where(column == value, LoginAttempt.at >= since, ~LoginAttempt.succeeded)
        return session.scalar(query)

    return (
        failures(LoginAttempt.username, username) >= settings["LOGIN_MAX_FAILURES_PER_USER"]
        or failures(LoginAttempt.remote_addr, remote_addr) >= settings["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def note_attempt(session, username: str, remote_addr: str, succeeded: bool, now) -> None:
    """Record one login attempt."""
    session.add(LoginAttempt(username=username, remote_addr=remote_addr, succeeded=succeeded, at=now))
