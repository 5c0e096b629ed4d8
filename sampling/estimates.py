"""Discrepancy-rate estimates: per-county intervals, the stratified overall rate, open-unit bounds.

The definitions, and why each edge case is handled the way it is, are in docs/statistics.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# scipy.special rather than scipy.stats: the same quantiles without the distribution objects'
# per-call overhead, which dominated the dashboard's time (beta.ppf(q, a, b) = betaincinv(a, b, q)).
from scipy import special

from sampling.checks import EstimateInputError, check_confidence, check_count, check_rate_counts

WILSON = "wilson"
CLOPPER_PEARSON = "clopper-pearson"
PROPORTION_METHODS = (WILSON, CLOPPER_PEARSON)

LOGIT = "logit"
KORN_GRAUBARD = "korn-graubard"
STRATIFIED_METHODS = (LOGIT, KORN_GRAUBARD)

# What stratified_estimate actually applied; the web layer shows a note for the last four.
RULE_LOGIT = "logit"
RULE_KORN_GRAUBARD = "korn-graubard"
RULE_ZERO_VARIANCE = "zero-variance"
RULE_CENSUS = "census"
RULE_NO_DF = "no-degrees-of-freedom"
RULE_NOT_ESTIMABLE = "not-estimable"

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RateEstimate:
    """One county's discrepancy rate, its interval and its open-unit bounds."""

    d: int
    m: int
    open_units: int
    p: float | None  # None when no unit is resolved
    low: float
    high: float
    worst_case: float
    best_case: float
    confidence: float
    method: str


@dataclass(frozen=True)
class StratifiedEstimate:
    """The overall stratified rate, its standard error and interval, and what went into them."""

    p: float | None  # None when no stratum has a resolved unit
    se: float | None
    low: float
    high: float
    df: int  # n - H over the strata used
    n: int  # resolved units in the strata used
    confidence: float
    method: str  # the method asked for
    interval_rule: str  # the rule applied: one of the RULE_* constants
    strata_used: tuple[int, ...]
    strata_excluded: tuple[int, ...]  # m_h = 0: not estimable, left out of p and se
    strata_lonely: tuple[int, ...]  # m_h = 1: variance by the "adjust" rule
    weights: tuple[float, ...]  # W_h renormalised over the strata used; 0.0 for excluded strata
    coverage: float  # share of the population N in the strata used
    complete: bool  # True when no stratum was excluded
    open_units: int
    worst_case: float  # sum of N_h/N (d_h + o_h)/(m_h + o_h) over all strata
    best_case: float  # sum of N_h/N d_h/(m_h + o_h) over all strata


def _unknown_method(method: object, allowed: tuple[str, ...]) -> EstimateInputError:
    """Build the error for a method name outside allowed."""
    return EstimateInputError("interval_method_unknown", method=method, choices=", ".join(allowed))


def _wilson_lower(d: int, m: int, z: float) -> float:
    """Return the Wilson lower limit, from the product of the roots to avoid cancellation."""
    if d == 0:
        return 0.0
    z2 = z * z
    upper_root = (2 * d + z2 + z * math.sqrt(z2 + 4 * d * (m - d) / m)) / (2 * (m + z2))
    return d * d / (m * (m + z2) * upper_root)


def wilson_interval(d: int, m: int, confidence: float = 0.95) -> tuple[float, float]:
    """Return the two-sided Wilson score interval for d discrepant among m resolved units."""
    d, m = check_rate_counts(d, m)
    confidence = check_confidence(confidence)
    if m == 0:
        return 0.0, 1.0
    z = float(special.ndtri(0.5 + confidence / 2))
    # The upper limit is one minus the lower limit of the complement, so both ends are stable.
    low, high = _wilson_lower(d, m, z), 1.0 - _wilson_lower(m - d, m, z)
    p = d / m
    return min(low, p), max(high, p)


def clopper_pearson_interval(d: int, m: int, confidence: float = 0.95) -> tuple[float, float]:
    """Return the two-sided exact Clopper-Pearson interval for d discrepant among m resolved units."""
    d, m = check_rate_counts(d, m)
    alpha = 1.0 - check_confidence(confidence)
    low = 0.0 if d == 0 else float(special.betaincinv(d, m - d + 1, alpha / 2))
    high = 1.0 if d == m else float(special.betaincinv(d + 1, m - d, 1 - alpha / 2))
    return low, high


def proportion_interval(
    d: int, m: int, confidence: float = 0.95, method: str = WILSON
) -> tuple[float, float]:
    """Return the interval for d among m by the named method (wilson or clopper-pearson)."""
    if method == WILSON:
        return wilson_interval(d, m, confidence)
    if method == CLOPPER_PEARSON:
        return clopper_pearson_interval(d, m, confidence)
    raise _unknown_method(method, PROPORTION_METHODS)


def worst_case_rate(d: int, m: int, open_units: int) -> float:
    """Return the rate if every open unit turned out discrepant: (d + open) / (m + open)."""
    d, m = check_rate_counts(d, m)
    open_units = check_count(open_units, "open")
    # Nothing sampled at all: no bound is known, so the worst case is the whole range.
    return 1.0 if m + open_units == 0 else (d + open_units) / (m + open_units)


def best_case_rate(d: int, m: int, open_units: int) -> float:
    """Return the rate if no open unit turned out discrepant: d / (m + open)."""
    d, m = check_rate_counts(d, m)
    open_units = check_count(open_units, "open")
    return 0.0 if m + open_units == 0 else d / (m + open_units)


def rate_estimate(
    d: int, m: int, open_units: int = 0, confidence: float = 0.95, method: str = WILSON
) -> RateEstimate:
    """Estimate one county's rate with its interval and the bounds its open units allow."""
    low, high = proportion_interval(d, m, confidence, method)
    return RateEstimate(
        d=int(d),
        m=int(m),
        open_units=check_count(open_units, "open"),
        p=None if m == 0 else int(d) / int(m),
        low=low,
        high=high,
        worst_case=worst_case_rate(d, m, open_units),
        best_case=best_case_rate(d, m, open_units),
        confidence=float(confidence),
        method=method,
    )


def _strata_arrays(N_h: Iterable[Any], m_h: Iterable[Any], d_h: Iterable[Any], open_h: Iterable[Any] | None
                   ) -> tuple[IntArray, ...]:
    """Validate the per-stratum counts and return them as int64 arrays."""
    columns = [list(N_h), list(m_h), list(d_h)]
    columns.append([0] * len(columns[0]) if open_h is None else list(open_h))
    if len({len(c) for c in columns}) != 1:
        raise EstimateInputError(
            "strata_length_mismatch", **dict(zip(("N", "m", "d", "open"), map(len, columns), strict=True))
        )
    if not columns[0]:
        raise EstimateInputError("no_strata")
    rows = []
    for i, (N, m, d, o) in enumerate(zip(*columns, strict=True)):
        N, o = check_count(N, "N", i), check_count(o, "open", i)
        d, m = check_rate_counts(d, m, i)
        if N == 0:
            raise EstimateInputError("stratum_population_zero", stratum=i)
        if m + o > N:
            raise EstimateInputError("sample_exceeds_population", stratum=i, sample=m + o, population=N)
        rows.append((N, m, d, o))
    return tuple(np.array(col, dtype=np.int64) for col in zip(*rows, strict=True))


def _korn_graubard(p: float, n_eff: float, n: int, df: int, alpha: float) -> tuple[float, float]:
    """Return the Korn-Graubard interval as survey::svyciprop(method="beta") computes it."""
    n_eff *= (special.stdtrit(n - 1, alpha / 2) / special.stdtrit(df, alpha / 2)) ** 2
    low = 0.0 if p == 0.0 else float(special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2))
    high = 1.0 if p == 1.0 else float(special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2))
    return low, high


def _logit_interval(p: float, se: float, df: int, alpha: float) -> tuple[float, float]:
    """Return the Wald interval on the logit scale with t(df), as svyciprop(method="logit")."""
    se_logit = se / (p * (1 - p))  # delta method; exact for the intercept-only svyglm sandwich
    t = float(special.stdtrit(df, 1 - alpha / 2))
    centre = float(special.logit(p))
    return float(special.expit(centre - t * se_logit)), float(special.expit(centre + t * se_logit))


def stratified_estimate(
    N_h: Sequence[int],
    m_h: Sequence[int],
    d_h: Sequence[int],
    confidence: float = 0.95,
    method: str = LOGIT,
    open_h: Sequence[int] | None = None,
) -> StratifiedEstimate:
    """Estimate the overall rate sum W_h p_h of a stratified sample, with SE (fpc) and interval."""
    if method not in STRATIFIED_METHODS:
        raise _unknown_method(method, STRATIFIED_METHODS)
    alpha = 1.0 - check_confidence(confidence)
    N, m, d, o = _strata_arrays(N_h, m_h, d_h, open_h)
    used = m > 0
    common = _coverage(N, m, d, o, used) | {"confidence": float(confidence), "method": method}
    if not used.any():
        return StratifiedEstimate(
            p=None,
            se=None,
            low=0.0,
            high=1.0,
            df=0,
            n=0,
            interval_rule=RULE_NOT_ESTIMABLE,
            weights=tuple(0.0 for _ in N),
            **common,
        )

    Nu, mu, du = N[used], m[used], d[used]
    W = Nu / Nu.sum()
    p, v = _rate_and_variance(W, Nu, mu, du)
    se = math.sqrt(v)
    n, H = int(mu.sum()), int(used.sum())
    df = n - H
    rule, low, high = _interval(p, v, se, n, df, alpha, method, census=bool((mu == Nu).all()))
    weights = np.zeros(len(N))
    weights[used] = W
    return StratifiedEstimate(
        p=p,
        se=se,
        low=min(low, p),
        high=max(high, p),
        df=df,
        n=n,
        interval_rule=rule,
        weights=tuple(float(w) for w in weights),
        **common,
    )


def _coverage(N: IntArray, m: IntArray, d: IntArray, o: IntArray, used: BoolArray) -> dict[str, Any]:
    """Return which strata the estimate uses, its coverage, and the worst and best case rates.

    The bounds use every stratum at its full weight N_h/N, so nothing unresolved drops out.
    """
    sampled = (m + o) > 0
    share = N / N.sum()
    worst_h = np.where(sampled, (d + o) / np.where(sampled, m + o, 1), 1.0)
    best_h = np.where(sampled, d / np.where(sampled, m + o, 1), 0.0)
    return dict(
        strata_used=tuple(int(i) for i in np.flatnonzero(used)),
        strata_excluded=tuple(int(i) for i in np.flatnonzero(~used)),
        strata_lonely=tuple(int(i) for i in np.flatnonzero(m == 1)),
        coverage=float(N[used].sum() / N.sum()),
        complete=bool(used.all()),
        open_units=int(o.sum()),
        # A weighted sum of rates can exceed 1 by a rounding ulp; a rate bound cannot.
        worst_case=min(float(share @ worst_h), 1.0),
        best_case=max(min(float(share @ best_h), 1.0), 0.0),
    )


def _rate_and_variance(W: FloatArray, Nu: IntArray, mu: IntArray, du: IntArray) -> tuple[float, float]:
    """Return the weighted rate sum W_h p_h and its variance with the finite population correction.

    A stratum with one resolved unit has no within-stratum spread: its (p_h - p)^2 stands in.
    """
    p_h = du / mu
    # Set the all-clean and all-discrepant cases exactly, so that their variance is exactly zero.
    if du.sum() == 0:
        p = 0.0
    elif (du == mu).all():
        p = 1.0
    else:
        p = float(min(max(float(W @ p_h), 0.0), 1.0))
    fpc = 1.0 - mu / Nu
    spread = np.where(mu > 1, p_h * (1 - p_h) / np.maximum(mu - 1, 1), (p_h - p) ** 2)
    return p, float(np.sum(W**2 * fpc * spread))


def _interval(p: float, v: float, se: float, n: int, df: int, alpha: float, method: str,
              census: bool) -> tuple[str, float, float]:
    """Choose the interval rule for the estimate and return it with the interval's ends."""
    if census:
        return RULE_CENSUS, p, p
    if df < 1:
        return RULE_NO_DF, 0.0, 1.0
    if v == 0.0:
        # No spread seen within any stratum: fall back to the resolved count as effective size.
        return (RULE_ZERO_VARIANCE, *_korn_graubard(p, float(n), n, df, alpha))
    if method == LOGIT:
        return (RULE_LOGIT, *_logit_interval(p, se, df, alpha))
    return (RULE_KORN_GRAUBARD, *_korn_graubard(p, p * (1 - p) / v, n, df, alpha))
