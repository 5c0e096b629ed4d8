"""The restore drill of docs/deployment.md, rehearsed: back up the database and the storage folder, restore
both elsewhere, and find the same rows, an intact audit chain with the same last hash, and the same files.

On PostgreSQL the backup is `pg_dump --format=custom` and the restore `pg_restore` into a new database, as the
drill says; on SQLite it is the online backup of the database file.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, inspect, make_url, select, text
from werkzeug.datastructures import FileStorage

from core.extensions import db
from demo.accounts import load_demo
from evidence import store
from models import Attachment, User
from support.accounts import login
from support.database import TEST_DATABASE_URL

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" + os.urandom(64).hex().encode()
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def libpq(url) -> str:
    """The URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    url = make_url(url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def back_up_and_restore(source_url: str, tmp_path) -> str:
    """Back the database up and restore it into a new one; return the new one's URL."""
    if not source_url.startswith("postgresql"):
        backup = tmp_path / "backup.sqlite3"
        with sqlite3.connect(make_url(source_url).database) as live, sqlite3.connect(backup) as copy:
            live.backup(copy)
        restored = tmp_path / "restored.sqlite3"
        shutil.copyfile(backup, restored)
        return f"sqlite:///{restored}"
    dump = tmp_path / "spotcheck.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", libpq(source_url)], check=True)
    drill_url = make_url(source_url).set(database=make_url(source_url).database + "_drill")
    admin = create_engine(make_url(source_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{drill_url.database}"'))
        conn.execute(text(f'CREATE DATABASE "{drill_url.database}"'))
    admin.dispose()
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq(drill_url)}", str(dump)],
                   check=True)
    return drill_url.render_as_string(hide_password=False)


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        admin.dispose()


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        counts = {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}
    engine.dispose()
    return counts


@pytest.mark.skipif(bool(TEST_DATABASE_URL) and shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_a_backup_restores_to_the_same_register_audit_chain_and_files(make_app, tmp_path):
    app = make_app(STORAGE_DIR=str(tmp_path / "storage"), CLOCK=lambda: NOW)
    with app.app_context():
        load_demo(db.session, seed=5, persons=300)
        db.session.commit()
        with db.write_transaction() as session:
            coordinator = session.scalar(select(User).where(User.username == "coord"))
            upload = FileStorage(io.BytesIO(PDF), filename="整改报告.pdf")
            kept = store.attach(session, user=coordinator, owner_type="rectification_item", owner_id=1,
                                county_code=None, upload=upload, now=NOW)
            kept_id = kept.id
        source_url = str(db.engine.url.render_as_string(hide_password=False))
    before = json.loads(app.test_cli_runner().invoke(args=["audit", "verify", "--json"]).output)
    assert before["ok"] and before["entries"] > 0

    # The backup: the database, then the storage folder (as docs/deployment.md orders them).
    restored_url = back_up_and_restore(source_url, tmp_path)
    shutil.copytree(tmp_path / "storage", tmp_path / "restored-storage")
    try:
        drill = make_app(DATABASE_URL=restored_url, STORAGE_DIR=str(tmp_path / "restored-storage"))
        after = json.loads(drill.test_cli_runner().invoke(args=["audit", "verify", "--json"]).output)
        assert after == before  # intact, same number of entries, same last hash
        assert row_counts(restored_url) == row_counts(source_url)
        client = drill.test_client()
        login(client, "coord", "coord-demo-2026")
        response = client.get(f"/evidence/{kept_id}")
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == hashlib.sha256(PDF).hexdigest()
        response.close()
        with drill.app_context():
            assert db.session.get(Attachment, kept_id).sha256 == hashlib.sha256(PDF).hexdigest()
            db.session.remove()
            db.engine.dispose()
    finally:
        drop(restored_url)
