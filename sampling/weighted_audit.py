"""The audit conclusion of a county whose strata were sampled at different fractions.

The exact binomial test of sampling/audit.py treats a county's verified persons as one simple random
sample. That holds when every stratum of the county was sampled at the same fraction (a county
alone, or strata allocated in proportion). When one stratum was oversampled (the persons a register
comparison already flags, say) or sizes were set per stratum, the pooled count over-represents that
stratum and the pooled rate is biased towards it. Such a county is judged on its design-weighted
rate instead: over when the one-sided lower limit of the stratified estimate at the audit
confidence exceeds the tolerable rate, within when the upper limit is below it, else not yet
decidable. No number of further clean cases is given: with weights it depends on the strata they
would come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sampling.audit import (
    INCONCLUSIVE,
    OVER,
    WITHIN,
    AuditConclusion,
    check_audit_confidence,
    check_tolerable,
)
from sampling.estimates import LOGIT, stratified_estimate


def is_self_weighting(N_h: Sequence[int], n_h: Sequence[int]) -> bool:
    """Say whether strata of sizes N_h drawn n_h units each are sampled at one fraction, up to the
    rounding of a proportional allocation (each n_h within one unit of N_h times the overall fraction)."""
    population, drawn = sum(N_h), sum(n_h)
    if len(N_h) <= 1 or population == 0:
        return True
    return all(abs(n * population - N * drawn) <= population for N, n in zip(N_h, n_h, strict=True))


def weighted_audit_conclusion(
    N_h: Sequence[int],
    m_h: Sequence[int],
    d_h: Sequence[int],
    tolerable: Any,
    confidence: Any = 0.95,
    *,
    open_h: Sequence[int] | None = None,
    method: str = LOGIT,
) -> AuditConclusion:
    """Conclude within, over or inconclusive on the design-weighted rate of a county's strata."""
    t, c = check_tolerable(tolerable), check_audit_confidence(confidence)
    opened = list(open_h) if open_h is not None else [0] * len(N_h)
    # A two-sided interval at 2c - 1 has one-sided limits at c.
    two_sided = float(2 * c - 1)

    def status(d: Sequence[int], m: Sequence[int]) -> tuple[str, float, float]:
        if sum(m) == 0:
            return INCONCLUSIVE, 0.0, 1.0
        estimate = stratified_estimate(N_h, m, d, two_sided, method)
        if estimate.p is None:
            return INCONCLUSIVE, 0.0, 1.0
        if estimate.low > t:
            return OVER, estimate.low, estimate.high
        if estimate.high < t:
            return WITHIN, estimate.low, estimate.high
        return INCONCLUSIVE, estimate.low, estimate.high

    verdict, lower, upper = status(d_h, m_h)
    if_discrepant = status([d + o for d, o in zip(d_h, opened, strict=True)],
                           [m + o for m, o in zip(m_h, opened, strict=True)])[0]
    if_clean = status(d_h, [m + o for m, o in zip(m_h, opened, strict=True)])[0]
    return AuditConclusion(
        status=verdict, upper=upper, lower=lower, n_needed=None, d=sum(d_h), m=sum(m_h), tolerable=float(t),
        confidence=float(c), open_units=sum(opened), status_if_open_discrepant=if_discrepant,
        status_if_open_clean=if_clean, weighted=True,
    )
