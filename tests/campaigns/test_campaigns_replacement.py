"""Who a draw leaves out (persons verified in a recent campaign) and who replaces a drawn unit (the
next reserve of its stratum), and when neither may happen."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from campaigns import preview, replacement, service, verification
from campaigns.frame import months_before
from models import AuditLog, Draw, DrawExclusion, SampleUnit
from support.campaigns_factory import design, draw, make_campaign, units_of

# ---- exclusion of recently sampled persons ------------------------------------------------------------


def _verify_units(session, made, checked_on: date, every: int = 2) -> set[int]:
    """Give every `every`-th active unit of a draw a task and a verification record; return their persons."""
    from models import FollowUpTask, Verification

    verified = set()
    units = session.scalars(select(SampleUnit).where(SampleUnit.draw_id == made.id, SampleUnit.status == "active")
                            .order_by(SampleUnit.id)).all()
    for i, unit in enumerate(units):
        task = FollowUpTask(sample_unit_id=unit.id, campaign_id=made.campaign_id, draw_id=made.id,
                            person_id=unit.person_id, county_code=unit.county_code, start_channel="phone",
                            channel="phone", status="closed" if i % every == 0 else "open", final_outcome=None)
        session.add(task)
        session.flush()
        if i % every == 0:
            session.add(Verification(task_id=task.id, person_id=unit.person_id, county_code=unit.county_code,
                                     checked_on=checked_on, identity_confirmed=i % (2 * every) == 0,
                                     registered_by_self=True, unemployed_at_registration=True, corrections={},
                                     services=[], derived={}, discrepancies=[], submission_key=f"v{unit.id}"))
            if i % (2 * every) == 0:
                verified.add(unit.person_id)
    session.commit()
    return verified


def test_persons_verified_in_a_recent_campaign_are_left_out_and_recorded(rosters, session):
    earlier = draw(session, make_campaign(session, name="上一轮"))
    # Of the 20 drawn, 5 verified with identity confirmed; 5 more with identity not confirmed; 10 never reached.
    verified = _verify_units(session, earlier, date.today())
    assert len(verified) == 5
    campaign = make_campaign(session, name="本轮")
    plan = design(exclude_months="6", total="10")
    assert preview.preview(session, campaign, plan).excluded == 5
    made = draw(session, campaign, plan)
    assert made.excluded_count == 5 and made.frame_size == 70
    excluded = session.scalars(select(DrawExclusion).where(DrawExclusion.draw_id == made.id)).all()
    assert {e.person_id for e in excluded} == verified
    assert {e.reason for e in excluded} == {f"verified_in_campaign:{earlier.campaign_id}"}
    assert not {u.person_id for u in units_of(session, made)} & verified
    assert verification.verify(made).match


def test_verifications_older_than_the_window_do_not_exclude(rosters, session):
    earlier = draw(session, make_campaign(session, name="去年"))
    _verify_units(session, earlier, date(2020, 1, 1))
    made = draw(session, make_campaign(session, name="今年"), design(exclude_months="12"))
    assert made.excluded_count == 0


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (datetime(2026, 3, 31, 8, 0, tzinfo=UTC), 1, datetime(2026, 2, 28, 8, 0, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    (datetime(2024, 8, 31, tzinfo=UTC), 6, datetime(2024, 2, 29, tzinfo=UTC)),
])
def test_months_before_clamps_to_the_end_of_the_month(moment, months, expected):
    assert months_before(moment, months) == expected


# ---- replacement by reserves --------------------------------------------------------------------------


def test_out_of_scope_unit_is_replaced_by_the_next_reserve_of_its_stratum(rosters, session):
    made = draw(session, make_campaign(session))
    units = [u for u in units_of(session, made) if u.stratum == "440803"]
    first = replacement.replace_unit(units[0], "not_of_this_county", "户籍在遂溪县")
    second = replacement.replace_unit(units[1], "deceased_before_frame_date")
    session.commit()
    assert (first.rank, second.rank) == (8, 9) and first.status == second.status == "active"
    assert units[0].status == "replaced" and units[0].replaced_by_id == first.id
    assert units[0].replacement_reason == "not_of_this_county" and units[0].replacement_note == "户籍在遂溪县"
    assert replacement.replaced_counts(session, made) == {"440803": 2}
    with pytest.raises(service.ServiceError) as caught:
        replacement.replace_unit(units[2], "duplicate_record")
    assert caught.value.code == "no_reserve_left"
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "unit.replace")) == 2


@pytest.mark.parametrize("reason", ["unreachable", "false_registration", "refused"])
def test_findings_are_never_a_reason_to_replace(app, rosters, session, reason):
    made = draw(session, make_campaign(session))
    unit = units_of(session, made)[0]
    with app.test_request_context(), pytest.raises(service.ServiceError) as caught:
        replacement.replace_unit(unit, reason)
    assert caught.value.code == "not_replaceable" and "不是替换理由" in caught.value.message
    assert unit.status == "active"


def test_unknown_reason_replaced_unit_and_superseded_draw_are_refused(rosters, session):
    campaign = make_campaign(session)
    made = draw(session, campaign)
    unit = units_of(session, made)[0]
    with pytest.raises(service.ServiceError) as caught:
        replacement.replace_unit(unit, "bored")
    assert caught.value.code == "reason_unknown"
    replacement.replace_unit(unit, "duplicate_record")
    with pytest.raises(service.ServiceError) as caught:
        replacement.replace_unit(unit, "duplicate_record")
    assert caught.value.code == "unit_not_active"
    draw(session, campaign, reason="重新抽取的理由")
    other = units_of(session, made)[1]
    with pytest.raises(service.ServiceError) as caught:
        replacement.replace_unit(other, "duplicate_record")
    assert caught.value.code == "draw_superseded"


def _worked_tasks(session, made, outcome_of_first: str):
    """Make the draw's follow-up tasks and close the first one with `outcome_of_first` after one attempt."""
    from callbacks.context import SYSTEM, retry_rules
    from callbacks.tasks import generate_tasks
    from models import Attempt, FollowUpTask

    session.commit()
    generate_tasks(made.id, datetime(2026, 5, 6, 2, tzinfo=UTC), retry_rules(), SYSTEM)
    task = session.scalar(select(FollowUpTask).where(FollowUpTask.draw_id == made.id).order_by(FollowUpTask.id))
    session.add(Attempt(task_id=task.id, channel="phone", disposition="refused", at=datetime(2026, 5, 6, 2, tzinfo=UTC),
                        submission_key="k1"))
    task.status, task.final_outcome = "closed", outcome_of_first
    session.commit()
    return session.get(SampleUnit, task.sample_unit_id)


@pytest.mark.parametrize("outcome", ["refused", "unreachable", "verified"])
def test_a_unit_whose_case_has_an_outcome_is_never_replaced(app, rosters, session, outcome):
    made = draw(session, make_campaign(session))
    unit = _worked_tasks(session, made, outcome)
    with app.test_request_context(), pytest.raises(service.ServiceError) as caught:
        replacement.replace_unit(unit, "not_registered_on_frame_date")
    assert caught.value.code == "outcome_recorded" and "留在报告" in caught.value.message
    assert unit.status == "active"


def test_a_case_closed_as_out_of_scope_may_be_replaced(rosters, session):
    made = draw(session, make_campaign(session))
    unit = _worked_tasks(session, made, "out_of_scope")
    reserve = replacement.replace_unit(unit, "not_registered_on_frame_date")
    assert unit.status == "replaced" and reserve.role == "reserve"


def test_no_redraw_once_follow_up_has_begun(app, rosters, session):
    campaign = make_campaign(session)
    made = draw(session, campaign)
    _worked_tasks(session, made, "refused")
    with app.test_request_context(), pytest.raises(service.ServiceError) as caught:
        draw(session, campaign, reason="抽样设计有误，重新抽取")
    assert caught.value.code == "fieldwork_started" and caught.value.status == 409
    assert session.scalar(select(func.count(Draw.id)).where(Draw.campaign_id == campaign.id)) == 1


def test_the_verifier_checks_which_ranks_are_sample_and_which_reserve(rosters, session):
    made = draw(session, make_campaign(session))
    session.commit()
    assert verification.verify(made).match
    first, reserve = (session.scalar(select(SampleUnit).where(SampleUnit.draw_id == made.id,
                                                              SampleUnit.stratum == "440803", SampleUnit.rank == r))
                      for r in (1, 8))
    assert (first.role, reserve.role) == ("sample", "reserve")
    # Behind the application's back: the published-draw guard refuses this through the ORM.
    session.execute(update(SampleUnit.__table__).where(SampleUnit.id == first.id).values(role="reserve"))
    session.execute(update(SampleUnit.__table__).where(SampleUnit.id == reserve.id).values(role="sample"))
    session.commit()
    session.expire_all()
    report = verification.verify(made)
    assert not report.match
    assert report.messages_zh == ["层“440803”有 2 个单位的样本/备用身份与名次不符（前 7 名应为样本，其后为备用样本），"
                                  "第一处在第 1 位，记录为“reserve”。"]


def test_the_preview_margins_use_each_stratum_s_anticipated_rate_under_neyman(rosters, session):
    from sampling.sizes import margin_of_error

    campaign = make_campaign(session)
    plan = design(total="20", allocation="neyman", rates="440802=0.1\n440803=0.3", rate="0.5")
    planned = preview.preview(session, campaign, plan)
    by_county = {row["county"]: row for row in planned.strata}
    for county, p in (("440802", 0.1), ("440803", 0.3)):
        row = by_county[county]
        assert row["margin"] == pytest.approx(margin_of_error(row["n"], row["N"], 0.95, p), abs=1e-5)  # as shown
    # By hand: Var = Σ W_h² e_h², the overall margin from the two strata's own margins.
    weights = {c: row["N"] / planned.total["N"] for c, row in by_county.items()}
    expected = sum((weights[c] * by_county[c]["margin"]) ** 2 for c in by_county) ** 0.5
    assert planned.total["margin"] == pytest.approx(expected, abs=1e-4)
