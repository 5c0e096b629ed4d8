"""Queries over the current roster, always limited to what the user may see."""

from dataclasses import dataclass

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
    stmt = scope_to_county(current_persons(), Person.county_code, user)
    if flag:
        from roster.quality import flag_condition

        stmt = stmt.where(flag_condition(flag, today))
    if county_code:
        stmt = stmt.where(Person.county_code == county_code)
    if status == "registered":
        stmt = stmt.where(Person.cancelled_on.is_(None))
    elif status == "cancelled":
        stmt = stmt.where(Person.cancelled_on.is_not(None))
    if query is not None and query.refused:
        return PersonPage([], 0, page, page_size, refused=True)
    if query is not None:
        stmt = stmt.where(search_condition(query))
    total = None
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
