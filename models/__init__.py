"""The database tables, as typed SQLAlchemy 2 models. Import from here; Alembic reads Base.metadata."""

from models.audit import AuditLog
from models.base import Base, utcnow
from models.county import County
from models.person import Person, RosterSnapshot
from models.user import ROLES, ApiToken, LoginAttempt, User

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditLog",
    "Base",
    "County",
    "LoginAttempt",
    "Person",
    "RosterSnapshot",
    "User",
    "utcnow",
]
