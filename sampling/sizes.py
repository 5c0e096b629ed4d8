"""Sample sizes: a precision target for a proportion, its inverse (the margin of error), and audit
attribute sampling by the binomial rule of the AICPA Audit Sampling guide (Appendix A tables).

The formulas and the exact attribute rule are written out in docs/sampling.md.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from scipy.special import bdtr
from scipy.stats import norm

from sampling.binomial import exact_fraction, tail_counts
from sampling.errors import SamplingInputError, percent

if TYPE_CHECKING:
    from typing_extensions import TypeIs

# Largest attribute sample the search considers; far beyond any cell of the AICPA tables (max 1,936).
ATTRIBUTE_LIMIT = 100_000


class AttributePlan(NamedTuple):
    """An attribute sampling plan: sample size and the deviations it may show and still pass."""

    n: int
    allowed_deviations: int


def _is_int(value: object) -> TypeIs[Integral]:
    """Tell whether a value is a whole number and not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_real(value: object) -> TypeIs[Real]:
    """Tell whether a value is a finite real number and not a bool."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))


def _require_number(value: object, name: str) -> None:
    """Refuse a missing value or one that is not a number, naming the parameter (not "got None")."""
    if value is None:
        raise SamplingInputError("value_missing", field=name)
    if isinstance(value, str | bytes) or not isinstance(value, Real) or isinstance(value, bool):
        raise SamplingInputError("not_a_number", field=name, value=value)


def _check_open_unit(value: object, code: str, name: str) -> float:
    """Return the value as a float if 0 < value < 1, else raise the given code."""
    _require_number(value, name)
    if not _is_real(value) or not 0.0 < float(value) < 1.0:
        raise SamplingInputError(code, **{name: value})
    return float(value)


def _check_rate(value: object) -> float:
    """Return an anticipated rate as a float if 0 <= rate <= 1."""
    _require_number(value, "rate")
    if not _is_real(value) or not 0.0 <= float(value) <= 1.0:
        raise SamplingInputError("rate_out_of_range", rate=value)
    return float(value)


def _check_population(value: object) -> int | None:
    """Return a population size N >= 0, or None for an unbounded population."""
    if value is None:
        return None
    if not _is_int(value) or int(value) < 0:
        raise SamplingInputError("population_invalid", population=value)
    return int(value)


def z_value(confidence: float) -> float:
    """Return the two-sided standard normal quantile z for a confidence level (1.959964 at 0.95)."""
    c = _check_open_unit(confidence, "confidence_out_of_range", "confidence")
    return float(norm.ppf(0.5 + c / 2.0))


def _round_up(x: float) -> int:
    """Round up, ignoring float noise below 1e-9 so that 278.0000000000001 stays 278."""
    return math.ceil(round(x, 9))


def precision_sample_size(
    margin: float, confidence: float, rate: float, population: int | None = None
) -> int:
    """Return the sample size that estimates a proportion within +/- margin at the given confidence."""
    e = _check_open_unit(margin, "margin_out_of_range", "margin")
    z = z_value(confidence)
    p = _check_rate(rate)
    big_n = _check_population(population)
    n0 = z * z * p * (1.0 - p) / (e * e)
    if n0 == 0.0 or big_n == 0:
        # p = 0 or 1 means no variance to estimate; an empty population needs no sample.
        return 0
    if big_n is None:
        return _round_up(n0)
    n = n0 / (1.0 + (n0 - 1.0) / big_n)
    return min(_round_up(n), big_n)


def margin_of_error(n: int, population: int | None, confidence: float, rate: float) -> float:
    """Return the margin of error of a proportion from a simple random sample of n out of N."""
    if not _is_int(n) or int(n) < 0:
        raise SamplingInputError("sample_size_invalid", n=n)
    n = int(n)
    big_n = _check_population(population)
    z = z_value(confidence)
    p = _check_rate(rate)
    if big_n is not None and n >= big_n:
        # A census has no sampling error.
        return 0.0
    if n == 0:
        return math.inf
    variance = p * (1.0 - p) / n
    if big_n is not None:
        # Finite population correction (N - n) / (N - 1): the exact inverse of the fpc in the size rule.
        variance *= (big_n - n) / (big_n - 1)
    return z * math.sqrt(variance)


def _passes(k: int, n: int, tolerable: Fraction, risk: Fraction, strict: bool) -> bool:
    """Tell exactly whether k deviations in n keep P(X <= k; n, tolerable) at or below the risk."""
    lower, _upper, whole = tail_counts(k, n, tolerable)
    below, at = lower * risk.denominator, risk.numerator * whole  # P(X <= k) against the risk, in integers
    return below < at if strict else below <= at


def size_for_deviations(
    k: int, tolerable: Fraction, risk: Fraction, *, low: int = 1, high: int = ATTRIBUTE_LIMIT, strict: bool = False
) -> int | None:
    """Return the smallest n in [low, high] with P(X <= k; n, tolerable) <= risk (< when strict), or None.

    The tail falls as n grows, so a bisection on scipy's fast float tail finds the place, and the exact
    rational tail then settles the one or two sizes that floating point cannot tell apart.
    """
    t, r = exact_fraction(tolerable), exact_fraction(risk)
    low = max(low, k + 1)  # at n <= k the tail is 1
    if low > high:
        return None
    t_float, r_float = float(t), float(r)
    left, right = low, high
    while left < right:
        mid = (left + right) // 2
        if bdtr(k, mid, t_float) <= r_float:
            right = mid
        else:
            left = mid + 1
    n = left
    while n <= high and not _passes(k, n, t, r, strict):
        n += 1
    if n > high:
        return None
    while n > low and _passes(k, n - 1, t, r, strict):
        n -= 1
    return n


def attribute_sample_size(
    confidence: float, tolerable: float, expected: float, *, limit: int = ATTRIBUTE_LIMIT
) -> AttributePlan:
    """Return the AICPA binomial attribute sample size and the deviations it allows."""
    c = _check_open_unit(confidence, "confidence_out_of_range", "confidence")
    t = _check_open_unit(tolerable, "tolerable_out_of_range", "tolerable")
    _require_number(expected, "expected")
    if not _is_real(expected) or not 0.0 <= float(expected) < 1.0:
        raise SamplingInputError("expected_out_of_range", expected=expected)
    pe = float(expected)
    if pe >= t:
        raise SamplingInputError(
            "expected_not_below_tolerable",
            expected=pe,
            tolerable=t,
            expected_pct=percent(pe),
            tolerable_pct=percent(t),
        )
    # Risk of overreliance 1 - c, taken in decimal so that 1 - 0.95 is 0.05 and not 0.050000000000000044.
    exact_risk = 1 - exact_fraction(c)
    risk = float(exact_risk)
    rate = exact_fraction(pe)
    a, b = rate.numerator, rate.denominator

    def window(k: int) -> tuple[int, int]:
        """Return the n with ceil(n * expected) == k, as an inclusive range capped at the limit."""
        if a == 0:
            return 1, limit
        return (k - 1) * b // a + 1, min(k * b // a, limit)

    # k = ceil(n * expected) grows with n, so scanning k upwards scans n upwards window by window; within
    # one window P(X <= k; n, tolerable) falls as n grows, so a bisection finds its first passing n.
    chunk = 64
    k_start = 0 if a == 0 else 1
    while True:
        ks = list(range(k_start, k_start + chunk)) if a else [0]
        bounds = [window(k) for k in ks]
        lo = np.array([w[0] for w in bounds], dtype=np.int64)
        hi = np.array([w[1] for w in bounds], dtype=np.int64)
        kk = np.array(ks, dtype=np.int64)
        live = lo <= hi
        passes = np.zeros(len(ks), dtype=bool)
        passes[live] = bdtr(kk[live], hi[live], t) <= risk
        for first in np.flatnonzero(passes):
            # The float tail picks the window; the exact one decides within it (and refuses a tie it misread).
            k = ks[first]
            n = size_for_deviations(k, t, exact_risk, low=int(lo[first]), high=int(hi[first]))
            if n is not None:
                return AttributePlan(n=n, allowed_deviations=k)
        if a == 0 or not live.all() or int(hi[-1]) >= limit:
            raise SamplingInputError(
                "attribute_size_too_large",
                confidence=c,
                tolerable=t,
                expected=pe,
                limit=limit,
                confidence_pct=percent(c),
                tolerable_pct=percent(t),
                expected_pct=percent(pe),
            )
        k_start += chunk
