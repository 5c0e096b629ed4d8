"""The database tables, as typed SQLAlchemy 2 models. Import from here; Alembic reads Base.metadata."""

from core.auditlog import AuditLog
from core.orm import Base, utcnow
from models.checklists import ChecklistEntry, ChecklistItem, DocumentTemplate, Meeting
from models.county import County
from models.evidence import Attachment
from models.followup import Attempt, CallScript, DoNotContact, FollowUpSnapshot, FollowUpTask, Verification
from models.imports import BATCH_STATUSES, RUNNING_STATUSES, ImportBatch, ImportProblem
from models.person import Person, RosterSnapshot
from models.registers import RegisterFinding, RegisterImport, RegisterMatch, RegisterRecord
from models.reports import RECTIFICATION_STATUSES, RectificationItem
from models.sampling import Campaign, Draw, DrawExclusion, DrawFindingPerson, SampleUnit, campaign_county
from models.settings import SettingChange, StoredSetting
from models.telephony import CallRecord, SmsNotice, SmsOptOut
from models.user import ROLES, ApiToken, LoginAttempt, LoginThrottle, SearchEvent, User

__all__ = [
    "Attachment",
    "ChecklistEntry",
    "ChecklistItem",
    "DocumentTemplate",
    "Meeting",
    "CallRecord",
    "SmsNotice",
    "SmsOptOut",
    "RECTIFICATION_STATUSES",
    "RectificationItem",
    "RegisterFinding",
    "RegisterImport",
    "RegisterMatch",
    "RegisterRecord",
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
    "DrawFindingPerson",
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
    "SettingChange",
    "StoredSetting",
    "User",
    "utcnow",
]
