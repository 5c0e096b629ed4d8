"""Strata by register finding: each county crossed with "has an active register finding" at draw time, the
finding list fixed with the draw so that it re-verifies after later matches, and the finding strata
oversampled."""

import json

import pytest
from sqlalchemy import insert, select

from campaigns import drawing, preview, register_strata, service, verification
from campaigns.design import DesignError
from campaigns.frame import load_frame
from models import AuditLog, Draw, DrawFindingPerson, RegisterFinding
from models.sampling import PublishedDrawError
from roster.snapshots import current_snapshots
from support.campaigns_factory import TWO, design, draw, make_campaign, units_of
from support.registers_factory import write_csv
from support.roster_factory import add_roster, birth, id_number

A, B = TWO


def person(county, n):
    """The ID number of the n-th test person of a county's roster (support.roster_factory)."""
    return id_number(county, birth(n), n)


def match_deaths(runner, tmp_path, numbers, name="死亡.csv"):
    """Import a death register listing the ID numbers (died after registering) and run the match."""
    path = write_csv(tmp_path / name, ["身份证号码", "死亡日期"], [[n, "2025-06-01"] for n in numbers])
    for args in (["import", path, "--kind", "death"], ["match"]):
        result = runner.invoke(args=["registers", *args, "--json"])
        assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def matched(rosters, runner, tmp_path):
    """Three persons of 赤坎区 and one of 霞山区 with a finding (deceased, not de-registered)."""
    match_deaths(runner, tmp_path, [person(A, 1), person(A, 7), person(A, 30), person(B, 104)])


def by_finding(**values):
    return design(stratify_by="register_finding", **values)


# ---- without a match ------------------------------------------------------------------------------------


def test_register_finding_strata_are_refused_before_any_match(rosters, session):
    campaign = make_campaign(session)
    with pytest.raises(service.ServiceError) as caught:
        drawing.make_draw(campaign, by_finding(), None)
    assert caught.value.code == "no_register_match" and caught.value.status == 409
    with pytest.raises(service.ServiceError):
        preview.preview(session, campaign, by_finding())
    assert session.scalar(select(Draw.id)) is None


# ---- the strata and the stored list -------------------------------------------------------------------


def test_each_county_is_crossed_with_its_persons_with_a_finding(matched, session):
    campaign = make_campaign(session)
    made = draw(session, campaign, by_finding(method="fixed", n="2", reserve_count="0"))
    assert {h: s["N"] for h, s in made.strata.items()} == {
        f"{A}|finding": 3, f"{A}|none": 47, f"{B}|finding": 1, f"{B}|none": 24}
    assert {h: s["n"] for h, s in made.strata.items()} == {
        f"{A}|finding": 2, f"{A}|none": 2, f"{B}|finding": 1, f"{B}|none": 2}
    marked = {f"{A}:{person(A, n)}" for n in (1, 7, 30)} | {f"{B}:{person(B, 104)}"}
    record = made.frame_definition["register_findings"]
    assert record["persons"] == 4 and record["digest"] == register_strata.digest(sorted(marked))
    assert record["match_id"] == register_strata.latest_match(session).id
    assert set(register_strata.stored_persons(session, made.id)) == marked
    for unit in units_of(session, made):
        assert (unit.frame_key.split("#")[0] in marked) == unit.stratum.endswith("|finding")


def test_preview_counts_the_strata_as_the_draw_will(matched, session):
    campaign = make_campaign(session)
    planned = preview.preview(session, campaign, by_finding(method="fixed", n="2", reserve_count="0"))
    assert {r["stratum"]: (r["N"], r["n"]) for r in planned.strata} == {
        f"{A}|finding": (3, 2), f"{A}|none": (47, 2), f"{B}|finding": (1, 1), f"{B}|none": (24, 2)}
    made = draw(session, campaign, by_finding(method="fixed", n="2", reserve_count="0"))
    assert {r["stratum"]: r["N"] for r in planned.strata} == {h: s["N"] for h, s in made.strata.items()}


def test_a_later_match_does_not_change_what_the_stored_draw_verifies_to(matched, session, runner, tmp_path):
    campaign = make_campaign(session)
    made = draw(session, campaign, by_finding(total="20"))
    assert verification.verify(made).match
    before = register_strata.stored_persons(session, made.id)
    # A new roster of 赤坎区 without persons 30-49, and new deaths: the next match retires the finding of
    # person 30 (no longer registered) and adds three.
    add_roster(session, A, 30)
    match_deaths(runner, tmp_path, [person(A, 2), person(A, 3), person(B, 110)], name="死亡2.csv")
    now = register_strata.finding_persons(session, TWO)
    assert now != before and f"{A}:{person(A, 30)}" not in now and f"{A}:{person(A, 2)}" in now
    assert session.scalar(select(RegisterFinding.active).where(RegisterFinding.id_number == person(A, 30))) is False
    report = verification.verify(session.get(Draw, made.id))
    assert report.match, report.messages_en
    assert register_strata.stored_persons(session, made.id) == before


def test_a_changed_finding_list_fails_verification_in_both_languages(matched, session):
    campaign = make_campaign(session)
    made = draw(session, campaign, by_finding(total="20"))
    session.execute(insert(DrawFindingPerson), [{"draw_id": made.id, "county_code": A, "id_number": person(A, 5)}])
    session.commit()
    report = verification.verify(session.get(Draw, made.id))
    assert not report.match
    assert any("digest" in m for m in report.messages_en)
    assert any("比对发现名单" in m for m in report.messages_zh)


def test_the_stored_finding_list_is_never_changed(matched, session):
    campaign = make_campaign(session)
    made = draw(session, campaign, by_finding(total="20"))
    row = session.scalar(select(DrawFindingPerson).where(DrawFindingPerson.draw_id == made.id).limit(1))
    row.id_number = person(A, 9)
    with pytest.raises(PublishedDrawError):
        session.flush()
    session.rollback()


# ---- oversampling -------------------------------------------------------------------------------------


def test_oversampling_gives_the_finding_strata_a_larger_sampling_fraction(ctx, session, runner, tmp_path):
    add_roster(session, A, 50)
    match_deaths(runner, tmp_path, [person(A, n) for n in range(10)])
    campaign = make_campaign(session, counties=[A])
    plain = preview.preview(session, campaign, by_finding(counties=[A], total="20"))
    assert {r["stratum"]: r["n"] for r in plain.strata} == {f"{A}|finding": 4, f"{A}|none": 16}
    made = draw(session, campaign, by_finding(counties=[A], total="20", oversample="2"))
    assert {h: (s["N"], s["n"]) for h, s in made.strata.items()} == {f"{A}|finding": (10, 7), f"{A}|none": (40, 13)}
    assert made.design["oversample"] == 2.0
    assert verification.verify(made).match


def test_oversampling_multiplies_a_fixed_n(matched, session):
    campaign = make_campaign(session)
    made = draw(session, campaign, by_finding(method="fixed", n="2", oversample="1.5", reserve_count="0"))
    # ceil(2 * 1.5) = 3, capped at N_h: 赤坎区 has 3 persons with a finding, 霞山区 1.
    assert {h: s["n"] for h, s in made.strata.items()} == {
        f"{A}|finding": 3, f"{A}|none": 2, f"{B}|finding": 1, f"{B}|none": 2}


def test_oversampling_is_checked_and_ignored_for_other_strata(ctx):
    with pytest.raises(DesignError) as caught:
        by_finding(oversample="0.5")
    assert {f for f, _m in caught.value.problems} == {"oversample"}
    assert design(stratify_by="gender", oversample="abc").oversample == 1.0
    assert "oversample" not in design(stratify_by="gender").size_rule()


def test_a_frame_row_is_in_the_finding_stratum_by_its_own_county_and_id_number(rosters, session):
    ids = sorted(current_snapshots(session, TWO).values())
    # The same ID number listed for the other county puts nobody of that county in its finding stratum.
    frame = load_frame(session, ids, {"population": "registered", "stratify_by": "register_finding"},
                       [f"{A}:{person(A, 1)}", f"{B}:{person(A, 1)}"])
    strata = dict(zip(frame.keys, frame.strata, strict=True))
    assert strata[f"{A}:{person(A, 1)}"] == f"{A}|finding"
    assert sum(h.endswith("|finding") for h in frame.strata) == 1


def test_cli_draws_by_register_finding_and_verifies(matched, session, runner, tmp_path):
    campaign = make_campaign(session)
    result = runner.invoke(args=["sample", "draw", "--campaign", str(campaign.id), "--stratify-by",
                                 "register_finding", "--oversample", "2", "--total", "20", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["frame_definition"]["register_findings"]["persons"] == 4 and made["design"]["oversample"] == 2.0
    assert set(made["strata"]) == {f"{A}|finding", f"{A}|none", f"{B}|finding", f"{B}|none"}
    verified = runner.invoke(args=["sample", "verify", str(made["id"])])
    assert verified.exit_code == 0 and verified.output.strip() == f"draw {made['id']}: match"
    # The auditor's frame file has the strata as drawn; the audit entry names the findings used.
    frame = tmp_path / "frame.csv"
    exported = runner.invoke(args=["sample", "frame", str(made["id"]), "--output", str(frame)])
    assert exported.exit_code == 0, exported.output
    text = frame.read_text(encoding="utf-8-sig")
    assert text.count(f"{A}|finding") == 3 and text.count(f"{B}|finding") == 1
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "draw.create"))
    assert entry.detail["register_findings"] == made["frame_definition"]["register_findings"]
