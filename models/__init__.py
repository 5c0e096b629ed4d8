"""The database tables, as typed SQLAlchemy 2 models. Import from here; Alembic reads Base.metadata."""

from core.auditlog import AuditLog
from core.orm import Base, utcnow
from models.checklists import ChecklistEntry, ChecklistItem, DocumentTemplate, Meeting
from models.county import County
from models.evidence import Attachment
from models.followup import Attempt, CallScript, DoNotContact, FollowUpSnapshot, FollowUpTask, Verification
from models.imports import BATCH_STATUSES, RUNNING_STATUSES, ImportBatch, ImportProblem
from models.person import Person, RosterSnapshot
from models.reports import RECTIFICATION_STATUSES, RectificationItem
from models.sampling import Campaign, Draw, DrawExclusion, SampleUnit, campaign_county
from models.telephony import CallRecord
from models.user import ROLES, ApiToken, LoginAttempt, LoginThrottle, SearchEvent, User

__all__ = [
    "Attachment",
    "ChecklistEntry",
    "ChecklistItem",
    "DocumentTemplate",
    "Meeting",
    "CallRecord",
    "RECTIFICATION_STATUSES",
    "RectificationItem",
    "Attempt",
    "CallScript",
    "DoNotContact",
    "FollowUpSnapshot",
    "FollowUpTask",
    "Verification",
    "BATCH_STATUSES",
    "RUNNING_STATUSES",
    "Campaign",
    "Draw",
    "DrawExclusion",
    "ImportBatch",
    "ImportProblem",
    "SampleUnit",
    "campaign_county",
    "ROLES",
    "ApiToken",
    "AuditLog",
    "Base",
    "County",
    "LoginAttempt",
    "LoginThrottle",
    "Person",
    "RosterSnapshot",
    "SearchEvent",
    "User",
    "utcnow",
]
