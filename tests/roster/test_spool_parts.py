"""The spool's two kinds of part (SQLite for a commit into SQLite, marshal for PostgreSQL's COPY) hold
the same records, survive a dying worker alike, and commit the same persons on either database."""

import json
import logging
import marshal
import os

import pytest
from sqlalchemy import select

from core.extensions import db
from models import Person, RosterSnapshot
from roster import batches, import_check, import_commit, spool
from roster.batches import ImportError_
from roster.checking import RowChecker
from roster.columns import map_headers
from roster.reader import open_table
from roster.spool import MARSHAL, SQLITE, part_kind_for
from support.checking_helpers import DyingAfterSpoolingChecker, spooled
from support.import_files import TODAY, csv_file, demo_rows
from support.register import CHIKAN, check_file

PERSON_COLUMNS = ("county_code", "source_row", "name", "gender", "id_number", "phone", "household_address",
                  "residence_address", "unemployment_reason", "registered_on", "cancelled_on",
                  "flag_missing_phone", "flag_missing_address", "flag_missing_reason", "retirement_on",
                  "record_digest", "flag_duplicate_in_county")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def test_each_database_gets_the_part_its_commit_reads_best():
    assert part_kind_for("sqlite") == SQLITE
    assert part_kind_for("postgresql") == MARSHAL


def test_both_kinds_hold_the_same_records_even_when_a_worker_dies(tmp_path, small_chunks, caplog):
    rows = demo_rows(300, seed=31)
    rows[10] = dict(rows[10], phone=None, cancelled_on=None)
    path = csv_file(tmp_path / "roster.csv", rows)
    with open_table(path) as table:
        args = (map_headers(table.headers), TODAY, frozenset(r["county_code"] for r in rows), None)
    expected = spooled(path, RowChecker(*args), 0, tmp_path / "serial.spool")
    assert len(expected) == 300 and len(expected[0]) == len(spool.SPOOLED)

    in_marshal = spooled(path, RowChecker(*args, spool_kind=MARSHAL), 0, tmp_path / "marshal.spool")
    assert in_marshal == expected  # the same values and types: text, integers, booleans, None

    dying = DyingAfterSpoolingChecker(*args, die_at_row=150, parent_pid=os.getpid(), spool_kind=MARSHAL)
    with caplog.at_level(logging.WARNING, logger="roster.checking"):
        got = spooled(path, dying, 2, tmp_path / "parallel.spool")
    assert "checking the rest of the file in this process" in caplog.text
    assert got == expected  # the dead worker's last chunk lies in its part, in no chunk of the manifest
    about = spool.manifest(str(tmp_path / "parallel.spool"))
    assert about["records"] == 300 and about["marshal_version"] == marshal.version
    parts = sorted(name for name in os.listdir(tmp_path / "parallel.spool") if name.startswith("part-"))
    assert len(parts) >= 2 and all(name.endswith(".marshal") for name in parts)


def test_a_marshal_chunk_is_read_from_its_own_bytes(tmp_path):
    folder = str(tmp_path)
    first = spool.write_part(folder, [("a", 1, None, True)], MARSHAL)
    second = spool.write_part(folder, [("b", 2, "x\ty\n", False), ("c", 3, "", None)], MARSHAL)
    spool.close_parts(folder)
    assert first[0] == second[0] == f"part-{os.getpid()}.marshal"
    assert second[1] == first[2] + 1
    chunks = [[*second, 3, 4], [*first, 2, 2]]
    assert list(spool.read_chunks(folder, chunks)) == [[("b", 2, "x\ty\n", False), ("c", 3, "", None)],
                                                      [("a", 1, None, True)]]


def persons_of(county):
    return db.session.execute(select(*[getattr(Person, c) for c in PERSON_COLUMNS]).join(RosterSnapshot)
                              .where(RosterSnapshot.is_current, Person.county_code == county)
                              .order_by(Person.id)).all()


def import_in(ctx, tmp_path, monkeypatch, kind, name):
    monkeypatch.setattr(import_check, "part_kind_for", lambda dialect: kind)
    rows = demo_rows(40, seed=33, county=CHIKAN)
    rows[5] = dict(rows[5], id_number=rows[4]["id_number"])  # the file repeats an ID number: a flag
    batch = check_file(ctx, csv_file(tmp_path / name, rows), CHIKAN)
    assert batch.status == "previewed"
    parts = [n for n in os.listdir(batches.spool_path(batch)) if n.startswith("part-") and "-journal" not in n]
    assert parts and all(n.endswith("." + kind) for n in parts)
    first_rows = sorted(batch.county_counts[CHIKAN]["first_rows"])[:2]
    shown = batches.spooled_rows(batch, first_rows)
    import_commit.commit_batch(db, batch.id, confirm_removals=True)
    return persons_of(CHIKAN), shown


def test_either_kind_commits_the_same_persons_on_this_database(ctx, tmp_path, monkeypatch):
    from_sqlite, shown_sqlite = import_in(ctx, tmp_path, monkeypatch, SQLITE, "a.csv")
    from_marshal, shown_marshal = import_in(ctx, tmp_path, monkeypatch, MARSHAL, "b.csv")
    assert len(from_marshal) == 40 and from_marshal == from_sqlite
    assert sum(p.flag_duplicate_in_county for p in from_marshal) == 2
    assert shown_marshal == shown_sqlite  # the preview reads a few rows back from either kind


def test_a_marshal_spool_written_by_another_python_is_checked_again(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(import_check, "part_kind_for", lambda dialect: MARSHAL)
    batch = check_file(ctx, csv_file(tmp_path / "r.csv", demo_rows(20, seed=34, county=CHIKAN)), CHIKAN)
    path = batches.spool_path(batch)
    about = spool.manifest(path)
    with open(os.path.join(path, spool.MANIFEST), "w") as handle:
        json.dump(dict(about, marshal_version=marshal.version - 1), handle)
    with pytest.raises(ImportError_) as refused:
        import_commit.commit_batch(db, batch.id)
    assert refused.value.code == "spool_outdated"
    assert persons_of(CHIKAN) == []


def test_a_spool_of_the_format_before_is_still_committed(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(import_check, "part_kind_for", lambda dialect: SQLITE)
    batch = check_file(ctx, csv_file(tmp_path / "r.csv", demo_rows(20, seed=35, county=CHIKAN)), CHIKAN)
    path = batches.spool_path(batch)
    about = spool.manifest(path)
    del about["marshal_version"]
    with open(os.path.join(path, spool.MANIFEST), "w") as handle:
        json.dump(dict(about, format=2), handle)  # as the version before marshal parts wrote it
    import_commit.commit_batch(db, batch.id)
    assert len(persons_of(CHIKAN)) == 20
