"""Progress of the verification per county: items checked, conclusions, items signed off, meetings held and
open rectification; the coordinator's overview puts every county of the campaign side by side."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from checklists.entries import CONCLUSION_CODES, entries_of
from checklists.setup import items_of
from models import Meeting
from reports.counts import rectification_counts, sum_rectification


def county_progress(session, campaign, county_code: str, today: date) -> dict:
    """Return one county's progress (see overview)."""
    return overview(session, campaign, today, [county_code])[0]


def overview(session, campaign, today: date, counties: list[str] | None = None) -> list[dict]:
    """Return the progress of each county of the campaign (or of the counties given), in code order."""
    codes = counties if counties is not None else [c.code for c in campaign.counties]
    active = {i.id for i in items_of(session, campaign.id, include_retired=False)}
    entries = [e for e in entries_of(session, campaign.id) if e.item_id in active]
    meetings = dict(session.execute(select(Meeting.county_code, func.count(Meeting.id))
                                    .where(Meeting.campaign_id == campaign.id).group_by(Meeting.county_code)).all())
    rect = rectification_counts(session, campaign.id, today)
    names = {c.code: c for c in campaign.counties}
    rows = []
    for code in codes:
        mine = [e for e in entries if e.county_code == code]
        conclusions = Counter(e.conclusion for e in mine if e.conclusion)
        rows.append({
            "code": code, "county": names.get(code), "items": len(active),
            "checked": sum(conclusions.values()), "signed_off": sum(1 for e in mine if e.signed_off_at),
            "conclusions": {c: conclusions.get(c, 0) for c in CONCLUSION_CODES},
            "meetings": int(meetings.get(code, 0)),
            "rectification": rect.get(code, sum_rectification([])),
        })
    return rows
