"""Queries over the current roster, always limited to what the user may see."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, true

from auth.permissions import scope_to_county
from core.privacy import mask_id_number, mask_phone
from models import Person, RosterSnapshot

# A search with at most this many matches is counted from their ids and paged by id (search_persons).
FEW_MATCHES = 1000


@dataclass
class PersonPage:
    rows: list
    total: int
    page: int
    page_size: int
    refused: bool = False  # digits that are no full number: nothing is searched (roster/search.py)

    @property
    def pages(self) -> int:
        return max((self.total + self.page_size - 1) // self.page_size, 1)


def current_persons():
    """Select persons of every county's current snapshot."""
    return select(Person).join(RosterSnapshot, Person.snapshot_id == RosterSnapshot.id).where(
        RosterSnapshot.is_current
    )


def search_persons(session, query=None, county_code=None, status="registered", page=1, page_size=50, user=None,
                   flag=None, today=None):
    """Find persons of the current roster by a parsed search (roster.search.SearchQuery), or by a
    data-quality flag."""
    conditions = []
    if flag:
        from roster.quality import flag_condition

        conditions.append(flag_condition(flag, today))
    if status == "registered":
        conditions.append(Person.cancelled_on.is_(None))
    elif status == "cancelled":
        conditions.append(Person.cancelled_on.is_not(None))
    stmt = scope_to_county(current_persons(), Person.county_code, user).where(*conditions)
    if county_code:
        stmt = stmt.where(Person.county_code == county_code)
    if query is not None and query.refused:
        return PersonPage([], 0, page, page_size, refused=True)
    if query is not None:
        stmt = stmt.where(search_condition(query))
    total = None
    if query is None or not (query.kind or query.name):
        # Unsearched: the snapshots' stored counts, or a flag's persons counted as the quality page counts them.
        total = (count_per_snapshot(session, conditions, county_code, user) if flag
                 else stored_count(session, county_code, status, user))
    if query is not None and (query.name or query.id_number or query.phone):
        # A name fragment cannot be sought: counting its matches reads every candidate, and the page of a
        # rare name (a whole name, a name with the last four digits) would read them all again to find its
        # few rows. So the ids of the first FEW_MATCHES + 1 matches come first: when that is all of them,
        # they are the count and the page is read by id, in one pass over the candidates.
        ids = session.scalars(stmt.with_only_columns(Person.id).limit(FEW_MATCHES + 1)).all()
        if len(ids) <= FEW_MATCHES:
            stmt, total = select(Person).where(Person.id.in_(ids)), len(ids)
    if total is None:
        total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(
        stmt.order_by(Person.county_code, Person.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return PersonPage([masked_person(p) for p in rows], total, page, page_size)


def stored_count(session, county_code=None, status="registered", user=None) -> int | None:
    """Count the persons of the current roster (one county's, of a status) from the counts each snapshot
    stored as it became current (roster.snapshots.make_current): the list's total without reading a
    million persons. None when a current snapshot stored none, for the caller to count the persons."""
    S = RosterSnapshot
    column: Any  # a count column, or the difference of two
    if status == "registered":
        column = S.registered_count
    elif status == "cancelled":
        column = S.person_count - S.registered_count
    else:
        column = S.person_count
    missing = func.count().filter(or_(S.person_count.is_(None), S.registered_count.is_(None)))
    stmt = scope_to_county(select(func.sum(column), missing).where(S.is_current), S.county_code, user)
    if county_code:
        stmt = stmt.where(S.county_code == county_code)
    total, unknown = session.execute(stmt).one()
    return None if unknown else int(total or 0)


def count_per_snapshot(session, conditions: list, county_code=None, user=None) -> int:
    """Count the current roster's persons that meet the conditions snapshot by snapshot, as the quality
    page counts a flag (roster.quality.county_quality): within one snapshot a flag's persons are a range
    of its partial index, where one count over every county walked the whole snapshot index on PostgreSQL."""
    S = RosterSnapshot
    in_snapshot = (select(func.count()).select_from(Person)
                   .where(Person.snapshot_id == S.id, *conditions).scalar_subquery())
    stmt = scope_to_county(select(func.coalesce(func.sum(in_snapshot), 0)).where(S.is_current), S.county_code, user)
    if county_code:
        stmt = stmt.where(S.county_code == county_code)
    return int(session.scalar(stmt))


def search_condition(query):
    """Return the WHERE condition of a search: names by fragment, numbers only by their full value."""
    if query.id_number:
        return Person.id_number == query.id_number
    if query.phone:
        return Person.phone == query.phone
    condition = Person.name.contains(query.name, autoescape=True) if query.name else true()
    if query.last4:  # only ever with a name (roster.search.parse_query)
        condition = and_(condition, or_(Person.id_number.endswith(query.last4, autoescape=True),
                                        Person.phone.endswith(query.last4, autoescape=True)))
    return condition


def masked_person(person: Person) -> dict:
    """Return a person's list fields with ID and phone masked."""
    return {
        "id": person.id,
        "county_code": person.county_code,
        "name": person.name,
        "gender": person.gender,
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "unemployment_reason": person.unemployment_reason,
        "registered_on": person.registered_on.isoformat(),
        "employment_status": person.employment_status,
        "cancelled_on": person.cancelled_on.isoformat() if person.cancelled_on else None,
    }
