"""Hand register findings to their county as rectification items (source "register"), tracked as the spot
check's are (reports/rectification.py: open → rectified → accepted | returned, due date, overdue).

An item belongs to a campaign: the latest campaign that covers the finding's county. Made once per finding
(reports.rectification.open_item is idempotent on the finding's id); audited there.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from config import codelists
from config.registers import FINDING_TYPES, REGISTER_KINDS
from core.extensions import db
from models import Campaign, RectificationItem, RegisterFinding, campaign_county
from registers.findings import evidence_text
from registers.importing import RegisterError
from reports.rectification import RectificationError, open_item

# What each finding means for the registration, in the spot check's words (config.verification).
DISCREPANCY_OF = {
    "employed_not_deregistered": "should_have_been_cancelled",
    "runs_business": "should_have_been_cancelled",
    "deceased_not_deregistered": "should_have_been_cancelled",
    "retired_not_deregistered": "should_have_been_cancelled",
    "other_register": "should_have_been_cancelled",
    "employed_at_registration": "not_authentic",
    "registered_while_deceased": "not_authentic",
    "registered_while_retired": "not_authentic",
}


def county_campaign(county: str) -> int | None:
    """Return the latest campaign covering a county, or None."""
    return db.session.scalar(select(Campaign.id).join(campaign_county, campaign_county.c.campaign_id == Campaign.id)
                             .where(campaign_county.c.county_code == county)
                             .order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(1))


def summary_of(finding: RegisterFinding) -> str:
    """Say in Chinese, for the county's list, what the registers show."""
    return (f"{codelists.label(FINDING_TYPES, finding.finding_type, 'zh')}"
            f"（{codelists.label(REGISTER_KINDS, finding.kind, 'zh')}）：{evidence_text(finding.finding_type, finding.evidence)}")


def rectify(findings: list[RegisterFinding], *, user, today: date, due_days: int, now: datetime) -> int:
    """Open an item for each active finding (all of one county); return how many were new."""
    if not findings:
        return 0
    counties = {f.county_code for f in findings}
    if len(counties) != 1:
        raise ValueError("findings of one county at a time")
    county = counties.pop()
    campaign_id = county_campaign(county)
    if campaign_id is None:
        raise RegisterError(409, "no_campaign", _("No campaign covers this county yet: rectification items "
                                                  "belong to a campaign."))
    created = 0
    try:
        with db.write_transaction() as session:
            for finding in findings:
                if not finding.active:
                    continue
                _item, new = open_item(
                    session, user=user, campaign_id=campaign_id, county_code=county, source="register",
                    source_ref=str(finding.id), summary=summary_of(finding),
                    discrepancy_type=DISCREPANCY_OF[finding.finding_type], due_on=today + timedelta(days=due_days),
                    now=now, person_id=finding.person_id,
                    found={"finding_type": finding.finding_type, "kind": finding.kind, "evidence": finding.evidence})
                created += new
    except RectificationError as error:
        raise RegisterError(error.status, error.code, error.message) from None
    return created


def item_statuses(finding_ids: list[int]) -> dict[int, str]:
    """Return {finding id: status of its rectification item} for the findings that have one."""
    if not finding_ids:
        return {}
    query = (select(RectificationItem.source_ref, RectificationItem.status)
             .where(RectificationItem.source == "register",
                    RectificationItem.source_ref.in_([str(i) for i in finding_ids])))
    return {int(ref): status for ref, status in db.session.execute(query)}


def active_findings(county: str, finding_type: str | None = None) -> list[RegisterFinding]:
    """Return a county's active findings (of one type)."""
    query = select(RegisterFinding).where(RegisterFinding.county_code == county, RegisterFinding.active)
    if finding_type:
        query = query.where(RegisterFinding.finding_type == finding_type)
    return list(db.session.scalars(query.order_by(RegisterFinding.id)))

