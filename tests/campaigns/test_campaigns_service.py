"""Campaigns and draws as stored: the frame and its keys, exclusions, the draw, redraws, verification,
replacement by reserves."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, select, update

from campaigns import drawing, preview, replacement, service, verification
from campaigns.design import DesignError, parse_design
from campaigns.frame import load_frame, months_before
from models import AuditLog, Draw, DrawExclusion, Person, RosterSnapshot, SampleUnit
from models.sampling import PublishedDrawError
from roster.snapshots import current_snapshots
from support.campaigns_factory import TWO, design, draw, make_campaign
from support.roster_factory import add_roster, birth, id_number


@pytest.fixture
def ctx(app):
    """Run the test inside an app context (no test client here)."""
    with app.app_context():
        yield


@pytest.fixture
def rosters(ctx, session):
    """50 registered persons in 赤坎区; 30 in 霞山区, the last 5 of them cancelled."""
    add_roster(session, "440802", 50)
    add_roster(session, "440803", 30, start=100, cancelled=5)


def units_of(session, made):
    return session.scalars(select(SampleUnit).where(SampleUnit.draw_id == made.id)
                           .order_by(SampleUnit.stratum, SampleUnit.rank)).all()


# ---- the frame ----------------------------------------------------------------------------------------


def test_frame_holds_the_registered_persons_of_the_current_snapshots(rosters, session):
    ids = sorted(current_snapshots(session, TWO).values())
    frame = load_frame(session, ids, {"population": "registered", "stratify_by": None})
    assert len(frame) == 75
    assert sorted(set(frame.strata.tolist())) == TWO
    assert all(key.startswith(f"{county}:") for key, county in zip(frame.keys, frame.counties, strict=True))


def test_frame_keys_number_repeated_id_numbers_of_a_county_by_source_row(ctx, session):
    snapshot = RosterSnapshot(county_code="440802", source="test", row_count=4, is_current=False)
    session.add(snapshot)
    session.flush()
    twin = id_number("440802", birth(1), 1)
    rows = [(9, twin), (3, twin), (5, id_number("440802", birth(2), 2)), (7, twin)]
    session.execute(insert(Person), [
        {"snapshot_id": snapshot.id, "county_code": "440802", "source_row": src, "name": f"重复{src}",
         "id_number": number, "registered_on": date(2025, 1, 1)} for src, number in rows])
    session.commit()
    frame = load_frame(session, [snapshot.id], {"population": "registered", "stratify_by": None})
    key_of = dict(zip(frame.person_ids.tolist(), frame.keys, strict=True))
    source_of = dict(session.execute(select(Person.id, Person.source_row)
                                     .where(Person.snapshot_id == snapshot.id)).all())
    keys = {source_of[pid]: key for pid, key in key_of.items()}
    assert keys[3] == f"440802:{twin}" and keys[7] == f"440802:{twin}#2" and keys[9] == f"440802:{twin}#3"
    assert keys[5] == f"440802:{id_number('440802', birth(2), 2)}"


def test_frame_can_be_crossed_with_one_roster_field(rosters, session):
    session.execute(update(Person).where(Person.county_code == "440802", Person.id % 2 == 0).values(gender="2"))
    session.commit()
    campaign = make_campaign(session)
    made = draw(session, campaign, design(stratify_by="gender", method="fixed", n="4", reserve_count="1"))
    assert set(made.strata) == {"440802|1", "440802|2", "440803|1"}
    assert {h: (s["n"], s["reserves"]) for h, s in made.strata.items()} == {
        "440802|1": (4, 1), "440802|2": (4, 1), "440803|1": (4, 1)}


def test_cancelled_population_is_the_persons_cancelled_within_the_period(rosters, session):
    campaign = make_campaign(session)
    plan = design(population="cancelled", cancelled_from="2025-08-01", cancelled_to="2025-09-30",
                  method="fixed", n="3", reserve_count="0")
    made = draw(session, campaign, plan)
    assert made.frame_size == 5 and made.strata["440802"]["N"] == 0 and made.strata["440803"]["n"] == 3
    persons = session.scalars(select(Person).join(SampleUnit, SampleUnit.person_id == Person.id)
                              .where(SampleUnit.draw_id == made.id)).all()
    assert all(p.cancelled_on == date(2025, 9, 1) for p in persons)


def test_a_county_without_a_roster_is_refused(ctx, session):
    add_roster(session, "440802", 10)
    campaign = make_campaign(session)
    with pytest.raises(service.ServiceError) as caught:
        drawing.make_draw(campaign, design(), None)
    assert caught.value.code == "no_roster" and "440803" in caught.value.message


def test_design_problems_are_all_reported_at_once(ctx):
    with pytest.raises(DesignError) as caught:
        parse_design({"method": "total", "total": "lots", "confidence": "x", "counties": ["999999"]}, TWO)
    fields = {f for f, _m in caught.value.problems}
    assert fields == {"total", "confidence", "counties"}


@pytest.mark.parametrize(("values", "field", "says"), [
    ({"method": "total", "total": "10", "confidence": "100%"}, "confidence", "< 100%"),
    ({"method": "precision", "margin": "0"}, "margin", "> 0%"),
    ({"method": "attribute", "tolerable": "100"}, "tolerable", "按 100% 理解"),
    ({"method": "attribute", "tolerable": "1"}, "tolerable", "有歧义"),
    ({"method": "total", "total": "10", "confidence": "1"}, "confidence", "有歧义"),
    ({"method": "total", "total": "10", "confidence": "40"}, "confidence", "至少为 50%"),
])
def test_a_confidence_margin_or_tolerable_rate_of_0_1_or_100_percent_is_refused(ctx, values, field, says):
    with pytest.raises(DesignError) as caught:
        parse_design(values, TWO)
    assert [(f, says in m) for f, m in caught.value.problems] == [(field, True)]


@pytest.mark.parametrize("typed", ["95", "95%", "95 %", "０．９５", "0.95"])
def test_every_rate_field_takes_percent_or_fraction_and_says_how_it_was_read(ctx, typed):
    design = parse_design({"method": "attribute", "tolerable": "5", "confidence": typed, "expected": "0.5%",
                           "rate": "50"}, TWO)
    assert (design.confidence, design.tolerable, design.expected, design.rate) == (0.95, 0.05, 0.005, 0.5)
    assert design.readings == {"confidence": "95%", "tolerable": "5%", "expected": "0.5%", "rate": "50%"}
    assert "readings" not in design.size_rule()


def test_the_tolerable_rate_is_read_whatever_the_size_method(ctx):
    design = parse_design({"method": "total", "total": "10", "allocation": "neyman", "tolerable": "3%"}, TWO)
    assert design.tolerable == 0.03


def test_stratum_rates_take_percents_too(ctx):
    design = parse_design({"method": "total", "total": "10", "allocation": "neyman", "rates": "440802=10%\n440803=0.2"},
                          TWO)
    assert design.rates == {"440802": 0.1, "440803": 0.2}


def test_a_script_giving_both_a_reserve_share_and_count_is_told_to_choose(ctx):
    with pytest.raises(DesignError) as caught:
        parse_design({"method": "total", "total": "10", "reserve_share": "0.2", "reserve_count": "3"}, TWO)
    assert [f for f, _m in caught.value.problems] == ["reserve_count"]
    page = parse_design({"method": "total", "total": "10", "reserve_share": "0.2", "reserve_count": "3",
                         "reserve_mode": "count"}, TWO)  # the page says which one it means
    assert (page.reserve_count, page.reserve_share) == (3, None)


# ---- the draw -----------------------------------------------------------------------------------------


def test_draw_writes_exactly_n_plus_r_units_per_stratum_in_rank_order(rosters, session):
    campaign = make_campaign(session)
    made = draw(session, campaign)
    assert made.strata == {"440802": {"N": 50, "n": 13, "reserves": 3}, "440803": {"N": 25, "n": 7, "reserves": 2}}
    units = units_of(session, made)
    for stratum, n, r in (("440802", 13, 3), ("440803", 7, 2)):
        mine = [u for u in units if u.stratum == stratum]
        assert [u.rank for u in mine] == list(range(1, n + r + 1))
        assert [u.role for u in mine] == ["sample"] * n + ["reserve"] * r
        assert [u.status for u in mine] == ["active"] * n + ["standby"] * r
    assert len({u.person_id for u in units}) == 25
    assert made.seed_source == "public" and made.seed == "3152231" and made.frame_size == 75


def test_preview_plans_the_same_sizes_the_draw_uses(rosters, session):
    campaign = make_campaign(session)
    planned = preview.preview(session, campaign, design())
    made = draw(session, campaign)
    assert {r["stratum"]: (r["N"], r["n"], r["reserves"]) for r in planned.strata} == {
        h: (s["N"], s["n"], s["reserves"]) for h, s in made.strata.items()}
    assert planned.total["n"] == 20 and 0 < planned.total["margin"] < planned.strata[0]["margin"]


def test_system_seed_is_generated_and_recorded(rosters, session):
    campaign = make_campaign(session)
    made = draw(session, campaign, seed=None)
    assert made.seed_source == "system" and made.seed_text.isdigit() and made.seed == made.seed_text


def test_same_seed_and_frame_give_the_same_sample_in_another_campaign(rosters, session):
    first = draw(session, make_campaign(session, name="A"))
    second = draw(session, make_campaign(session, name="B"))
    assert [u.frame_key for u in units_of(session, first)] == [u.frame_key for u in units_of(session, second)]


def test_published_draw_is_read_only(rosters, session):
    made = draw(session, make_campaign(session))
    made.seed = "1"
    with pytest.raises(PublishedDrawError):
        session.commit()
    session.rollback()
    unit = units_of(session, made)[0]
    unit.rank = 99
    with pytest.raises(PublishedDrawError):
        session.commit()
    session.rollback()
    session.delete(session.get(Draw, made.id))
    with pytest.raises(PublishedDrawError):
        session.commit()
    session.rollback()


def test_second_draw_needs_a_written_reason(rosters, session):
    campaign = make_campaign(session)
    draw(session, campaign)
    for reason in ("", "   ", "ab"):
        with pytest.raises(service.ServiceError) as caught:
            drawing.make_draw(campaign, design(), None, reason)
        session.rollback()
        assert caught.value.code == "redraw_needs_reason"


def test_redraw_makes_a_new_draw_and_keeps_the_old_one_visible_and_audited(rosters, session):
    campaign = make_campaign(session)
    old = draw(session, campaign)
    new = draw(session, campaign, design(total="30"), seed="7 7 7", reason="抽样框导入有误，重新抽取")
    session.refresh(old)
    assert old.superseded and not new.superseded and new.supersedes_id == old.id
    assert new.redraw_reason == "抽样框导入有误，重新抽取" and service.current_draw(campaign).id == new.id
    assert len(units_of(session, old)) == 25 and len(units_of(session, new)) == 30 + 4 + 2
    actions = session.execute(select(AuditLog.action, AuditLog.object_id).order_by(AuditLog.id)).all()
    assert ("draw.create", str(old.id)) in actions and ("draw.redraw", str(new.id)) in actions
    assert ("draw.supersede", str(old.id)) in actions


# ---- verification -------------------------------------------------------------------------------------


def test_verify_matches_even_after_a_new_roster_is_imported(rosters, session):
    made = draw(session, make_campaign(session))
    add_roster(session, "440802", 5, start=500)  # a newer snapshot; the draw's snapshot is unchanged
    session.execute(update(RosterSnapshot).where(RosterSnapshot.id == 1).values(is_current=False))
    session.commit()
    report = verification.verify(made)
    assert report.match, report.messages_en


def test_verify_detects_a_tampered_person_of_the_snapshot(rosters, session):
    made = draw(session, make_campaign(session))
    victim = session.scalar(select(Person).where(Person.snapshot_id == 1).limit(1))
    session.execute(update(Person).where(Person.id == victim.id).values(id_number="440802199001011234"))
    session.commit()
    report = verification.verify(made)
    assert not report.match
    assert any("fingerprint" in m.lower() for m in report.messages_en)
    assert any("抽样框指纹不一致" in m for m in report.messages_zh)


def test_verify_detects_a_changed_seed(rosters, session):
    made = draw(session, make_campaign(session))
    session.execute(update(Draw).where(Draw.id == made.id).values(seed="42"))
    session.commit()
    session.expire_all()
    report = verification.verify(session.get(Draw, made.id))
    assert not report.match and any("seed" in m.lower() for m in report.messages_en)


def test_verify_detects_a_swapped_unit(rosters, session):
    made = draw(session, make_campaign(session))
    unit = units_of(session, made)[0]
    outsider = session.scalar(select(Person.county_code + ":" + Person.id_number).where(Person.id == 49))
    session.execute(update(SampleUnit).where(SampleUnit.id == unit.id).values(frame_key=outsider))
    session.commit()
    assert not verification.verify(made).match


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
