"""Run imports in the background, so that they survive the browser closing.

One worker thread per process runs the batches one after another. Their state lives in the
database, so any user and any web worker can follow them. While a job runs, a thread of its own
touches the batch's heartbeat every few seconds, and the batch names the process running it
("host:pid"): a batch whose process is gone shows as interrupted within a minute (at once when
that process ran on this machine), and can then be resumed or discarded.
"""

import logging
import os
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import update

from core.extensions import db
from models import RUNNING_STATUSES, ImportBatch, User, utcnow
from roster.batches import spool_path, this_runner
from roster.checking import worker_count
from roster.import_check import validate_batch
from roster.import_commit import commit_batch

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 10  # seconds between heartbeats of a running batch
STALE_AFTER = timedelta(minutes=1)  # no heartbeat for this long, from another machine: interrupted
GIVE_UP_AFTER = timedelta(minutes=10)  # even when its process id looks alive (ids are reused)
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-import")


@contextmanager
def heartbeat(app, batch_id: int, every: float = HEARTBEAT_EVERY):
    """Touch a running batch's heartbeat from a thread of its own while the block runs.

    A beat that cannot be written (SQLite is busy with the batch's own commit) is skipped: on one
    machine, as SQLite always is, the process check in mark_interrupted covers that time.
    """
    stop = threading.Event()
    engine = app.extensions["database_engine"]

    def beat():
        while not stop.wait(every):
            try:
                with engine.begin() as connection:
                    connection.execute(update(ImportBatch).where(
                        ImportBatch.id == batch_id, ImportBatch.status.in_(RUNNING_STATUSES)
                    ).values(heartbeat_at=utcnow(), runner=this_runner()))
            except Exception as error:  # noqa: BLE001 (a missed beat must not stop the import)
                log.warning("heartbeat of import batch %s skipped: %s", batch_id, error)

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{batch_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_validation(app, batch_id: int, today) -> None:
    """Validate a batch inside an app context of its own."""
    with app.app_context(), heartbeat(app, batch_id):
        try:
            validate_batch(db.session, batch_id, today, workers=worker_count(app.config.get("IMPORT_WORKERS")))
        except Exception:
            log.exception("validating import batch %s failed", batch_id)
            _mark_failed(batch_id)
        finally:
            db.session.remove()


def run_commit(app, batch_id: int, user_id: int | None) -> None:
    """Commit a batch inside an app context of its own."""
    with app.app_context(), heartbeat(app, batch_id):
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
    """Mark running batches whose process is gone as interrupted; return how many.

    Gone: a process of this machine that no longer exists, or, for one elsewhere, no heartbeat for
    a minute; and any batch silent for ten minutes, whatever its process id says.
    """
    now = now or utcnow()
    host = socket.gethostname()
    running = session.query(ImportBatch).filter(ImportBatch.status.in_(RUNNING_STATUSES)).all()
    gone = [batch for batch in running if _process_gone(batch, now, host)]
    for batch in gone:
        batch.status, batch.error_code = "interrupted", "interrupted"
        batch.error_message = ("导入中断（处理它的进程已停止，服务可能已重启）；可以继续或放弃\n"
                               "The import was interrupted (its process stopped); resume or discard it")
    if gone:
        session.commit()
    return len(gone)


def _process_gone(batch: ImportBatch, now, host: str) -> bool:
    """Tell whether the process working on a running batch has stopped."""
    silent = now - (batch.heartbeat_at or batch.created_at)
    if silent > GIVE_UP_AFTER:
        return True
    runner_host, _, pid = (batch.runner or "").rpartition(":")
    if runner_host == host and pid.isdigit():
        return not _process_alive(int(pid))
    return silent > STALE_AFTER


def _process_alive(pid: int) -> bool:
    """Tell whether a process of this machine exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:  # no /proc: trust the signal check
        return True


def resume(app, batch_id: int, today) -> str | None:
    """Send an interrupted batch (or one whose roster changed) on again; return "previewed" or "validating",
    or None when another request resumed it first.

    A batch whose check had finished and whose checked rows are still on disk goes back to the
    preview, to be imported again (with the same confirmation); any other is checked again from its
    stored file.
    """
    batch = db.session.get(ImportBatch, batch_id)
    to_preview = batch.status == "interrupted" and batch.finished_at and os.path.exists(spool_path(batch))
    # A conditional update: of two resumes at once (two tabs, a retried request) only one goes on.
    claimed = db.session.execute(update(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.status == batch.status, ImportBatch.status.in_(RESUMABLE)
    ).values(status="previewed" if to_preview else "uploaded", error_code=None, error_message=None,
             heartbeat_at=utcnow(), runner=this_runner()))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    if to_preview:
        return "previewed"
    start(app, run_validation, batch_id, today)
    return "validating"


RESUMABLE = ("interrupted", "failed")


def may_resume(batch: ImportBatch) -> bool:
    """Tell whether a batch can be resumed: interrupted, or refused because its roster changed."""
    return batch.status == "interrupted" or (batch.status == "failed" and batch.error_code == "roster_changed")
