"""The estimates on the worked examples of docs/statistics.md, their refusals of bad input, and
properties over many inputs (intervals contain the rate, bounds enclose it, proportional allocation
estimates the pooled rate)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.checks import EstimateInputError
from sampling.errors import SamplingInputError
from sampling.estimates import (
    best_case_rate,
    proportion_interval,
    rate_estimate,
    stratified_estimate,
    wilson_interval,
    worst_case_rate,
)


def test_worked_example_in_docs():
    # docs/statistics.md, section 8: three counties, the third with no resolved unit yet.
    estimate = stratified_estimate([1200, 800, 500], [40, 30, 0], [6, 3, 0], open_h=[5, 2, 8])
    assert estimate.weights == pytest.approx((0.6, 0.4, 0.0))
    assert estimate.p == pytest.approx(0.13)
    assert estimate.se == pytest.approx(0.04019, abs=5e-6)
    assert estimate.df == 68
    assert (estimate.low, estimate.high) == pytest.approx((0.0685, 0.2329), abs=5e-5)
    assert estimate.coverage == pytest.approx(0.8)
    assert estimate.worst_case == pytest.approx(0.3673, abs=5e-5)
    assert estimate.best_case == pytest.approx(0.094)


@pytest.mark.parametrize(("call", "code", "stratum"), [
    (lambda: wilson_interval(5, 3), "discrepant_exceeds_resolved", None),
    (lambda: wilson_interval(-1, 3), "count_invalid", None),
    (lambda: wilson_interval(1.5, 3), "count_invalid", None),
    (lambda: wilson_interval(True, 3), "count_invalid", None),
    (lambda: wilson_interval(1, 3, confidence=1.0), "confidence_out_of_range", None),
    (lambda: proportion_interval(1, 3, 0.95, "wald"), "interval_method_unknown", None),
    (lambda: worst_case_rate(1, 3, -2), "count_invalid", None),
    (lambda: stratified_estimate([10, 20], [5, 30], [1, 2]), "sample_exceeds_population", 1),
    (lambda: stratified_estimate([10, 20], [5, 6], [1, 7]), "discrepant_exceeds_resolved", 1),
    (lambda: stratified_estimate([10, 20], [5, 6], [1]), "strata_length_mismatch", None),
    (lambda: stratified_estimate([], [], []), "no_strata", None),
    (lambda: stratified_estimate([0, 20], [0, 6], [0, 1]), "stratum_population_zero", 0),
    (lambda: stratified_estimate([10, 20], [5, 6], [1, 1], open_h=[6, 0]), "sample_exceeds_population", 0),
    (lambda: stratified_estimate([10, 20], [5, 6], [1, "x"]), "count_invalid", 1),
    (lambda: stratified_estimate([10], [5], [1], method="beta"), "interval_method_unknown", None),
])
def test_bad_input_is_refused_with_a_stable_code_in_chinese_and_english(call, code, stratum):
    with pytest.raises(EstimateInputError) as caught:
        call()
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, SamplingInputError)
    assert error.code == code
    assert error.stratum == stratum
    assert str(error) == error.message("zh") == error.message_zh
    assert error.message("en") == error.message_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    assert error.message_en.isascii()
    if stratum is not None:
        assert f"第 {stratum + 1} 层" in error.message_zh and f"Stratum {stratum + 1}" in error.message_en


counts = st.integers(min_value=0, max_value=5000).flatmap(
    lambda m: st.tuples(st.integers(min_value=0, max_value=m), st.just(m)))
confidences = st.floats(min_value=0.5, max_value=0.999)


@given(counts, confidences, st.sampled_from(["wilson", "clopper-pearson"]))
def test_interval_contains_the_rate_and_stays_in_the_unit_range(dm, confidence, method):
    d, m = dm
    low, high = proportion_interval(d, m, confidence, method)
    p = d / m if m else 0.5
    assert 0.0 <= low <= p <= high <= 1.0


@given(counts, st.integers(min_value=0, max_value=500))
def test_open_units_bound_the_rate_on_both_sides(dm, open_units):
    d, m = dm
    worst, best = worst_case_rate(d, m, open_units), best_case_rate(d, m, open_units)
    assert 0.0 <= best <= worst <= 1.0
    if m:
        assert best <= d / m <= worst


@st.composite
def strata(draw):
    """Draw a stratified sample's counts, some strata with no or one resolved unit."""
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        N = draw(st.integers(min_value=1, max_value=3000))
        m = draw(st.integers(min_value=0, max_value=min(N, 80)))
        d = draw(st.integers(min_value=0, max_value=m))
        o = draw(st.integers(min_value=0, max_value=N - m))
        rows.append((N, m, d, o))
    return [list(column) for column in zip(*rows, strict=True)]


@given(strata(), confidences, st.sampled_from(["logit", "korn-graubard"]))
def test_stratified_interval_contains_the_estimate_and_the_bounds_enclose_it(columns, confidence, method):
    N, m, d, o = columns
    estimate = stratified_estimate(N, m, d, confidence, method, open_h=o)
    assert 0.0 <= estimate.low <= estimate.high <= 1.0
    assert 0.0 <= estimate.best_case <= estimate.worst_case <= 1.0
    if estimate.p is not None:
        assert estimate.low <= estimate.p <= estimate.high
        assert estimate.best_case <= estimate.p + 1e-12
        assert estimate.p <= estimate.worst_case + 1e-12
        assert sum(estimate.weights) == pytest.approx(1.0)


@given(st.lists(st.tuples(st.integers(1, 40), st.integers(0, 40)), min_size=1, max_size=6), st.integers(2, 50))
def test_proportional_allocation_estimates_the_pooled_rate(rows, sampling_ratio):
    m = [size for size, _ in rows]
    d = [min(found, size) for size, found in rows]
    N = [size * sampling_ratio for size in m]
    assert stratified_estimate(N, m, d).p == pytest.approx(sum(d) / sum(m))


@pytest.mark.parametrize(("d", "m", "o", "interval", "worst", "best"), [
    (6, 40, 5, (0.0706, 0.2907), 11 / 45, 6 / 45),
    (3, 30, 2, (0.0346, 0.2562), 5 / 32, 3 / 32),
    (0, 0, 8, (0.0, 1.0), 1.0, 0.0),
])
def test_worked_example_counties_in_docs(d, m, o, interval, worst, best):
    estimate = rate_estimate(d, m, open_units=o)
    assert (estimate.low, estimate.high) == pytest.approx(interval, abs=5e-5)
    assert (estimate.worst_case, estimate.best_case) == pytest.approx((worst, best))
