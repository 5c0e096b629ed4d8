"""Data-quality checks on the current roster: each check is one SQL condition on facts stored with the
persons (roster/quality_store.py), so that a count and the list of persons behind it always agree,
and both read indexed rows instead of searching the roster."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, true

from models import Person, RosterSnapshot


def _registered():
    return Person.cancelled_on.is_(None)


def _past_retirement(today: date):
    return and_(_registered(), Person.retirement_on <= today)  # ix_person_registered_retirement


def _stored(column):
    # "= true": SQLite writes it "flag = 1", the condition of the flag's partial index there
    # (PostgreSQL simplifies it to "flag", its partial index's condition).
    return lambda today: column == true()


# name: (label, condition factory taking today). Order is the order of the quality page's columns.
FLAGS = {
    "missing_phone": (_l("Phone missing"), _stored(Person.flag_missing_phone)),
    "missing_address": (_l("Address missing"), _stored(Person.flag_missing_address)),
    "missing_reason": (_l("Reason for unemployment missing"), _stored(Person.flag_missing_reason)),
    "duplicate_in_county": (_l("ID number twice in the county"), _stored(Person.flag_duplicate_in_county)),
    "duplicate_across_counties": (_l("Registered in two counties"),
                                  _stored(Person.flag_duplicate_across_counties)),
    "past_retirement": (_l("Past statutory retirement age, still registered"), _past_retirement),
    "future_cancellation": (_l("Cancellation date in the future"), lambda today: Person.cancelled_on > today),
}


def flag_condition(flag: str, today: date):
    """Return the SQL condition of a named check (KeyError for an unknown one)."""
    return FLAGS[flag][1](today)


def county_quality(session, today: date, county_codes=None) -> list[dict]:
    """Count, per county of the current roster, the persons and every quality flag.

    One row per current snapshot with persons; each count is a range of one partial index within the
    snapshot (the flagged persons only), and the registered are the snapshot's rows less the cancelled.
    """
    def count(condition):
        return (select(func.count()).select_from(Person)
                .where(Person.snapshot_id == RosterSnapshot.id, condition).scalar_subquery())

    columns = [RosterSnapshot.row_count.label("total"),
               (RosterSnapshot.row_count - count(Person.cancelled_on.is_not(None))).label("registered")]
    columns += [count(flag_condition(name, today)).label(name) for name in FLAGS]
    query = select(RosterSnapshot.county_code, *columns).where(RosterSnapshot.is_current, RosterSnapshot.row_count > 0)
    if county_codes is not None:
        query = query.where(RosterSnapshot.county_code.in_(county_codes))
    return [dict(row._mapping) for row in session.execute(query.order_by(RosterSnapshot.county_code))]
