"""An import nobody previews (the command line) checks and writes in one pass on PostgreSQL: it lands
exactly as check-then-commit does, all or nothing, and leaves a batch it could not finish as the
two-phase import would. On SQLite it is check-then-commit itself."""

import os

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import AuditLog, ImportBatch, Person, RosterSnapshot
from roster import batches, import_check, import_direct
from roster.batches import ImportError_
from roster.import_commit import RemovalsNeedConfirmation, RosterChanged, commit_batch
from roster.import_direct import check_and_import
from support.database import TEST_DATABASE_URL
from support.import_files import TODAY, csv_file, demo_rows
from support.register import CHIKAN, register

COMPARED = ("county_code", "source_row", "name", "gender", "id_number", "phone", "household_address",
            "residence_address", "unemployment_reason", "registered_on", "registering_agency", "certificate_number",
            "employment_status", "cancelled_on", "flag_missing_phone", "flag_missing_address", "flag_missing_reason",
            "retirement_on", "record_digest", "flag_duplicate_in_county")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


postgres_only = pytest.mark.skipif(not TEST_DATABASE_URL,
                                   reason="the one pass runs on PostgreSQL; on SQLite it is check-then-commit")


def new_batch(path, county=None):
    batch = batches.create_batch(db.session, path, os.path.basename(path), default_county=county)
    db.session.commit()
    return batch.id


def persons(snapshot_id):
    return db.session.execute(select(*[getattr(Person, c) for c in COMPARED])
                              .where(Person.snapshot_id == snapshot_id).order_by(Person.id)).all()


def snapshots_of(batch_id):
    return db.session.scalars(select(RosterSnapshot).where(RosterSnapshot.batch_id == batch_id)
                              .order_by(RosterSnapshot.county_code)).all()


def all_snapshots():
    return db.session.scalar(select(func.count()).select_from(RosterSnapshot))


def test_one_pass_lands_what_check_then_commit_lands(ctx, tmp_path, small_chunks):
    rows = demo_rows(300, seed=41)
    rows[20] = dict(rows[20], phone=None)  # a warning, kept
    rows[30] = dict(rows[30], id_number=rows[30]["id_number"][:-1] + "X")  # an error, left out
    rows[41] = dict(rows[41], id_number=rows[40]["id_number"], county_code=rows[40]["county_code"])  # twice
    path = csv_file(tmp_path / "roster.csv", rows)
    at_once = check_and_import(db, new_batch(path), TODAY)
    assert at_once.status == "committed" and at_once.rows_rejected >= 1 and at_once.added >= 290
    assert not os.path.exists(batches.spool_path(at_once))

    again = batches.create_batch(db.session, path, "again.csv")  # the same rows, the two-phase way
    db.session.commit()
    again = import_check.validate_batch(db.session, again.id, TODAY)
    assert again.unchanged == at_once.added and again.added == again.updated == again.removed == 0
    again = commit_batch(db, again.id)

    first, second = snapshots_of(at_once.id), snapshots_of(again.id)
    assert [s.county_code for s in first] == [s.county_code for s in second] == sorted(at_once.counties)
    for one, two in zip(first, second, strict=True):
        assert not one.is_current and two.is_current and one.row_count == two.row_count > 0
        assert one.person_count == two.person_count and one.registered_count == two.registered_count
        assert persons(one.id) == persons(two.id)
    flagged = sum(p.flag_duplicate_in_county for s in first for p in persons(s.id))
    assert flagged >= 2 and flagged == at_once.duplicates
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "import.commit", AuditLog.object_id == str(at_once.id))) == 1


def test_nothing_is_written_when_removals_want_confirming_first(ctx, tmp_path):
    register(ctx, tmp_path, CHIKAN, demo_rows(40, seed=42, county=CHIKAN))
    before = all_snapshots()
    fewer = csv_file(tmp_path / "fewer.csv", demo_rows(40, seed=42, county=CHIKAN)[:10])
    batch_id = new_batch(fewer, CHIKAN)
    with pytest.raises(RemovalsNeedConfirmation):
        check_and_import(db, batch_id, TODAY)
    assert all_snapshots() == before  # not even a snapshot of it
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "previewed" and batch.removed == 30
    assert commit_batch(db, batch_id, confirm_removals=True).status == "committed"  # later, confirmed


@postgres_only
def test_a_failure_while_writing_leaves_nothing_and_the_batch_checked(ctx, tmp_path, monkeypatch, small_chunks):
    register(ctx, tmp_path, CHIKAN, demo_rows(30, seed=43, county=CHIKAN))
    before = all_snapshots()
    written = []

    def fail_on_the_third_chunk(self, records):
        written.append(len(records))
        if len(written) == 3:
            raise RuntimeError("disk full")
        return original(self, records)

    original = import_direct.PersonWriter._write
    monkeypatch.setattr(import_direct.PersonWriter, "_write", fail_on_the_third_chunk)
    batch_id = new_batch(csv_file(tmp_path / "next.csv", demo_rows(35, seed=43, county=CHIKAN)), CHIKAN)
    with pytest.raises(ImportError_) as failed:
        check_and_import(db, batch_id, TODAY, confirm_removals=True)
    assert failed.value.code == "commit_failed" and "disk full" in failed.value.message_zh
    assert all_snapshots() == before
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "previewed" and batch.error_code == "commit_failed"
    monkeypatch.setattr(import_direct.PersonWriter, "_write", original)
    assert commit_batch(db, batch_id, confirm_removals=True).status == "committed"  # from its spool
    assert len(persons(snapshots_of(batch_id)[0].id)) == 35


@postgres_only
def test_a_roster_changed_while_checking_is_refused_with_nothing_written(ctx, tmp_path, monkeypatch):
    before = all_snapshots()

    def changed(session, batch):
        raise RosterChanged("roster_changed", "校验之后，当前名册已被更改", "The roster changed after the check")

    monkeypatch.setattr(import_direct, "ensure_roster_unchanged", changed)
    batch_id = new_batch(csv_file(tmp_path / "r.csv", demo_rows(20, seed=44, county=CHIKAN)), CHIKAN)
    with pytest.raises(RosterChanged):
        check_and_import(db, batch_id, TODAY)
    assert all_snapshots() == before
    batch = db.session.get(ImportBatch, batch_id)
    assert batch.status == "failed" and batch.error_code == "roster_changed"


def test_a_file_that_fails_its_check_writes_nothing(ctx, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("姓名,性别,公民身份号码\n", encoding="utf-8")
    before = all_snapshots()
    batch = check_and_import(db, new_batch(str(path)), TODAY)
    assert batch.status in ("failed", "needs_mapping")
    assert all_snapshots() == before


@postgres_only
def test_an_import_killed_while_writing_leaves_nothing_and_goes_back_to_its_preview(make_app, database_url,
                                                                                   tmp_path):
    from roster import jobs
    from support.nodes import Process

    storage = str(tmp_path / "storage")
    app = make_app(STORAGE_DIR=storage, JOBS_IN_BACKGROUND=False)
    with app.app_context():
        register(app, tmp_path, CHIKAN, demo_rows(40, seed=45, county=CHIKAN))
        before = all_snapshots()
    path = csv_file(tmp_path / "next.csv", demo_rows(60, seed=45, county=CHIKAN))
    settings = {"DATABASE_URL": database_url, "SECRET_KEY": "x" * 40, "STORAGE_DIR": storage,
                "INSTANCE": str(tmp_path / "cli"), "IMPORT_WORKERS": 0, "IMPORT_COMMIT_PAUSE_SECONDS": 120}
    command = Process("import", ["roster", "import", path, "--county", CHIKAN, "--confirm-removals"], settings,
                      tmp_path)
    try:
        found = command.wait_for_output(r"import batch (\d+): persons written, not yet committed")
    finally:
        command.kill()  # as a power cut would, with every person written and nothing committed
    batch_id = int(found.group(1))
    with app.app_context():
        assert all_snapshots() == before  # the open transaction went with its connection
        assert db.session.get(ImportBatch, batch_id).status == "importing"
        assert jobs.mark_interrupted(db.session) == 1
        assert jobs.resume(app, batch_id, TODAY) == "previewed"  # checked: back to its preview
        assert commit_batch(db, batch_id, confirm_removals=True).status == "committed"
        assert len(persons(snapshots_of(batch_id)[0].id)) == 60
