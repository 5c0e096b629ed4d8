"""What the pages, the API and the CLI do with campaigns and draws: one function per action.

Each action checks its input, calls the pure sampling code, stores the result in one transaction and
writes the audit entry with it. Problems raise ServiceError (a stable code and a translated message),
SamplingInputError (sampling/errors.py) or DesignError (campaigns/design.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from auth import scope
from campaigns.design import Design, combined_margin, plan_sizes, split_stratum, stratum_rates
from campaigns.frame import (
    excluded_counts,
    excluded_positions,
    load_frame,
    recently_verified,
    stratum_counts,
)
from core import auditlog
from core.database import bulk_insert
from core.gcpause import collector_paused
from models import Attempt, Campaign, County, Draw, DrawExclusion, FollowUpTask, SampleUnit, Verification
from roster.snapshots import current_snapshots
from sampling.draw import ALGORITHM, CODE_VERSION, draw_stratified, seed_from_text, verify_draw
from sampling.errors import Finding
from sampling.percent import percent_text
from sampling.sizes import margin_of_error

# Out of scope: the person was not a registered unemployed person of this county on the frame date.
REPLACEMENT_REASONS = {
    "not_registered_on_frame_date": _l("Not registered as unemployed on the frame date"),
    "not_of_this_county": _l("Not a person of this county"),
    "duplicate_record": _l("Duplicate record"),
    "deceased_before_frame_date": _l("Deceased before the frame date"),
}
# Findings, never reasons to replace: the unit stays in the sample and its outcome is reported.
FINDINGS_NOT_REPLACEABLE = {
    "unreachable": _l("Cannot be reached"),
    "false_registration": _l("Registration turned out to be false"),
    "refused": _l("Refused to answer"),
}
MIN_REASON_LENGTH = 4


class ServiceError(Exception):
    """An action refused, with a stable code for the API and a message for people."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def create_campaign(session, name: str, counties: list[str], description: str = "",
                    period_start: date | None = None, period_end: date | None = None, user=None) -> Campaign:
    """Create a campaign with its counties in scope (every active county when none are named)."""
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
    return session.scalar(select(Draw).where(Draw.campaign_id == campaign.id, Draw.superseded.is_(False))
                          .order_by(Draw.id.desc()).limit(1))


def _snapshots_for(session, design: Design) -> dict[str, int]:
    """Return the current snapshot of each chosen county, refusing counties without a roster."""
    snapshots = current_snapshots(session, design.counties)
    missing = [code for code in design.counties if code not in snapshots]
    if missing:
        raise ServiceError("no_roster", _("No roster has been imported for: %(codes)s", codes=", ".join(missing)))
    return snapshots


@dataclass
class Preview:
    """The planned sizes of a design over the present frame: one row per stratum, county and in all."""

    strata: list[dict]
    counties: list[dict]
    total: dict
    excluded: int

    def as_dict(self) -> dict:
        return {"strata": self.strata, "counties": self.counties, "total": self.total, "excluded": self.excluded}


def _finite(value: float | None) -> float | None:
    return None if value is None or value != value or value == float("inf") else round(value, 6)


def summarise(populations: dict[str, int], sizes: dict[str, int], reserves: dict[str, int],
              confidence: float, rates: dict[str, float], excluded: int = 0) -> Preview:
    """Tabulate N_h, n_h, r_h and margins of error per stratum (at its anticipated rate p_h), per county
    and overall."""
    strata, by_county = [], {}
    for name in sorted(populations):
        big_n, n, r, p = populations[name], sizes.get(name, 0), reserves.get(name, 0), rates[name]
        county, value = split_stratum(name)
        margin = margin_of_error(n, big_n, confidence, p) if big_n else None
        strata.append({"stratum": name, "county": county, "value": value, "N": big_n, "n": n, "reserves": r,
                       "margin": _finite(margin)})
        by_county.setdefault(county, []).append((big_n, n, r, p))
    counties = [{"county": code, "N": sum(p[0] for p in parts), "n": sum(p[1] for p in parts),
                 "reserves": sum(p[2] for p in parts),
                 "margin": _finite(combined_margin([(p[0], p[1], p[3]) for p in parts], confidence))}
                for code, parts in sorted(by_county.items())]
    everything = [(populations[h], sizes.get(h, 0), rates[h]) for h in populations]
    total = {"N": sum(populations.values()), "n": sum(sizes.values()), "reserves": sum(reserves.values()),
             "margin": _finite(combined_margin(everything, confidence))}
    return Preview(strata, counties, total, excluded)


def preview(session, campaign: Campaign, design: Design, now: datetime | None = None) -> Preview:
    """Plan a design over the present frame without drawing anything."""
    scope.check_campaign(campaign)
    snapshots = _snapshots_for(session, design)
    definition = design.frame_definition()
    ids = sorted(snapshots.values())
    populations = stratum_counts(session, ids, definition)
    if not design.stratify_by:
        populations = {code: populations.get(code, 0) for code in design.counties}
    left_out = excluded_counts(session, ids, definition, campaign.id, now)
    for name, count in left_out.items():
        populations[name] -= count
    sizes, reserves = plan_sizes(design, populations)
    # Neyman allocation plans with a rate per stratum; the margins shown should use the same rates.
    rates = stratum_rates(design, populations) if design.allocation == "neyman" else dict.fromkeys(populations,
                                                                                                    design.rate)
    return summarise(populations, sizes, reserves, design.confidence, rates, sum(left_out.values()))


def new_seed_text() -> str:
    """Return a system-generated seed: 63 random bits from the operating system, in decimal."""
    return str(secrets.randbits(63))


def make_draw(session, campaign: Campaign, design: Design, seed_text: str | None = None, reason: str = "",
              user=None, now: datetime | None = None) -> Draw:
    """Draw the campaign's sample; with a draw already in force, redraw (a written reason is required)."""
    with collector_paused():  # the frame is a million small objects: see gcpause.py
        return _make_draw(session, campaign, design, seed_text, reason, user, now)


def _make_draw(session, campaign: Campaign, design: Design, seed_text: str | None, reason: str, user,
               now: datetime | None) -> Draw:
    scope.check_campaign_change(campaign, user)  # a (re)draw reaches every county of the campaign
    previous = current_draw(campaign)
    reason = (reason or "").strip()
    if previous is not None and _fieldwork_started(session, previous):
        raise ServiceError("fieldwork_started", _(
            "Follow-up of this draw has begun (calls or visits are recorded): a redraw now would set its "
            "results aside and could be used to pick a more pleasing sample. Finish this draw, or start a "
            "new campaign."), 409)
    if previous is not None and len(reason) < MIN_REASON_LENGTH:
        raise ServiceError("redraw_needs_reason", _(
            "This campaign already has a draw. A redraw needs a written reason of at least %(n)d characters; "
            "the earlier draw stays visible as superseded.", n=MIN_REASON_LENGTH))
    source = "public" if seed_text and seed_text.strip() else "system"
    seed_text = seed_text if source == "public" else new_seed_text()
    seed = seed_from_text(seed_text)
    snapshots = _snapshots_for(session, design)
    snapshot_ids = sorted(snapshots.values())
    definition = design.frame_definition()
    frame = load_frame(session, snapshot_ids, definition)
    positions, reasons = np.zeros(0, dtype=np.int64), []
    if design.exclude_months:
        positions, reasons = excluded_positions(frame, recently_verified(session, campaign.id,
                                                                        design.exclude_months, now))
    exclusions = [(int(frame.person_ids[p]), frame.keys[p], r) for p, r in zip(positions.tolist(), reasons,
                                                                                strict=True)]
    frame = frame.without(positions) if len(positions) else frame
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
    if exclusions:
        bulk_insert(session.connection(), "draw_exclusion", ("draw_id", "person_id", "frame_key", "reason"),
                    [(draw.id, *exclusion) for exclusion in exclusions])
    detail = {"campaign": campaign.id, "seed_source": source, "seed_text": seed_text, "frame_size": len(frame),
              "fingerprint": result.fingerprint, "units": len(result), "excluded": len(exclusions)}
    if previous is not None:
        previous.superseded = True
        auditlog.record("draw.redraw", "draw", draw.id, user=user, supersedes=previous.id, reason=reason, **detail)
        auditlog.record("draw.supersede", "draw", previous.id, user=user, superseded_by=draw.id, reason=reason)
    else:
        auditlog.record("draw.create", "draw", draw.id, user=user, **detail)
    session.flush()
    return draw


def _fieldwork_started(session, draw: Draw) -> bool:
    """Tell whether any attempt has been recorded on a task of the draw."""
    return session.scalar(select(Attempt.id).join(FollowUpTask, FollowUpTask.id == Attempt.task_id)
                          .where(FollowUpTask.draw_id == draw.id).limit(1)) is not None


UNIT_COLUMNS = ("draw_id", "person_id", "frame_key", "stratum", "county_code", "rank", "role", "status")


def _write_units(session, draw_id: int, person_ids: np.ndarray, result) -> None:
    """Store the drawn units, reserves on standby, with one bulk insert (COPY on PostgreSQL)."""
    strata = result.strata.tolist()
    counties = [split_stratum(h)[0] for h in strata]
    statuses = np.where(result.roles == "sample", "active", "standby").tolist()
    rows = zip([draw_id] * len(strata), person_ids.tolist(), result.keys.tolist(), strata, counties,
               result.ranks.tolist(), result.roles.tolist(), statuses, strict=True)
    bulk_insert(session.connection(), "sample_unit", UNIT_COLUMNS, rows)


@dataclass
class VerifyReport:
    """The verifier's verdict on a stored draw."""

    draw_id: int
    match: bool
    messages_zh: list[str]
    messages_en: list[str]
    fingerprint: str

    def as_dict(self) -> dict:
        return {"draw": self.draw_id, "match": self.match, "fingerprint": self.fingerprint,
                "reasons": self.messages_en, "reasons_zh": self.messages_zh}


def verify(session, draw: Draw) -> VerifyReport:
    """Rebuild the frame from the draw's snapshots and definition and re-derive the draw from its seed."""
    with collector_paused():  # as in make_draw
        return _verify(session, draw)


def drawn_frame(session, draw: Draw):
    """Rebuild the frame a draw was made from: its snapshots and definition, less the persons it left out."""
    frame = load_frame(session, draw.snapshot_ids, draw.frame_definition)
    excluded = set(session.scalars(select(DrawExclusion.frame_key).where(DrawExclusion.draw_id == draw.id)))
    if excluded:
        frame = frame.without(np.array([i for i, k in enumerate(frame.keys) if k in excluded], dtype=np.int64))
    return frame


def _verify(session, draw: Draw) -> VerifyReport:
    scope.check_campaign(draw.campaign)
    frame = drawn_frame(session, draw)
    recorded: dict[str, list[str]] = {}
    roles: dict[str, list[str]] = {}
    rows = session.execute(select(SampleUnit.stratum, SampleUnit.frame_key, SampleUnit.role)
                           .where(SampleUnit.draw_id == draw.id).order_by(SampleUnit.stratum, SampleUnit.rank))
    for stratum, key, role in rows:
        recorded.setdefault(stratum, []).append(key)
        roles.setdefault(stratum, []).append(role)
    sizes = {h: int(v["n"]) for h, v in draw.strata.items()}
    reserves = {h: int(v["reserves"]) for h, v in draw.strata.items()}
    try:
        seed = int(draw.seed)
    except ValueError:
        seed = -1
    result = verify_draw(frame.keys, frame.strata, sizes, reserves, seed, recorded, draw.frame_fingerprint,
                         recorded_algorithm=draw.algorithm, seed_text=draw.seed_text)
    findings = result.findings + _role_findings(roles, sizes)
    match = result.match and len(findings) == len(result.findings)
    reasons = result.reasons + [f.message("en") for f in findings[len(result.findings):]]
    auditlog.record("draw.verify", "draw", draw.id, match=match, reasons=reasons)
    return VerifyReport(draw.id, match, [f.message("zh") for f in findings], [f.message("en") for f in findings],
                        draw.frame_fingerprint)


def _role_findings(roles: dict[str, list[str]], sizes: dict[str, int]) -> list[Finding]:
    """Check that in each stratum the first n_h ranks are recorded as the sample and the rest as reserves."""
    found = []
    for stratum in sorted(roles):
        n = sizes.get(stratum, 0)
        wrong = [rank for rank, role in enumerate(roles[stratum], start=1)
                 if role != ("sample" if rank <= n else "reserve")]
        if wrong:
            found.append(Finding("role_mismatch", {"stratum": stratum, "count": len(wrong), "n": n,
                                                   "rank": wrong[0], "role": roles[stratum][wrong[0] - 1]}))
    return found


def replace_unit(session, unit: SampleUnit, reason: str, note: str = "", user=None,
                 now: datetime | None = None) -> SampleUnit:
    """Replace an out-of-scope unit by the next unused reserve of its stratum and return that reserve."""
    scope.check_campaign(unit.draw.campaign, user)
    scope.check_county(unit.county_code, user)
    if reason in FINDINGS_NOT_REPLACEABLE:
        raise ServiceError("not_replaceable", _(
            "“%(reason)s” is a finding of the check, not a reason to replace: the person stays in the sample "
            "and the outcome is reported. Only a person who was not a registered unemployed person of this "
            "county on the frame date may be replaced by a reserve.", reason=FINDINGS_NOT_REPLACEABLE[reason]))
    if reason not in REPLACEMENT_REASONS:
        raise ServiceError("reason_unknown", _("Choose one of the listed out-of-scope reasons."))
    if unit.draw.superseded:
        raise ServiceError("draw_superseded", _("This draw has been superseded; its units are no longer worked."),
                           409)
    if unit.status != "active":
        raise ServiceError("unit_not_active", _("Only a unit in the sample can be replaced."), 409)
    task = session.scalar(select(FollowUpTask).where(FollowUpTask.sample_unit_id == unit.id))
    recorded = task is not None and session.scalar(
        select(Verification.id).where(Verification.task_id == task.id)) is not None
    if recorded or (task is not None and task.status == "closed" and task.final_outcome != "out_of_scope"):
        # Its outcome is a result of the check: replacing the unit would take it out of the figures.
        raise ServiceError("outcome_recorded", _(
            "This case already has an outcome (a verification record or a closed case): the outcome is a "
            "result of the check and stays in the report. Only a unit whose case is open or was closed as "
            "out of scope may be replaced by a reserve."), 409)
    reserve = session.scalar(
        select(SampleUnit)
        .where(SampleUnit.draw_id == unit.draw_id, SampleUnit.stratum == unit.stratum,
               SampleUnit.status == "standby")
        .order_by(SampleUnit.rank).limit(1).with_for_update()
    )
    if reserve is None:
        raise ServiceError("no_reserve_left", _("No unused reserve is left in this stratum."), 409)
    unit.status = "replaced"
    unit.replaced_by_id = reserve.id
    unit.replacement_reason = reason
    unit.replacement_note = (note or "").strip() or None
    unit.replaced_at = now or datetime.now(UTC)
    reserve.status = "active"
    session.flush()
    auditlog.record("unit.replace", "sample_unit", unit.id, user=user, draw=unit.draw_id, stratum=unit.stratum,
                    reason=reason, note=unit.replacement_note, reserve=reserve.id, reserve_rank=reserve.rank)
    return reserve


def replaced_counts(session, draw: Draw) -> dict[str, int]:
    """Count the units of each stratum replaced by a reserve (out of scope)."""
    rows = session.execute(select(SampleUnit.stratum, func.count()).where(
        SampleUnit.draw_id == draw.id, SampleUnit.status == "replaced").group_by(SampleUnit.stratum))
    return dict(rows.all())


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
