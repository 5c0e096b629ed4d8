"""The stored data quality stays exactly what a recomputation from scratch gives, through imports and
restores across counties: an ID moving between counties, a duplicate disappearing, a restore bringing
one back, a cancellation, a file of several counties at once."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.extensions import db
from models import Person, RosterSnapshot
from roster import import_commit
from roster.quality_store import retirement_day
from roster.snapshots import restore_snapshot
from support.import_files import TODAY, csv_file, demo_rows
from support.quality_check import assert_quality_is_exact
from support.register import check_file, register

A, B, C = "440802", "440825", "440881"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def moved(rows, county):
    return [dict(r, county_code=county) for r in rows]


def cross_flags(county):
    return set(db.session.scalars(select(Person.id_number).join(RosterSnapshot).where(
        RosterSnapshot.is_current, Person.county_code == county, Person.flag_duplicate_across_counties)))


def test_imports_and_restores_keep_the_stored_quality_exact(ctx, tmp_path):
    base = demo_rows(200, seed=11)
    ids = [r["id_number"] for r in base]
    # A holds 0-79 and one of its persons twice; B holds 60-139: 60-79 are in both.
    register(ctx, tmp_path, A, moved(base[:80] + base[:1], A), name="a1.csv")
    counts = assert_quality_is_exact(db.session, TODAY)
    assert [c["duplicate_in_county"] for c in counts] == [2] and not cross_flags(A)

    register(ctx, tmp_path, B, moved(base[60:140], B), name="b1.csv")
    assert_quality_is_exact(db.session, TODAY)
    shared = {i for i, r in zip(ids[60:80], base[60:80], strict=True) if r["cancelled_on"] is None}
    assert shared and cross_flags(A) == shared == cross_flags(B)
    b_with_shared = db.session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.county_code == B,
                                                                      RosterSnapshot.is_current))

    # B's new register no longer holds 60-79: the duplicates disappear from A too.
    register(ctx, tmp_path, B, moved(base[80:140], B), name="b2.csv")
    assert_quality_is_exact(db.session, TODAY)
    assert not cross_flags(A) and not cross_flags(B)

    # Persons 70-74 move from A to C (A's next register drops them), 75-79 are in both A and C.
    register(ctx, tmp_path, C, moved(base[70:80], C), name="c1.csv")
    register(ctx, tmp_path, A, moved(base[:70] + base[75:80], A), name="a2.csv")
    assert_quality_is_exact(db.session, TODAY)

    # Restoring B's register of before brings 60-79 back into B: flagged in A, B and C again.
    restore_snapshot(db, B, b_with_shared, reason="wrong file")
    assert_quality_is_exact(db.session, TODAY)
    assert cross_flags(B) == shared

    # A cancels its persons 60-69: they no longer count as registered twice.
    cancelled = [dict(r, cancelled_on=TODAY - timedelta(days=3)) if 60 <= i < 70 else r
                 for i, r in enumerate(base[:70])]
    register(ctx, tmp_path, A, moved(cancelled + base[75:80], A), name="a3.csv")
    assert_quality_is_exact(db.session, TODAY)

    # One file for B and C at once, then undoing A's last import.
    both = moved(base[100:150], B) + moved(base[60:75] + base[150:160], C)
    batch = check_file(ctx, csv_file(tmp_path / "bc.csv", both))
    import_commit.commit_batch(db, batch.id, confirm_removals=True)
    assert_quality_is_exact(db.session, TODAY)
    restore_snapshot(db, A, reason="undo")
    assert_quality_is_exact(db.session, TODAY)
    assert_quality_is_exact(db.session, date(2040, 1, 1))  # the retirement ages move with the day


def test_the_demo_loader_stores_its_quality(ctx, runner):
    runner.invoke(args=["demo", "--persons", "2000", "--seed", "3"])
    counts = assert_quality_is_exact(db.session, date.today())
    for flag in ("missing_phone", "duplicate_in_county", "duplicate_across_counties", "past_retirement"):
        assert sum(row[flag] for row in counts) > 0, flag


@pytest.mark.parametrize(("id_number", "gender", "expected"), [
    ("440802196501310011", "1", date(2025, 2, 28)),  # one month's delay, clamped to February's end
    ("440802195006150011", "1", date(2010, 6, 15)),
    ("440802197102290022", "2", None),  # no 29 February in 1971
    ("440802197202290022", "2", date(2027, 9, 29)),  # 55 years + 25 // 4 + 1 = 7 months
    ("440802196501310011", None, None),
    ("4408021965", "1", None),
    ("44080218990101001X", "1", None),
])
def test_retirement_day(id_number, gender, expected):
    assert retirement_day(id_number, gender) == expected
