"""Retention of imported reference files: deleted REGISTER_RETENTION_DAYS after their import.

The purge deletes the stored file and, of an import never matched, its records too (reference data is
only kept where it concerns a registered person, and only a match says so). Idempotent: the scheduler
runs it daily; each purged import is audited.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from core import auditlog
from core.extensions import db
from core.storage import absolute
from models import RegisterImport, RegisterRecord


def drop_stored_file(session, path: str, import_id: int) -> None:
    """Delete an import's kept file unless another import keeps the same file (same bytes, other kind)."""
    if not session.scalar(select(RegisterImport.id).where(RegisterImport.stored_path == path,
                                                          RegisterImport.id != import_id)):
        with contextlib.suppress(FileNotFoundError):
            os.remove(absolute(path))


def purge_expired(moment: datetime, user=None) -> int:
    """Purge the imports older than the retention period; return how many were purged."""
    days = int(current_app.config["REGISTER_RETENTION_DAYS"])
    cutoff = moment - timedelta(days=days)
    purged = 0
    with db.write_transaction() as session:
        expired = session.scalars(select(RegisterImport).where(
            RegisterImport.purged_at.is_(None), RegisterImport.created_at < cutoff)).all()
        for batch in expired:
            dropped = 0
            if batch.status == "imported":
                dropped = session.execute(delete(RegisterRecord).where(RegisterRecord.import_id == batch.id)).rowcount
            path = batch.stored_path
            batch.stored_path, batch.purged_at, batch.status = None, moment, "purged"
            if path:
                drop_stored_file(session, path, batch.id)
            auditlog.record("register.purge", "register_import", batch.id, user=user, retention_days=days,
                            records_dropped=dropped)
            purged += 1
    return purged
