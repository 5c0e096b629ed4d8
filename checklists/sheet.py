"""One county's checklist as the page, the XLSX and the documents read it: every active item of the
campaign with the county's entry and the figures beside it, grouped by area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from checklists.entries import entries_of, entry_figures
from checklists.evidence import files_by_entry
from checklists.figures import county_item_figures
from checklists.setup import items_of
from config.checklist import AREAS
from models import Attachment, ChecklistEntry, ChecklistItem


@dataclass
class Row:
    """One item of one county's checklist."""

    item: ChecklistItem
    entry: ChecklistEntry | None
    figures: list[dict] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)  # evidence attached to the entry

    @property
    def conclusion(self) -> str | None:
        return self.entry.conclusion if self.entry else None


def county_sheet(session, campaign, county_code: str, today: date | None = None,
                 live: dict[str, list[dict]] | None = None) -> list[Row]:
    """Return the county's rows in checklist order (retired items left out).

    live: the county's live figures per item, when the caller has them already (checklists.figures.item_figures).
    """
    if live is None:
        live = county_item_figures(session, campaign, county_code, today)
    entries = {e.item_id: e for e in entries_of(session, campaign.id, county_code)}
    files = files_by_entry(session, [e.id for e in entries.values()])
    rows = []
    for item in items_of(session, campaign.id, include_retired=False):
        entry = entries.get(item.id)
        rows.append(Row(item, entry, entry_figures(session, campaign, entry, item.key, live),
                        files.get(entry.id, []) if entry else []))
    return rows


def by_area(rows: list[Row]) -> list[tuple[str, list[Row]]]:
    """Group rows by the notice's four areas (then any other), keeping their order."""
    groups = [(code, [r for r in rows if r.item.area == code]) for code, _zh, _en in AREAS]
    return [(code, members) for code, members in groups if members]
