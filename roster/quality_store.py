"""The data-quality facts stored on each person, so that the quality page counts indexed rows instead of
searching the roster (roster/quality.py reads them).

A snapshot never changes, so most of its quality is fixed when it is written:

- row by row, as the rows are inserted (`row_facts`): a missing phone, address or reason, and the
  day the person reaches statutory retirement age (the page compares it with today);
- over the whole snapshot, once its rows are in (`mark_snapshot_duplicates`): an ID number twice in
  the county's snapshot.

Only "registered in two counties" depends on more than the snapshot: on which snapshots are
current. `refresh_cross_county` recomputes it whenever snapshots become current (`make_current`
calls it), for the ID numbers the new and the replaced snapshots hold, wherever they are registered;
a snapshot that stops being current loses the flag. A restore copies the snapshot-only facts from
the snapshot it brings back.
"""

from sqlalchemy import false, func, select, text, true, update
from sqlalchemy.orm import aliased

from models import Person, RosterSnapshot
from roster.row_facts import ROW_FACT_COLUMNS, retirement_day, row_facts

__all__ = ["ROW_FACT_COLUMNS", "PERSON_FACTS", "retirement_day", "row_facts", "row_facts_of",
           "mark_snapshot_duplicates", "mark_repeated_ids", "refresh_cross_county"]

# Every fact of the snapshot's own, which a restore copies with the rows.
PERSON_FACTS = (*ROW_FACT_COLUMNS, "flag_duplicate_in_county")

# pg_advisory_xact_lock key held while the cross-county flag is recomputed: "QUAL" in ASCII.
CROSS_COUNTY_LOCK_KEY = 0x5155414C


def row_facts_of(record: dict) -> dict:
    """Return row_facts as a dict of columns, for a person given as a dict of its columns."""
    return dict(zip(ROW_FACT_COLUMNS, row_facts(
        record.get("gender"), record.get("id_number"), record.get("phone"), record.get("household_address"),
        record.get("residence_address"), record.get("unemployment_reason"), record.get("cancelled_on")),
        strict=True))


def mark_snapshot_duplicates(session, snapshot_ids) -> None:
    """Flag the persons whose ID number occurs twice or more in their own (new) snapshot."""
    for snapshot_id in snapshot_ids:
        twice = (select(Person.id_number).where(Person.snapshot_id == snapshot_id)
                 .group_by(Person.id_number).having(func.count() > 1))
        session.execute(update(Person).where(Person.snapshot_id == snapshot_id, Person.id_number.in_(twice))
                        .values(flag_duplicate_in_county=True), execution_options={"synchronize_session": False})


def mark_repeated_ids(session, repeated: dict[int, list[str]]) -> None:
    """Flag, in each new snapshot, the persons of the ID numbers it holds twice or more, as known from
    the file ({snapshot id: those ID numbers}): mark_snapshot_duplicates without grouping the snapshot."""
    options = {"synchronize_session": False}
    # Found by ID number (a few index probes), not by reading the snapshot's persons for them.
    in_snapshot = _off_index(session, Person.snapshot_id)
    for snapshot_id, id_numbers in repeated.items():
        for start in range(0, len(id_numbers), 500):
            session.execute(update(Person).where(in_snapshot == snapshot_id,
                                                 Person.id_number.in_(id_numbers[start:start + 500]))
                            .values(flag_duplicate_in_county=True), execution_options=options)


def refresh_cross_county(session, new_ids, replaced_ids) -> None:
    """Bring "registered in two counties" up to date after the snapshots new_ids replaced replaced_ids as
    current (the new snapshots' persons come in unflagged).

    The flag is true on a registered person of a current snapshot when a registered person of another
    county's current snapshot has the same ID number. Three set-based statements, each driven by an
    index: the replaced snapshots lose their flags; every flagged person whose partner may have gone
    with a replaced snapshot is checked again (the flagged are few: one partial index); and the ID
    numbers of the new snapshots' persons that another county also holds are flagged wherever they are
    registered (one id_number index lookup per new person). On PostgreSQL two of these at once take
    turns (an advisory lock), so that each sees the other's new snapshot; SQLite writes one transaction
    at a time anyway.
    """
    new_ids, replaced_ids = list(new_ids), list(replaced_ids)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CROSS_COUNTY_LOCK_KEY})
        # Fresh statistics: planned with a table the planner still thinks empty (a new database, the
        # demo), the correlated lookups below ran as nested scans (25 s for 30,000 persons). ANALYZE
        # samples a fixed number of rows, a fraction of a second whatever the table's size.
        session.execute(text("ANALYZE person"))
    flag = Person.flag_duplicate_across_counties
    options = {"synchronize_session": False}
    if replaced_ids:
        session.execute(update(Person).where(Person.snapshot_id.in_(replaced_ids), flag == true())
                        .values(flag_duplicate_across_counties=False), execution_options=options)
        session.execute(update(Person).where(flag == true(), ~_registered_elsewhere(Person))
                        .values(flag_duplicate_across_counties=False), execution_options=options)
    first, last = session.execute(select(func.min(Person.id), func.max(Person.id))
                                  .where(Person.snapshot_id.in_(new_ids))).one() if new_ids else (None, None)
    if first is not None:
        new = aliased(Person)
        # The new snapshots' persons are read in table order over the ids they span (they were written
        # together), not through a snapshot index in another order: on SQLite, a million reads at
        # random places of the table otherwise.
        in_new = _off_index(session, new.snapshot_id).in_(new_ids)
        shared = select(new.id_number).where(new.id.between(first, last), in_new, new.cancelled_on.is_(None),
                                             _registered_elsewhere(new))
        in_current = (select(RosterSnapshot.id).where(RosterSnapshot.id == Person.snapshot_id, RosterSnapshot.is_current)
                      .exists())
        session.execute(update(Person).where(Person.id_number.in_(shared), flag == false(),
                                             Person.cancelled_on.is_(None), in_current)
                        .values(flag_duplicate_across_counties=True), execution_options=options)


def _off_index(session, column):
    """Return an integer column as SQLite's planner will not read through its index ("column + 0"), where
    another condition picks far fewer rows than that index would; unchanged for PostgreSQL, which
    weighs the conditions by its statistics."""
    return column + 0 if session.get_bind().dialect.name == "sqlite" else column


def _registered_elsewhere(person):
    """Say whether a registered person of another county's current snapshot has person's ID number."""
    other = aliased(Person)
    return (select(other.id).join(RosterSnapshot, other.snapshot_id == RosterSnapshot.id)
            .where(other.id_number == person.id_number, other.county_code != person.county_code,
                   other.cancelled_on.is_(None), RosterSnapshot.is_current).exists())
