"""A county stratified by register finding and oversampled: its rates stay weighted by N_h, not by units."""

import math

import pytest

from models import Campaign
from reports.figures import Options, county_figures
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
