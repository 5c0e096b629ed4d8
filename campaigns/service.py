"""What the pages, the API and the CLI do with campaigns: create one, set its audit settings, describe it.

The draw, its preview, its verification and replacement by reserves have their own modules (drawing.py,
preview.py, verification.py, replacement.py). Each action that writes checks its input, stores the
result in one transaction (`db.write_transaction()`) and writes the audit entry with it; a refusal
rolls back everything. Problems raise ServiceError (a stable code and a translated message),
SamplingInputError (sampling/errors.py) or DesignError (campaigns/design.py).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from auth import scope
from campaigns.design import Design
from core import auditlog
from core.extensions import db
from models import Campaign, County, Draw, FollowUpTask, SampleUnit
from roster.snapshots import current_snapshots
from sampling.percent import percent_text


class ServiceError(Exception):
    """An action refused, with a stable code for the API and a message for people."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def create_campaign(name: str, counties: list[str], description: str = "", period_start: date | None = None,
                    period_end: date | None = None, user=None) -> Campaign:
    """Create a campaign with its counties in scope (every active county when none are named)."""
    with db.write_transaction() as session:
        return _create_campaign(session, name, counties, description, period_start, period_end, user)


def _create_campaign(session, name: str, counties: list[str], description: str, period_start: date | None,
                     period_end: date | None, user) -> Campaign:
    name = (name or "").strip()
    if not name:
        raise ServiceError("name_required", _("Give the campaign a name."))
    if session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise ServiceError("name_taken", _("A campaign with this name already exists."), 409)
    if period_start and period_end and period_start > period_end:
        raise ServiceError("period_invalid", _("The period ends before it starts."))
    known = {c.code: c for c in session.scalars(select(County).where(County.active))}
    own = scope.scope_of(user)
    codes = sorted(set(counties)) if counties else ([own] if own else sorted(known))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ServiceError("county_unknown", _("Unknown county code: %(codes)s", codes=", ".join(unknown)))
    scope.check_counties_to_change(codes, user)  # a county's coordinator: campaigns of their county only
    campaign = Campaign(name=name, description=description or "", period_start=period_start,
                        period_end=period_end, created_by_id=getattr(user, "id", None),
                        counties=[known[code] for code in codes])
    session.add(campaign)
    session.flush()
    auditlog.record("campaign.create", "campaign", campaign.id, user=user, name=name, counties=codes)
    return campaign


def set_audit_settings(campaign: Campaign, tolerable: float, confidence: float, user=None) -> bool:
    """Set the tolerable rate and confidence the campaign's audit conclusions use; say whether they changed.

    They decide every county's conclusion, so only a user for all the campaign's counties sets them.
    """
    with db.write_transaction():
        return change_audit_settings(campaign, tolerable, confidence, user)


def change_audit_settings(campaign: Campaign, tolerable: float, confidence: float, user=None) -> bool:
    """Set the audit settings inside the caller's write transaction (see set_audit_settings)."""
    scope.check_campaign_change(campaign, user)
    before = (campaign.tolerable_rate, campaign.confidence)
    if before == (tolerable, confidence):
        return False
    campaign.tolerable_rate, campaign.confidence = tolerable, confidence
    auditlog.record("campaign.audit_settings", "campaign", campaign.id, user=user, tolerable=tolerable,
                    confidence=confidence, before={"tolerable": before[0], "confidence": before[1]})
    return True


def audit_settings(campaign: Campaign) -> dict:
    """Return the campaign's tolerable rate and confidence as plain data, with their percent forms."""
    return {"tolerable": campaign.tolerable_rate, "confidence": campaign.confidence,
            "tolerable_shown": percent_text(campaign.tolerable_rate), "confidence_shown": percent_text(campaign.confidence)}


def current_draw(campaign: Campaign) -> Draw | None:
    """Return the campaign's draw in force (the latest one not superseded), if any."""
    session = object_session(campaign)
    assert session is not None  # every caller passes a campaign loaded through its session
    return session.scalar(select(Draw).where(Draw.campaign_id == campaign.id, Draw.superseded.is_(False))
                          .order_by(Draw.id.desc()).limit(1))


def snapshots_for(session, design: Design) -> dict[str, int]:
    """Return the current snapshot of each chosen county, refusing counties without a roster."""
    snapshots = current_snapshots(session, design.counties)
    missing = [code for code in design.counties if code not in snapshots]
    if missing:
        raise ServiceError("no_roster", _("No roster has been imported for: %(codes)s", codes=", ".join(missing)))
    return snapshots


def draw_summary(draw: Draw, user=None) -> dict:
    """Describe a draw as plain data, for the API and the CLI (a county-scoped user: their strata only)."""
    scope.check_campaign(draw.campaign, user)
    strata = scope.visible_part(draw.strata or {}, user)
    whole = scope.scope_of(user) is None
    return {
        "id": draw.id, "campaign": draw.campaign_id, "created_at": draw.created_at.isoformat(),
        "seed_text": draw.seed_text, "seed": draw.seed, "seed_source": draw.seed_source,
        "algorithm": draw.algorithm, "code_version": draw.code_version, "fingerprint": draw.frame_fingerprint,
        "frame_size": draw.frame_size if whole else sum(s["N"] for s in strata.values()),
        "excluded": draw.excluded_count if whole else None,
        "snapshot_ids": draw.snapshot_ids, "frame_definition": draw.frame_definition, "design": draw.design,
        "strata": strata, "sample": sum(s["n"] for s in strata.values()),
        "reserves": sum(s["reserves"] for s in strata.values()),
        "supersedes": draw.supersedes_id, "redraw_reason": draw.redraw_reason, "superseded": draw.superseded,
    }


def campaign_summary(campaign: Campaign) -> dict:
    """Describe a campaign as plain data, for the API and the CLI."""
    current = current_draw(campaign)
    return {
        "id": campaign.id, "name": campaign.name, "description": campaign.description,
        "period_start": campaign.period_start.isoformat() if campaign.period_start else None,
        "period_end": campaign.period_end.isoformat() if campaign.period_end else None,
        "counties": [c.code for c in campaign.counties], "created_at": campaign.created_at.isoformat(),
        "current_draw": current.id if current else None, "draws": [d.id for d in campaign.draws],
        "audit_settings": audit_settings(campaign),
    }


def followup_state(session, draw: Draw, county_code: str | None) -> dict:
    """Count what the follow-up of a draw has reached, for the next step the draw page offers: its active
    units, the tasks made for them, and the open tasks still in the county pool (in the user's county)."""
    units = select(func.count(SampleUnit.id)).where(SampleUnit.draw_id == draw.id, SampleUnit.status == "active")
    tasks = select(func.count(FollowUpTask.id)).where(FollowUpTask.draw_id == draw.id)
    if county_code:
        units = units.where(SampleUnit.county_code == county_code)
        tasks = tasks.where(FollowUpTask.county_code == county_code)
    pool = tasks.where(FollowUpTask.assigned_to_id.is_(None), FollowUpTask.status != "closed")
    return {"units": session.scalar(units) or 0, "tasks": session.scalar(tasks) or 0, "pool": session.scalar(pool) or 0}
