"""Specification of the discrepancy-rate estimates: published values, R's survey package, hand arithmetic."""

import math

import numpy as np
import pytest
from scipy import stats

from sampling.estimates import (
    RULE_CENSUS,
    RULE_KORN_GRAUBARD,
    RULE_LOGIT,
    RULE_NO_DF,
    RULE_NOT_ESTIMABLE,
    RULE_ZERO_VARIANCE,
    best_case_rate,
    clopper_pearson_interval,
    proportion_interval,
    rate_estimate,
    stratified_estimate,
    wilson_interval,
    worst_case_rate,
)

# Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
# methods", Statistics in Medicine 17:857-872, Table II, 95% limits to 4 decimals:
# (d, m, Wilson score without continuity correction, Clopper-Pearson exact).
NEWCOMBE_TABLE_II = [
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
]

# R 4.2.2: prop.test(d, m, correct = FALSE)$conf.int (Wilson) and binom.test(d, m)$conf.int (exact).
R_PROPORTION_INTERVALS = [
    (0, 10, (0, 0.277532799862889), (0, 0.308497107818761)),
    (1, 10, (0.0178762130950729, 0.404150026795238), (0.00252857854446179, 0.445016117028195)),
    (5, 10, (0.236593090512564, 0.763406909487436), (0.187086028447399, 0.812913971552601)),
    (81, 263, (0.255288519878274, 0.3662095769828), (0.252736745585271, 0.367621922601351)),
    (1, 29, (0.00611321429276266, 0.171755218793203), (0.000872646883579923, 0.177644295488723)),
    (29, 29, (0.883030201500259, 1), (0.880555130930497, 1)),
]

# R 4.2.2, survey 4.1.1. Each stratum h has m_h units of which d_h have y = 1, with fpc N_h:
#   mk <- function(N, m, d) {
#     h <- rep(seq_along(N), m)
#     y <- unlist(mapply(function(mm, dd) c(rep(1, dd), rep(0, mm - dd)), m, d, SIMPLIFY = FALSE))
#     data.frame(h = h, y = y, fpc = rep(N, m))
#   }
#   des <- svydesign(ids = ~1, strata = ~h, fpc = ~fpc, data = mk(N, m, d))
#   svymean(~y, des); degf(des)
#   attr(svyciprop(~y, des, method = "logit"), "ci"); attr(svyciprop(~y, des, method = "beta"), "ci")
# D has a stratum with one unit, run under options(survey.lonely.psu = "adjust").
# G has a stratum sampled in full (m = N = 40).
R_SURVEY = {
    "A": ((400, 1200, 250), (20, 30, 15), (3, 2, 4), 0.111711711711712, 0.0376561223979668, 62,
          (0.0556227130851166, 0.211682161043086), (0.048875028238728, 0.209777617092553)),
    "B": ((80, 500, 1500, 60), (10, 25, 40, 12), (0, 5, 3, 12), 0.127336448598131, 0.0345889302782521, 83,
          (0.0728426785659229, 0.213221811520252), (0.0671650616299351, 0.212664360650642)),
    "C": ((30, 45), (12, 20), (1, 9), 0.303333333333333, 0.0572007851743436, 30,
          (0.200322831259215, 0.43077947977658), (0.194925202170977, 0.430526992416444)),
    "D": ((300, 50, 900), (15, 1, 25), (2, 1, 4), 0.1872, 0.0656501841884479, 38,
          (0.0877226097907576, 0.355522676959272), (0.0760894019857666, 0.354229030330495)),
    "E": ((500,), (40,), (6,), 0.15, 0.0548424316354801, 39,
          (0.0688407345176278, 0.296385964843429), (0.0591535323566841, 0.293127396532751)),
    "G": ((120, 40), (10, 40), (2, 7), 0.19375, 0.0957427107756338, 48,
          (0.0654880673350299, 0.451776878561591), (0.0463052898893235, 0.453580682515372)),
}


@pytest.mark.parametrize(("d", "m", "wilson", "exact"), NEWCOMBE_TABLE_II)
def test_intervals_match_newcombe_table_ii(d, m, wilson, exact):
    assert wilson_interval(d, m) == pytest.approx(wilson, abs=5e-5)
    assert clopper_pearson_interval(d, m) == pytest.approx(exact, abs=5e-5)


@pytest.mark.parametrize(("d", "m", "wilson", "exact"), R_PROPORTION_INTERVALS)
def test_intervals_match_r_prop_test_and_binom_test(d, m, wilson, exact):
    assert wilson_interval(d, m) == pytest.approx(wilson, rel=1e-12, abs=1e-15)
    assert clopper_pearson_interval(d, m) == pytest.approx(exact, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("m", [1, 2, 3, 7, 10, 33, 100, 251])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_intervals_match_scipy_binomtest_for_every_d(m, confidence):
    for d in range(m + 1):
        reference = stats.binomtest(d, m)
        wilson = reference.proportion_ci(confidence_level=confidence, method="wilson")
        exact = reference.proportion_ci(confidence_level=confidence, method="exact")
        assert wilson_interval(d, m, confidence) == pytest.approx((wilson.low, wilson.high), rel=1e-9, abs=1e-12)
        assert clopper_pearson_interval(d, m, confidence) == pytest.approx((exact.low, exact.high), rel=1e-9,
                                                                           abs=1e-12)


def test_wilson_by_the_textbook_formula():
    z = stats.norm.ppf(0.975)
    d, m = 3, 17
    p = d / m
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z / (1 + z * z / m) * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m))
    assert wilson_interval(d, m) == pytest.approx((centre - half, centre + half), rel=1e-12)


@pytest.mark.parametrize("interval", [wilson_interval, clopper_pearson_interval])
def test_none_discrepant_starts_at_zero_and_all_discrepant_ends_at_one(interval):
    assert interval(0, 25)[0] == 0.0
    assert interval(25, 25)[1] == 1.0


def test_clopper_pearson_closed_forms_at_the_ends():
    # With d = 0 the upper limit solves (1 - u)^m = alpha/2; with d = m the lower limit solves l^m = alpha/2.
    assert clopper_pearson_interval(0, 25)[1] == pytest.approx(1 - 0.025 ** (1 / 25), rel=1e-12)
    assert clopper_pearson_interval(25, 25)[0] == pytest.approx(0.025 ** (1 / 25), rel=1e-12)


@pytest.mark.parametrize("method", ["wilson", "clopper-pearson"])
def test_no_resolved_unit_gives_the_whole_range(method):
    assert proportion_interval(0, 0, 0.95, method) == (0.0, 1.0)


def test_proportion_interval_dispatches_by_method():
    assert proportion_interval(4, 30, 0.9, "wilson") == wilson_interval(4, 30, 0.9)
    assert proportion_interval(4, 30, 0.9, "clopper-pearson") == clopper_pearson_interval(4, 30, 0.9)


@pytest.mark.parametrize(("d", "m", "open_units", "worst", "best"), [
    (3, 20, 5, 8 / 25, 3 / 25),
    (0, 20, 0, 0.0, 0.0),
    (20, 20, 4, 1.0, 20 / 24),
    (0, 0, 4, 1.0, 0.0),  # nothing resolved yet: anything from 0 to 1 is possible
    (0, 0, 0, 1.0, 0.0),
])
def test_open_units_bound_the_rate(d, m, open_units, worst, best):
    assert worst_case_rate(d, m, open_units) == pytest.approx(worst)
    assert best_case_rate(d, m, open_units) == pytest.approx(best)


def test_rate_estimate_shows_the_open_units_beside_the_rate():
    estimate = rate_estimate(3, 20, open_units=5)
    assert estimate.p == 0.15
    assert (estimate.low, estimate.high) == wilson_interval(3, 20)
    assert estimate.open_units == 5
    assert estimate.worst_case == pytest.approx(8 / 25)
    assert estimate.best_case == pytest.approx(3 / 25)
    assert rate_estimate(0, 0, open_units=2).p is None


@pytest.mark.parametrize("name", sorted(R_SURVEY))
def test_stratified_estimate_matches_r_survey_svyciprop(name):
    N, m, d, p, se, df, logit_ci, beta_ci = R_SURVEY[name]
    logit = stratified_estimate(N, m, d, method="logit")
    beta = stratified_estimate(N, m, d, method="korn-graubard")
    assert logit.p == pytest.approx(p, rel=1e-12)
    assert logit.se == pytest.approx(se, rel=1e-12)
    assert logit.df == df
    assert logit.interval_rule == RULE_LOGIT
    # svyciprop fits the logit through svyglm's iterations, which stop at glm.control's default
    # epsilon = 1e-8; the fully converged fit is checked tighter below.
    assert (logit.low, logit.high) == pytest.approx(logit_ci, rel=3e-8)
    assert beta.interval_rule == RULE_KORN_GRAUBARD
    assert (beta.low, beta.high) == pytest.approx(beta_ci, rel=1e-10)


# The same fits run to convergence in R:
#   m <- svyglm(y ~ 1, des, family = quasibinomial, control = glm.control(epsilon = 1e-15, maxit = 200))
#   plogis(confint(m, 1, method = "Wald", ddf = degf(des)))
R_CONVERGED_LOGIT = {
    "A": (0.0556227130109252, 0.211682160982139),
    "D": (0.0877226097906818, 0.355522676959215),
    "G": (0.0654880663513738, 0.451776878005348),
}


@pytest.mark.parametrize("name", sorted(R_CONVERGED_LOGIT))
def test_logit_interval_matches_a_fully_converged_r_fit(name):
    N, m, d = R_SURVEY[name][:3]
    estimate = stratified_estimate(N, m, d, method="logit")
    assert (estimate.low, estimate.high) == pytest.approx(R_CONVERGED_LOGIT[name], rel=1e-11)


def _logit_interval_by_hand(p, se, df):
    """Compute the t-based Wald interval on the logit scale."""
    t = stats.t.ppf(0.975, df)
    eta, se_eta = math.log(p / (1 - p)), se / (p * (1 - p))
    return 1 / (1 + math.exp(-(eta - t * se_eta))), 1 / (1 + math.exp(-(eta + t * se_eta)))


def test_single_stratum_is_simple_random_sampling_with_fpc():
    estimate = stratified_estimate([200], [20], [5])
    variance = (1 - 20 / 200) * 0.25 * 0.75 / (20 - 1)
    assert estimate.p == 0.25
    assert estimate.se == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert estimate.df == 19
    assert (estimate.low, estimate.high) == pytest.approx(_logit_interval_by_hand(0.25, math.sqrt(variance), 19))


def test_unequal_weights_by_hand():
    estimate = stratified_estimate([100, 300], [10, 20], [2, 3])
    p = 0.25 * 0.2 + 0.75 * 0.15
    variance = 0.25**2 * (1 - 10 / 100) * 0.2 * 0.8 / 9 + 0.75**2 * (1 - 20 / 300) * 0.15 * 0.85 / 19
    assert estimate.p == pytest.approx(p, rel=1e-12)
    assert estimate.se == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert estimate.weights == pytest.approx((0.25, 0.75))
    assert estimate.df == 28
    assert (estimate.low, estimate.high) == pytest.approx(_logit_interval_by_hand(p, math.sqrt(variance), 28))


def test_korn_graubard_by_hand():
    p = 0.25 * 0.2 + 0.75 * 0.15
    variance = 0.25**2 * (1 - 10 / 100) * 0.2 * 0.8 / 9 + 0.75**2 * (1 - 20 / 300) * 0.15 * 0.85 / 19
    n_eff = p * (1 - p) / variance * (stats.t.ppf(0.025, 30 - 1) / stats.t.ppf(0.025, 30 - 2)) ** 2
    low = stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1)
    high = stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p))
    estimate = stratified_estimate([100, 300], [10, 20], [2, 3], method="korn-graubard")
    assert (estimate.low, estimate.high) == pytest.approx((low, high), rel=1e-12)


def test_stratum_without_resolved_units_is_excluded_and_the_rest_renormalised():
    estimate = stratified_estimate([100, 300, 600], [10, 0, 20], [2, 0, 3], open_h=[0, 15, 0])
    assert estimate.strata_excluded == (1,)
    assert estimate.strata_used == (0, 2)
    assert not estimate.complete
    assert estimate.coverage == pytest.approx(0.7)
    assert estimate.weights == pytest.approx((1 / 7, 0.0, 6 / 7))
    assert estimate.p == pytest.approx(1 / 7 * 0.2 + 6 / 7 * 0.15)
    assert estimate.df == 30 - 2
    # The bounds keep the excluded county at its full weight: its 15 open units count.
    assert estimate.open_units == 15
    assert estimate.worst_case == pytest.approx(0.1 * 0.2 + 0.3 * 1.0 + 0.6 * 0.15)
    assert estimate.best_case == pytest.approx(0.1 * 0.2 + 0.3 * 0.0 + 0.6 * 0.15)


def test_stratum_with_one_resolved_unit_is_centred_on_the_overall_rate():
    estimate = stratified_estimate([50, 200], [1, 20], [1, 4])
    p = 0.2 * 1.0 + 0.8 * 0.2
    variance = 0.2**2 * (1 - 1 / 50) * (1.0 - p) ** 2 + 0.8**2 * (1 - 20 / 200) * 0.2 * 0.8 / 19
    assert estimate.strata_lonely == (0,)
    assert estimate.p == pytest.approx(p)
    assert estimate.se == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert estimate.df == 21 - 2


def test_all_and_none_discrepant_strata_add_no_variance():
    estimate = stratified_estimate([100, 300, 200], [10, 20, 15], [0, 20, 3])
    variance = (200 / 600) ** 2 * (1 - 15 / 200) * 0.2 * 0.8 / 14
    assert estimate.p == pytest.approx(0.5 + 1 / 3 * 0.2)
    assert estimate.se == pytest.approx(math.sqrt(variance), rel=1e-12)
    assert estimate.interval_rule == RULE_LOGIT


def _zero_variance_bounds(p, n, df):
    """Compute Korn-Graubard with the resolved count n as effective size."""
    n_eff = n * (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    low = 0.0 if p == 0 else stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1)
    high = 1.0 if p == 1 else stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p))
    return n_eff, low, high


def test_none_discrepant_anywhere_gives_a_one_sided_style_interval_from_zero():
    # R gives (7.9e-12, 7.9e-12) for the logit (svyglm does not converge) and NaN for method="beta".
    estimate = stratified_estimate([100, 200], [10, 20], [0, 0])
    n_eff, _, _ = _zero_variance_bounds(0.0, 30, 28)
    assert estimate.p == 0.0
    assert estimate.se == 0.0
    assert estimate.interval_rule == RULE_ZERO_VARIANCE
    assert estimate.low == 0.0
    assert estimate.high == pytest.approx(1 - 0.025 ** (1 / n_eff), rel=1e-12)


def test_all_discrepant_everywhere_gives_an_interval_ending_at_one():
    estimate = stratified_estimate([100, 200], [10, 20], [10, 20], method="korn-graubard")
    n_eff, _, _ = _zero_variance_bounds(1.0, 30, 28)
    assert estimate.p == 1.0
    assert estimate.high == 1.0
    assert estimate.low == pytest.approx(0.025 ** (1 / n_eff), rel=1e-12)


def test_no_spread_within_strata_falls_back_to_the_resolved_count():
    # One stratum all clean, one all discrepant: R reports a zero-width interval here.
    estimate = stratified_estimate([100, 100], [10, 10], [0, 10])
    _, low, high = _zero_variance_bounds(0.5, 20, 18)
    assert estimate.p == 0.5
    assert estimate.interval_rule == RULE_ZERO_VARIANCE
    assert (estimate.low, estimate.high) == pytest.approx((low, high), rel=1e-12)


def test_a_census_is_exact():
    estimate = stratified_estimate([10, 30], [10, 30], [1, 6])
    assert estimate.interval_rule == RULE_CENSUS
    assert estimate.se == 0.0
    assert estimate.low == estimate.high == estimate.p == pytest.approx(0.25 * 0.1 + 0.75 * 0.2)


def test_no_degrees_of_freedom_gives_the_whole_range():
    # Every stratum has one unit: n - H = 0, and R's qt(., 0) is NaN.
    estimate = stratified_estimate([50, 60], [1, 1], [0, 1])
    assert estimate.df == 0
    assert estimate.interval_rule == RULE_NO_DF
    assert (estimate.low, estimate.high) == (0.0, 1.0)


def test_nothing_resolved_anywhere_is_not_estimable():
    estimate = stratified_estimate([50, 60], [0, 0], [0, 0], open_h=[5, 5])
    assert estimate.p is None and estimate.se is None
    assert estimate.interval_rule == RULE_NOT_ESTIMABLE
    assert (estimate.low, estimate.high) == (0.0, 1.0)
    assert (estimate.worst_case, estimate.best_case) == (1.0, 0.0)


def test_numpy_arrays_and_integral_floats_are_accepted():
    from_lists = stratified_estimate([400, 1200], [20, 30], [3, 2])
    from_arrays = stratified_estimate(np.array([400, 1200]), np.array([20.0, 30.0]), np.array([3, 2]))
    assert from_arrays == from_lists
