"""The audit log is append-only and chained: each entry holds the hash of the one before it, so that
`flask audit verify` proves the log intact or names the first broken entry."""

import hashlib
import json
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import auditlog, migrate
from core.extensions import db
from models import AuditLog
from support.database import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's REPLACE and locking")
postgres_only = pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL's TRUNCATE and row locks")
GENESIS = "0" * 64


def auditor_hash(row) -> str:
    """Re-compute an entry's hash the way docs/security.md tells an auditor to."""
    fields = {name: getattr(row, name) for name in ("id", "user_id", "username", "action", "object_type",
                                                     "object_id", "detail", "remote_addr", "prev_hash")}
    fields["at"] = row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text_ = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def entries(session):
    """Return the log as it is now, detached, leaving no transaction (and no old snapshot) open."""
    session.expire_all()
    log = session.scalars(select(AuditLog).order_by(AuditLog.id)).all()
    session.expunge_all()
    session.rollback()
    return log


def write_log(session, count=4):
    """Record `count` entries in separate transactions, as requests would."""
    for n in range(count):
        auditlog.record("test.entry", "thing", n, note=f"条目 {n}", rows=n * 10)
        session.commit()
    return entries(session)


def verify(runner):
    result = runner.invoke(args=["audit", "verify", "--json"])
    return result.exit_code, json.loads(result.output)


@pytest.fixture
def superuser(database_url):
    """Change the database directly, with the audit log's triggers and chain index out of the way."""
    engine = create_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"

    def run(*statements, params=None, without_chain_index=False):
        with engine.begin() as conn:
            if sqlite:
                names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                          "AND tbl_name = 'audit_log'")).scalars().all()
                for name in names:
                    conn.execute(text(f"DROP TRIGGER {name}"))
            else:
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER ALL"))
            if without_chain_index:  # two entries may then follow the same one
                conn.execute(text("DROP INDEX IF EXISTS uq_audit_log_prev_hash"))
            for statement in statements:
                conn.execute(statement if not isinstance(statement, str) else text(statement), params or {})
            if not sqlite:
                conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER ALL"))

    yield run
    if not sqlite:  # the next test reuses this database: put the index back (only this test's rows go)
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER ALL"))
            conn.execute(text("DELETE FROM audit_log"))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER ALL"))
            conn.execute(text("CREATE UNIQUE INDEX IF NOT EXISTS uq_audit_log_prev_hash ON audit_log (prev_hash)"))
    engine.dispose()


# --- the chain ---------------------------------------------------------------------------------

def test_each_entry_holds_the_hash_of_the_one_before_it(session):
    log = write_log(session)
    assert log[0].prev_hash == GENESIS
    for before, entry in zip(log, log[1:], strict=False):
        assert entry.prev_hash == before.entry_hash
    assert all(entry.entry_hash == auditor_hash(entry) for entry in log)
    assert [entry.id for entry in log] == [1, 2, 3, 4]


def test_entries_of_one_transaction_chain_in_the_order_they_were_recorded(session):
    for n in range(3):
        auditlog.record("test.batch", "thing", n, detail_has={"nested": {"b": 1, "a": [n]}})
    session.commit()
    log = entries(session)
    assert [entry.object_id for entry in log] == ["0", "1", "2"]
    assert [entry.prev_hash for entry in log] == [GENESIS, log[0].entry_hash, log[1].entry_hash]
    assert all(entry.entry_hash == auditor_hash(entry) for entry in log)


def test_detail_is_stored_as_it_was_hashed(session):
    auditlog.record("test.detail", "thing", 7, ids=(3, 1), county=None, share=0.125, name="张三")
    session.commit()
    entry = entries(session)[0]
    assert entry.detail == {"ids": [3, 1], "county": None, "share": 0.125, "name": "张三"}
    assert entry.entry_hash == auditor_hash(entry)


def test_verify_says_an_intact_log_is_intact(session, runner):
    assert verify(runner) == (0, {"ok": True, "entries": 0, "last_hash": GENESIS})
    log = write_log(session)
    assert verify(runner) == (0, {"ok": True, "entries": 4, "last_hash": log[-1].entry_hash})
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0 and "4 entries" in plain.output and log[-1].entry_hash in plain.output


# --- tampering, as a database superuser could ------------------------------------------------------

def test_verify_names_a_changed_entry(session, runner, superuser):
    write_log(session)
    superuser("UPDATE audit_log SET username = 'someone else' WHERE id = 2")
    code, report = verify(runner)
    assert code == 1 and report["ok"] is False
    assert (report["first_broken"], report["reason"]) == (2, "changed")


def test_verify_names_the_entry_after_a_changed_and_rehashed_one(session, runner, superuser):
    write_log(session)
    superuser("UPDATE audit_log SET action = 'nothing.happened' WHERE id = 2")
    forged = entries(session)[1]
    superuser("UPDATE audit_log SET entry_hash = :h WHERE id = 2", params={"h": auditor_hash(forged)})
    code, report = verify(runner)
    assert code == 1 and (report["first_broken"], report["reason"]) == (3, "unlinked")


def test_verify_names_the_entry_after_a_deleted_one(session, runner, superuser):
    write_log(session)
    superuser("DELETE FROM audit_log WHERE id = 2")
    code, report = verify(runner)
    assert code == 1 and (report["first_broken"], report["reason"]) == (3, "unlinked")


def test_verify_names_entries_moved_out_of_order(session, runner, superuser):
    write_log(session)
    superuser("UPDATE audit_log SET id = 100 WHERE id = 2", "UPDATE audit_log SET id = 2 WHERE id = 3",
              "UPDATE audit_log SET id = 3 WHERE id = 100")
    code, report = verify(runner)
    assert code == 1 and (report["first_broken"], report["reason"]) == (2, "changed")


def test_verify_names_an_entry_slipped_in_between_two(session, runner, superuser):
    log = write_log(session)
    # Make room after entry 2 (entries 3 and 4 move up, rehashed), then slip a forged entry in.
    superuser("UPDATE audit_log SET id = 5 WHERE id = 4", "UPDATE audit_log SET id = 4 WHERE id = 3")
    for entry in entries(session):
        superuser("UPDATE audit_log SET entry_hash = :h WHERE id = :id",
                  params={"h": auditor_hash(entry), "id": entry.id})
    forged = {"id": 3, "at": datetime.now(UTC), "user_id": None, "username": "ghost", "action": "login",
              "object_type": "", "object_id": "", "detail": {}, "remote_addr": "cli", "prev_hash": log[1].entry_hash}
    forged["entry_hash"] = auditor_hash(type("Row", (), forged))
    superuser(insert(AuditLog.__table__).values(**forged), without_chain_index=True)
    code, report = verify(runner)
    assert code == 1 and (report["first_broken"], report["reason"]) == (3, "inserted")


# --- what the database itself refuses -------------------------------------------------------------

def _copy_of(entry, **changes):
    values = {c.name: getattr(entry, c.name) for c in AuditLog.__table__.columns} | changes
    return insert(AuditLog.__table__).values(**values)


@sqlite_only
def test_replace_into_cannot_rewrite_an_entry(session):
    log = write_log(session, 3)
    statement = _copy_of(log[1], username="someone else").prefix_with("OR REPLACE")
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(statement)
    session.rollback()
    # Nor can a new entry claim an old entry's place in the chain (REPLACE would delete that entry).
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(_copy_of(log[1], id=9, entry_hash="x" * 64).prefix_with("OR REPLACE"))
    session.rollback()
    assert [(e.id, e.username, e.prev_hash) for e in entries(session)] == [(e.id, e.username, e.prev_hash) for e in log]


def test_an_upsert_cannot_rewrite_an_entry(session):
    log = write_log(session, 2)
    statement = text("INSERT INTO audit_log (id, at, username, action, object_type, object_id, detail, remote_addr,"
                     " prev_hash, entry_hash) SELECT id, at, username, 'forged', object_type, object_id, detail,"
                     " remote_addr, prev_hash, entry_hash FROM audit_log WHERE id = 1"
                     " ON CONFLICT (id) DO UPDATE SET action = 'forged'")
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(statement)
    session.rollback()
    assert [e.action for e in entries(session)] == [e.action for e in log]


@postgres_only
@pytest.mark.parametrize("statement", ["TRUNCATE audit_log", "TRUNCATE user_account CASCADE"])
def test_truncate_cannot_empty_the_log(session, users, statement):
    log = write_log(session, 2)  # after the entries of the users' creation
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert [e.entry_hash for e in entries(session)] == [e.entry_hash for e in log]


def test_an_entry_must_follow_the_last_one(session):
    log = write_log(session, 3)
    with pytest.raises(DatabaseError, match="append-only"):  # follows an older entry
        session.execute(_copy_of(log[2], id=4, prev_hash=log[0].entry_hash))
    session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):  # an id before the end
        session.execute(_copy_of(log[2], id=0, prev_hash=log[2].entry_hash))
    session.rollback()
    session.execute(_copy_of(log[2], id=4, prev_hash=log[2].entry_hash))  # the next one is fine
    session.rollback()


# --- two writers at once ------------------------------------------------------------------------

def _wait_until(condition, timeout=20.0):
    """Poll the database until a condition holds (another thread is blocked on a lock)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the other writer never waited"


def _blocked_on(engine, locktype):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = :t"),
                            {"t": locktype}).scalar() > 0


@postgres_only
def test_two_writers_at_once_do_not_fork_the_chain(app, session, runner):
    write_log(session, 1)
    engine = db.engine
    first = Session(engine)
    first.add(AuditLog(action="first.writer"))
    first.flush()  # holds the chain until it commits
    failures = []

    def second_writer():
        try:
            with Session(engine) as second:
                second.add(AuditLog(action="second.writer"))
                second.commit()
        except Exception as error:  # noqa: BLE001 - reported to the test thread
            failures.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    _wait_until(lambda: _blocked_on(engine, "advisory"))
    first.commit()
    first.close()
    thread.join(30)
    assert failures == []
    log = entries(session)
    assert [e.action for e in log] == ["test.entry", "first.writer", "second.writer"]
    assert verify(runner)[0] == 0


@postgres_only
def test_two_entries_can_never_follow_the_same_one(app, session):
    log = write_log(session, 1)
    engine = db.engine
    first = engine.connect()
    first.begin()
    first.execute(_copy_of(log[0], id=2, prev_hash=log[0].entry_hash))  # without taking the chain's lock
    outcome = []

    def second_writer():
        with engine.connect() as second:
            try:
                second.execute(_copy_of(log[0], id=3, prev_hash=log[0].entry_hash))
                second.commit()
            except IntegrityError as error:
                outcome.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    _wait_until(lambda: _blocked_on(engine, "transactionid"))
    first.commit()
    first.close()
    thread.join(30)
    assert len(outcome) == 1 and "uq_audit_log_prev_hash" in str(outcome[0])


@sqlite_only
def test_a_writer_that_read_an_old_tail_cannot_append_after_it(app, session, runner):
    log = write_log(session, 1)
    stale = Session(db.engine)
    stale.execute(select(AuditLog.id)).all()  # its snapshot starts here
    auditlog.record("meanwhile", "thing", 1)
    session.commit()
    stale.add(AuditLog(action="late"))
    with pytest.raises((OperationalError, DatabaseError)):
        stale.commit()
    stale.rollback()
    stale.close()
    assert [e.action for e in entries(session)] == [log[0].action, "meanwhile"]
    assert verify(runner)[0] == 0


# --- the migration ------------------------------------------------------------------------------

def test_the_migration_chains_the_entries_already_there(database_url, runner):
    migrate.downgrade(database_url, "0008")
    engine = create_engine(database_url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for n in (1, 2, 5):  # ids with a gap, as a sequence leaves them
            at = datetime(2026, 4, n, 8, 30, 15, 250 * n, tzinfo=UTC)
            conn.execute(text("INSERT INTO audit_log (id, at, username, action, object_type, object_id, detail,"
                              " remote_addr) VALUES (:id, :at, 'old', 'login', 'user', '1', :detail, '10.0.0.1')"),
                         {"id": n, "at": at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at,
                          "detail": json.dumps({"n": n, "名": "旧"}, ensure_ascii=False)})
    engine.dispose()
    migrate.upgrade(database_url)
    code, report = verify(runner)
    assert code == 0 and report["entries"] == 3
