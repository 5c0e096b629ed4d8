"""Run imports in the background, so that they survive the browser closing.

One worker thread per process runs the batches one after another. Their state lives in the
database, so any user and any web worker can follow them; a batch whose heartbeat stops (the
process died) is shown as interrupted and can be validated again.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from extensions import db
from models import RUNNING_STATUSES, ImportBatch, User, utcnow
from roster.checking import worker_count
from roster.importer import commit_batch, validate_batch

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-import")


def run_validation(app, batch_id: int, today) -> None:
    """Validate a batch inside an app context of its own."""
    with app.app_context():
        try:
            validate_batch(db.session, batch_id, today, workers=worker_count(app.config.get("IMPORT_WORKERS")))
        except Exception:
            log.exception("validating import batch %s failed", batch_id)
            _mark_failed(batch_id)
        finally:
            db.session.remove()


def run_commit(app, batch_id: int, user_id: int | None) -> None:
    """Commit a batch inside an app context of its own."""
    with app.app_context():
        try:
            commit_batch(db, batch_id, db.session.get(User, user_id) if user_id else None)
        except Exception:
            log.exception("committing import batch %s failed", batch_id)
        finally:
            db.session.remove()


def start(app, job, *args) -> Future | None:
    """Run a job in the background, or right away when IMPORTS_IN_BACKGROUND is off (tests, CLI)."""
    if not app.config.get("IMPORTS_IN_BACKGROUND", True):
        job(app, *args)
        return None
    return _executor.submit(job, app, *args)


def _mark_failed(batch_id: int) -> None:
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    if batch is not None and batch.status in RUNNING_STATUSES:
        batch.status, batch.error_code = "failed", "internal_error"
        batch.error_message = "导入过程中发生内部错误，已记录日志\nAn internal error occurred; it has been logged"
        db.session.commit()


def mark_interrupted(session, now=None) -> int:
    """Mark running batches whose heartbeat stopped as failed; return how many."""
    cutoff = (now or utcnow()) - STALE_AFTER
    stale = session.query(ImportBatch).filter(
        ImportBatch.status.in_(RUNNING_STATUSES), ImportBatch.heartbeat_at < cutoff
    ).all()
    for batch in stale:
        batch.status, batch.error_code = "failed", "interrupted"
        batch.error_message = "导入中断（服务可能已重启），请重新校验\nThe import was interrupted; validate it again"
    if stale:
        session.commit()
    return len(stale)
