"""Discrepancy-rate estimates: per-county intervals, the stratified overall rate, open-unit bounds.

The definitions, and why each edge case is handled the way it is, are in docs/statistics.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# scipy.special rather than scipy.stats: the same quantiles without the distribution objects'
# per-call overhead, which dominated the dashboard's time (beta.ppf(q, a, b) = betaincinv(a, b, q)).
from scipy import special

from sampling.errors import SamplingInputError

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


# code -> (Chinese, English) templates, shaped like MESSAGES in sampling/errors.py.
ESTIMATE_MESSAGES: dict[str, tuple[str, str]] = {
    "count_invalid": (
        "{where_zh}{field_zh}必须是不小于 0 的整数，当前为 {value}。",
        "{where_en}{field_en} must be a whole number of at least 0; got {value}.",
    ),
    "discrepant_exceeds_resolved": (
        "{where_zh}有问题人数 d={d} 大于已核实人数 m={m}。",
        "{where_en}the discrepant count d={d} exceeds the resolved count m={m}.",
    ),
    "sample_exceeds_population": (
        "{where_zh}已核实与未结样本合计 {sample} 人，超过了总体人数 N={population}。",
        "{where_en}resolved plus open units ({sample}) exceed the population N={population}.",
    ),
    "stratum_population_zero": (
        "{where_zh}总体人数 N 为 0，该层没有可估计的对象，请从输入中删去。",
        "{where_en}the population N is 0; leave this stratum out of the input.",
    ),
    "strata_length_mismatch": (
        "各列的层数不一致：N 有 {N} 个、m 有 {m} 个、d 有 {d} 个、未结数有 {open} 个，必须一一对应。",
        "The columns differ in length: {N} values of N, {m} of m, {d} of d and {open} of open; "
        "they must pair up one to one.",
    ),
    "no_strata": ("没有给出任何层。", "No strata were given."),
    "confidence_out_of_range": (
        "置信水平必须大于 0 且小于 1（如 0.95），当前为 {confidence}。",
        "The confidence level must be greater than 0 and less than 1 (e.g. 0.95); got {confidence}.",
    ),
    "audit_confidence_too_low": (
        "审计结论的置信水平不能低于 0.5（如 0.95），当前为 {confidence}。",
        "An audit confidence must be at least 0.5 (e.g. 0.95); got {confidence}.",
    ),
    "tolerable_out_of_range": (
        "可容忍差错率必须大于 0 且小于 1（如 0.05 表示 5%），当前为 {tolerable}。",
        "The tolerable discrepancy rate must be greater than 0 and less than 1 (0.05 for 5%); got {tolerable}.",
    ),
    "interval_method_unknown": (
        "未知的区间方法“{method}”，可选：{choices}。",
        "Unknown interval method '{method}'; choose {choices}.",
    ),
    "outcome_unknown": (
        "未知的回访结果类别“{outcome}”，可选：{choices}。",
        "Unknown outcome category '{outcome}'; choose {choices}.",
    ),
}

# Names of the counts as the messages show them.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "d": ("有问题人数（d）", "the discrepant count d"),
    "m": ("已核实人数（m）", "the resolved count m"),
    "N": ("总体人数（N）", "the population N"),
    "open": ("未结样本数", "the open-unit count"),
    "population": ("总体人数", "the population"),
}


class EstimateInputError(SamplingInputError):
    """Refuse counts or options that no estimate can be computed from, in Chinese and English."""

    def __init__(self, code: str, *, stratum: int | None = None, **params) -> None:
        """Build the error from an ESTIMATE_MESSAGES code and the values its message names."""
        where = {"where_zh": "", "where_en": ""}
        if stratum is not None:
            where = {"where_zh": f"第 {stratum + 1} 层：", "where_en": f"Stratum {stratum + 1}: "}
        zh, en = ESTIMATE_MESSAGES[code]
        self.message_zh = zh.format(**where, **params)
        english = en.format(**where, **params)
        self.message_en = english[:1].upper() + english[1:]
        ValueError.__init__(self, self.message_zh)
        self.code = code
        self.params = params
        self.stratum = stratum  # 0-based position of the offending stratum, when there is one

    def message(self, lang: str = "zh") -> str:
        """Return the message in Chinese ("zh", default) or English ("en")."""
        return self.message_en if lang.lower().startswith("en") else self.message_zh


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


def check_count(value, field: str | tuple[str, str], stratum: int | None = None) -> int:
    """Return value as a non-negative int, or raise naming the field (a FIELD_NAMES key or a pair)."""
    field_zh, field_en = FIELD_NAMES[field] if isinstance(field, str) else field
    # bool is an int subclass, but True as a count is always a caller's mistake.
    usable = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )
    if not usable or not math.isfinite(value) or value != int(value) or value < 0:
        raise EstimateInputError(
            "count_invalid", stratum=stratum, field_zh=field_zh, field_en=field_en, value=repr(value)
        )
    return int(value)


def check_rate_counts(d, m, stratum: int | None = None) -> tuple[int, int]:
    """Validate d discrepant among m resolved units and return them as ints."""
    d, m = check_count(d, "d", stratum), check_count(m, "m", stratum)
    if d > m:
        raise EstimateInputError("discrepant_exceeds_resolved", stratum=stratum, d=d, m=m)
    return d, m


def check_confidence(confidence) -> float:
    """Return the confidence level as a float strictly between 0 and 1, or raise."""
    usable = isinstance(confidence, int | float | np.floating) and not isinstance(confidence, bool)
    if not usable or not 0.0 < float(confidence) < 1.0:
        raise EstimateInputError("confidence_out_of_range", confidence=repr(confidence))
    return float(confidence)


def _unknown_method(method, allowed: tuple[str, ...]) -> EstimateInputError:
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


def _strata_arrays(N_h, m_h, d_h, open_h) -> tuple[np.ndarray, ...]:
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

    # The bounds use every stratum at its full weight N_h/N, so nothing unresolved drops out.
    sampled = (m + o) > 0
    share = N / N.sum()
    worst_h = np.where(sampled, (d + o) / np.where(sampled, m + o, 1), 1.0)
    best_h = np.where(sampled, d / np.where(sampled, m + o, 1), 0.0)

    used = m > 0
    common = dict(
        confidence=float(confidence),
        method=method,
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
    p_h = du / mu
    # Set the all-clean and all-discrepant cases exactly, so that their variance is exactly zero.
    if du.sum() == 0:
        p = 0.0
    elif (du == mu).all():
        p = 1.0
    else:
        p = float(min(max(W @ p_h, 0.0), 1.0))
    fpc = 1.0 - mu / Nu
    spread = np.where(mu > 1, p_h * (1 - p_h) / np.maximum(mu - 1, 1), (p_h - p) ** 2)
    v = float(np.sum(W**2 * fpc * spread))
    se = math.sqrt(v)
    n, H = int(mu.sum()), int(used.sum())
    df = n - H

    if (mu == Nu).all():
        rule, low, high = RULE_CENSUS, p, p
    elif df < 1:
        rule, low, high = RULE_NO_DF, 0.0, 1.0
    elif v == 0.0:
        # No spread seen within any stratum: fall back to the resolved count as effective size.
        rule = RULE_ZERO_VARIANCE
        low, high = _korn_graubard(p, float(n), n, df, alpha)
    elif method == LOGIT:
        rule = RULE_LOGIT
        low, high = _logit_interval(p, se, df, alpha)
    else:
        rule = RULE_KORN_GRAUBARD
        low, high = _korn_graubard(p, p * (1 - p) / v, n, df, alpha)

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
