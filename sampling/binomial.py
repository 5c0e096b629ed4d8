"""Exact binomial tails in rational arithmetic, for decisions that sit on a boundary.

A tail computed in floating point, or a limit from an inverted beta, can land a hair to either side of
the value it is compared with (0.050000000000000044 for 0.05). Here P(X <= k) and P(X >= k) are sums of
integers over a power of the rate's denominator, so equality is equality.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from numbers import Rational, Real
from typing import Any


def exact_fraction(value: Any) -> Fraction:
    """Return a rate as the exact decimal it was written as (0.05 -> 1/20, not the nearest binary double)."""
    if isinstance(value, Fraction | Rational) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, Decimal | str):
        return Fraction(Decimal(value))
    if isinstance(value, Real) and not isinstance(value, bool):
        # repr gives the shortest text that reads back as the same double: what was typed.
        return Fraction(Decimal(repr(float(value))))
    raise TypeError(f"not a rate: {value!r}")


def _terms(n: int, p: Fraction) -> tuple[int, int, int]:
    """Return a, c, b with p = a/b and 1 - p = c/b, b the common denominator."""
    a, b = p.numerator, p.denominator
    return a, b - a, b


def _partial_sum(k: int, n: int, a: int, c: int) -> tuple[int, int]:
    """Return S and u with sum over j = 0..k of C(n, j) a^j c^(n-j) = S c^(n-k) and its j = k term u c^(n-k).

    Factoring out c^(n-k) keeps the loop's integers to about log2(C(n, k) max(a, c)^k) bits instead of
    n log2(b): at n = 3000, k = 150 and b = 20 a tenth of the size, so the loop runs that much faster.
    """
    term = c**k  # C(n, 0) a^0 c^k
    total = term
    for j in range(k):
        # C(n, j+1) a^(j+1) c^(k-j-1) = C(n, j) a^j c^(k-j) (n-j) a / ((j+1) c), an exact division.
        term = term * (n - j) * a // ((j + 1) * c)
        total += term
    return total, term


def tail_counts(k: int, n: int, p: Fraction) -> tuple[int, int, int]:
    """Return integers lower, upper, whole with P(X <= k) = lower/whole and P(X >= k) = upper/whole, 0 < p < 1."""
    a, c, b = _terms(n, p)
    whole = b**n
    # Sum the shorter side; the tails share the point probability: P(X >= k) = 1 - P(X <= k) + P(X = k).
    if k < n - k:
        total, point = _partial_sum(k, n, a, c)
        scale = c ** (n - k)
        lower = total * scale
        return lower, whole - lower + point * scale, whole
    total, point = _partial_sum(n - k, n, c, a)  # X >= k is n - X <= n - k, with the roles of a and c swapped
    scale = a**k
    upper = total * scale
    return whole - upper + point * scale, upper, whole


def tails(k: int, n: int, p: Any) -> tuple[Fraction, Fraction]:
    """Return P(X <= k) and P(X >= k) for X ~ Binomial(n, p), exactly, in one pass over the shorter side."""
    p = exact_fraction(p)
    if k < 0:
        return Fraction(0), Fraction(1)
    if k > n:
        return Fraction(1), Fraction(0)
    if p == 0 or p == 1:
        point = Fraction(int((k == 0) if p == 0 else (k == n)))
        below = Fraction(1) if p == 0 else point
        return below, 1 - below + point
    lower, upper, whole = tail_counts(k, n, p)
    return Fraction(lower, whole), Fraction(upper, whole)


def tail_at_most(k: int, n: int, p: Any) -> Fraction:
    """Return P(X <= k) for X ~ Binomial(n, p), exactly."""
    return tails(k, n, p)[0]


def tail_at_least(k: int, n: int, p: Any) -> Fraction:
    """Return P(X >= k) for X ~ Binomial(n, p), exactly."""
    return tails(k, n, p)[1]
