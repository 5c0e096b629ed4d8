"""The administrator's user list: filters by role, county, active and last login, shared by the page,
the API and `flask users list`."""

from datetime import datetime, timedelta

from sqlalchemy import select

from core.extensions import db
from models import User

# Last-login filter: never logged in, logged in within RECENT_DAYS, or not within STALE_DAYS (or never).
LOGIN_FILTERS = ("never", "recent", "stale")
RECENT_DAYS, STALE_DAYS = 7, 30


def find_users(now: datetime, role: str | None = None, county: str | None = None, active: bool | None = None,
               login: str | None = None) -> list[User]:
    """Return the users matching the filters (None: any), by role and username; county "all" means
    the users who see every county."""
    query = select(User).order_by(User.role, User.username)
    if role:
        query = query.where(User.role == role)
    if county == "all":
        query = query.where(User.county_code.is_(None))
    elif county:
        query = query.where(User.county_code == county)
    if active is not None:
        query = query.where(User.active.is_(active))
    if login == "never":
        query = query.where(User.last_login_at.is_(None))
    elif login == "recent":
        query = query.where(User.last_login_at >= now - timedelta(days=RECENT_DAYS))
    elif login == "stale":
        query = query.where((User.last_login_at.is_(None)) | (User.last_login_at < now - timedelta(days=STALE_DAYS)))
    return list(db.session.scalars(query))


def user_json(user: User) -> dict:
    """Describe an account for the API and the CLI (no password, no phone in full)."""
    from core.privacy import mask_phone

    return {"id": user.id, "username": user.username, "display_name": user.display_name, "role": user.role,
            "county": user.county_code, "active": user.active, "must_change_password": user.must_change_password,
            "phone": mask_phone(user.phone),
            "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            "created_at": user.created_at.isoformat() if user.created_at else None}


def parse_active(value: str | None) -> bool | None:
    """Read the active filter: "yes"/"true"/"1", "no"/"false"/"0", else any."""
    text = (value or "").strip().lower()
    return True if text in ("yes", "true", "1") else False if text in ("no", "false", "0") else None
