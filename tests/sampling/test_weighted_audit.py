"""The audit conclusion of unequally sampled strata is taken on the weighted rate, checked by hand."""

import math

import pytest

from sampling.audit import INCONCLUSIVE, OVER, WITHIN, audit_conclusion
from sampling.estimates import stratified_estimate
from sampling.weighted_audit import is_self_weighting, weighted_audit_conclusion


def test_self_weighting_allows_the_rounding_of_a_proportional_allocation():
    assert is_self_weighting([1000], [7])
    assert is_self_weighting([100, 900], [10, 90])
    assert is_self_weighting([333, 667], [34, 66])  # 33.3 and 66.7 rounded
    assert not is_self_weighting([100, 900], [20, 20])  # the first stratum oversampled 4.5-fold
    assert not is_self_weighting([100, 900], [12, 88])  # 2 units off: no rounding does that


def test_an_oversampled_stratum_no_longer_drives_the_county_over_tolerance():
    # 100 persons with a register finding, 20 verified, 10 discrepant; 900 without, 20 verified, 0 discrepant.
    N, m, d = [100, 900], [20, 20], [10, 0]
    pooled = audit_conclusion(sum(d), sum(m), 0.10, 0.95)
    assert pooled.status == OVER  # 10 of 40 pooled: 25 %, its lower limit above 10 %
    weighted = weighted_audit_conclusion(N, m, d, 0.10, 0.95)
    # By hand: p = 0.1 * 0.5 + 0.9 * 0 = 0.05, below the tolerable 10 %: not over.
    estimate = stratified_estimate(N, m, d, 0.90)
    assert math.isclose(estimate.p, 0.05)
    assert weighted.status != OVER and weighted.weighted and weighted.n_needed is None
    assert (weighted.lower, weighted.upper) == (estimate.low, estimate.high)
    assert weighted.lower < 0.10 and (weighted.status == WITHIN) == (weighted.upper < 0.10)


@pytest.mark.parametrize("d,expected", [([0, 0], WITHIN), ([20, 40], OVER)])
def test_clear_cases_are_decided_either_way(d, expected):
    result = weighted_audit_conclusion([200, 800], [40, 80], d, 0.05, 0.95)
    assert result.status == expected and result.d == sum(d) and result.m == 120


def test_open_units_can_change_the_conclusion_and_nothing_verified_decides_nothing():
    result = weighted_audit_conclusion([100, 900], [5, 5], [0, 0], 0.10, 0.95, open_h=[15, 15])
    assert result.status == INCONCLUSIVE and result.open_units == 30
    assert result.status_if_open_discrepant == OVER and result.status_if_open_clean == WITHIN
    assert weighted_audit_conclusion([100, 900], [0, 0], [0, 0], 0.10).status == INCONCLUSIVE
