"""Run imports in the background, so that they survive the browser closing and the web process.

A check or an import is a job (core/background.py): with `JOB_QUEUE_URL` set it waits in the job
queue for a `flask jobs worker` process, on any machine; without it, it runs in a background thread
of the web process that took the request (the embedded default). Their state lives in the database,
so any user and any node can follow them. The batch names who works on it: "queue:<job id>" while
the job waits, then the "host:pid" of the process running it. While a job runs, a thread of its own
touches the batch's heartbeat every few seconds: a batch whose process is gone shows as interrupted
within a minute (at once when that process ran on this machine, or when the queue no longer has its
job), and can then be resumed or discarded. The import itself stays all or nothing.
"""

import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from core import background
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
CHECK, COMMIT = "roster.jobs:run_validation", "roster.jobs:run_commit"  # the jobs, as the queue names them


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


def start_check(app, batch_id: int, today) -> None:
    """Send a batch to be checked (in the queue, a thread of this process, or at once)."""
    _dispatch(app, CHECK, batch_id, today)


def start_commit(app, batch_id: int, user_id: int | None) -> None:
    """Send a claimed batch to be imported (in the queue, a thread of this process, or at once)."""
    _dispatch(app, COMMIT, batch_id, user_id)


def _dispatch(app, target: str, batch_id: int, *args) -> None:
    """Record on the batch who will run its job, then send the job there.

    Recorded first, so that a worker taking the job at once finds its own ticket on the batch. A queue
    that cannot be reached leaves the batch interrupted, to be resumed once it is back.
    """
    ticket = background.ticket(app)
    with db.write_transaction() as session:
        session.execute(update(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.status.in_(RUNNING_STATUSES)
        ).values(runner=ticket, heartbeat_at=utcnow()))
    try:
        background.submit(app, ticket, target, batch_id, *args, ticket)
    except background.QueueUnavailable as error:
        log.error("import batch %s: the job queue cannot be reached: %s", batch_id, error)
        with db.write_transaction() as session:
            _interrupt(session, batch_id, ticket, "任务队列暂时无法连接，导入未开始；请稍后继续\n"
                       "The job queue cannot be reached; the import did not start. Resume it later")


def _take(batch_id: int, ticket: str) -> bool:
    """Take the batch for this process if it still waits for this job (not resumed or cancelled since)."""
    with db.write_transaction() as session:
        taken = session.execute(update(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.status.in_(RUNNING_STATUSES), ImportBatch.runner == ticket
        ).values(runner=this_runner(), heartbeat_at=utcnow())).rowcount == 1
    if not taken:
        log.warning("import batch %s no longer waits for job %s: nothing to do", batch_id, ticket)
    return taken


def run_validation(batch_id: int, today, ticket: str) -> None:
    """The check job: validate a batch (in the job's own app context)."""
    app = current_app
    if not _take(batch_id, ticket):
        return
    with heartbeat(app, batch_id):
        try:
            validate_batch(db.session, batch_id, today, workers=worker_count(app.config.get("IMPORT_WORKERS")))
        except Exception:
            log.exception("validating import batch %s failed", batch_id)
            _mark_failed(batch_id)


def run_commit(batch_id: int, user_id: int | None, ticket: str) -> None:
    """The import job: commit a claimed batch (in the job's own app context)."""
    app = current_app
    if not _take(batch_id, ticket):
        return
    with heartbeat(app, batch_id):
        try:
            commit_batch(db, batch_id, db.session.get(User, user_id) if user_id else None)
        except Exception:
            log.exception("committing import batch %s failed", batch_id)


def _mark_failed(batch_id: int) -> None:
    db.session.rollback()
    batch = db.session.get(ImportBatch, batch_id)
    if batch is not None and batch.status in RUNNING_STATUSES:
        batch.status, batch.error_code = "failed", "internal_error"
        batch.error_message = "导入过程中发生内部错误，已记录日志\nAn internal error occurred; it has been logged"
        db.session.commit()


INTERRUPTED = ("导入中断（处理它的进程已停止，服务可能已重启）；可以继续或放弃\n"
               "The import was interrupted (its process stopped); resume or discard it")


def mark_interrupted(session, now=None) -> int:
    """Mark running batches whose process is gone as interrupted; return how many.

    Gone: a job the queue no longer has, a process of this machine that no longer exists, or, for
    one elsewhere, no heartbeat for a minute; and any batch silent for ten minutes, whatever its
    process id says. A job still waiting in the queue is not gone, however long it waits.
    """
    now = now or utcnow()
    host = socket.gethostname()
    running = session.query(ImportBatch).filter(ImportBatch.status.in_(RUNNING_STATUSES)).all()
    gone = [(batch.id, batch.runner, batch.status) for batch in running if _process_gone(batch, now, host)]
    if not gone:
        return 0
    # What was read may be stale by now (the job moved on): each mark holds only if nothing changed.
    with db.write_transaction() as tx:
        return sum(_interrupt(tx, batch_id, runner, INTERRUPTED, status) for batch_id, runner, status in gone)


def _interrupt(session, batch_id: int, runner: str | None, message: str, status: str | None = None) -> bool:
    """Mark a batch interrupted if it is still run by the same runner (it may have moved on since it was read)."""
    result = session.execute(update(ImportBatch).where(
        ImportBatch.id == batch_id,
        ImportBatch.status == status if status else ImportBatch.status.in_(RUNNING_STATUSES),
        ImportBatch.runner.is_(None) if runner is None else ImportBatch.runner == runner,
    ).values(status="interrupted", error_code="interrupted", error_message=message))
    return result.rowcount == 1


def _process_gone(batch: ImportBatch, now, host: str) -> bool:
    """Tell whether the process working on a running batch has stopped."""
    silent = now - (batch.heartbeat_at or batch.created_at)
    if batch.runner and batch.runner.startswith(background.QUEUED):
        waiting = background.waiting(batch.runner)
        if waiting is not None:  # the queue knows: waiting or running is alive, anything else is gone
            return not waiting
        return silent > STALE_AFTER
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
    start_check(app, batch_id, today)
    return "validating"


RESUMABLE = ("interrupted", "failed")


def may_resume(batch: ImportBatch) -> bool:
    """Tell whether a batch can be resumed: interrupted, or refused because its roster changed."""
    return batch.status == "interrupted" or (batch.status == "failed" and batch.error_code == "roster_changed")
