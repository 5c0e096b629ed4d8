"""API tokens: made once, shown once, stored as a SHA-256 hash, revocable."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from core import auditlog
from core.extensions import db
from models import ApiToken, utcnow

TOKEN_PREFIX = "sc_"


def hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session, user_id: int) -> str:
    """Create a token for the user and return it in the clear (the only time it is seen)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, token_hash=hash_token(token), prefix=token[:10]))
    return token


LAST_USED_GRANULARITY = timedelta(minutes=5)


def user_for_token(session, token: str):
    """Return the active user a valid, unrevoked token belongs to, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user


def note_token_use(db, token: str) -> None:
    """Keep when a token was last used, to five minutes: not a write on every API call."""
    now = utcnow()
    with db.write_transaction() as session:
        session.execute(update(ApiToken).where(
            ApiToken.token_hash == hash_token(token),
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USED_GRANULARITY),
        ).values(last_used_at=now))


def revoke_tokens(session, user_id: int) -> int:
    """Revoke every live token of the user and return how many there were."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)))
    count = 0
    for row in rows:
        row.revoked_at = utcnow()
        count += 1
    return count


def hand_out_token(user_id: int, via: str) -> str:
    """Make a token for a user, with an audit entry; return it in the clear (shown once)."""
    with db.write_transaction() as session:
        token = issue_token(session, user_id)
        auditlog.record("token.issue", "user", user_id, via=via)
    return token


def withdraw_tokens(user_id: int, via: str) -> int:
    """Revoke every live token of a user, with an audit entry; return how many there were."""
    with db.write_transaction() as session:
        count = revoke_tokens(session, user_id)
        auditlog.record("token.revoke", "user", user_id, count=count, via=via)
    return count
