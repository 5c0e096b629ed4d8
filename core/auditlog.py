"""Write entries to the append-only audit log, and check its hash chain."""

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from core.auditchain import FIELDS, ChainReport, verify_chain
from core.extensions import db
from models import AuditLog


def record(action: str, object_type: str = "", object_id="", user=None, **detail) -> AuditLog:
    """Add an audit entry to the current session; it is committed with the change it describes.

    The entry joins the hash chain when the session flushes (models/audit.py): from then until the
    commit other writers of audit entries wait, so record a long transaction's entry at its end.
    """
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


def verify_log(session, batch: int = 5000) -> ChainReport:
    """Check the whole log, in id order, a batch of entries at a time."""
    columns = [AuditLog.__table__.c[name] for name in (*FIELDS, "entry_hash")]
    return verify_chain(_entries(session, columns, batch))


def _entries(session, columns, batch: int):
    last_id = None
    while True:
        stmt = select(*columns).order_by(AuditLog.id).limit(batch)
        if last_id is not None:
            stmt = stmt.where(AuditLog.id > last_id)
        rows = session.execute(stmt).all()
        for row in rows:
            yield row._asdict()
        if len(rows) < batch:
            return
        last_id = rows[-1].id
