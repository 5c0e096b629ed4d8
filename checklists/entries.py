"""What the team concludes per county and item: the conclusion, findings, ledger reference, checker and
date; signing an entry off freezes its figures. A finding of 基本符合 or 不符合 names the responsible unit
and a deadline, and becomes a rectification item (checklists.rectify)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from auth.scope import check_campaign, check_county
from checklists.errors import ChecklistError
from checklists.figures import county_item_figures
from checklists.rectify import follow_conclusion
from config.checklist import CONCLUSIONS, RECTIFY_CONCLUSIONS
from core import auditlog
from core.clock import now
from core.extensions import db
from models import ChecklistEntry, ChecklistItem
from reports.rectification import RectificationError

CONCLUSION_CODES = tuple(code for code, _zh, _en in CONCLUSIONS)
FIELDS = ("conclusion", "findings", "ledger_ref", "checked_on", "responsible_unit", "due_on")


def entries_of(session, campaign_id: int, county_code: str | None = None) -> list[ChecklistEntry]:
    """Return a campaign's entries (of one county when given)."""
    query = select(ChecklistEntry).where(ChecklistEntry.campaign_id == campaign_id)
    if county_code is not None:
        query = query.where(ChecklistEntry.county_code == county_code)
    return list(session.scalars(query))


def check_entry(data: dict, today: date) -> dict[str, str]:
    """Return the problems of an entry's answers, field by field (empty when they can be stored)."""
    problems = {}
    conclusion = data.get("conclusion") or None
    if conclusion is not None and conclusion not in CONCLUSION_CODES:
        problems["conclusion"] = _("Choose one of the conclusions.")
    checked_on = data.get("checked_on")
    if conclusion and checked_on is None:
        problems["checked_on"] = _("Give the date of the check.")
    elif checked_on is not None and checked_on > today:
        problems["checked_on"] = _("The date of the check cannot be in the future.")
    for field, limit in (("findings", 4000), ("ledger_ref", 255), ("responsible_unit", 128)):
        if len(data.get(field) or "") > limit:
            problems[field] = _("At most %(n)d characters.", n=limit)
    if conclusion in RECTIFY_CONCLUSIONS:
        if not (data.get("findings") or "").strip():
            problems["findings"] = _("Say what was found: it is the problem the county must rectify.")
        if not (data.get("responsible_unit") or "").strip():
            problems["responsible_unit"] = _("Name the unit responsible for the rectification.")
        due_on = data.get("due_on")
        if due_on is None:
            problems["due_on"] = _("Give the deadline of the rectification.")
        elif checked_on is not None and due_on < checked_on:
            problems["due_on"] = _("The deadline cannot come before the date of the check.")
    return problems


def _entry(session, campaign_id: int, item_id: int, county_code: str) -> ChecklistEntry:
    entry = session.scalar(select(ChecklistEntry).where(ChecklistEntry.item_id == item_id,
                                                        ChecklistEntry.county_code == county_code))
    if entry is None:
        entry = ChecklistEntry(campaign_id=campaign_id, item_id=item_id, county_code=county_code, findings="",
                               ledger_ref="", created_at=now(), updated_at=now())
        session.add(entry)
    return entry


def record(campaign, county_code: str, item: ChecklistItem, data: dict, user, today: date) -> ChecklistEntry:
    """Store a county's answers on one item (idempotent: the same answers twice change nothing more)."""
    check_campaign(campaign, user)
    check_county(county_code, user)
    if item.campaign_id != campaign.id or item.retired_at is not None:
        raise ChecklistError({"item": _("This item is not on the checklist.")}, 404, "not_found")
    problems = check_entry(data, today)
    if problems:
        raise ChecklistError(problems)
    with db.write_transaction() as session:
        entry = _entry(session, campaign.id, item.id, county_code)
        if entry.signed_off_at is not None:
            raise ChecklistError({"entry": _("This entry is signed off: reopen it to change it.")}, 409,
                                 "signed_off")
        values = {"conclusion": data.get("conclusion") or None, "findings": (data.get("findings") or "").strip(),
                  "ledger_ref": (data.get("ledger_ref") or "").strip(), "checked_on": data.get("checked_on"),
                  "responsible_unit": (data.get("responsible_unit") or "").strip() or None,
                  "due_on": data.get("due_on") if (data.get("conclusion") in RECTIFY_CONCLUSIONS) else None}
        changed = {k: v for k, v in values.items() if getattr(entry, k) != v}
        for field, value in values.items():
            setattr(entry, field, value)
        if changed or entry.id is None:
            entry.checker_id, entry.updated_at = user.id if user else None, now()
        session.flush()
        if changed:
            auditlog.record("checklist.record", "checklist_entry", entry.id, user=user, county=county_code,
                            item=item.key, **{k: v.isoformat() if isinstance(v, date) else v
                                              for k, v in changed.items()})
        if changed:
            try:
                follow_conclusion(session, entry, item, user)
            except RectificationError as error:  # rolls the entry back with it: all or nothing
                raise ChecklistError({"conclusion": error.message}, error.status, error.code) from None
        return entry


def sign_off(campaign, county_code: str, item: ChecklistItem, user, today: date) -> ChecklistEntry:
    """Sign an entry off: its figures are frozen as they are now and it no longer changes."""
    check_campaign(campaign, user)
    check_county(county_code, user)
    with db.write_transaction() as session:
        entry = session.scalar(select(ChecklistEntry).where(ChecklistEntry.item_id == item.id,
                                                            ChecklistEntry.county_code == county_code))
        if entry is None or entry.conclusion is None:
            raise ChecklistError({"conclusion": _("Record a conclusion before signing off.")}, 409, "no_conclusion")
        if entry.signed_off_at is not None:
            return entry  # a second click changes nothing
        entry.figures = county_item_figures(session, campaign, county_code, today).get(item.key, [])
        entry.signed_off_at, entry.signed_off_by_id, entry.updated_at = now(), user.id if user else None, now()
        auditlog.record("checklist.sign_off", "checklist_entry", entry.id, user=user, county=county_code,
                        item=item.key, figures=entry.figures)
        return entry


def reopen(campaign, county_code: str, item: ChecklistItem, user) -> None:
    """Undo a sign-off: the entry can change again and its figures follow the work again."""
    check_campaign(campaign, user)
    check_county(county_code, user)
    with db.write_transaction() as session:
        entry = session.scalar(select(ChecklistEntry).where(ChecklistEntry.item_id == item.id,
                                                            ChecklistEntry.county_code == county_code))
        if entry is None or entry.signed_off_at is None:
            return
        entry.figures, entry.signed_off_at, entry.signed_off_by_id, entry.updated_at = None, None, None, now()
        auditlog.record("checklist.reopen", "checklist_entry", entry.id, user=user, county=county_code,
                        item=item.key)


def entry_figures(session, campaign, entry: ChecklistEntry | None, key: str, live: dict) -> list[dict]:
    """Return the figures to show beside an entry: frozen when signed off, else the live ones."""
    if entry is not None and entry.signed_off_at is not None:
        return list(entry.figures or [])
    return live.get(key, [])
