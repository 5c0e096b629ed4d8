"""What the documents say, gathered from the data as plain values: a county's conclusions by area, its
spot-check rates with intervals, the register findings, the meetings, the problems and the rectification.

Official documents are written in Chinese whatever the reader's page language, so their wording here
is Chinese; the labels come from the code lists' Chinese column.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import select

from checklists.figures import item_figures
from checklists.meetings import meetings_of, problems_raised
from checklists.register_seam import register_figures
from checklists.sheet import county_sheet
from config import codelists
from config.checklist import CONCLUSIONS, RECTIFY_CONCLUSIONS
from config.verification import DISCREPANCY_TYPES
from models import County, RectificationItem
from reports.figures import Options, county_blocks, county_figures

TYPE_ROWS = (*((code, zh) for code, zh, _en in DISCREPANCY_TYPES), ("any", "任一差错"))


def zh(codelist: str, code: str | None) -> str:
    """Return a code's Chinese label."""
    return codelists.label(codelists.BY_NAME[codelist], code, "zh")


def chinese_date(day: date | None) -> str:
    """Write a date as official documents do: 2026年12月2日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def percent(value: float | None) -> str:
    """Write a share as a percentage with one decimal, or a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"


def interval(rate: dict) -> str:
    """Write a rate's 95 % interval, or a dash when the rate is withheld."""
    if rate.get("low") is None or rate.get("high") is None:
        return "—"
    return f"{percent(rate['low'])}–{percent(rate['high'])}"


def county_label(session, code: str) -> str:
    """Return the county's Chinese name."""
    county = session.get(County, code)
    return county.name_zh if county else code


def conclusion_counts(rows) -> dict[str, int]:
    """Count a county's conclusions by code."""
    counts = Counter(r.conclusion for r in rows if r.conclusion)
    return {code: counts.get(code, 0) for code, _zh, _en in CONCLUSIONS}


def active_rectification(session, campaign_id: int, county_code: str | None = None) -> list[RectificationItem]:
    """Return the rectification items not withdrawn (one county's when given), by county and deadline."""
    query = select(RectificationItem).where(RectificationItem.campaign_id == campaign_id,
                                            RectificationItem.status != "withdrawn")
    if county_code is not None:
        query = query.where(RectificationItem.county_code == county_code)
    return list(session.scalars(query.order_by(RectificationItem.county_code, RectificationItem.due_on,
                                               RectificationItem.id)))


def county_content(session, campaign, county_code: str, today: date) -> dict:
    """Gather everything a county's feedback says."""
    block = county_figures(session, campaign, county_code, Options(today=today))["county"]
    return _content(session, campaign, county_code, today, block,
                    active_rectification(session, campaign.id, county_code))


def every_county_content(session, campaign, today: date) -> list[dict]:
    """Gather what county_content gives for each of the campaign's counties, the spot-check figures and the
    rectification read once for them all."""
    codes = [county.code for county in campaign.counties]
    blocks = county_blocks(session, campaign, codes, Options(today=today))
    items: dict[str, list[RectificationItem]] = defaultdict(list)
    for item in active_rectification(session, campaign.id):
        items[item.county_code].append(item)
    return [_content(session, campaign, code, today, blocks[code], items[code]) for code in codes]


def every_county_sheet(session, campaign, codes: list[str], today: date) -> dict[str, list]:
    """Return each county's checklist rows as checklists.sheet.county_sheet gives them, the spot-check
    figures read once for them all (a province's workbook of checklists has a sheet per county)."""
    blocks = county_blocks(session, campaign, codes, Options(today=today))
    return {code: county_sheet(session, campaign, code, today,
                               live=item_figures(blocks[code], register_figures(session, campaign, code)))
            for code in codes}


def _content(session, campaign, county_code: str, today: date, block: dict | None,
             rectification: list[RectificationItem]) -> dict:
    register = register_figures(session, campaign, county_code)
    rows = county_sheet(session, campaign, county_code, today, live=item_figures(block, register))
    meetings = meetings_of(session, campaign.id, county_code)
    return {
        "code": county_code, "name": county_label(session, county_code), "rows": rows, "block": block,
        "conclusions": conclusion_counts(rows), "register": register,
        "meetings": meetings, "meeting_problems": [p for m in meetings for p in problems_raised(m)],
        "findings": [r for r in rows if r.conclusion in RECTIFY_CONCLUSIONS], "rectification": rectification,
    }


def rectification_summary(items: list[RectificationItem]) -> tuple[list[RectificationItem], dict[str, tuple]]:
    """Split items into those of the checklist and other sources (listed one by one), and the spot check's
    per-person items counted by discrepancy type with their earliest deadline (no names in a document)."""
    listed: list[RectificationItem] = []
    by_type: dict[str, tuple[int, date]] = {}
    for item in items:
        if item.source != "spot_check":
            listed.append(item)
            continue
        count, due = by_type.get(item.discrepancy_type, (0, item.due_on))
        by_type[item.discrepancy_type] = (count + 1, min(due, item.due_on))
    return listed, by_type
