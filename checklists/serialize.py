"""The checklist objects as the API returns them (plain JSON values)."""

from __future__ import annotations

from datetime import date

from checklists.sheet import Row
from config.checklist import item_number
from models import ChecklistItem, Meeting


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def item_dict(item: ChecklistItem) -> dict:
    """Describe a checklist item."""
    return {"id": item.id, "key": item.key, "number": item_number(item.key), "area": item.area, "text": item.text,
            "text_en": item.text_en, "methods": list(item.methods), "version": item.version,
            "retired": item.retired_at is not None}


def row_dict(row: Row) -> dict:
    """Describe one item of a county's checklist with the county's entry and figures."""
    e = row.entry
    entry = None if e is None else {
        "id": e.id, "conclusion": e.conclusion, "findings": e.findings, "ledger_ref": e.ledger_ref,
        "responsible_unit": e.responsible_unit, "due_on": _iso(e.due_on), "checked_on": _iso(e.checked_on),
        "checker": (e.checker.username if e.checker else None), "signed_off_at": _iso(e.signed_off_at)}
    files = [{"id": f.id, "filename": f.filename, "sha256": f.sha256, "size": f.size} for f in row.files]
    return {"item": item_dict(row.item), "entry": entry, "figures": row.figures, "evidence": files}


def meeting_dict(meeting: Meeting) -> dict:
    """Describe a meeting."""
    return {"id": meeting.id, "campaign_id": meeting.campaign_id, "county": meeting.county_code,
            "kind": meeting.kind, "held_on": _iso(meeting.held_on), "place": meeting.place,
            "participants": list(meeting.participants), "notes": meeting.notes, "problems": meeting.problems}


def as_date(value) -> date | None:
    """Read a checked YYYY-MM-DD body value (or None)."""
    return date.fromisoformat(value) if value else None
