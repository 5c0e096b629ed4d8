"""Imported reference files are kept REGISTER_RETENTION_DAYS, then purged by the daily sweep, audited."""

import json
import os
from datetime import timedelta

from sqlalchemy import func, select, update

from core.clock import now
from core.extensions import db
from core.storage import absolute
from models import AuditLog, RegisterImport, RegisterRecord
from registers.retention import purge_expired
from support.registers_factory import register_files, roster_world


def test_old_files_are_purged_with_the_records_of_an_unmatched_import(app, runner, tmp_path):
    with app.app_context():
        ids = roster_world(db.session)
    files = register_files(tmp_path, ids)
    made = [json.loads(runner.invoke(args=["registers", "import", files[kind], "--kind", kind, "--json"]).output)["import"]
            for kind in ("death", "pension")]
    with app.app_context():
        paths = [absolute(db.session.get(RegisterImport, i).stored_path) for i in made]
        assert all(os.path.exists(p) for p in paths)
        # The death file is old enough; the pension file is not.
        db.session.execute(update(RegisterImport).where(RegisterImport.id == made[0])
                           .values(created_at=now() - timedelta(days=31)))
        db.session.commit()
        assert purge_expired(now()) == 1
        assert purge_expired(now()) == 0  # idempotent
        purged, kept = db.session.get(RegisterImport, made[0]), db.session.get(RegisterImport, made[1])
        assert purged.status == "purged" and purged.stored_path is None and not os.path.exists(paths[0])
        assert kept.status == "imported" and os.path.exists(paths[1])
        assert db.session.scalar(select(func.count()).select_from(RegisterRecord)
                                 .where(RegisterRecord.import_id == made[0])) == 0
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "register.purge"))
        assert entry.object_id == str(made[0]) and entry.detail["records_dropped"] == 1


def test_the_retention_is_a_setting(make_app, tmp_path):
    app = make_app(REGISTER_RETENTION_DAYS=400)
    runner = app.test_cli_runner()
    with app.app_context():
        ids = roster_world(db.session)
    path = register_files(tmp_path, ids)["death"]
    made = json.loads(runner.invoke(args=["registers", "import", path, "--kind", "death", "--json"]).output)["import"]
    with app.app_context():
        db.session.execute(update(RegisterImport).where(RegisterImport.id == made)
                           .values(created_at=now() - timedelta(days=399)))
        db.session.commit()
        assert purge_expired(now()) == 0
