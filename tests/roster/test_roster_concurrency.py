"""One current roster per county whatever runs at once, and batches whose process died."""

import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from models import ImportBatch, RosterSnapshot, utcnow
from roster import batches, import_commit, jobs
from support.database import TEST_DATABASE_URL
from support.import_files import csv_file, demo_rows
from support.register import CHIKAN, check_file, on_register, register

on_postgres = pytest.mark.skipif(not TEST_DATABASE_URL, reason="a race between two PostgreSQL connections")


@pytest.fixture
def app(make_app):
    return make_app(JOBS_IN_BACKGROUND=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def current_count(county):
    return db.session.scalar(select(func.count(RosterSnapshot.id)).where(RosterSnapshot.county_code == county,
                                                                         RosterSnapshot.is_current))


def test_the_database_refuses_a_second_current_snapshot_of_a_county(ctx, tmp_path):
    register(ctx, tmp_path, CHIKAN, demo_rows(5, seed=1, county=CHIKAN))
    db.session.add(RosterSnapshot(county_code=CHIKAN, source="second", is_current=True))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert current_count(CHIKAN) == 1


@on_postgres
def test_two_transactions_swapping_one_county_at_once_leave_one_current(ctx, tmp_path):
    # What two imports without the lock did at read committed: both "set the old not current, insert the
    # new one"; the partial unique index makes the second fail instead of leaving two current rows.
    register(ctx, tmp_path, CHIKAN, demo_rows(5, seed=1, county=CHIKAN))
    engine = create_engine(TEST_DATABASE_URL)
    swap = [text("UPDATE roster_snapshot SET is_current = false WHERE county_code = :c AND is_current"),
            text("INSERT INTO roster_snapshot (county_code, source, created_at, row_count, is_current) "
                 "VALUES (:c, :s, now(), 0, true)")]
    first, second = engine.connect(), engine.connect()
    try:
        first.begin()
        second.begin()
        first.execute(swap[0], {"c": CHIKAN})
        first.execute(swap[1], {"c": CHIKAN, "s": "first"})
        outcome = {}

        def run_second():
            try:
                second.execute(swap[0], {"c": CHIKAN})  # waits for the first transaction's row lock
                second.execute(swap[1], {"c": CHIKAN, "s": "second"})
                second.commit()
                outcome["second"] = "committed"
            except IntegrityError:
                second.rollback()
                outcome["second"] = "refused"

        thread = threading.Thread(target=run_second)
        thread.start()
        wait_until_blocked(engine)
        first.commit()
        thread.join(timeout=30)
        assert outcome == {"second": "refused"}
    finally:
        first.close()
        second.close()
        engine.dispose()
    db.session.expire_all()
    assert current_count(CHIKAN) == 1


@on_postgres
def test_an_import_waits_for_another_of_its_county_then_refuses_on_changed_counts(ctx, tmp_path):
    rows = demo_rows(50, seed=1, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows)
    mine = check_file(ctx, csv_file(tmp_path / "mine.csv", rows[:49]), CHIKAN)
    engine = create_engine(TEST_DATABASE_URL)
    other = engine.connect()
    outcome = {}
    try:
        other.begin()  # another import of 赤坎区 holds the county and swaps its roster
        other.execute(text("SELECT code FROM county WHERE code = :c FOR UPDATE"), {"c": CHIKAN})
        other.execute(text("UPDATE roster_snapshot SET is_current = false WHERE county_code = :c AND is_current"),
                      {"c": CHIKAN})
        other.execute(text("INSERT INTO roster_snapshot (county_code, source, created_at, row_count, is_current) "
                           "VALUES (:c, 'other', now(), 0, true)"), {"c": CHIKAN})

        def commit_mine():
            with ctx.app_context():
                try:
                    import_commit.commit_batch(db, mine.id)
                    outcome["mine"] = "committed"
                except import_commit.RosterChanged as error:
                    outcome["mine"] = error.code
                finally:
                    db.session.remove()

        thread = threading.Thread(target=commit_mine)
        thread.start()
        wait_until_blocked(engine)
        other.commit()
        thread.join(timeout=30)
    finally:
        other.close()
        engine.dispose()
    assert outcome == {"mine": "roster_changed"}
    db.session.expire_all()
    batch = db.session.get(ImportBatch, mine.id)
    assert (batch.status, batch.error_code, jobs.may_resume(batch)) == ("failed", "roster_changed", True)
    assert current_count(CHIKAN) == 1


def wait_until_blocked(engine, timeout=20):
    """Wait until some other connection waits for a lock (PostgreSQL's own view of it, no sleep guess)."""
    import time

    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"))
            if waiting.scalar():
                return
            watcher.rollback()
            time.sleep(0.02)
    raise AssertionError("no connection ever waited for the lock")


def test_an_import_checked_before_another_was_committed_is_refused_and_can_be_checked_again(ctx, tmp_path):
    rows = demo_rows(50, seed=1, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows)
    late = check_file(ctx, csv_file(tmp_path / "late.csv", rows[:49]), CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows[:30], name="first.csv")
    with pytest.raises(import_commit.RosterChanged):
        import_commit.commit_batch(db, late.id)
    assert on_register(CHIKAN) == 30
    batch = db.session.get(ImportBatch, late.id)
    assert "重新校验" in batch.error_message
    assert jobs.resume(ctx, late.id, batch.created_at.date()) == "validating"
    batch = db.session.get(ImportBatch, late.id)
    assert (batch.status, batch.added, batch.removed, batch.county_counts[CHIKAN]["before"]) == ("previewed", 19, 0, 30)
    import_commit.commit_batch(db, late.id)
    assert on_register(CHIKAN) == 49


# --- interrupted batches -------------------------------------------------------------------------

def running_batch(ctx, tmp_path, runner, silent_for=timedelta(0), status="validating"):
    batch = check_file(ctx, csv_file(tmp_path / f"b{runner}{silent_for}.csv", demo_rows(5, seed=3)), None)
    batch.status, batch.runner, batch.heartbeat_at = status, runner, utcnow() - silent_for
    db.session.commit()
    return batch.id


def dead_pid():
    """Start a process, kill it, reap it, and return its (now free) process id."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    return child.pid


@pytest.mark.parametrize(("where", "silent_for", "interrupted"), [
    ("this machine, killed", timedelta(seconds=1), True),  # at once, not after ten minutes
    ("this machine, alive", timedelta(minutes=5), False),  # e.g. a long commit that SQLite keeps busy
    ("this machine, alive", timedelta(minutes=11), True),  # a process id can be reused: not for ever
    ("elsewhere", timedelta(seconds=30), False),
    ("elsewhere", timedelta(seconds=61), True),
])
def test_a_batch_whose_process_stopped_shows_as_interrupted_within_a_minute(ctx, tmp_path, where, silent_for,
                                                                            interrupted):
    host = socket.gethostname()
    runner = {"this machine, killed": f"{host}:{dead_pid()}", "this machine, alive": f"{host}:{os.getpid()}",
              "elsewhere": "another-node:4242"}[where]
    batch_id = running_batch(ctx, tmp_path, runner, silent_for)
    assert jobs.mark_interrupted(db.session) == int(interrupted)
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == ("interrupted" if interrupted else "validating")
    if interrupted:
        assert "中断" in batch.error_message and jobs.may_resume(batch)


def test_an_interrupted_check_is_checked_again_and_an_interrupted_commit_goes_back_to_its_preview(ctx, tmp_path):
    host = socket.gethostname()
    checking = running_batch(ctx, tmp_path, f"{host}:{dead_pid()}")
    db.session.get(ImportBatch, checking).finished_at = None
    db.session.commit()
    committing = check_file(ctx, csv_file(tmp_path / "c.csv", demo_rows(8, seed=4)), None).id
    assert import_commit.claim_for_commit(db, committing)
    db.session.get(ImportBatch, committing).runner = f"{host}:{dead_pid()}"
    db.session.commit()
    assert jobs.mark_interrupted(db.session) == 2
    assert jobs.resume(ctx, checking, utcnow().date()) == "validating"
    assert db.session.get(ImportBatch, checking).status == "previewed"  # checked again, to the end
    assert jobs.resume(ctx, committing, utcnow().date()) == "previewed"
    import_commit.commit_batch(db, committing)
    assert db.session.get(ImportBatch, committing).status == "committed"


def test_an_interrupted_batch_can_be_discarded_from_the_page(app, login_as, tmp_path):
    with app.app_context():
        batch_id = running_batch(app, tmp_path, f"{socket.gethostname()}:{dead_pid()}")
    client = login_as("coordinator")
    page = client.get(f"/roster/imports/{batch_id}").data.decode()
    assert 'data-status="interrupted"' in page and 'data-testid="resume"' in page and "已中断" in page
    assert client.post(f"/roster/imports/{batch_id}/cancel").status_code in (302, 303)
    with app.app_context():
        assert db.session.get(ImportBatch, batch_id).status == "cancelled"


def test_the_heartbeat_beats_while_a_job_runs(ctx, tmp_path):
    batch_id = running_batch(ctx, tmp_path, "another-node:1", timedelta(minutes=5))
    stale = db.session.get(ImportBatch, batch_id).heartbeat_at
    beaten = threading.Event()
    with jobs.heartbeat(ctx, batch_id, every=0.01):
        for _ in range(500):
            db.session.rollback()  # a new read transaction sees the other thread's writes
            if db.session.get(ImportBatch, batch_id).heartbeat_at > stale:
                beaten.set()
                break
            beaten.wait(0.01)
    assert beaten.is_set()
    assert db.session.get(ImportBatch, batch_id).runner == batches.this_runner()


def test_two_resumes_of_one_batch_start_one_check(ctx, tmp_path):
    batch_id = running_batch(ctx, tmp_path, f"{socket.gethostname()}:{dead_pid()}")
    assert jobs.mark_interrupted(db.session) == 1
    assert jobs.resume(ctx, batch_id, utcnow().date()) in ("previewed", "validating")
    assert jobs.resume(ctx, batch_id, utcnow().date()) is None  # the second click (or tab) starts nothing
