"""A checklist finding of 基本符合 or 不符合 becomes a rectification item of its county (source
'checklist'), tracked like the spot-check items: open → rectified → accepted, or returned. A conclusion
changed to 符合 or 不适用 withdraws the item; changed back, the same item opens again."""

from __future__ import annotations

from datetime import date

from config.checklist import ITEM_FIGURES, RECTIFY_CONCLUSIONS, item_number
from core import auditlog
from core.clock import now
from models import ChecklistEntry, ChecklistItem, RectificationItem
from reports.rectification import open_item, withdraw_item

SOURCE = "checklist"


def source_ref(entry: ChecklistEntry) -> str:
    """Return the reference a rectification item keeps to the checklist entry it came from."""
    return f"checklist_entry:{entry.id}"


def discrepancy_type(item: ChecklistItem) -> str:
    """Return the spot-check discrepancy type an item speaks to (its first rate), else "any"."""
    rates = [code for kind, code in ITEM_FIGURES.get(item.key, ()) if kind == "rate"]
    return rates[0] if rates else "any"


def follow_conclusion(session, entry: ChecklistEntry, item: ChecklistItem, user) -> RectificationItem | None:
    """Open, bring up to date or withdraw the entry's rectification item inside the caller's transaction."""
    moment = now()
    if entry.conclusion not in RECTIFY_CONCLUSIONS:
        withdraw_item(session, user=user, source=SOURCE, source_ref=source_ref(entry), now=moment)
        return None
    if entry.due_on is None:  # check_entry asks for it with these conclusions
        raise ValueError("a finding to rectify needs its deadline")
    summary = f"{item_number(item.key)}　{entry.findings}".strip()
    rect, new = open_item(session, user=user, campaign_id=entry.campaign_id, county_code=entry.county_code,
                          source=SOURCE, source_ref=source_ref(entry), summary=summary,
                          discrepancy_type=discrepancy_type(item), due_on=entry.due_on, now=moment,
                          responsible_unit=entry.responsible_unit)
    changed = {k: v for k, v in (("summary", summary), ("responsible_unit", entry.responsible_unit),
                                 ("due_on", entry.due_on)) if getattr(rect, k) != v}
    if not new and rect.status == "open" and changed:
        for field, value in changed.items():
            setattr(rect, field, value)
        rect.updated_at = moment
        auditlog.record("rectification.update", "rectification_item", rect.id, user=user,
                        **{k: v.isoformat() if isinstance(v, date) else v for k, v in changed.items()})
    return rect
