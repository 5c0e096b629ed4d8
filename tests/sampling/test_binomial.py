"""Specification of the exact binomial tails: hand-computed values, and scipy away from any boundary."""

from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from sampling.binomial import exact_fraction, tail_at_least, tail_at_most


def test_rates_are_read_as_the_decimals_they_were_written_as():
    assert exact_fraction(0.05) == Fraction(1, 20)
    assert exact_fraction("0.95") == Fraction(19, 20)
    assert 1 - exact_fraction(0.95) == Fraction(1, 20)


def test_one_discrepancy_in_one_has_an_upper_tail_of_exactly_the_rate():
    assert tail_at_least(1, 1, 0.05) == Fraction(1, 20)


def test_no_discrepancy_in_n_has_a_lower_tail_of_the_clean_rate_to_the_n():
    assert tail_at_most(0, 59, 0.05) == Fraction(19, 20) ** 59
    assert float(tail_at_most(0, 59, 0.05)) == pytest.approx(0.04849, abs=5e-6)
    assert float(tail_at_most(0, 58, 0.05)) == pytest.approx(0.05105, abs=5e-6)


def test_the_two_tails_overlap_in_the_point_probability():
    for k in range(0, 13):
        both = tail_at_most(k, 12, "0.3") + tail_at_least(k, 12, "0.3")
        assert float(both - 1) == pytest.approx(stats.binom.pmf(k, 12, 0.3), rel=1e-12)


def test_edges():
    assert tail_at_most(-1, 5, 0.5) == 0 and tail_at_most(5, 5, 0.5) == 1
    assert tail_at_least(0, 5, 0.5) == 1 and tail_at_least(6, 5, 0.5) == 0
    assert tail_at_most(0, 0, 0.5) == 1


def test_tails_match_scipy_for_random_inputs():
    rng = np.random.default_rng(20260407)
    for _ in range(100):
        n = int(rng.integers(1, 3000))
        k = int(rng.integers(0, n + 1))
        p = round(float(rng.uniform(0.005, 0.6)), 3)
        assert float(tail_at_most(k, n, p)) == pytest.approx(stats.binom.cdf(k, n, p), rel=1e-9, abs=1e-300)
        assert float(tail_at_least(k, n, p)) == pytest.approx(stats.binom.sf(k - 1, n, p), rel=1e-9, abs=1e-300)
