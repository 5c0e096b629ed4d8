"""Queries over the current roster, always limited to what the user may see."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from auth.permissions import scope_to_county
from models import Person, RosterSnapshot
from privacy import mask_id_number, mask_phone


@dataclass
class PersonPage:
    rows: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.page_size - 1) // self.page_size, 1)


def current_persons():
    """Select persons of every county's current snapshot."""
    return select(Person).join(RosterSnapshot, Person.snapshot_id == RosterSnapshot.id).where(
        RosterSnapshot.is_current
    )


def search_persons(session, text="", county_code=None, status="registered", page=1, page_size=50, user=None,
                   flag=None, today=None):
    """Find persons of the current roster by name, ID number or phone (fragments match), or by a
    data-quality flag."""
    query = scope_to_county(current_persons(), Person.county_code, user)
    if flag:
        from roster.quality import flag_condition

        query = query.where(flag_condition(flag, today))
    if county_code:
        query = query.where(Person.county_code == county_code)
    if status == "registered":
        query = query.where(Person.cancelled_on.is_(None))
    elif status == "cancelled":
        query = query.where(Person.cancelled_on.is_not(None))
    text = (text or "").strip()
    if text:
        like = f"%{text}%"
        query = query.where(or_(Person.name.like(like), Person.id_number.like(like), Person.phone.like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(Person.county_code, Person.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return PersonPage([masked_person(p) for p in rows], total, page, page_size)


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
