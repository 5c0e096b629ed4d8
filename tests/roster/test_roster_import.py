"""Importing county files as batches: preview, commit, snapshots, duplicates, atomicity."""

import os

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import AuditLog, ImportBatch, ImportProblem, Person, RosterSnapshot
from roster import batches, import_check, import_commit
from support.import_files import TODAY, csv_file, csv_text, demo_rows


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def run(app, path, filename=None, county=None, mapping=None):
    batch = batches.create_batch(db.session, path, filename or os.path.basename(path),
                                  default_county=county, header_mapping=mapping)
    db.session.commit()
    if batch.status == "duplicate":
        return batch
    return import_check.validate_batch(db.session, batch.id, TODAY)


def persons(county=None):
    query = select(func.count(Person.id)).join(RosterSnapshot).where(RosterSnapshot.is_current)
    if county:
        query = query.where(Person.county_code == county)
    return db.session.scalar(query)


def test_preview_counts_then_commit_writes_a_current_snapshot(ctx, tmp_path):
    rows = demo_rows(300)
    batch = run(ctx, csv_file(tmp_path / "赤坎区名册.csv", rows))
    assert batch.status == "previewed"
    assert batch.rows_read == 300 and batch.rows_total == 300
    assert batch.rows_valid + batch.rows_rejected == 300
    assert batch.added == batch.rows_valid and batch.updated == batch.removed == 0
    assert persons() == 0  # preview writes nothing to the roster
    import_commit.commit_batch(db, batch.id)
    assert persons() == batch.rows_valid
    assert db.session.scalar(select(ImportBatch.status).where(ImportBatch.id == batch.id)) == "committed"
    assert db.session.scalar(select(func.count()).where(AuditLog.action == "import.commit")) == 1


def test_values_are_stored_clean(ctx, tmp_path):
    rows = demo_rows(50)
    batch = run(ctx, csv_file(tmp_path / "f.csv", rows))
    import_commit.commit_batch(db, batch.id)
    stored = db.session.scalars(select(Person).order_by(Person.source_row)).all()
    by_id = {r["id_number"]: r for r in rows}
    for person in stored:
        source = by_id[person.id_number]
        assert (person.name, person.gender, person.phone, person.registered_on, person.cancelled_on) == (
            source["name"], source["gender"], source["phone"], source["registered_on"], source["cancelled_on"])


def test_same_file_again_changes_nothing(ctx, tmp_path):
    path = csv_file(tmp_path / "f.csv", demo_rows(80))
    first = run(ctx, path)
    import_commit.commit_batch(db, first.id)
    before = (persons(), db.session.scalar(select(func.count(RosterSnapshot.id))))
    again = run(ctx, path)
    assert again.status == "duplicate" and again.error_message == str(first.id)
    assert (persons(), db.session.scalar(select(func.count(RosterSnapshot.id)))) == before


def test_new_version_of_a_county_file_replaces_its_snapshot_and_counts_the_absent(ctx, tmp_path):
    rows = demo_rows(200, county="440802")
    first = run(ctx, csv_file(tmp_path / "v1.csv", rows), county="440802")
    import_commit.commit_batch(db, first.id)
    old_snapshot = db.session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.is_current))
    changed = [dict(r) for r in rows[:150]]
    changed[0]["residence_address"] = "广东省湛江市赤坎区新地址1号"
    second = run(ctx, csv_file(tmp_path / "v2.csv", changed), county="440802")
    assert (second.removed, second.updated) == (50, 1)
    assert second.unchanged + second.updated + second.added == second.rows_valid
    import_commit.commit_batch(db, second.id, confirm_removals=True)  # a quarter of the register goes
    assert persons("440802") == second.rows_valid
    # the earlier snapshot is still readable, whole
    old_rows = db.session.scalar(select(func.count()).where(Person.snapshot_id == old_snapshot))
    assert old_rows == first.rows_valid


def test_file_with_several_counties_makes_one_snapshot_each(ctx, tmp_path):
    batch = run(ctx, csv_file(tmp_path / "all.csv", demo_rows(400)))
    import_commit.commit_batch(db, batch.id)
    assert len(batch.counties) == 10
    current = db.session.scalar(select(func.count()).where(RosterSnapshot.is_current))
    assert current == 10


def test_invalid_rows_are_left_out_and_listed(ctx, tmp_path):
    good = demo_rows(3)
    text = csv_text([
        [good[0]["name"], "男", good[0]["id_number"][:17] + ("0" if good[0]["id_number"][17] != "0" else "1"),
         "13800138000", "", "", "本人辞职", "2025-03-01", "", "", "失业", "", "440802"],
        ["", "女", good[1]["id_number"], "13800138001", "", "", "本人辞职", "2025-03-01", "", "", "失业", "",
         "440802"],
    ])
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    batch = run(ctx, str(path))
    assert (batch.rows_read, batch.rows_rejected, batch.rows_valid) == (2, 2, 0)
    codes = {(p.row, p.field, p.code) for p in db.session.scalars(select(ImportProblem))}
    assert (2, "id_number", "id_number_checksum") in codes
    assert (3, "name", "required_missing") in codes


def test_duplicate_ids_in_a_file_are_kept_and_counted(ctx, tmp_path):
    rows = demo_rows(20, county="440803")
    rows.append(dict(rows[0], source_note="again"))
    batch = run(ctx, csv_file(tmp_path / "dup.csv", rows), county="440803")
    assert batch.duplicates == 2
    import_commit.commit_batch(db, batch.id)
    assert db.session.scalar(select(func.count()).where(Person.id_number == rows[0]["id_number"])) == 2


def test_a_failure_in_the_middle_of_a_commit_leaves_everything_as_before(ctx, tmp_path, monkeypatch):
    first = run(ctx, csv_file(tmp_path / "v1.csv", demo_rows(100, county="440804")), county="440804")
    import_commit.commit_batch(db, first.id)
    state_before = (persons(), db.session.scalar(select(func.count(RosterSnapshot.id))),
                    db.session.scalar(select(func.count(Person.id))))
    second = run(ctx, csv_file(tmp_path / "v2.csv", demo_rows(120, seed=9, county="440804")), county="440804")
    real_write = import_commit._write_persons

    def write_then_crash(*args):
        real_write(*args)  # every row is inserted, then the disk fills up
        raise OSError("disk full")

    monkeypatch.setattr(import_commit, "_write_persons", write_then_crash)
    with pytest.raises(OSError):
        import_commit.commit_batch(db, second.id, confirm_removals=True)
    db.session.expire_all()
    state_after = (persons(), db.session.scalar(select(func.count(RosterSnapshot.id))),
                   db.session.scalar(select(func.count(Person.id))))
    assert state_after == state_before
    failed = db.session.get(ImportBatch, second.id)
    assert (failed.status, failed.error_code) == ("previewed", "commit_failed")
    assert "名册未作任何更改" in failed.error_message and "disk full" in failed.error_message
    monkeypatch.setattr(import_commit, "_write_persons", real_write)
    import_commit.commit_batch(db, second.id, confirm_removals=True)  # and it can be committed once the fault is gone
    assert db.session.get(ImportBatch, second.id).error_code is None
    assert persons("440804") == second.rows_valid


def test_header_only_and_empty_files_fail_with_a_reason(ctx, tmp_path):
    header_only = tmp_path / "h.csv"
    header_only.write_text(csv_text([]), encoding="utf-8")
    batch = run(ctx, str(header_only))
    assert batch.status == "failed" and "表头" in batch.error_message
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    batch = run(ctx, str(empty))
    assert batch.status == "failed" and batch.error_message


def test_not_a_spreadsheet_fails_with_a_reason(ctx, tmp_path):
    fake = tmp_path / "roster.xlsx"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    batch = run(ctx, str(fake))
    assert batch.status == "failed" and batch.error_message


def test_unknown_headers_ask_for_a_mapping_which_then_applies(ctx, tmp_path):
    good = demo_rows(5, county="440811")
    headers = ["人员姓名X", "公民身份号码", "失业登记日期"]
    path = tmp_path / "odd.csv"
    path.write_text(csv_text([[r["name"], r["id_number"], r["registered_on"].isoformat()] for r in good],
                             headers=headers), encoding="utf-8")
    batch = run(ctx, str(path), county="440811")
    assert batch.status == "needs_mapping" and "name" in batch.error_message
    assert batch.headers == headers
    batch = run(ctx, str(path), county="440811", mapping={"0": "name"})
    assert batch.status == "previewed" and batch.rows_valid == 5
