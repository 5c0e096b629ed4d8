"""The database layer: SQLite tuning, write transactions, UTC times, migrations, the audit log."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DatabaseError

from core import migrate
from core.database import bulk_insert
from core.extensions import db
from models import AuditLog, Base, LoginAttempt
from support.database import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite connection settings")


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(session):
    assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000


@sqlite_only
def test_write_transactions_take_the_sqlite_write_lock_first(app):
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        with db.write_transaction() as session:
            session.add(LoginAttempt(username="x", remote_addr="y", succeeded=True))
        assert "BEGIN IMMEDIATE" in statements


def test_bulk_insert_stores_values_as_given(session):
    session.execute(text("CREATE TEMPORARY TABLE bulk_probe (n BIGINT, t TEXT, d DATE)"))
    rows = [(1, "湛江\t坡头\n第二行 \\N", "2026-03-01"), (2**40, None, None), (3, "", "2026-12-31")]
    bulk_insert(session.connection(), "bulk_probe", ("n", "t", "d"), iter(rows))
    got = session.execute(text("SELECT n, t, d FROM bulk_probe ORDER BY n")).all()
    assert [(n, t, None if d is None else str(d)) for n, t, d in got] == sorted(rows, key=lambda r: r[0])
    session.rollback()


def test_bulk_insert_writes_in_the_session_transaction(session):
    rows = [("990001", "测试县甲", "Test A", False, True), ("990002", "测试县乙", "Test B", False, True)]
    bulk_insert(session.connection(), "county", ("code", "name_zh", "name_en", "official", "active"), rows)
    count = text("SELECT count(*) FROM county WHERE code IN ('990001', '990002')")
    assert session.execute(count).scalar() == 2
    session.rollback()
    assert session.execute(count).scalar() == 0


def test_write_transaction_rolls_back_on_error(session):
    with pytest.raises(RuntimeError), db.write_transaction() as s:
        s.add(LoginAttempt(username="gone", remote_addr="y", succeeded=True))
        s.flush()
        raise RuntimeError("boom")
    assert session.query(LoginAttempt).filter_by(username="gone").count() == 0


def test_times_come_back_in_utc_whatever_zone_went_in(session):
    shanghai = timezone(timedelta(hours=8))
    at = datetime(2026, 5, 1, 9, 30, tzinfo=shanghai)
    session.add(LoginAttempt(username="t", remote_addr="a", succeeded=True, at=at))
    session.commit()
    session.expire_all()
    stored = session.query(LoginAttempt).one().at
    assert stored == at and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored.hour == 1


def test_naive_times_are_refused(session):
    session.add(LoginAttempt(username="t", remote_addr="a", succeeded=True, at=datetime(2026, 1, 1)))
    with pytest.raises(Exception, match="naive"):
        session.commit()
    session.rollback()


def test_default_time_is_taken_at_insert_not_at_import(session):
    before = datetime.now(UTC)
    session.add(LoginAttempt(username="t", remote_addr="a", succeeded=True))
    session.commit()
    assert session.query(LoginAttempt).one().at >= before - timedelta(seconds=1)


def test_audit_log_is_append_only_in_the_database(session):
    session.add(AuditLog(action="test", username="u"))
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("UPDATE audit_log SET action = 'changed'"))
    session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("DELETE FROM audit_log"))
    session.rollback()
    assert session.query(AuditLog).one().action == "test"


def test_audit_log_refuses_changes_through_the_orm(session):
    from core.auditlog import AppendOnlyError

    entry = AuditLog(action="test", username="u")
    session.add(entry)
    session.commit()
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        session.commit()
    session.rollback()


def test_migrations_go_down_to_empty_and_back_up(database_url):
    migrate.downgrade(database_url, "base")
    engine = create_engine(database_url)
    with engine.connect() as conn:
        tables = set(engine.dialect.get_table_names(conn)) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(database_url)
    with engine.connect() as conn:
        tables = set(engine.dialect.get_table_names(conn))
        counties = conn.execute(text("SELECT count(*) FROM county")).scalar()
    engine.dispose()
    assert set(Base.metadata.tables) <= tables and counties == 10


def test_models_and_migrations_agree(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"
