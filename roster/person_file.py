"""One person's file: their roster rows across snapshots, every campaign they were drawn in, the
follow-up tasks, attempts, verification records and rectification items — ID and phone masked, a full
number only through `reveal`, which writes the read to the audit log.

A person is the same citizen ID number in the register. A county-scoped user sees only the rows and
the work of their county (another county's person is "not found"); an unscoped user sees every county.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select

from auth.permissions import county_scope
from campaigns.export import ROLES, STATUSES
from core import auditlog
from core.auditlog import AuditLog
from core.extensions import db
from core.orm import utcnow
from core.privacy import mask_core_value, mask_id_number, mask_phone
from models import (
    Attempt,
    Campaign,
    Draw,
    FollowUpTask,
    Person,
    RectificationItem,
    RosterSnapshot,
    SampleUnit,
    User,
    Verification,
)
from reports import labels

REVEAL_FIELDS = ("id_number", "phone")
REVEAL_SHOWN_FOR = timedelta(minutes=10)  # a revealed number stays on the page this long, then is masked again


class Reader(NamedTuple):
    """Who reads, as the scope check and the audit log need it."""

    id: int
    username: str
    county_code: str | None
    is_authenticated: bool = True


class PersonNotFound(LookupError):
    """No such person, or not in the user's county scope."""


@dataclass
class PersonFile:
    person: Person
    masked_id_number: str
    masked_phone: str
    rows: list = field(default_factory=list)
    draws: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    verifications: list = field(default_factory=list)
    items: list = field(default_factory=list)

    def as_json(self) -> dict:
        """Return the file as the API answers it (times in ISO 8601, numbers masked)."""
        def plain(rows: list) -> list:
            return [{key: value.isoformat() if isinstance(value, date | datetime) else value
                     for key, value in row.items() if key != "draw"} for row in rows]

        return {"id": self.person.id, "county": self.person.county_code, "name": self.person.name,
                "id_number": self.masked_id_number, "phone": self.masked_phone, "rows": plain(self.rows),
                "draws": plain(self.draws), "tasks": plain(self.tasks), "attempts": plain(self.attempts),
                "verifications": plain(self.verifications), "rectification_items": plain(self.items)}


def visible_person(session, user, person_id: int) -> Person:
    """Load a person row the user may see, else raise PersonNotFound."""
    person = session.get(Person, person_id)
    scope = county_scope(user)
    if person is None or (scope and person.county_code != scope):
        raise PersonNotFound(person_id)
    return person


def person_file(session, user, person_id: int) -> PersonFile:
    """Gather everything stored about the person, within the user's county scope, masked."""
    person = visible_person(session, user, person_id)
    scope = county_scope(user)
    query = (select(Person, RosterSnapshot).join(RosterSnapshot, RosterSnapshot.id == Person.snapshot_id)
             .where(Person.id_number == person.id_number))
    if scope:
        query = query.where(Person.county_code == scope)
    found = PersonFile(person, mask_id_number(person.id_number), mask_phone(person.phone))
    for row, snapshot in session.execute(query.order_by(RosterSnapshot.created_at.desc(), Person.id.desc())):
        found.rows.append(_row(row, snapshot))
    ids = [r["id"] for r in found.rows]
    for unit, draw, campaign in session.execute(
            select(SampleUnit, Draw, Campaign).join(Draw, Draw.id == SampleUnit.draw_id)
            .join(Campaign, Campaign.id == Draw.campaign_id).where(SampleUnit.person_id.in_(ids))
            .order_by(Draw.id.desc())):
        found.draws.append({"unit_id": unit.id, "draw_id": draw.id, "draw": draw, "campaign_id": campaign.id,
                            "campaign": campaign.name, "county_code": unit.county_code, "stratum": unit.stratum,
                            "rank": unit.rank, "role": unit.role, "role_label": str(ROLES.get(unit.role, unit.role)),
                            "status": unit.status, "status_label": str(STATUSES.get(unit.status, unit.status)),
                            "superseded": draw.superseded})
    tasks = list(session.scalars(select(FollowUpTask).where(FollowUpTask.person_id.in_(ids))
                                 .order_by(FollowUpTask.id.desc())))
    task_ids = [t.id for t in tasks]
    names = _user_names(session, {t.assigned_to_id for t in tasks})
    found.tasks = [{"id": t.id, "campaign_id": t.campaign_id, "county_code": t.county_code, "status": t.status,
                    "channel": t.channel, "due_at": t.due_at, "final_outcome": t.final_outcome,
                    "attempts": t.phone_attempts_used + t.visit_attempts_used,
                    "caller": names.get(t.assigned_to_id)} for t in tasks]
    attempts = list(session.scalars(select(Attempt).where(Attempt.task_id.in_(task_ids))
                                    .order_by(Attempt.at.desc(), Attempt.id.desc())))
    names.update(_user_names(session, {a.caller_id for a in attempts}))
    found.attempts = [{"id": a.id, "task_id": a.task_id, "at": a.at, "channel": a.channel,
                       "disposition": a.disposition, "appointment_at": a.appointment_at, "note": a.note,
                       "caller": names.get(a.caller_id)} for a in attempts]
    found.verifications = [{
        "id": v.id, "task_id": v.task_id, "checked_on": v.checked_on, "respondent": v.respondent,
        "identity_confirmed": v.identity_confirmed, "current_status": v.current_status,
        "status_since": v.status_since, "discrepancies": list(v.discrepancies or []),
        "services": list(v.services or []), "version": v.version,
        "corrections": {name: mask_core_value(name, value) for name, value in (v.corrections or {}).items()},
    } for v in session.scalars(select(Verification).where(Verification.task_id.in_(task_ids))
                               .order_by(Verification.id.desc()))]
    found.items = [{"id": i.id, "campaign_id": i.campaign_id, "county_code": i.county_code,
                    "discrepancy_type": i.discrepancy_type, "type_label": labels.type_label(i.discrepancy_type),
                    "status": i.status, "status_label": labels.rectification_label(i.status), "due_on": i.due_on,
                    "rectified_on": i.rectified_on}
                   for i in session.scalars(select(RectificationItem).where(RectificationItem.person_id.in_(ids))
                                            .order_by(RectificationItem.id.desc()))]
    return found


def _row(person: Person, snapshot: RosterSnapshot) -> dict:
    """Return one roster row of the person with ID and phone masked."""
    return {"id": person.id, "snapshot_id": snapshot.id, "snapshot_at": snapshot.created_at,
            "current": snapshot.is_current, "source": snapshot.source, "county_code": person.county_code,
            "name": person.name, "gender": person.gender, "id_number": mask_id_number(person.id_number),
            "phone": mask_phone(person.phone), "residence_address": person.residence_address,
            "unemployment_reason": person.unemployment_reason, "registered_on": person.registered_on,
            "registering_agency": person.registering_agency, "employment_status": person.employment_status,
            "cancelled_on": person.cancelled_on}


def _user_names(session, ids: set) -> dict:
    """Return the display names of users by id."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u.display_name or u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}


def reveal(user, person_id: int, field_name: str, via: str) -> tuple[int, str]:
    """Read one person row's full ID or phone number, writing the read to the audit log; return the
    entry's id (the page shows the number again from it, without a second read) and the value."""
    if field_name not in REVEAL_FIELDS:
        raise ValueError(field_name)
    user = Reader(user.id, user.username, user.county_code)  # read once: the transaction starts with a rollback
    with db.write_transaction() as session:
        person = visible_person(session, user, person_id)
        value = getattr(person, field_name) or ""
        entry = auditlog.record(f"person.reveal_{field_name}", "person", person.id, user=user, via=via)
        session.flush()
        return entry.id, value


def revealed_value(session, user, person_id: int, entry_id: int) -> tuple[str, str] | None:
    """Return (field, value) that the user's own recent reveal entry of this person allows to show, else None.

    Measured against the wall clock, as the audit log stamps its entries."""
    now = utcnow()
    entry = session.get(AuditLog, entry_id)
    if (entry is None or entry.user_id != user.id or entry.object_type != "person"
            or entry.object_id != str(person_id) or not entry.action.startswith("person.reveal_")):
        return None
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=now.tzinfo)
    if not now - REVEAL_SHOWN_FOR <= at <= now + timedelta(minutes=1):
        return None
    name = entry.action.removeprefix("person.reveal_")
    if name not in REVEAL_FIELDS:
        return None
    person = visible_person(session, user, person_id)
    return name, getattr(person, name) or ""
