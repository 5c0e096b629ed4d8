"""Exact binomial tails in rational arithmetic, for decisions that sit on a boundary.

A tail computed in floating point, or a limit from an inverted beta, can land a hair to either side of
the value it is compared with (0.050000000000000044 for 0.05). Here P(X <= k) and P(X >= k) are sums of
integers over a power of the rate's denominator, so equality is equality.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from numbers import Rational, Real


def exact_fraction(value) -> Fraction:
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


def _sum_lower(k: int, n: int, a: int, c: int) -> int:
    """Return sum over j = 0..k of C(n, j) a^j c^(n-j), an exact integer."""
    term = c**n
    total = term
    for j in range(k):
        # C(n, j+1) a^(j+1) c^(n-j-1) = C(n, j) a^j c^(n-j) (n-j) a / ((j+1) c), an exact division.
        term = term * (n - j) * a // ((j + 1) * c)
        total += term
    return total


def _sum_upper(k: int, n: int, a: int, c: int) -> int:
    """Return sum over j = k..n of C(n, j) a^j c^(n-j), an exact integer."""
    term = a**n
    total = term
    for j in range(n, k, -1):
        term = term * j * c // ((n - j + 1) * a)
        total += term
    return total


def tail_at_most(k: int, n: int, p) -> Fraction:
    """Return P(X <= k) for X ~ Binomial(n, p), exactly."""
    p = exact_fraction(p)
    if k < 0:
        return Fraction(0)
    if k >= n or p == 0:
        return Fraction(1)
    if p == 1:
        return Fraction(0)
    a, c, b = _terms(n, p)
    whole = b**n
    # Sum the shorter side: the loop costs one big-integer step per term.
    part = _sum_lower(k, n, a, c) if k < n - k else whole - _sum_upper(k + 1, n, a, c)
    return Fraction(part, whole)


def tail_at_least(k: int, n: int, p) -> Fraction:
    """Return P(X >= k) for X ~ Binomial(n, p), exactly."""
    return 1 - tail_at_most(k - 1, n, p)
