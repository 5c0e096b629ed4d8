"""Audit conclusions per county: one-sided exact limits against the campaign's tolerable rate.

Why one-sided, and how the sample size that would settle a case is found: docs/statistics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from scipy import special

from sampling.estimates import EstimateInputError, check_confidence, check_count, check_rate_counts

WITHIN = "within"
OVER = "over"
INCONCLUSIVE = "inconclusive"
STATUSES = (WITHIN, OVER, INCONCLUSIVE)

# A search past this many units means the observed rate sits on the tolerable rate for all
# practical purposes: no county has that many registered persons, so "no size settles it".
MAX_SAMPLE_SIZE = 10**9


@dataclass(frozen=True)
class AuditConclusion:
    """A county's audit conclusion, its one-sided limits, and the sample size that would settle it."""

    status: str  # WITHIN, OVER or INCONCLUSIVE
    upper: float  # one-sided exact upper limit at the confidence
    lower: float  # one-sided exact lower limit at the confidence
    n_needed: int | None  # total resolved units that would settle it at the observed rate
    additional_n_needed: int | None  # n_needed - m; 0 when already settled
    d: int
    m: int
    tolerable: float
    confidence: float
    open_units: int
    status_if_open_discrepant: str  # the conclusion if every open unit were discrepant
    status_if_open_clean: str  # the conclusion if no open unit were discrepant


def exact_upper_limit(d: float, m: float, confidence: float) -> float:
    """Return the one-sided Clopper-Pearson upper limit; d may be fractional."""
    if m == 0 or d >= m:
        return 1.0
    return float(special.betaincinv(d + 1, m - d, confidence))


def exact_lower_limit(d: float, m: float, confidence: float) -> float:
    """Return the one-sided Clopper-Pearson lower limit; d may be fractional."""
    if m == 0 or d <= 0:
        return 0.0
    return float(special.betaincinv(d, m - d + 1, 1 - confidence))


def _status(d: float, m: float, tolerable: float, confidence: float) -> str:
    """Classify d among m against the tolerable rate."""
    if exact_upper_limit(d, m, confidence) < tolerable:
        return WITHIN
    if exact_lower_limit(d, m, confidence) > tolerable:
        return OVER
    return INCONCLUSIVE


def sample_size_to_settle(d: int, m: int, tolerable: float, confidence: float = 0.95) -> int | None:
    """Return the smallest total n at which the observed rate d/m, held, gives a settled conclusion."""
    d, m = check_rate_counts(d, m)
    tolerable, confidence = _check_tolerable(tolerable), _check_audit_confidence(confidence)
    if m == 0 or d / m == tolerable:
        return None  # no observed rate, or it equals the tolerable rate: no size settles it
    rate = d / m

    def settles(n: int) -> bool:
        """Say whether n units at the observed rate give a settled conclusion."""
        return _status(rate * n, n, tolerable, confidence) != INCONCLUSIVE

    if settles(m):
        return m
    # The limits close in on the rate as n grows: double to bracket, then bisect.
    low, high = m, 2 * m
    while not settles(high):
        if high > MAX_SAMPLE_SIZE:
            return None
        low, high = high, 2 * high
    while high - low > 1:
        mid = (low + high) // 2
        if settles(mid):
            high = mid
        else:
            low = mid
    return high


def _check_tolerable(tolerable) -> float:
    """Return the tolerable rate as a float strictly between 0 and 1, or raise."""
    usable = isinstance(tolerable, int | float) and not isinstance(tolerable, bool)
    if not usable or not 0.0 < tolerable < 1.0:
        raise EstimateInputError("tolerable_out_of_range", tolerable=repr(tolerable))
    return float(tolerable)


def _check_audit_confidence(confidence) -> float:
    """Return a confidence of at least 0.5, below which the two one-sided limits cross."""
    confidence = check_confidence(confidence)
    if confidence < 0.5:
        raise EstimateInputError("audit_confidence_too_low", confidence=repr(confidence))
    return confidence


def audit_conclusion(
    d: int,
    m: int,
    tolerable: float,
    confidence: float = 0.95,
    *,
    open_units: int = 0,
    population: int | None = None,
) -> AuditConclusion:
    """Conclude whether a county's discrepancy rate is within or over the tolerable rate."""
    d, m = check_rate_counts(d, m)
    open_units = check_count(open_units, "open")
    tolerable, confidence = _check_tolerable(tolerable), _check_audit_confidence(confidence)
    if population is not None:
        population = check_count(population, "population")
        if m + open_units > population:
            raise EstimateInputError(
                "sample_exceeds_population", sample=m + open_units, population=population
            )

    status = _status(d, m, tolerable, confidence)
    if status == INCONCLUSIVE:
        n_needed = sample_size_to_settle(d, m, tolerable, confidence)
        if n_needed is not None and population is not None:
            # Past the whole county a census settles it exactly; no more can be drawn anyway.
            n_needed = min(n_needed, population)
    else:
        n_needed = m
    return AuditConclusion(
        status=status,
        upper=exact_upper_limit(d, m, confidence),
        lower=exact_lower_limit(d, m, confidence),
        n_needed=n_needed,
        additional_n_needed=None if n_needed is None else max(n_needed - m, 0),
        d=d,
        m=m,
        tolerable=tolerable,
        confidence=confidence,
        open_units=open_units,
        status_if_open_discrepant=_status(d + open_units, m + open_units, tolerable, confidence),
        status_if_open_clean=_status(d, m + open_units, tolerable, confidence),
    )
