"""Write entries to the append-only audit log."""

from flask import has_request_context, request
from flask_login import current_user

from extensions import db
from models import AuditLog


def record(action: str, object_type: str = "", object_id="", user=None, **detail) -> AuditLog:
    """Add an audit entry to the current session; it is committed with the change it describes."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    entry = AuditLog(
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
        remote_addr=(request.remote_addr or "") if has_request_context() else "cli",
    )
    db.session.add(entry)
    return entry
