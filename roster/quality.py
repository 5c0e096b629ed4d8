"""Data-quality checks on the current roster: each check is one SQL condition, so that a count and
the list of persons behind it always agree."""

from datetime import date, timedelta
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from models import Person, RosterSnapshot
from roster.retirement import statutory_retirement_date


@lru_cache(maxsize=64)
def retirement_birth_cutoff(gender: str, today: date) -> date:
    """Return the latest birth date whose statutory retirement date is on or before today.

    Retirement dates grow with the birth date, so a binary search over days finds the cut-off.
    """
    low, high = date(1900, 1, 1), today
    while low < high:
        middle = low + timedelta(days=(high - low).days // 2 + 1)
        if statutory_retirement_date(middle, gender) <= today:
            low = middle
        else:
            high = middle - timedelta(days=1)
    return low


def _current():
    return Person.snapshot_id.in_(select(RosterSnapshot.id).where(RosterSnapshot.is_current))


def _registered():
    return Person.cancelled_on.is_(None)


def _duplicate_in_county():
    other = aliased(Person)
    return select(other.id).where(
        other.snapshot_id == Person.snapshot_id, other.id_number == Person.id_number, other.id != Person.id
    ).exists()


def _duplicate_across_counties():
    other, snapshot = aliased(Person), aliased(RosterSnapshot)
    return select(other.id).join(snapshot, other.snapshot_id == snapshot.id).where(
        snapshot.is_current, other.id_number == Person.id_number, other.county_code != Person.county_code,
        other.cancelled_on.is_(None),
    ).exists()


def _past_retirement(today: date):
    birth = func.substr(Person.id_number, 7, 8)
    return and_(_registered(), or_(*(
        and_(Person.gender == gender, birth <= retirement_birth_cutoff(gender, today).strftime("%Y%m%d"))
        for gender in ("1", "2")
    )))


def _blank(column):
    return or_(column.is_(None), column == "")


# name: (label, condition factory taking today). Order is the order of the quality page's columns.
FLAGS = {
    "missing_phone": (_l("Phone missing"), lambda today: and_(_registered(), _blank(Person.phone))),
    "missing_address": (_l("Address missing"), lambda today: and_(
        _registered(), _blank(Person.household_address), _blank(Person.residence_address))),
    "missing_reason": (_l("Reason for unemployment missing"),
                       lambda today: and_(_registered(), _blank(Person.unemployment_reason))),
    "duplicate_in_county": (_l("ID number twice in the county"), lambda today: _duplicate_in_county()),
    "duplicate_across_counties": (_l("Registered in two counties"),
                                  lambda today: and_(_registered(), _duplicate_across_counties())),
    "past_retirement": (_l("Past statutory retirement age, still registered"), _past_retirement),
    "future_cancellation": (_l("Cancellation date in the future"), lambda today: Person.cancelled_on > today),
}


def flag_condition(flag: str, today: date):
    """Return the SQL condition of a named check (KeyError for an unknown one)."""
    return FLAGS[flag][1](today)


def county_quality(session, today: date, county_codes=None) -> list[dict]:
    """Count, per county of the current roster, the persons and every quality flag."""
    columns = [func.count(Person.id).label("total"),
               func.count(Person.id).filter(_registered()).label("registered")]
    columns += [func.count(Person.id).filter(flag_condition(name, today)).label(name) for name in FLAGS]
    query = select(Person.county_code, *columns).where(_current()).group_by(Person.county_code)
    if county_codes is not None:
        query = query.where(Person.county_code.in_(county_codes))
    return [dict(row._mapping) for row in session.execute(query.order_by(Person.county_code))]
