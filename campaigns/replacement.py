"""Replacement of an out-of-scope unit by the next reserve of its stratum, and the reasons that allow it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from auth import scope
from campaigns.service import ServiceError
from core import auditlog
from core.extensions import db
from models import Draw, FollowUpTask, SampleUnit, Verification

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


def replace_unit(unit: SampleUnit, reason: str, note: str = "", user=None, now: datetime | None = None
                 ) -> SampleUnit:
    """Replace an out-of-scope unit by the next unused reserve of its stratum and return that reserve."""
    with db.write_transaction() as session:
        return _replace_unit(session, unit, reason, note, user, now)


def _replace_unit(session, unit: SampleUnit, reason: str, note: str, user, now: datetime | None) -> SampleUnit:
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
