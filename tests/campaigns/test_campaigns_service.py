"""Campaigns and draws as stored: the frame and its keys, the design, the draw, redraws and verification
(exclusions and replacement: test_campaigns_replacement.py)."""

from datetime import date

import pytest
from sqlalchemy import insert, select, update

from campaigns import drawing, preview, service, verification
from campaigns.design import DesignError, parse_design
from campaigns.frame import load_frame
from models import AuditLog, Draw, Person, RosterSnapshot, SampleUnit
from models.sampling import PublishedDrawError
from roster.snapshots import current_snapshots
from support.campaigns_factory import TWO, design, draw, make_campaign, units_of
from support.roster_factory import add_roster, birth, id_number

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
