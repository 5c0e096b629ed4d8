"""Audit conclusions per county: the binomial tail at the tolerable rate, in exact arithmetic, against
the risk 1 - confidence.

Why one-sided, why exact, and how the cases needed to conclude are found: docs/statistics.md, section 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from numbers import Rational, Real
from typing import Any

from scipy import special

from sampling.binomial import exact_fraction, tail_counts
from sampling.checks import EstimateInputError, check_count, check_rate_counts
from sampling.sizes import ATTRIBUTE_LIMIT, size_for_deviations

WITHIN = "within"
OVER = "over"
INCONCLUSIVE = "inconclusive"
STATUSES = (WITHIN, OVER, INCONCLUSIVE)


@dataclass(frozen=True)
class AuditConclusion:
    """A county's audit conclusion, its one-sided limits, and the clean cases that would conclude within."""

    status: str  # WITHIN, OVER or INCONCLUSIVE
    upper: float  # one-sided Clopper-Pearson upper limit at the confidence, for display only
    lower: float  # one-sided Clopper-Pearson lower limit at the confidence, for display only
    n_needed: int | None  # further verified cases without a discrepancy that would conclude WITHIN
    d: int
    m: int
    tolerable: float
    confidence: float
    open_units: int
    status_if_open_discrepant: str  # the conclusion if every open unit were discrepant
    status_if_open_clean: str  # the conclusion if no open unit were discrepant
    weighted: bool = False  # judged on the design-weighted rate of unequally sampled strata (weighted_audit.py)


def exact_upper_limit(d: int, m: int, confidence: float | Fraction) -> float:
    """Return the one-sided Clopper-Pearson upper limit (display only: decide with audit_status)."""
    if m == 0 or d >= m:
        return 1.0
    return float(special.betaincinv(d + 1, m - d, float(confidence)))


def exact_lower_limit(d: int, m: int, confidence: float | Fraction) -> float:
    """Return the one-sided Clopper-Pearson lower limit (display only: decide with audit_status)."""
    if m == 0 or d <= 0:
        return 0.0
    return float(special.betaincinv(d, m - d + 1, 1 - float(confidence)))


def _is_number(value: Any) -> bool:
    """Tell whether a value is a real number (int, float, Decimal, Fraction) and not a bool or text."""
    return isinstance(value, Real | Decimal | Rational) and not isinstance(value, bool)


def check_tolerable(tolerable: Any) -> Fraction:
    """Return the tolerable rate as an exact fraction strictly between 0 and 1, or raise."""
    if not _is_number(tolerable) or not 0 < tolerable < 1:
        raise EstimateInputError("tolerable_out_of_range", tolerable=repr(tolerable))
    return exact_fraction(tolerable)


def check_audit_confidence(confidence: Any) -> Fraction:
    """Return the confidence as an exact fraction in [0.5, 1), below which both tails could pass."""
    if not _is_number(confidence) or not 0 < confidence < 1:
        raise EstimateInputError("confidence_out_of_range", confidence=repr(confidence))
    if confidence < Fraction(1, 2):
        raise EstimateInputError("audit_confidence_too_low", confidence=repr(confidence))
    return exact_fraction(confidence)


@lru_cache(maxsize=100_000)
def _status(d: int, m: int, tolerable: Fraction, risk: Fraction) -> str:
    """Classify d among m: over when P(X >= d) < risk, within when P(X <= d) < risk; a tie decides nothing."""
    if m == 0:
        return INCONCLUSIVE
    lower, upper, whole = tail_counts(d, m, tolerable)
    # P(X >= d) < r/q  <=>  upper q < r whole: integers, so a tie is a tie.
    r, q = risk.numerator, risk.denominator
    if upper * q < r * whole:
        return OVER  # never at d = 0, where P(X >= 0) = 1
    if lower * q < r * whole:
        return WITHIN
    return INCONCLUSIVE


def clear_cache() -> None:
    """Forget the cached conclusions (a benchmark's cold runs)."""
    _status.cache_clear()


def audit_status(d: int, m: int, tolerable: Any, confidence: Any) -> str:
    """Decide within, over or inconclusive for d discrepant among m verified, exactly."""
    d, m = check_rate_counts(d, m)
    return _status(d, m, check_tolerable(tolerable), 1 - check_audit_confidence(confidence))


def clean_cases_to_conclude_within(
    d: int, m: int, tolerable: Any, confidence: Any, *, population: int | None = None
) -> int | None:
    """Return how many more verified cases, none discrepant, would conclude WITHIN; None if no number would.

    That is the attribute sample size for d allowed deviations (strictly below the risk), less m. No number
    does when the county is already over, or when the cases needed exceed its population.
    """
    d, m = check_rate_counts(d, m)
    t, risk = check_tolerable(tolerable), 1 - check_audit_confidence(confidence)
    status = _status(d, m, t, risk)
    if status == WITHIN:
        return 0
    if status == OVER:
        return None
    high = ATTRIBUTE_LIMIT if population is None else population
    n = size_for_deviations(d, t, risk, low=m + 1, high=high, strict=True)
    return None if n is None else n - m


def audit_conclusion(
    d: int,
    m: int,
    tolerable: Any,
    confidence: Any = 0.95,
    *,
    open_units: int = 0,
    population: int | None = None,
) -> AuditConclusion:
    """Conclude whether a county's discrepancy rate is within or over the tolerable rate."""
    d, m = check_rate_counts(d, m)
    open_units = check_count(open_units, "open")
    t, c = check_tolerable(tolerable), check_audit_confidence(confidence)
    risk = 1 - c
    if population is not None:
        population = check_count(population, "population")
        if m + open_units > population:
            raise EstimateInputError(
                "sample_exceeds_population", sample=m + open_units, population=population
            )
    return AuditConclusion(
        status=_status(d, m, t, risk),
        upper=exact_upper_limit(d, m, c),
        lower=exact_lower_limit(d, m, c),
        n_needed=clean_cases_to_conclude_within(d, m, t, c, population=population),
        d=d,
        m=m,
        tolerable=float(t),
        confidence=float(c),
        open_units=open_units,
        status_if_open_discrepant=_status(d + open_units, m + open_units, t, risk),
        status_if_open_clean=_status(d, m + open_units, t, risk),
    )
