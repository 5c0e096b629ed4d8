"""The dashboard's figures, computed from rows in the database, against values worked out by hand."""

import math
from datetime import date

import pytest
from scipy import stats

from models import Campaign
from reports.figures import Options, campaign_figures, county_blocks, county_figures
from support.reports_factory import add_campaign, add_snapshots

Z = stats.norm.ppf(0.975)
A, B = "440802", "440803"


def wilson(d, m, z=Z):
    """The Wilson interval written out as in docs/statistics.md."""
    p = d / m
    centre = p + z * z / (2 * m)
    half = z * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    return (centre - half) / (1 + z * z / m), (centre + half) / (1 + z * z / m)


def figures(app, session, counties, **kwargs):
    """Compute the figures with rates shown from one resolved unit on, to check the estimators by hand."""
    with app.app_context():
        campaign_id = add_campaign(session, counties, **kwargs)
        return campaign_figures(session, session.get(Campaign, campaign_id), Options(min_resolved=1))


def clean(n):
    return [[] for _ in range(n)]


def test_single_stratum_rate_and_interval_by_hand(app, session):
    f = figures(app, session, {A: {"N": 500, "verified": clean(36) + [["not_authentic"]] * 4}})
    county = f["counties"][0]["rates"]
    low, high = wilson(4, 40)
    assert county["not_authentic"]["p"] == pytest.approx(0.1)
    assert (county["not_authentic"]["low"], county["not_authentic"]["high"]) == pytest.approx((low, high))
    assert county["any"]["d"] == 4 and county["any"]["m"] == 40 and county["any"]["open"] == 0
    # Overall with one stratum: p_st = p, v = (1 - m/N) p (1 - p) / (m - 1).
    overall = f["overall"]["rates"]["any"]
    assert overall["p"] == pytest.approx(0.1)
    assert overall["se"] == pytest.approx(math.sqrt((1 - 40 / 500) * 0.1 * 0.9 / 39))
    assert overall["df"] == 39


def test_unequal_weights_stratified_estimate_by_hand(app, session):
    f = figures(app, session, {
        A: {"N": 1200, "verified": clean(34) + [["inaccurate_data"]] * 6},  # 6/40
        B: {"N": 800, "verified": clean(27) + [["inaccurate_data"]] * 3},  # 3/30
    })
    r = f["overall"]["rates"]["inaccurate_data"]
    assert r["p"] == pytest.approx(0.6 * 0.15 + 0.4 * 0.10)
    v = 0.6**2 * (1 - 40 / 1200) * 0.15 * 0.85 / 39 + 0.4**2 * (1 - 30 / 800) * 0.10 * 0.90 / 29
    assert r["se"] == pytest.approx(math.sqrt(v))
    # The logit interval of docs/statistics.md, section 8: 6.85%–23.29%.
    assert r["low"] == pytest.approx(0.0685, abs=5e-5) and r["high"] == pytest.approx(0.2329, abs=5e-5)
    assert r["df"] == 68 and r["complete"]
    # Counties sorted by their 'any' rate, highest first.
    assert [c["code"] for c in f["counties"]] == [A, B]


def test_stratum_with_nothing_resolved_is_excluded_and_flagged(app, session):
    f = figures(app, session, {
        A: {"N": 1200, "verified": clean(34) + [["not_authentic"]] * 6, "open": 5},
        B: {"N": 800, "verified": clean(27) + [["not_authentic"]] * 3, "open": 2},
        "440825": {"N": 500, "open": 8},  # m_h = 0
    })
    r = f["overall"]["rates"]["not_authentic"]
    assert r["p"] == pytest.approx(0.130)
    assert not r["complete"] and r["coverage"] == pytest.approx(0.8) and r["excluded"] == ["440825"]
    assert r["worst_case"] == pytest.approx(0.48 * 11 / 45 + 0.32 * 5 / 32 + 0.20 * 1)
    assert r["best_case"] == pytest.approx(0.48 * 6 / 45 + 0.32 * 3 / 32)
    empty = next(c for c in f["counties"] if c["code"] == "440825")
    assert empty["rates"]["any"]["p"] is None and empty["rates"]["any"]["low"] is None
    assert empty["rates"]["any"]["reason"] == "too_few_resolved"
    assert f["counties"][-1]["code"] == "440825"  # nothing resolved: sorted last


def test_stratum_with_one_resolved_unit_uses_the_adjust_rule(app, session):
    f = figures(app, session, {A: {"N": 1000, "verified": clean(18) + [["not_authentic"]] * 2},  # 2/20
                               B: {"N": 1000, "verified": [["not_authentic"]]}})  # m_h = 1, p_h = 1
    r = f["overall"]["rates"]["not_authentic"]
    p = 0.5 * 0.1 + 0.5 * 1.0
    v = 0.25 * (1 - 20 / 1000) * 0.1 * 0.9 / 19 + 0.25 * (1 - 1 / 1000) * (1.0 - p) ** 2
    assert r["p"] == pytest.approx(p) and r["se"] == pytest.approx(math.sqrt(v))


@pytest.mark.parametrize("found, p, low_is_zero, high_is_one", [
    ([], 0.0, True, False),  # none discrepant
    (["should_have_been_cancelled"], 1.0, False, True),  # all discrepant
])
def test_none_and_all_discrepant(app, session, found, p, low_is_zero, high_is_one):
    f = figures(app, session, {A: {"N": 300, "verified": [found] * 25}, B: {"N": 200, "verified": [found] * 15}})
    r = f["overall"]["rates"]["any"]
    assert r["p"] == p and r["se"] == 0.0 and r["interval_rule"] == "zero-variance"
    assert (r["low"] == 0.0) == low_is_zero and (r["high"] == 1.0) == high_is_one
    county = next(c for c in f["counties"] if c["code"] == A)["rates"]["any"]
    assert county["p"] == p and (county["low"], county["high"]) == pytest.approx(wilson(25 if found else 0, 25))


def test_open_and_unreachable_units_stand_beside_every_rate(app, session):
    f = figures(app, session, {A: {"N": 900, "verified": clean(8) + [["not_authentic"]] * 2,
                                   "outcomes": {"unreachable": 3, "refused": 2, "partial": 1}, "open": 4,
                                   "replaced": 2}})
    c = f["counties"][0]
    assert c["units"] == 20  # replaced units are out of the sample
    assert c["resolved"] == 10 and c["open"] == 10 and c["in_progress"] == 4
    r = c["rates"]["not_authentic"]
    assert r["p"] == pytest.approx(0.2) and r["open"] == 10
    assert r["worst_case"] == pytest.approx(12 / 20) and r["best_case"] == pytest.approx(2 / 20)
    o = c["outcomes"]
    assert o["counts"] == {"completed": 10, "partial": 1, "refusal": 2, "non_contact": 3, "other": 0, "open": 4}
    assert o["completion_rate"] == pytest.approx(10 / 20) and o["refusal_rate"] == pytest.approx(2 / 20)
    assert o["contact_rate"] == pytest.approx(13 / 20) and o["cooperation_rate"] == pytest.approx(10 / 13)


def test_assistance_coverage_per_service(app, session):
    f = figures(app, session, {A: {"N": 400, "verified": clean(4),
                                   "services": [["job_referral"], ["job_referral", "skills_training"], [], []]}})
    s = f["counties"][0]["services"]
    assert s["job_referral"]["count"] == 2 and s["job_referral"]["answered"] == 4 and s["job_referral"]["p"] == 0.5
    assert s["skills_training"]["p"] == 0.25 and s["certificate_issued"]["p"] == 0.0


def test_audit_conclusion_per_county(app, session):
    f = figures(app, session, {
        A: {"N": 5000, "verified": clean(59)},  # 0 of 59: the AICPA table's size for 5%, 95%
        B: {"N": 5000, "verified": clean(34) + [["not_authentic"]] * 6},  # lower limit 6.74% > 5%
        "440804": {"N": 5000, "verified": clean(27) + [["not_authentic"]] * 3},
    }, tolerable=0.05, confidence=0.95)
    audit = {c["code"]: c["audit"] for c in f["counties"]}
    assert audit[A]["status"] == "within" and audit[A]["upper"] < 0.05
    assert audit[B]["status"] == "over" and audit[B]["lower"] == pytest.approx(0.0674, abs=5e-5)
    assert audit["440804"]["status"] == "inconclusive"
    assert audit["440804"]["n_needed"] == 123  # 153 verified with three discrepancies conclude within
    assert f["overall"]["audit_summary"] == {"within": 1, "over": 1, "inconclusive": 1}


def test_clopper_pearson_on_request(app, session):
    with app.app_context():
        campaign_id = add_campaign(session, {A: {"N": 500, "verified": clean(36) + [["not_authentic"]] * 4}})
        f = county_figures(session, session.get(Campaign, campaign_id), A, Options(method="clopper-pearson"))
    r = f["county"]["rates"]["not_authentic"]
    assert (r["low"], r["high"]) == pytest.approx((stats.beta.ppf(0.025, 4, 37), stats.beta.ppf(0.975, 5, 36)))


def test_progress_sums_the_daily_snapshots(app, session):
    with app.app_context():
        campaign_id = add_campaign(session, {A: {"N": 100, "open": 10}, B: {"N": 100, "open": 10}})
        add_snapshots(session, campaign_id, A, days=3)
        add_snapshots(session, campaign_id, B, days=2)
        f = campaign_figures(session, session.get(Campaign, campaign_id), Options())
        one = county_figures(session, session.get(Campaign, campaign_id), B, Options())
    p = f["progress"]
    assert p["days"] == ["2026-05-01", "2026-05-02", "2026-05-03"]
    assert p["closed"] == [0, 6, 6] and p["tasks"] == [20, 20, 10]
    assert one["progress"]["verified"] == [0, 2]


def test_a_campaign_without_a_draw_has_no_figures(app, session):
    with app.app_context():
        campaign = Campaign(name="empty")
        session.add(campaign)
        session.commit()
        f = campaign_figures(session, campaign, Options())
    assert f["overall"] is None and f["counties"] == []


def small(app, session, counties, minimum=10):
    with app.app_context():
        campaign_id = add_campaign(session, counties)
        return campaign_figures(session, session.get(Campaign, campaign_id), Options(min_resolved=minimum))


@pytest.mark.parametrize("resolved", [0, 1, 9])
def test_below_the_minimum_a_county_shows_its_counts_and_no_rate_interval_or_se(app, session, resolved):
    f = small(app, session, {A: {"N": 500, "verified": [["not_authentic"]] * resolved, "open": 29 - resolved}})
    county, overall = f["counties"][0], f["overall"]
    for block in (county, overall):
        assert block["estimate"] == {"reason": "too_few_resolved", "resolved": resolved, "sampled": 29,
                                     "min_resolved": 10}
        for r in block["rates"].values():
            assert (r["p"], r["low"], r["high"], r.get("se")) == (None, None, None, None)
            assert r["reason"] == "too_few_resolved" and (r["resolved"], r["sampled"]) == (resolved, 29)
        assert all(s["p"] is None for s in block["services"].values())  # no coverage share from a handful
    # The exact audit conclusion still holds at any size: one of one is a tie, nothing is decided.
    assert county["audit"]["status"] == ("inconclusive" if resolved < 3 else "over")
    assert county["audit"]["n_needed"] is None or county["audit"]["n_needed"] > 0


@pytest.mark.parametrize("resolved", [10, 400])
def test_at_the_minimum_and_above_the_rate_is_shown(app, session, resolved):
    f = small(app, session, {A: {"N": 5000, "verified": clean(resolved - 1) + [["not_authentic"]], "open": 3}})
    county, overall = f["counties"][0], f["overall"]
    assert county["estimate"] is None and overall["estimate"] is None
    assert county["rates"]["any"]["p"] == pytest.approx(1 / resolved) and county["rates"]["any"]["reason"] is None
    assert overall["rates"]["any"]["se"] > 0


def test_the_minimum_is_a_setting(app, session):
    f = small(app, session, {A: {"N": 500, "verified": [["not_authentic"]], "open": 3}}, minimum=1)
    assert f["counties"][0]["rates"]["any"]["p"] == 1.0


def test_empty_strata_are_named_as_strata_not_as_their_county(app, session):
    f = small(app, session, {
        "440802|1": {"N": 600, "verified": clean(12)},
        "440802|2": {"N": 600, "open": 5},  # a stratum of 赤坎区 with nothing verified
        "440803|1": {"N": 400, "verified": clean(6)},
        "440803|2": {"N": 400, "verified": clean(6)},
    })
    assert f["overall"]["rates"]["any"]["excluded"] == ["440802|2"]
    chikan = next(c for c in f["counties"] if c["code"] == A)
    assert chikan["rates"]["any"]["excluded"] == ["440802|2"]
    xiashan = next(c for c in f["counties"] if c["code"] == B)
    assert xiashan["rates"]["any"]["excluded"] == []
    assert f["draw"]["stratify_by"] == "gender"


def test_empty_strata_are_said_in_words(app):
    from reports import labels

    with app.test_request_context("/"):
        assert labels.stratum_names(["440802|2", "440803"], "gender") == "赤坎区·女、霞山区"


def test_every_county_at_once_gives_each_county_its_drill_down(app, session):
    """The documents read every county's block in one pass: it must be the drill-down's, county by county,
    including a stratum whose units were all replaced and a county of the campaign with no draw units."""
    with app.app_context():
        campaign_id = add_campaign(session, {
            "440802|1": {"N": 600, "verified": clean(10) + [["not_authentic"], ["inaccurate_data"]] * 2,
                         "outcomes": {"unreachable": 2}, "open": 3, "replaced": 1},
            "440802|2": {"N": 600, "replaced": 2},  # no active unit left in this stratum
            "440803|1": {"N": 400, "verified": clean(4) + [["should_have_been_cancelled"]],
                         "services": [["job_referral"]] * 5},
            "440804|1": {"N": 90, "replaced": 1},  # a county whose every unit was replaced
        })
        campaign = session.get(Campaign, campaign_id)
        codes = ["440802", "440803", "440804", "440881"]  # 440881: not in the draw at all
        options = Options(today=date(2026, 12, 3))
        together = county_blocks(session, campaign, codes, options)
        assert list(together) == codes
        for code in codes:
            alone = county_figures(session, campaign, code, options)["county"]
            assert together[code] == alone, code
        assert together["440804"] is None and together["440881"] is None
        assert together["440802"]["strata"] == 1 and together["440802"]["units"] == 19
