"""Allocation of a total sample over strata (equal, proportional, Neyman) with a minimum per stratum,
caps at N_h and largest-remainder rounding; per-stratum size rules; reserve counts.

All arithmetic on shares is exact (fractions.Fraction), so the result never depends on float rounding
or on the order of the strata in the input. docs/sampling.md gives the rules in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal, localcontext
from fractions import Fraction
from numbers import Integral, Real
from typing import TYPE_CHECKING

from sampling.errors import SamplingInputError

if TYPE_CHECKING:
    from typing_extensions import TypeIs

METHODS = ("equal", "proportional", "neyman")
# An oversampled stratum's weight (or per-stratum size) is multiplied by its factor, at most this much.
MAX_FACTOR = 100
# Neyman allocation needs an anticipated rate per stratum; 0.5 maximises p(1 - p), the safe default.
DEFAULT_RATE = 0.5


def _is_int(value: object) -> TypeIs[Integral]:
    """Tell whether a value is a whole number and not a bool."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def _check_populations(populations: Mapping[str, int]) -> dict[str, int]:
    """Return the stratum populations as a plain dict after checking each is a whole number >= 0."""
    checked: dict[str, int] = {}
    for stratum, size in populations.items():
        if not _is_int(size) or int(size) < 0:
            raise SamplingInputError("stratum_population_invalid", stratum=stratum, population=size)
        checked[str(stratum)] = int(size)
    return checked


def _check_rates(rates: Mapping[str, float] | None, strata: Mapping[str, int]) -> dict[str, float]:
    """Return an anticipated rate for every stratum, 0.5 where none is given."""
    given = dict(rates or {})
    for stratum, rate in given.items():
        if stratum not in strata:
            raise SamplingInputError("unknown_stratum", stratum=stratum)
        if not isinstance(rate, Real) or isinstance(rate, bool) or not 0.0 <= float(rate) <= 1.0:
            raise SamplingInputError("stratum_rate_out_of_range", stratum=stratum, rate=rate)
    return {stratum: float(given.get(stratum, DEFAULT_RATE)) for stratum in strata}


def _weights(method: str, pops: dict[str, int], rates: dict[str, float]) -> dict[str, Fraction]:
    """Return each stratum's allocation weight for the method, as an exact fraction."""
    if method == "equal":
        return {h: Fraction(1) for h in pops}
    if method == "proportional":
        return {h: Fraction(n) for h, n in pops.items()}
    # Neyman: N_h * S_h with S_h = sqrt(p_h (1 - p_h)), p_h read as the decimal it is written as and the
    # root taken to 40 digits, so that p = 0.1 gives S = 0.3 exactly and ties are real ties.
    with localcontext() as ctx:
        ctx.prec = 40
        spread = {h: Decimal(repr(p)) * (1 - Decimal(repr(p))) for h, p in rates.items()}
        return {h: n * Fraction(spread[h].sqrt()) for h, n in pops.items()}


def _check_factors(factors: Mapping[str, float] | None, strata: Mapping[str, int]) -> dict[str, Fraction]:
    """Return every stratum's oversampling factor as an exact fraction, 1 where none is given."""
    checked = {stratum: Fraction(1) for stratum in strata}
    for stratum, factor in (factors or {}).items():
        if stratum not in strata:
            raise SamplingInputError("unknown_stratum", stratum=stratum)
        if not isinstance(factor, Real) or isinstance(factor, bool) or not 1.0 <= float(factor) <= MAX_FACTOR:
            raise SamplingInputError("stratum_factor_out_of_range", stratum=stratum, factor=factor,
                                     high=MAX_FACTOR)
        # Read as the decimal it is written as, so that 1.5 * 40 is exactly 60.
        checked[stratum] = Fraction(Decimal(repr(float(factor))))
    return checked


def _clamp(x: Fraction, low: int, high: int) -> Fraction:
    """Clamp x into [low, high]."""
    return min(max(x, Fraction(low)), Fraction(high))


def _fill(
    total: int, weights: dict[str, Fraction], lower: dict[str, int], upper: dict[str, int]
) -> dict[str, Fraction]:
    """Return exact shares x_h = clamp(lam * w_h, L_h, U_h) summing to total, solving for lam."""

    def placed(lam: Fraction) -> Fraction:
        """Return the sum of the clamped shares at multiplier lam."""
        return sum((_clamp(lam * w, lower[h], upper[h]) for h, w in weights.items()), Fraction(0))

    # The sum is continuous, piecewise linear and non-decreasing in lam; it bends only where a stratum
    # reaches its minimum (L_h / w_h) or its cap (U_h / w_h). Find the segment holding the total.
    breaks = sorted(
        {Fraction(0)}
        | {Fraction(lower[h]) / w for h, w in weights.items() if w > 0}
        | {Fraction(upper[h]) / w for h, w in weights.items() if w > 0}
    )
    lo, hi = 0, len(breaks) - 1
    while lo < hi:  # largest break whose placed sum does not exceed the total
        mid = (lo + hi + 1) // 2
        if placed(breaks[mid]) <= total:
            lo = mid
        else:
            hi = mid - 1
    lam = breaks[lo]
    if placed(lam) != total:
        # Inside the next segment every stratum is either fixed (at L_h or U_h) or free (share lam * w_h).
        probe = (breaks[lo] + breaks[lo + 1]) / 2
        fixed = Fraction(0)
        free_weight = Fraction(0)
        for h, w in weights.items():
            share = probe * w
            if lower[h] < share < upper[h]:
                free_weight += w
            else:
                fixed += _clamp(share, lower[h], upper[h])
        lam = (total - fixed) / free_weight
    return {h: _clamp(lam * w, lower[h], upper[h]) for h, w in weights.items()}


def _shares(
    total: int,
    weights: dict[str, Fraction],
    lower: dict[str, int],
    upper: dict[str, int],
    pops: dict[str, int],
) -> dict[str, Fraction]:
    """Return the exact bounded shares; zero-weight strata take units only once the others are full."""
    positive = {h: w for h, w in weights.items() if w > 0}
    idle = [h for h in weights if weights[h] == 0]
    room = sum(upper[h] for h in positive) + sum(lower[h] for h in idle)
    if total <= room or not idle:
        shares = _fill(total - sum(lower[h] for h in idle), positive, lower, upper) if positive else {}
        shares.update({h: Fraction(lower[h]) for h in idle})
        return shares
    # Neyman strata with anticipated rate 0 or 1 have weight 0: they get units beyond their minimum only
    # when the total cannot be placed elsewhere, and then in proportion to N_h.
    shares = {h: Fraction(upper[h]) for h in positive}
    rest = total - sum(upper[h] for h in positive)
    shares.update(_fill(rest, {h: Fraction(pops[h]) for h in idle}, lower, upper))
    return shares


def _largest_remainder(shares: dict[str, Fraction], total: int, pops: dict[str, int]) -> dict[str, int]:
    """Round exact shares to whole units adding up to total (Hamilton), with a documented tie-break."""
    sizes = {h: math.floor(x) for h, x in shares.items()}
    left = total - sum(sizes.values())
    # Largest fractional part first; ties go to the larger stratum, then to the smaller name (str order).
    order = sorted(
        (h for h, x in shares.items() if x != sizes[h]),
        key=lambda h: (-(shares[h] - sizes[h]), -pops[h], h),
    )
    for h in order[:left]:
        sizes[h] += 1
    return sizes


def allocate(
    populations: Mapping[str, int],
    total: int,
    method: str,
    minimum: int = 0,
    rates: Mapping[str, float] | None = None,
    factors: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """Allocate a total sample over strata, each at least min(minimum, N_h) and at most N_h.

    `factors` oversamples strata: a stratum's allocation weight (N_h for proportional, 1 for equal, N_h S_h
    for Neyman) is multiplied by its factor (>= 1), so that its sampling fraction is that many times the
    others' wherever no minimum or cap binds.
    """
    pops = _check_populations(populations)
    if method not in METHODS:
        raise SamplingInputError("method_unknown", method=method)
    if not _is_int(total) or int(total) < 0:
        raise SamplingInputError("total_invalid", total=total)
    if not _is_int(minimum) or int(minimum) < 0:
        raise SamplingInputError("minimum_invalid", minimum=minimum)
    total, minimum = int(total), int(minimum)
    checked_rates = _check_rates(rates, pops)
    checked_factors = _check_factors(factors, pops)
    population = sum(pops.values())
    if total > population:
        raise SamplingInputError("total_exceeds_population", total=total, population=population)
    lower = {h: min(minimum, n) for h, n in pops.items()}
    required = sum(lower.values())
    if total < required:
        raise SamplingInputError("minimum_exceeds_total", required=required, total=total, minimum=minimum)
    weights = {h: w * checked_factors[h] for h, w in _weights(method, pops, checked_rates).items()}
    shares = _shares(total, weights, lower, pops, pops)
    sizes = _largest_remainder(shares, total, pops)
    return {h: sizes[h] for h in pops}


def per_stratum_sizes(populations: Mapping[str, int], rule: Callable[[int], int]) -> dict[str, int]:
    """Apply a size rule to each stratum's own N_h and cap the result at N_h."""
    pops = _check_populations(populations)
    sizes: dict[str, int] = {}
    for stratum, n_pop in pops.items():
        value = rule(n_pop)
        if not _is_int(value) or int(value) < 0:
            raise SamplingInputError("rule_result_invalid", stratum=stratum, value=value)
        sizes[stratum] = min(int(value), n_pop)
    return sizes


def oversampled(populations: Mapping[str, int], sizes: Mapping[str, int],
                factors: Mapping[str, float] | None) -> dict[str, int]:
    """Multiply the sizes of a per-stratum rule by each stratum's factor, rounding up, capped at N_h."""
    pops = _check_populations(populations)
    checked = _check_factors(factors, pops)
    return {h: min(math.ceil(checked[h] * int(n)), pops[h]) for h, n in sizes.items()}


def reserve_sizes(
    populations: Mapping[str, int],
    sizes: Mapping[str, int],
    *,
    share: float | None = None,
    count: int | None = None,
) -> dict[str, int]:
    """Return reserves per stratum, ceil(share * n_h) or a fixed count, capped at N_h - n_h."""
    pops = _check_populations(populations)
    if (share is None) == (count is None):
        raise SamplingInputError("reserve_spec_invalid")
    if share is not None:
        if not isinstance(share, Real) or isinstance(share, bool) or not 0.0 <= float(share) <= 10.0:
            raise SamplingInputError("reserve_spec_invalid")
        # Decimal reading of the share, so that 0.1 * 30 is exactly 3 and not 4 after rounding up.
        exact = Fraction(Decimal(repr(float(share))))
    elif not _is_int(count) or int(count) < 0:
        raise SamplingInputError("reserve_spec_invalid")
    reserves: dict[str, int] = {}
    for stratum, n in sizes.items():
        if stratum not in pops:
            raise SamplingInputError("unknown_stratum", stratum=stratum)
        if not _is_int(n) or int(n) < 0:
            raise SamplingInputError("size_invalid", stratum=stratum, role="sample", role_zh="样本", value=n)
        if int(n) > pops[stratum]:
            raise SamplingInputError(
                "size_exceeds_stratum", stratum=stratum, population=pops[stratum], sample=int(n), reserve=0
            )
        wanted = math.ceil(exact * int(n)) if share is not None else int(count)
        reserves[stratum] = min(wanted, pops[stratum] - int(n))
    return reserves
