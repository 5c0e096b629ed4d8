"""The login throttle: growing delays after repeated failures, kept in the database.

Failures are counted under three keys: the account at one address (a few free tries), the
account from anywhere (more), and the address for every account (a generous ceiling, so that an
office behind one proxy is not locked out by one person's typos). Past its free tries a key
makes the next try wait 1 s, then 2 s, 4 s … up to LOGIN_MAX_DELAY_MINUTES; a refused try is not
counted and checks no password. A try is counted as a failure before its password is checked,
under a row lock, so parallel guesses cannot all pass before any of them is counted; a success
takes it back.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from models import LoginAttempt, LoginThrottle


def delay_after(failures: int, free: int, cap: timedelta) -> timedelta:
    """Return how long the next try waits after this many failures: none within the free ones, then doubling."""
    if failures < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - free, 40)), cap)


def throttle_keys(username: str, address: str, settings) -> dict[str, int]:
    """Return the keys a login try counts under, each with its number of free failures."""
    return {
        f"account:{username}": settings["LOGIN_FREE_FAILURES_PER_ACCOUNT"],
        f"pair:{username}|{address}": settings["LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS"],
        f"address:{address}": settings["LOGIN_FREE_FAILURES_PER_ADDRESS"],
    }


def claim_try(session, username: str, address: str, now: datetime, settings) -> datetime | None:
    """Count a login try as a failure in advance; when a delay still runs, count nothing and return its end."""
    keys = throttle_keys(username, address, settings)
    _insert_missing(session, sorted(keys))
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys))
                           .order_by(LoginThrottle.key).with_for_update()).all()
    waiting = [row.blocked_until for row in rows if row.blocked_until and row.blocked_until > now]
    if waiting:
        return max(waiting)
    memory = timedelta(hours=settings["LOGIN_FAILURE_MEMORY_HOURS"])
    cap = timedelta(minutes=settings["LOGIN_MAX_DELAY_MINUTES"])
    for row in rows:
        forgotten = row.last_failure_at is None or now - row.last_failure_at > memory
        row.failures = 1 if forgotten else row.failures + 1
        row.last_failure_at = now
        delay = delay_after(row.failures, keys[row.key], cap)
        row.blocked_until = now + delay if delay else None
    return None


def note_success(session, username: str, address: str, settings) -> None:
    """Clear the account's failures after a good password; take the try back off the address's count."""
    account, pair, by_address = throttle_keys(username, address, settings)
    session.execute(update(LoginThrottle).where(LoginThrottle.key.in_([account, pair]))
                    .values(failures=0, blocked_until=None))
    session.execute(update(LoginThrottle).where(LoginThrottle.key == by_address, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1))


def note_attempt(session, username: str, remote_addr: str, succeeded: bool, now) -> None:
    """Keep one login try in the history."""
    session.add(LoginAttempt(username=username, remote_addr=remote_addr, succeeded=succeeded, at=now))


def _insert_missing(session, keys: list[str]) -> None:
    """Add a zero counter for each key that has none (a no-op for those that exist)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(LoginThrottle).values([{"key": key, "failures": 0} for key in keys])
                    .on_conflict_do_nothing())
