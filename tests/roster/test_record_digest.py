"""The import stores each person's record digest, so that the next import of the county compares its
file with the current roster without reading every field; persons written without one (the demo, or
before the digest was stored) are compared as before, by computing theirs."""

import os

import pytest
from sqlalchemy import select, update

from core.extensions import db
from models import Person, RosterSnapshot
from roster import import_check
from roster.checking import record_digest
from roster.import_check import COMPARED
from support.import_files import csv_file, demo_rows
from support.register import CHIKAN, check_file, register


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def current_persons(county):
    return db.session.scalars(select(Person).join(RosterSnapshot).where(
        RosterSnapshot.is_current, Person.county_code == county).order_by(Person.id)).all()


def digest_of(person):
    values = [getattr(person, c) for c in COMPARED]
    return record_digest([v.isoformat() if hasattr(v, "isoformat") else v for v in values])


def test_imported_persons_carry_the_digest_of_their_stored_fields(ctx, tmp_path):
    register(ctx, tmp_path, CHIKAN, demo_rows(60, seed=21, county=CHIKAN))
    persons = current_persons(CHIKAN)
    assert len(persons) == 60
    assert all(p.record_digest is not None and p.record_digest == digest_of(p) for p in persons)
    assert all(-2**63 <= p.record_digest < 2**63 for p in persons)  # a signed BIGINT on both databases


@pytest.mark.parametrize("stored", [True, False], ids=["stored digests", "digests computed"])
def test_a_reimport_finds_the_unchanged_and_the_changed_persons_with_or_without_stored_digests(
        ctx, tmp_path, stored):
    rows = demo_rows(60, seed=22, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows, name="first.csv")
    if not stored:  # as the demo loader and earlier imports left them
        db.session.execute(update(Person).values(record_digest=None))
        db.session.commit()
    changed = [dict(r, household_address="广东省湛江市赤坎区新地址1号") if i in (3, 7) else r
               for i, r in enumerate(rows)]
    batch = check_file(ctx, csv_file(tmp_path / "second.csv", changed[:-1]), CHIKAN)
    assert (batch.unchanged, batch.updated, batch.added, batch.removed) == (57, 2, 0, 1)


def test_the_roster_of_a_snapshot_reads_the_same_with_stored_and_computed_digests(ctx, tmp_path):
    rows = demo_rows(80, seed=23, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows + rows[:2])  # two persons twice: keys "#2"
    snapshot = db.session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.is_current))
    stored = import_check._snapshot_roster(db.session, snapshot)
    db.session.execute(update(Person).where(Person.id % 2 == 0).values(record_digest=None))
    db.session.commit()
    assert import_check._snapshot_roster(db.session, snapshot) == stored
    assert len(stored) == 82 and sum("#2" in key for key in stored) == 2


@pytest.mark.parametrize("spooled_by", ["pickles before the spool folder", "a folder of another format"])
def test_a_spool_checked_before_an_upgrade_is_refused_and_nothing_is_written(ctx, tmp_path, spooled_by):
    import json
    import pickle

    from roster import batches, import_commit
    from roster.batches import ImportError_
    from roster.spool import COLUMNS, read_spool, remove_spool

    batch = check_file(ctx, csv_file(tmp_path / "old.csv", demo_rows(20, seed=24, county=CHIKAN)), CHIKAN)
    path = batches.spool_path(batch)
    records = [record for chunk in read_spool(path) for record in chunk]
    if spooled_by.startswith("pickles"):
        remove_spool(path)
        with open(path, "wb") as handle:  # as the version before 0023 spooled them: a file, the columns only
            pickle.dump([record[:len(COLUMNS)] for record in records], handle)
    else:
        with open(os.path.join(path, "manifest.json")) as handle:
            about = json.load(handle)
        with open(os.path.join(path, "manifest.json"), "w") as handle:
            json.dump(dict(about, format=about["format"] + 1), handle)
    with pytest.raises(ImportError_) as refused:
        import_commit.commit_batch(db, batch.id)
    assert refused.value.code == "spool_outdated"
    assert db.session.get(type(batch), batch.id).status == "failed"
    assert current_persons(CHIKAN) == []
