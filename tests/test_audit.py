"""Specification of the per-county audit conclusion: one-sided exact limits against a tolerable rate."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sampling.audit import (
    INCONCLUSIVE,
    OVER,
    WITHIN,
    audit_conclusion,
    exact_lower_limit,
    exact_upper_limit,
    sample_size_to_settle,
)
from sampling.errors import SamplingInputError
from sampling.estimates import EstimateInputError

# (d, m, tolerable, confidence, status, n_needed)
CONCLUSIONS = [
    # The attribute-sampling table for 95% confidence and 5% tolerable rate (AICPA Audit Sampling
    # guide): 59 with no deviation, 93 with one, 124 with two, 153 with three, 181 with four.
    (0, 59, 0.05, 0.95, WITHIN, 59),
    (1, 93, 0.05, 0.95, WITHIN, 93),
    (2, 124, 0.05, 0.95, WITHIN, 124),
    (3, 153, 0.05, 0.95, WITHIN, 153),
    (4, 181, 0.05, 0.95, WITHIN, 181),
    # One unit short of each: not yet settled. The size needed holds the observed rate, not the
    # count: 1/92 held over 93 units is 1.01 deviations, so one more unit than the table's is needed.
    (0, 58, 0.05, 0.95, INCONCLUSIVE, 59),
    (1, 92, 0.05, 0.95, INCONCLUSIVE, 94),
    (4, 180, 0.05, 0.95, INCONCLUSIVE, 182),
    # At 90% confidence zero deviations need ln(0.1)/ln(0.95) = 44.9, so 45 units.
    (0, 45, 0.05, 0.90, WITHIN, 45),
    (0, 44, 0.05, 0.90, INCONCLUSIVE, 45),
    # Over: the lower limit is above the tolerable rate.
    (12, 50, 0.05, 0.95, OVER, 50),
    (20, 20, 0.10, 0.95, OVER, 20),
    # 7/40 = 17.5% against 10%: 61 units at that rate would show it is over.
    (7, 40, 0.10, 0.95, INCONCLUSIVE, 61),
    # 3/50 = 6% against 5%: only a large sample tells them apart.
    (3, 50, 0.05, 0.95, INCONCLUSIVE, 1431),
    # Observed rate equal to the tolerable rate: no sample size settles it.
    (2, 40, 0.05, 0.95, INCONCLUSIVE, None),
    # Nothing resolved: no observed rate to project.
    (0, 0, 0.05, 0.95, INCONCLUSIVE, None),
]


@pytest.mark.parametrize(("d", "m", "tolerable", "confidence", "status", "n_needed"), CONCLUSIONS)
def test_audit_conclusion_table(d, m, tolerable, confidence, status, n_needed):
    conclusion = audit_conclusion(d, m, tolerable, confidence)
    assert conclusion.status == status
    assert conclusion.n_needed == n_needed
    assert conclusion.additional_n_needed == (None if n_needed is None else n_needed - m)
    if status == WITHIN:
        assert conclusion.upper < tolerable
    elif status == OVER:
        assert conclusion.lower > tolerable
    else:
        assert conclusion.lower <= tolerable <= conclusion.upper


# R 4.2.2: binom.test(d, m, alternative = "less")$conf.int[2] and alternative = "greater" [1].
R_ONE_SIDED = [
    (0, 59, 0.0495076098882269, 0.0),
    (3, 50, 0.147837176364181, 0.0165518591892314),
    (12, 50, 0.359655696832131, 0.14471815520805),
    (1, 93, 0.0499939783879884, 0.000551388729198187),
    (7, 40, 0.303705667003415, 0.0851325045859817),
]


@pytest.mark.parametrize(("d", "m", "upper", "lower"), R_ONE_SIDED)
def test_one_sided_limits_match_r_binom_test(d, m, upper, lower):
    conclusion = audit_conclusion(d, m, 0.05)
    assert conclusion.upper == pytest.approx(upper, rel=1e-12)
    assert conclusion.lower == pytest.approx(lower, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("m", [1, 10, 59, 200])
def test_one_sided_limits_match_scipy_binomtest(m):
    for d in range(m + 1):
        less = stats.binomtest(d, m, alternative="less").proportion_ci(0.95, method="exact")
        greater = stats.binomtest(d, m, alternative="greater").proportion_ci(0.95, method="exact")
        assert exact_upper_limit(d, m, 0.95) == pytest.approx(less.high, rel=1e-9)
        assert exact_lower_limit(d, m, 0.95) == pytest.approx(greater.low, rel=1e-9, abs=1e-15)


def test_zero_deviation_limit_in_closed_form():
    # (1 - u)^m = 1 - confidence
    assert exact_upper_limit(0, 59, 0.95) == pytest.approx(1 - 0.05 ** (1 / 59), rel=1e-12)


def test_open_units_show_whether_the_conclusion_could_still_change():
    conclusion = audit_conclusion(0, 59, 0.05, open_units=3)
    assert conclusion.status == WITHIN
    assert conclusion.open_units == 3
    assert conclusion.status_if_open_clean == WITHIN  # 0 in 62
    assert conclusion.status_if_open_discrepant == INCONCLUSIVE  # 3 in 62


def test_a_census_caps_the_size_needed():
    assert audit_conclusion(3, 50, 0.05, population=300).n_needed == 300
    assert audit_conclusion(3, 50, 0.05, population=5000).n_needed == 1431


@pytest.mark.parametrize(("call", "code"), [
    (lambda: audit_conclusion(3, 2, 0.05), "discrepant_exceeds_resolved"),
    (lambda: audit_conclusion(1, 2, 0.0), "tolerable_out_of_range"),
    (lambda: audit_conclusion(1, 2, 1.0), "tolerable_out_of_range"),
    (lambda: audit_conclusion(1, 2, "5%"), "tolerable_out_of_range"),
    (lambda: audit_conclusion(1, 2, 0.05, 1.5), "confidence_out_of_range"),
    (lambda: audit_conclusion(1, 2, 0.05, 0.4), "audit_confidence_too_low"),
    (lambda: audit_conclusion(1, 2, 0.05, open_units=-1), "count_invalid"),
    (lambda: audit_conclusion(1, 20, 0.05, open_units=5, population=24), "sample_exceeds_population"),
])
def test_bad_input_is_refused_with_a_stable_code(call, code):
    with pytest.raises(EstimateInputError) as caught:
        call()
    assert caught.value.code == code
    assert isinstance(caught.value, SamplingInputError)
    assert caught.value.message_en and caught.value.message("zh") == str(caught.value)


@given(st.integers(0, 400).flatmap(lambda m: st.tuples(st.integers(0, m), st.just(m))),
       st.floats(0.01, 0.5), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_limits_enclose_the_rate_and_the_status_follows_them(dm, tolerable, confidence):
    d, m = dm
    conclusion = audit_conclusion(d, m, tolerable, confidence)
    p = d / m if m else 0.5
    assert 0.0 <= conclusion.lower <= p <= conclusion.upper <= 1.0
    assert (conclusion.status == WITHIN) == (conclusion.upper < tolerable)
    assert (conclusion.status == OVER) == (conclusion.lower > tolerable)


@given(st.integers(1, 120).flatmap(lambda m: st.tuples(st.integers(0, m), st.just(m))),
       st.floats(0.02, 0.3), st.sampled_from([0.9, 0.95]))
def test_size_needed_is_the_smallest_that_settles_at_the_observed_rate(dm, tolerable, confidence):
    d, m = dm
    n = sample_size_to_settle(d, m, tolerable, confidence)
    if n is None:
        return
    rate = d / m
    assert audit_conclusion(d, m, tolerable, confidence).additional_n_needed == n - m

    def settled(size):
        k = rate * size
        return exact_upper_limit(k, size, confidence) < tolerable or exact_lower_limit(k, size, confidence) > tolerable

    assert settled(n)
    assert n == m or not settled(n - 1)


def test_worked_example_in_docs():
    # docs/statistics.md, section 8, tolerable rate 5% at 95% confidence.
    chikan = audit_conclusion(6, 40, 0.05, open_units=5, population=1200)
    assert chikan.status == OVER and chikan.lower == pytest.approx(0.0674, abs=5e-5)
    assert chikan.status_if_open_clean == OVER
    xiashan = audit_conclusion(3, 30, 0.05, open_units=2, population=800)
    assert xiashan.status == INCONCLUSIVE
    assert (xiashan.upper, xiashan.lower) == pytest.approx((0.2386, 0.0278), abs=5e-5)
    assert (xiashan.n_needed, xiashan.additional_n_needed) == (78, 48)
    xuwen = audit_conclusion(0, 0, 0.05, open_units=8, population=500)
    assert xuwen.status == INCONCLUSIVE and xuwen.n_needed is None
