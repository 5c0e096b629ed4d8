"""A county stratified by register finding and oversampled: its rates stay weighted by N_h, not by units."""

import math

import pytest

from models import Campaign
from reports.figures import Options, county_figures
from sampling.audit import audit_conclusion
from support.reports_factory import add_campaign

A = "440802"


def test_county_rate_weights_oversampled_strata_by_their_population(app, session):
    # 20 of 100 with a finding (fraction 0.2), 20 of 900 without (0.022): 10 and 2 of them not authentic.
    strata = {f"{A}|finding": {"N": 100, "verified": [["not_authentic"]] * 10 + [[]] * 10},
              f"{A}|none": {"N": 900, "verified": [["not_authentic"]] * 2 + [[]] * 18}}
    with app.app_context():
        campaign_id = add_campaign(session, strata)
        county = county_figures(session, session.get(Campaign, campaign_id), A, Options(min_resolved=1))["county"]
    rate = county["rates"]["not_authentic"]
    # W = 0.1 and 0.9; p_h = 0.5 and 0.1. The unweighted 12 / 40 = 0.3 would overstate the county's rate.
    p = 0.1 * 0.5 + 0.9 * 0.1
    variance = 0.1**2 * (1 - 20 / 100) * 0.5 * 0.5 / 19 + 0.9**2 * (1 - 20 / 900) * 0.1 * 0.9 / 19
    assert rate["p"] == pytest.approx(p, rel=1e-12) and rate["p"] == pytest.approx(0.14)
    assert rate["se"] == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert (rate["d"], rate["m"]) == (12, 40) and county["population"] == 1000
    assert rate["low"] < p < rate["high"]


def test_county_audit_of_oversampled_strata_is_judged_on_the_weighted_rate(app, session):
    # The same county: pooled, 12 / 40 = 30 % is over a 15 % tolerable rate; weighted, it is 14 %.
    strata = {f"{A}|finding": {"N": 100, "verified": [["not_authentic"]] * 10 + [[]] * 10},
              f"{A}|none": {"N": 900, "verified": [["not_authentic"]] * 2 + [[]] * 18}}
    assert audit_conclusion(12, 40, 0.15, 0.95).status == "over"
    with app.app_context():
        campaign_id = add_campaign(session, strata, tolerable=0.15)
        county = county_figures(session, session.get(Campaign, campaign_id), A, Options(min_resolved=1))["county"]
    audit = county["audit"]
    assert audit["weighted"] and audit["status"] != "over" and audit["n_needed"] is None
    assert audit["lower"] < 0.14 < audit["upper"]


def test_a_county_sampled_at_one_fraction_keeps_the_exact_pooled_test(app, session):
    strata = {f"{A}|finding": {"N": 100, "verified": [["not_authentic"]] * 2 + [[]] * 8},
              f"{A}|none": {"N": 900, "verified": [["not_authentic"]] * 2 + [[]] * 88}}
    with app.app_context():
        campaign_id = add_campaign(session, strata)
        campaign = session.get(Campaign, campaign_id)
        county = county_figures(session, campaign, A, Options(min_resolved=1))["county"]
    assert county["audit"]["weighted"] is False  # 10 of 100 and 90 of 900: one fraction
