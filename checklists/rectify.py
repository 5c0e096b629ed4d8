"""A checklist finding of 基本符合 or 不符合 becomes a rectification item of its county (source
'checklist'), tracked like the spot-check items: open → rectified → accepted, or returned."""

from __future__ import annotations

from config.checklist import item_number
from models import ChecklistEntry, ChecklistItem

SOURCE = "checklist"


def source_ref(entry: ChecklistEntry) -> str:
    """Return the reference a rectification item keeps to the checklist entry it came from."""
    return f"checklist_entry:{entry.id}"


def open_rectification(session, entry: ChecklistEntry, item: ChecklistItem, user):
    """Open the rectification item of an entry's finding inside the caller's transaction (once per entry)."""
    from reports.rectification import open_item  # TEMP until the foundation lands

    summary = f"{item_number(item.key)}　{entry.findings}".strip()
    return open_item(session, user=user, campaign_id=entry.campaign_id, county_code=entry.county_code,
                     source=SOURCE, source_ref=source_ref(entry), summary=summary, due_on=entry.due_on,
                     responsible_unit=entry.responsible_unit)
