"""The draw of a campaign's sample, and its redraw: frame, sizes, the stratified draw, the stored units.

make_draw runs in one write transaction: the draw, its units, its exclusions, the superseded draw and
the audit entries are stored together, or nothing is.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select

from auth import scope
from campaigns import register_strata
from campaigns.design import REGISTER_FINDING, Design, plan_sizes, split_stratum
from campaigns.frame import excluded_positions, load_frame, recently_verified
from campaigns.service import ServiceError, change_audit_settings, current_draw, snapshots_for
from core import auditlog
from core.database import bulk_insert
from core.extensions import db
from core.gcpause import collector_paused
from models import Attempt, Campaign, Draw, FollowUpTask
from sampling.draw import ALGORITHM, CODE_VERSION, draw_stratified, seed_from_text

MIN_REASON_LENGTH = 4
UNIT_COLUMNS = ("draw_id", "person_id", "frame_key", "stratum", "county_code", "rank", "role", "status")


def new_seed_text() -> str:
    """Return a system-generated seed: 63 random bits from the operating system, in decimal."""
    return str(secrets.randbits(63))


def make_draw(campaign: Campaign, design: Design, seed_text: str | None = None, reason: str = "", user=None,
              now: datetime | None = None) -> Draw:
    """Draw the campaign's sample; with a draw already in force, redraw (a written reason is required)."""
    # The frame is a million small objects (see gcpause.py); the collector is back on for the commit.
    with db.write_transaction() as session, collector_paused():
        return draw_in(session, campaign, design, seed_text, reason, user, now)


def make_draw_with_settings(campaign: Campaign, design: Design, seed_text: str | None = None, reason: str = "",
                            user=None) -> Draw:
    """Draw as make_draw, and keep the design's tolerable rate and confidence as the campaign's audit
    settings, in the same transaction (the design page: what is drawn with holds)."""
    with db.write_transaction() as session, collector_paused():
        draw = draw_in(session, campaign, design, seed_text, reason, user)
        change_audit_settings(campaign, design.tolerable or campaign.tolerable_rate, design.confidence, user=user)
        return draw


def draw_in(session, campaign: Campaign, design: Design, seed_text: str | None, reason: str, user,
            now: datetime | None = None) -> Draw:
    """Draw inside the caller's write transaction (see make_draw)."""
    scope.check_campaign_change(campaign, user)  # a (re)draw reaches every county of the campaign
    previous = current_draw(campaign)
    reason = (reason or "").strip()
    _check_redraw(session, previous, reason)
    source = "public" if seed_text and seed_text.strip() else "system"
    seed_text = seed_text if source == "public" else new_seed_text()
    assert seed_text is not None  # "public" means a seed was typed (non-blank text)
    seed = seed_from_text(seed_text)
    snapshot_ids = sorted(snapshots_for(session, design).values())
    definition = design.frame_definition()
    findings: list[str] = []
    if design.stratify_by == REGISTER_FINDING:
        # Fixed now, in the definition and (after the flush) as a list: later matches change the findings.
        definition["register_findings"], findings = register_strata.fix_findings(session, design.counties)
    frame, exclusions = _frame_less_exclusions(session, campaign, design, snapshot_ids, definition, now, findings)
    populations = {code: 0 for code in design.counties} if not design.stratify_by else {}
    for name, count in zip(*np.unique(np.array(frame.strata, dtype=str), return_counts=True), strict=True):
        populations[str(name)] = int(count)
    sizes, reserves = plan_sizes(design, populations)
    result = draw_stratified(frame.keys, frame.strata, sizes, reserves, seed)
    draw = Draw(
        campaign=campaign, seed_text=seed_text, seed=str(seed), seed_source=source, algorithm=ALGORITHM,
        code_version=CODE_VERSION, frame_fingerprint=result.fingerprint, frame_size=len(frame),
        snapshot_ids=snapshot_ids, frame_definition=definition, design=design.size_rule(),
        strata={h: {"N": populations[h], "n": sizes[h], "reserves": reserves[h]} for h in sorted(populations)},
        excluded_count=len(exclusions), supersedes_id=previous.id if previous else None,
        redraw_reason=reason if previous else None, created_by_id=getattr(user, "id", None),
    )
    if now is not None:
        draw.created_at = now
    session.add(draw)
    session.flush()
    _write_units(session, draw.id, frame.person_ids[result.positions], result)
    if findings:
        register_strata.store(session, draw.id, findings)
    if exclusions:
        bulk_insert(session.connection(), "draw_exclusion", ("draw_id", "person_id", "frame_key", "reason"),
                    [(draw.id, *exclusion) for exclusion in exclusions])
    detail = {"campaign": campaign.id, "seed_source": source, "seed_text": seed_text, "frame_size": len(frame),
              "fingerprint": result.fingerprint, "units": len(result), "excluded": len(exclusions)}
    if "register_findings" in definition:
        detail["register_findings"] = definition["register_findings"]
    _record(draw, previous, reason, user, detail)
    session.flush()
    return draw


def _check_redraw(session, previous: Draw | None, reason: str) -> None:
    """Refuse a redraw once fieldwork has begun, or without a written reason."""
    if previous is not None and _fieldwork_started(session, previous):
        raise ServiceError("fieldwork_started", _(
            "Follow-up of this draw has begun (calls or visits are recorded): a redraw now would set its "
            "results aside and could be used to pick a more pleasing sample. Finish this draw, or start a "
            "new campaign."), 409)
    if previous is not None and len(reason) < MIN_REASON_LENGTH:
        raise ServiceError("redraw_needs_reason", _(
            "This campaign already has a draw. A redraw needs a written reason of at least %(n)d characters; "
            "the earlier draw stays visible as superseded.", n=MIN_REASON_LENGTH))


def _frame_less_exclusions(session, campaign: Campaign, design: Design, snapshot_ids: list[int], definition: dict,
                           now: datetime | None, findings: list[str]):
    """Load the frame and leave out the persons recently verified; return it and the (person, key, reason)
    of those left out."""
    frame = load_frame(session, snapshot_ids, definition, findings)
    positions = np.zeros(0, dtype=np.int64)
    reasons: list[str] = []
    if design.exclude_months:
        positions, reasons = excluded_positions(frame, recently_verified(session, campaign.id,
                                                                        design.exclude_months, now))
    exclusions = [(int(frame.person_ids[p]), frame.keys[p], r) for p, r in zip(positions.tolist(), reasons,
                                                                                strict=True)]
    return (frame.without(positions) if len(positions) else frame), exclusions


def _record(draw: Draw, previous: Draw | None, reason: str, user, detail: dict) -> None:
    """Write the draw's audit entries; a redraw supersedes the draw in force."""
    if previous is not None:
        previous.superseded = True
        auditlog.record("draw.redraw", "draw", draw.id, user=user, supersedes=previous.id, reason=reason, **detail)
        auditlog.record("draw.supersede", "draw", previous.id, user=user, superseded_by=draw.id, reason=reason)
    else:
        auditlog.record("draw.create", "draw", draw.id, user=user, **detail)


def _fieldwork_started(session, draw: Draw) -> bool:
    """Tell whether any attempt has been recorded on a task of the draw."""
    return session.scalar(select(Attempt.id).join(FollowUpTask, FollowUpTask.id == Attempt.task_id)
                          .where(FollowUpTask.draw_id == draw.id).limit(1)) is not None


def _write_units(session, draw_id: int, person_ids: np.ndarray, result) -> None:
    """Store the drawn units, reserves on standby, with one bulk insert (COPY on PostgreSQL)."""
    strata = result.strata.tolist()
    counties = [split_stratum(h)[0] for h in strata]
    statuses = np.where(result.roles == "sample", "active", "standby").tolist()
    rows = zip([draw_id] * len(strata), person_ids.tolist(), result.keys.tolist(), strata, counties,
               result.ranks.tolist(), result.roles.tolist(), statuses, strict=True)
    bulk_insert(session.connection(), "sample_unit", UNIT_COLUMNS, rows)
