"""Rectification (整改): every confirmed discrepancy becomes an item of its county's list.

The county's manager marks an item rectified with a note and a date; a coordinator accepts it or
reopens it (退回重改) with a new due date. Generation is idempotent: it adds the items of new
findings, withdraws items whose finding a corrected record no longer confirms, and restores them if
it comes back. Every change is written to the audit log with the change itself.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from auth.permissions import can, county_scope
from config.verification import RECTIFICATION_SOURCES
from core import auditlog
from core.extensions import db
from core.i18n import label
from core.privacy import mask_id_number, mask_phone
from models import FollowUpTask, Person, RectificationItem, Verification
from reports.counts import TYPE_CODES, json_list_has

DEFAULT_DUE_DAYS = 30
ACTIVE = ("open", "rectified")
SOURCES = tuple(code for code, _zh, _en in RECTIFICATION_SOURCES)

# Where a core field's registered value lives on the roster row.
REGISTER_FIELDS = {
    "name": "name", "gender": "gender", "id_number": "id_number", "phone": "phone",
    "unemployment_reason": "unemployment_reason", "registered_on": "registered_on",
    "employment_status": "employment_status",
}
CODED_FIELDS = {"gender", "unemployment_reason", "employment_status"}
MASKS = {"id_number": mask_id_number, "phone": mask_phone}


class RectificationError(Exception):
    """A rectification step is not allowed now; `status` is the HTTP status to answer with."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def may_view(user) -> bool:
    """Tell whether the user may read rectification lists (statistics readers and county managers)."""
    return can(user, "view_stats") or can(user, "rectify")


def may_mark(user, item: RectificationItem) -> bool:
    """Tell whether the user may mark the item rectified: a manager who sees its county."""
    scope = county_scope(user)
    return can(user, "rectify") and (scope is None or scope == item.county_code)


def may_attach(user, item: RectificationItem) -> bool:
    """Tell whether the user may attach evidence to the item: who may mark it, or a coordinator."""
    return item.status != "withdrawn" and (may_mark(user, item) or may_review(user))


def may_review(user) -> bool:
    """Tell whether the user may generate lists and accept or reopen items: the coordinators."""
    return can(user, "assign_work")


def _register_value(person: Person, field: str):
    """Return what the roster says for a core field, as a plain JSON value."""
    if field == "address":
        return person.residence_address or person.household_address or ""
    value = getattr(person, REGISTER_FIELDS[field], None)
    return value.isoformat() if isinstance(value, date) else value


def item_content(record: Verification, person: Person, kind: str) -> tuple[dict, dict]:
    """Return what the verification found and what the register says, for one discrepancy type."""
    found: dict = {"reasons": list((record.derived or {}).get(kind, []))}
    register: dict = {"registered_on": person.registered_on.isoformat() if person.registered_on else None}
    if kind == "inaccurate_data":
        found["corrections"] = dict(record.corrections or {})
        register["fields"] = {f: _register_value(person, f) for f in found["corrections"]}
    elif kind == "should_have_been_cancelled":
        found["current_status"] = record.current_status
        found["status_since"] = record.status_since.isoformat() if record.status_since else None
        register["employment_status"] = person.employment_status
        register["cancelled_on"] = person.cancelled_on.isoformat() if person.cancelled_on else None
    elif kind == "assistance_not_delivered":
        found["services"] = list(record.services or [])
        register["registering_agency"] = person.registering_agency
    else:
        register["registering_agency"] = person.registering_agency
        register["unemployment_reason"] = person.unemployment_reason
    return found, register


def generate(campaign, now: datetime, today: date, due_days: int = DEFAULT_DUE_DAYS, user=None) -> dict:
    """Bring the campaign's rectification lists in line with the confirmed discrepancies, in one write
    transaction with its audit entry; return the counts."""
    with db.write_transaction() as session:
        return generate_items(session, campaign, now, today, due_days, user)


def generate_items(session, campaign, now: datetime, today: date, due_days: int = DEFAULT_DUE_DAYS,
                   user=None) -> dict:
    """Bring the lists in line inside the caller's write transaction (see generate); return counts."""
    V = Verification
    rows = session.execute(
        select(V, Person).join(FollowUpTask, FollowUpTask.id == V.task_id)
        .join(Person, Person.id == V.person_id)
        .where(FollowUpTask.campaign_id == campaign.id, V.identity_confirmed.is_(True),  # as the figures count
               or_(*(json_list_has(V.discrepancies, code) for code in TYPE_CODES)))).all()
    # Only the spot check's own items: register and checklist items are not this list's to withdraw.
    existing = {(i.verification_id, i.discrepancy_type): i for i in session.scalars(
        select(RectificationItem).where(RectificationItem.campaign_id == campaign.id,
                                        RectificationItem.source == "spot_check"))}
    created = withdrawn = restored = 0
    confirmed = set()
    for record, person in rows:
        for kind in record.discrepancies or []:
            key = (record.id, kind)
            confirmed.add(key)
            item = existing.get(key)
            if item is None:
                found, register = item_content(record, person, kind)
                session.add(RectificationItem(
                    campaign_id=campaign.id, county_code=record.county_code, verification_id=record.id,
                    task_id=record.task_id, person_id=person.id, discrepancy_type=kind, found=found,
                    register=register, status="open", due_on=today + timedelta(days=due_days),
                    created_at=now, updated_at=now))
                created += 1
            elif item.status == "withdrawn":
                item.status, item.updated_at = "open", now
                item.due_on = max(item.due_on, today + timedelta(days=due_days))
                restored += 1
    for key, item in existing.items():
        if key not in confirmed and item.status in ACTIVE:
            item.status, item.updated_at = "withdrawn", now
            withdrawn += 1
    counts = {"created": created, "withdrawn": withdrawn, "restored": restored}
    auditlog.record("rectification.generate", "campaign", campaign.id, user=user, due_days=due_days, **counts)
    session.flush()
    return counts


def open_item(session, *, user, campaign_id: int, county_code: str, source: str, source_ref: str,
              summary: str, discrepancy_type: str, due_on: date, now: datetime, person_id: int | None = None,
              responsible_unit: str | None = None, found: dict | None = None,
              register: dict | None = None) -> tuple[RectificationItem, bool]:
    """Open an item for a register finding or a checklist conclusion, inside the caller's write
    transaction; return it and whether it is new.

    Made once per source and reference: asking again returns the item there is (a withdrawn one is
    opened again). The user must see the county (a county user only their own) and review lists.
    """
    if source not in SOURCES or source == "spot_check":
        raise ValueError(f"unknown rectification source {source!r}")  # spot-check items come from generate()
    scope = county_scope(user)
    if not may_review(user) or (scope is not None and scope != county_code):
        raise RectificationError("forbidden", _("You may not open rectification items for this county."), 403)
    summary = (summary or "").strip()
    if not summary:
        raise RectificationError("summary_required", _("Say what must be rectified."), 400)
    item = session.scalar(select(RectificationItem).where(RectificationItem.source == source,
                                                          RectificationItem.source_ref == source_ref))
    if item is not None:
        if item.status == "withdrawn":
            item.status, item.updated_at = "open", now
            auditlog.record("rectification.restore", "rectification_item", item.id, user=user)
        return item, False
    item = RectificationItem(
        campaign_id=campaign_id, county_code=county_code, source=source, source_ref=source_ref, summary=summary,
        responsible_unit=(responsible_unit or "").strip() or None, person_id=person_id,
        discrepancy_type=discrepancy_type, found=found or {}, register=register or {}, status="open",
        due_on=due_on, created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    auditlog.record("rectification.open", "rectification_item", item.id, user=user, source=source,
                    source_ref=source_ref, county=county_code, due_on=due_on.isoformat())
    return item, True


def withdraw_item(session, *, user, source: str, source_ref: str, now: datetime) -> bool:
    """Withdraw the active item of a finding or conclusion that no longer holds; tell whether one was."""
    item = session.scalar(select(RectificationItem).where(RectificationItem.source == source,
                                                          RectificationItem.source_ref == source_ref))
    if item is None or item.status not in ACTIVE:
        return False
    item.status, item.updated_at = "withdrawn", now
    auditlog.record("rectification.withdraw", "rectification_item", item.id, user=user)
    return True


def _require_status(item: RectificationItem, *allowed: str) -> None:
    if item.status not in allowed:
        raise RectificationError("wrong_status", _("This item cannot take that step in its present state."))


def mark_rectified(item: RectificationItem, user, note: str, rectified_on: date | None, today: date,
                   now: datetime) -> None:
    """Record the county's fix of an open item: what was done and on which date."""
    _require_status(item, "open")
    note = (note or "").strip()
    if not note:
        raise RectificationError("note_required", _("Say what was done to rectify it."), 400)
    if rectified_on is None or rectified_on > today:
        raise RectificationError("date_invalid", _("Give the date of the rectification (not in the future)."), 400)
    item.status, item.rectified_note, item.rectified_on = "rectified", note, rectified_on
    item.rectified_by_id, item.rectified_at, item.updated_at = user.id, now, now
    auditlog.record("rectification.rectify", "rectification_item", item.id, user=user, note=note,
                    rectified_on=rectified_on.isoformat())


def accept(item: RectificationItem, user, note: str, now: datetime) -> None:
    """Accept a rectified item after checking it (验收): the item is closed."""
    _require_status(item, "rectified")
    item.status, item.review_note = "accepted", (note or "").strip() or None
    item.reviewed_by_id, item.reviewed_at, item.updated_at = user.id, now, now
    auditlog.record("rectification.accept", "rectification_item", item.id, user=user, note=item.review_note)


def reopen(item: RectificationItem, user, note: str, today: date, now: datetime,
           due_days: int = DEFAULT_DUE_DAYS) -> None:
    """Send a rectified (or accepted) item back to its county with a reason and a new due date."""
    _require_status(item, "rectified", "accepted")
    note = (note or "").strip()
    if not note:
        raise RectificationError("note_required", _("Say why the item goes back to the county."), 400)
    item.status, item.review_note, item.reopened_count = "open", note, item.reopened_count + 1
    item.due_on = max(item.due_on, today + timedelta(days=due_days))
    item.reviewed_by_id, item.reviewed_at, item.updated_at = user.id, now, now
    auditlog.record("rectification.reopen", "rectification_item", item.id, user=user, note=note,
                    due_on=item.due_on.isoformat())


def is_overdue(item: RectificationItem, today: date) -> bool:
    """Tell whether an item still waits for its county past its due date."""
    return item.status == "open" and item.due_on < today



def field_value(field: str, value) -> str:
    """Show a core field's value for people: labels for codes, masks for ID and phone numbers."""
    if value in (None, ""):
        return "—"
    if field in MASKS:
        return MASKS[field](str(value))
    if field in CODED_FIELDS:
        return label(field, str(value))
    return str(value)


def describe(item: RectificationItem) -> tuple[list[str], list[str]]:
    """Return what was found and what the register says, as lines in the page's language."""
    found, register = item.found or {}, item.register or {}
    seen = [item.summary] if item.summary else []
    seen += [label("finding_reason", code) for code in found.get("reasons", [])]
    for field, value in (found.get("corrections") or {}).items():
        seen.append(_("%(field)s should be: %(value)s", field=label("core_field", field),
                      value=field_value(field, value)))
    if found.get("current_status"):
        status = label("current_status", found["current_status"])
        seen.append(_("Now: %(status)s since %(date)s", status=status, date=found["status_since"])
                    if found.get("status_since") else _("Now: %(status)s", status=status))
    if "services" in found:
        names = [label("service", s) for s in found["services"]]
        seen.append(_("Services received: %(list)s", list="、".join(names) if names else _("none")))
    says = [_("%(field)s registered as: %(value)s", field=label("core_field", field),
              value=field_value(field, value)) for field, value in (register.get("fields") or {}).items()]
    if "employment_status" in register:
        says.append(_("Employment status: %(status)s", status=field_value("employment_status",
                                                                          register["employment_status"])))
        says.append(_("Cancelled on: %(date)s", date=register.get("cancelled_on") or _("not cancelled")))
    if register.get("registered_on"):
        says.append(_("Registered on: %(date)s", date=register["registered_on"]))
    if register.get("registering_agency"):
        says.append(_("Registering agency: %(name)s", name=register["registering_agency"]))
    return seen, says
