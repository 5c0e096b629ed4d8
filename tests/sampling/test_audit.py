"""Specification of the per-county audit conclusion: the exact binomial tail at the tolerable rate."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sampling.audit import (
    INCONCLUSIVE,
    OVER,
    WITHIN,
    audit_conclusion,
    audit_status,
    clean_cases_to_conclude_within,
    exact_lower_limit,
    exact_upper_limit,
)
from sampling.checks import EstimateInputError
from sampling.errors import SamplingInputError

# (d, m, tolerable, confidence, status, n_needed): n_needed counts further verified cases, none of them
# discrepant, that would conclude "within"; None when the county is already over.
CONCLUSIONS = [
    # The attribute-sampling table for 95% confidence and 5% tolerable rate (AICPA Audit Sampling
    # guide): 59 with no deviation, 93 with one, 124 with two, 153 with three, 181 with four.
    (0, 59, 0.05, 0.95, WITHIN, 0),
    (1, 93, 0.05, 0.95, WITHIN, 0),
    (2, 124, 0.05, 0.95, WITHIN, 0),
    (3, 153, 0.05, 0.95, WITHIN, 0),
    (4, 181, 0.05, 0.95, WITHIN, 0),
    # One unit short of each: one more clean case concludes it.
    (0, 58, 0.05, 0.95, INCONCLUSIVE, 1),
    (1, 92, 0.05, 0.95, INCONCLUSIVE, 1),
    (4, 180, 0.05, 0.95, INCONCLUSIVE, 1),
    # At 90% confidence zero deviations need ln(0.1)/ln(0.95) = 44.9, so 45 units.
    (0, 45, 0.05, 0.90, WITHIN, 0),
    (0, 44, 0.05, 0.90, INCONCLUSIVE, 1),
    # Over: P(X >= d) at the tolerable rate is below the risk; no clean cases undo that.
    (12, 50, 0.05, 0.95, OVER, None),
    (20, 20, 0.10, 0.95, OVER, None),
    # 7 in 40 against 10%: 129 units with 7 deviations pass (attribute size), so 89 more clean cases.
    (7, 40, 0.10, 0.95, INCONCLUSIVE, 89),
    (3, 50, 0.05, 0.95, INCONCLUSIVE, 103),
    (2, 40, 0.05, 0.95, INCONCLUSIVE, 84),
    # Nothing verified: nothing is concluded, and 59 clean cases would conclude within.
    (0, 0, 0.05, 0.95, INCONCLUSIVE, 59),
]


@pytest.mark.parametrize(("d", "m", "tolerable", "confidence", "status", "n_needed"), CONCLUSIONS)
def test_audit_conclusion_table(d, m, tolerable, confidence, status, n_needed):
    conclusion = audit_conclusion(d, m, tolerable, confidence)
    assert conclusion.status == status
    assert conclusion.n_needed == n_needed
    if status == WITHIN:
        assert conclusion.upper < tolerable
    elif status == OVER:
        assert conclusion.lower > tolerable


def test_one_discrepancy_in_one_is_inconclusive_because_its_tail_is_exactly_the_risk():
    # P(X >= 1 | 1, 0.05) = 0.05 exactly; the inverted beta says 0.050000000000000044 > 0.05.
    assert exact_lower_limit(1, 1, 0.95) > 0.05
    assert audit_status(1, 1, 0.05, 0.95) == INCONCLUSIVE
    assert audit_conclusion(1, 1, 0.05, 0.95).n_needed == 92  # 93 units with one deviation


def test_no_discrepancy_in_59_is_within_and_in_58_is_not():
    assert audit_status(0, 59, 0.05, 0.95) == WITHIN  # 0.95^59 = 0.04849 < 0.05
    assert audit_status(0, 58, 0.05, 0.95) == INCONCLUSIVE  # 0.95^58 = 0.05105


def test_a_tie_on_the_within_side_decides_nothing():
    # P(X <= 0 | 2, 1/2) = 1/4, exactly the risk at 75% confidence.
    assert audit_status(0, 2, 0.5, 0.75) == INCONCLUSIVE
    assert audit_status(0, 3, 0.5, 0.75) == WITHIN
    assert clean_cases_to_conclude_within(0, 2, 0.5, 0.75) == 1


def test_rates_given_as_text_readings_are_taken_exactly():
    from decimal import Decimal

    assert audit_status(1, 1, Decimal("0.05"), Decimal("0.95")) == INCONCLUSIVE
    assert audit_status(1, 1, Fraction(1, 20), Fraction(19, 20)) == INCONCLUSIVE


def test_status_matches_scipy_for_random_inputs_away_from_the_boundary():
    rng = np.random.default_rng(7)
    checked = 0
    while checked < 200:
        m = int(rng.integers(0, 800))
        d = int(rng.integers(0, m + 1))
        t = round(float(rng.uniform(0.01, 0.4)), 3)
        c = float(rng.choice([0.8, 0.9, 0.95, 0.99]))
        over_tail, within_tail = stats.binom.sf(d - 1, m, t), stats.binom.cdf(d, m, t)
        if min(abs(over_tail - (1 - c)), abs(within_tail - (1 - c))) < 1e-9:
            continue
        expected = OVER if d > 0 and over_tail < 1 - c else WITHIN if within_tail < 1 - c else INCONCLUSIVE
        assert audit_status(d, m, t, c) == expected, (d, m, t, c)
        checked += 1


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


def test_no_number_of_cases_does_when_the_county_has_too_few_persons():
    assert audit_conclusion(3, 50, 0.05, population=300).n_needed == 103
    assert audit_conclusion(3, 50, 0.05, population=153).n_needed == 103
    assert audit_conclusion(3, 50, 0.05, population=152).n_needed is None


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


@given(st.integers(0, 120).flatmap(lambda m: st.tuples(st.integers(0, m), st.just(m))),
       st.sampled_from([0.02, 0.05, 0.1, 0.2]), st.sampled_from([0.9, 0.95]))
def test_the_clean_cases_needed_are_the_fewest_that_conclude_within(dm, tolerable, confidence):
    d, m = dm
    extra = clean_cases_to_conclude_within(d, m, tolerable, confidence)
    if extra is None:
        assert audit_status(d, m, tolerable, confidence) == OVER
        return
    assert audit_status(d, m + extra, tolerable, confidence) == WITHIN
    assert extra == 0 or audit_status(d, m + extra - 1, tolerable, confidence) != WITHIN


def test_worked_example_in_docs():
    # docs/statistics.md, section 8, tolerable rate 5% at 95% confidence.
    chikan = audit_conclusion(6, 40, 0.05, open_units=5, population=1200)
    assert chikan.status == OVER and chikan.lower == pytest.approx(0.0674, abs=5e-5)
    assert chikan.status_if_open_clean == OVER
    xiashan = audit_conclusion(3, 30, 0.05, open_units=2, population=800)
    assert xiashan.status == INCONCLUSIVE
    assert (xiashan.upper, xiashan.lower) == pytest.approx((0.2386, 0.0278), abs=5e-5)
    assert xiashan.n_needed == 123  # 153 units with three deviations
    xuwen = audit_conclusion(0, 0, 0.05, open_units=8, population=500)
    assert xuwen.status == INCONCLUSIVE and xuwen.n_needed == 59
