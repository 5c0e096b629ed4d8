"""Migration 0013 fills the stored data quality of the persons already in the database, in SQL, with
the same values the app writes for new snapshots."""

from datetime import date, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from core import migrate
from support.quality_check import assert_quality_is_exact, expected_facts

A, B = "440802", "440825"


def person(n, snapshot, county, id_number, gender="1", phone="+8613800000000", cancelled=None, reason="01",
           address="广东省湛江市"):
    return {"id": n, "snapshot_id": snapshot, "county_code": county, "name": f"人{n}", "gender": gender,
            "id_number": id_number, "phone": phone, "household_address": address, "residence_address": None,
            "unemployment_reason": reason, "registered_on": date(2025, 3, 1), "cancelled_on": cancelled}


def old_rows() -> list[dict]:
    rows = []
    day = date(1949, 12, 1)
    while day < date(1992, 3, 1):  # every birth month's first and last days, both genders
        for birth in (day, day.replace(day=28) if day.month == 2 else day + timedelta(days=29)):
            for gender in ("1", "2"):
                rows.append(person(len(rows) + 1, 1, A, f"440802{birth:%Y%m%d}00{gender}1", gender))
        day = (day + timedelta(days=32)).replace(day=1)
    odd = ["44080219650229001X", "44080219640229001X", "44080219651301001X", "4408021965013", "440802ABCDEFGH001X",
           "44080218991231001X", "44080219650131001X"]
    for number in odd:
        rows.append(person(len(rows) + 1, 1, A, number))
    rows.append(person(len(rows) + 1, 1, A, "44080219700101001X", gender=None))
    rows.append(person(len(rows) + 1, 1, A, "440802198001010091", phone="", reason=None, address=None))
    rows.append(person(len(rows) + 1, 1, A, "440802198001010091", cancelled=date(2025, 5, 1), phone=None))
    rows.append(person(len(rows) + 1, 2, B, "440802198001010091"))  # in A and B
    rows.append(person(len(rows) + 1, 2, B, "440802198101010091", cancelled=date(2025, 5, 1)))
    rows.append(person(len(rows) + 1, 1, A, "440802198101010091"))  # B's is cancelled: not twice
    rows.append(person(len(rows) + 1, 3, B, "440802198201010091"))  # B's old snapshot
    rows.append(person(len(rows) + 1, 1, A, "440802198201010091"))
    return rows


def test_the_migration_fills_the_quality_of_existing_persons(database_url):
    migrate.downgrade(database_url, "0012")
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO roster_snapshot (id, county_code, source, created_at, row_count, is_current) "
                              "VALUES (:id, :county, 'old', :at, :rows, :current)"),
                         [{"id": 1, "county": A, "at": date(2025, 1, 1), "rows": 0, "current": True},
                          {"id": 3, "county": B, "at": date(2025, 1, 1), "rows": 0, "current": False},
                          {"id": 2, "county": B, "at": date(2025, 1, 1), "rows": 0, "current": True}])
            rows = old_rows()
            conn.execute(text(
                "INSERT INTO person (id, snapshot_id, county_code, name, gender, id_number, phone, household_address, "
                "residence_address, unemployment_reason, registered_on, cancelled_on) VALUES (:id, :snapshot_id, "
                ":county_code, :name, :gender, :id_number, :phone, :household_address, :residence_address, "
                ":unemployment_reason, :registered_on, :cancelled_on)"), rows)
            for snapshot in (1, 2, 3):
                conn.execute(text("UPDATE roster_snapshot SET row_count = (SELECT count(*) FROM person "
                                  "WHERE snapshot_id = :s) WHERE id = :s"), {"s": snapshot})
        migrate.upgrade(database_url)
        with Session(engine) as session:
            facts = expected_facts(session)
            assert sum(f["retirement_on"] is not None for f in facts.values()) == len(rows) - 6
            assert sum(f["flag_duplicate_across_counties"] for f in facts.values()) == 2
            assert_quality_is_exact(session, date(2026, 12, 10))
            # 0014 counted each snapshot's persons and registered persons too.
            for snapshot in (1, 2, 3):
                persons = [r for r in rows if r["snapshot_id"] == snapshot]
                counted = session.execute(text("SELECT person_count, registered_count FROM roster_snapshot "
                                               "WHERE id = :s"), {"s": snapshot}).one()
                assert tuple(counted) == (len(persons), sum(r["cancelled_on"] is None for r in persons))
    finally:
        engine.dispose()
        migrate.upgrade(database_url)
