"""The follow-up scheduler: idempotent sweeps over the tables, run by exactly one APScheduler.

Every sweep reads the state from the database and changes only what is out of date, so running it
twice does nothing the second time, and a restart loses nothing. Exactly one scheduler runs: it must
first take a lock — a PostgreSQL advisory lock held on a dedicated connection (not a pooled one), or
on SQLite an exclusive file lock beside the database file; a second scheduler waits for it.
Started by `flask scheduler run`, or embedded in `make run`'s single process (EMBEDDED_SCHEDULER).
"""

import fcntl
import logging
import os
import threading
import time as clock
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from callbacks.context import qc_share, retry_rules
from callbacks.queue import release_expired_claims
from callbacks.tasks import draw_qc_sample, replan
from core.clock import now as app_now
from core.extensions import db
from models import Attempt, FollowUpSnapshot, Verification
from models import FollowUpTask as Task

log = logging.getLogger("spotcheck.scheduler")

# pg_advisory_lock key: "SPOT" in ASCII; any constant shared by every process of this app will do.
ADVISORY_KEY = 0x53504F54


class SchedulerLock:
    """The lock that makes one scheduler run at a time across processes."""

    def __init__(self, engine):
        self.engine = engine
        self._connection = None
        self._file = None

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; tell whether we hold it now."""
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar():
                self._connection = connection  # the lock lives as long as this connection
                return True
            connection.close()
            return False
        handle = open(self._lock_path(), "a+")  # noqa: SIM115 (kept open while the lock is held)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def acquire(self, poll_seconds: float = 5.0, stop: threading.Event | None = None) -> bool:
        """Wait until the lock is ours (or `stop` is set); tell whether we got it."""
        waited = False
        while not self.try_acquire():
            if not waited:
                log.info("another scheduler holds the lock; waiting")
                waited = True
            if stop is not None and stop.wait(poll_seconds):
                return False
            if stop is None:
                clock.sleep(poll_seconds)
        return True

    def release(self) -> None:
        """Give the lock up."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _lock_path(self) -> str:
        database = self.engine.url.database or "memory"
        return os.path.abspath(database) + ".scheduler.lock"


# ---- the sweeps: each takes `now`, changes what is out of date, returns how many rows it changed ----

def sweep_expired_claims(now: datetime) -> int:
    """Release claims idle past the timeout, so their tasks go back to the queues."""
    with db.write_transaction() as session:
        count = release_expired_claims(session, now, retry_rules())
    log.info("expired claims released: %d", count)
    return count


def sweep_due(now: datetime) -> int:
    """Put missed appointments back under the normal rules, and report what is due or overdue."""
    rules = retry_rules()
    grace = timedelta(minutes=rules.appointment_grace_minutes)
    with db.write_transaction() as session:
        missed = list(session.scalars(select(Task).where(
            Task.status == "open", Task.plan_reason == "appointment", Task.due_at < now - grace).with_for_update()))
        for task in missed:
            replan(session, task, now, rules)
        due, overdue = session.execute(select(
            func.count(Task.id).filter(Task.due_at <= now),
            func.count(Task.id).filter(Task.due_at <= now - timedelta(days=1)),
        ).where(Task.status == "open")).one()
    log.info("missed appointments rescheduled: %d; due now: %d; overdue by a day or more: %d",
             len(missed), due, overdue)
    return len(missed)


def snapshot_figures(session, campaign_id: int, county_code: str) -> dict:
    """Count one campaign's follow-up in one county as it stands."""
    where = (Task.campaign_id == campaign_id, Task.county_code == county_code)
    statuses = Counter(dict(session.execute(select(Task.status, func.count()).where(*where)
                                            .group_by(Task.status)).all()))
    outcomes = dict(session.execute(select(Task.final_outcome, func.count()).where(*where, Task.status == "closed")
                                    .group_by(Task.final_outcome)).all())
    channels = dict(session.execute(select(Task.channel, func.count()).where(*where, Task.status == "open")
                                    .group_by(Task.channel)).all())
    attempts = session.scalar(select(func.count(Attempt.id)).join(Task, Task.id == Attempt.task_id).where(*where))
    records = session.scalars(select(Verification.discrepancies).join(Task, Task.id == Verification.task_id)
                              .where(*where, Verification.identity_confirmed.is_(True))).all()
    by_type = Counter(kind for found in records for kind in found)
    return {"tasks": sum(statuses.values()), "open": statuses["open"], "awaiting_record": statuses["awaiting_record"],
            "closed": statuses["closed"], "outcomes": {k or "": v for k, v in outcomes.items()},
            "open_by_channel": channels, "attempts": attempts, "verified": len(records),
            "with_discrepancy": sum(1 for found in records if found), "discrepancies": dict(by_type)}


def sweep_daily_snapshot(now: datetime) -> int:
    """Write today's statistics snapshot row per campaign and county, if not written yet."""
    day = now.astimezone(ZoneInfo(retry_rules().timezone)).date()
    with db.write_transaction() as session:
        pairs = session.execute(select(Task.campaign_id, Task.county_code).distinct()).all()
        done = set(session.execute(select(FollowUpSnapshot.campaign_id, FollowUpSnapshot.county_code)
                                   .where(FollowUpSnapshot.day == day)).all())
        added = 0
        for campaign_id, county_code in sorted(set(pairs) - done):
            session.add(FollowUpSnapshot(campaign_id=campaign_id, county_code=county_code, day=day, created_at=now,
                                         figures=snapshot_figures(session, campaign_id, county_code)))
            added += 1
    log.info("daily snapshots written for %s: %d", day.isoformat(), added)
    return added


def sweep_quality_sample(now: datetime) -> int:
    """Top the quality re-check sample up to the QC share (QC_SHARE, or as the administrator stored it)."""
    with db.write_transaction() as session:
        added = draw_qc_sample(session, qc_share())
    log.info("cases drawn for quality re-check: %d", added)
    return added


def sweep_interrupted_imports(now: datetime) -> int:
    """Mark roster imports whose process stopped as interrupted, so that the pages say so within a minute."""
    from roster.jobs import mark_interrupted

    marked = mark_interrupted(db.session, now)
    if marked:
        log.info("roster imports marked interrupted: %d", marked)
    return marked


def sweep_call_records(now: datetime) -> int:
    """Store the Tencent CCC call records of calls still open (callbacks.telephony.ccc_records)."""
    from callbacks.telephony.ccc_records import sweep_call_records as sweep

    return sweep(now)


def sweep_sms_status(now: datetime) -> int:
    """Apply the SMS delivery receipts and replies waiting at the platform."""
    from callbacks.telephony.notice_sweeps import sweep_sms_status as sweep

    return sweep(now)


def sweep_auto_notices(now: datetime) -> int:
    """Send the SMS advance notices due before tasks' first calls (when SMS_AUTO_HOURS_BEFORE is set)."""
    from callbacks.telephony.notice_sweeps import sweep_auto_notices as sweep

    return sweep(now)


def sweep_register_retention(now: datetime) -> int:
    """Delete the reference register files kept longer than REGISTER_RETENTION_DAYS."""
    from registers.retention import purge_expired

    purged = purge_expired(now)
    if purged:
        log.info("register imports purged: %d", purged)
    return purged


SWEEPS = {
    "expired_claims": sweep_expired_claims,
    "call_records": sweep_call_records,
    "sms_status": sweep_sms_status,
    "auto_notices": sweep_auto_notices,
    "interrupted_imports": sweep_interrupted_imports,
    "due": sweep_due,
    "quality_sample": sweep_quality_sample,
    "daily_snapshot": sweep_daily_snapshot,
    "register_retention": sweep_register_retention,
}


def run_sweeps(now: datetime | None = None) -> dict:
    """Run every sweep once (inside an app context); return what each changed."""
    now = now or app_now()
    return {name: sweep(now) for name, sweep in SWEEPS.items()}


def _job(app, name):
    def run():
        with app.app_context():
            try:
                SWEEPS[name](app_now())
            except Exception:
                log.exception("sweep %s failed", name)
                raise
            finally:
                db.session.remove()

    run.__name__ = run.__qualname__ = f"sweep_{name}"  # APScheduler logs jobs by qualified name
    return run


def build_scheduler(app, blocking: bool = False):
    """Make the APScheduler 3 scheduler with the sweeps, in the rules' time zone."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    with app.app_context():
        zone = ZoneInfo(retry_rules().timezone)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=zone, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
    scheduler.add_job(_job(app, "expired_claims"), "interval", minutes=1, id="expired_claims")
    scheduler.add_job(_job(app, "due"), "interval", minutes=5, id="due")
    scheduler.add_job(_job(app, "interrupted_imports"), "interval", minutes=1, id="interrupted_imports")
    scheduler.add_job(_job(app, "quality_sample"), "interval", minutes=30, id="quality_sample")
    # Telephony: call records and SMS receipts/replies each minute; automatic notices every 10 minutes.
    scheduler.add_job(_job(app, "call_records"), "interval", minutes=1, id="call_records")
    scheduler.add_job(_job(app, "sms_status"), "interval", minutes=1, id="sms_status")
    scheduler.add_job(_job(app, "auto_notices"), "interval", minutes=10, id="auto_notices")
    # Late in the local day, so that the row holds the day's work; idempotent if it runs again.
    scheduler.add_job(_job(app, "daily_snapshot"), "cron", hour=23, minute=50, id="daily_snapshot")
    scheduler.add_job(_job(app, "register_retention"), "cron", hour=2, minute=30, id="register_retention")
    return scheduler


def run_scheduler(app, poll_seconds: float = 5.0, stop: threading.Event | None = None, blocking: bool = True):
    """Wait for the lock, run every sweep once, then run the scheduler (blocking, or in the background)."""
    lock = SchedulerLock(app.extensions["database_engine"])
    if not lock.acquire(poll_seconds, stop):
        return None
    log.info("scheduler lock taken; starting the sweeps (time zone %s)", app.config["TIMEZONE"])
    with app.app_context():
        run_sweeps()
        db.session.remove()
    scheduler = build_scheduler(app, blocking=blocking)
    app.extensions["followup_scheduler"] = (scheduler, lock)
    if blocking:
        try:
            scheduler.start()
        finally:
            lock.release()
        return None
    scheduler.start()
    return scheduler


def start_embedded(app) -> threading.Thread:
    """Run the scheduler in a background thread of this process (waiting for the lock if needed)."""
    thread = threading.Thread(target=run_scheduler, args=(app,), kwargs={"blocking": False},
                              name="spotcheck-scheduler", daemon=True)
    thread.start()
    return thread


def should_embed(app) -> bool:
    """Tell whether this process should run the embedded scheduler: asked for, not under tests, not in
    the debug reloader's watcher process, and not a CLI command other than `flask run`."""
    import click

    if not app.config.get("EMBEDDED_SCHEDULER") or app.testing:
        return False
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return False
    context = click.get_current_context(silent=True)
    return context is None or context.info_name == "run"
