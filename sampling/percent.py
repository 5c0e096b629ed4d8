"""Read a rate typed in any of the usual ways (95, 95 %, ９５％, 0.95) and say which reading was taken.

The rule, for every rate field of the pages, the API and the CLI: a number followed by % is a percent;
a bare number above 1 is a percent; a bare number from 0 to 1 is a fraction. A bare 1 could be 1 % or
100 % and is refused: write 1% or 100%. The value comes back as an exact Decimal, so that 0.05 stays
0.05 and the audit conclusion can be decided in exact arithmetic (docs/statistics.md).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from numbers import Real
from typing import Any

from sampling.errors import SamplingInputError

PERCENT = "percent"
FRACTION = "fraction"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateReading:
    """A rate as typed, its value as a fraction, and whether it was read as a percent or a fraction."""

    text: str
    value: Decimal
    reading: str  # PERCENT or FRACTION

    @property
    def shown(self) -> str:
        """Return the value as a percent without trailing zeros ("95%", "2.5%")."""
        return percent_text(self.value)

    def __float__(self) -> float:
        return float(self.value)


def percent_text(value: Decimal | float) -> str:
    """Format a fraction as a percent without trailing zeros (Decimal("0.025") -> "2.5%")."""
    number = (Decimal(repr(value)) if isinstance(value, float) else Decimal(value)) * HUNDRED
    text = format(number.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _number(raw: Any, field: str) -> tuple[Decimal, bool, str]:
    """Return the number typed, whether it carried a percent sign, and the text as typed."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise SamplingInputError("value_missing", field=field)
    if isinstance(raw, bool) or not isinstance(raw, str | Real | Decimal):
        raise SamplingInputError("not_a_number", field=field, value=raw)
    if isinstance(raw, str):
        # NFKC turns full-width digits, point and percent sign (０．９５％) into their ASCII forms.
        text = unicodedata.normalize("NFKC", raw).strip()
        body = text.removesuffix("%").strip()
        marked = body != text
        try:
            number = Decimal(body)
        except InvalidOperation:
            raise SamplingInputError("not_a_number", field=field, value=raw) from None
        shown = raw.strip()
    else:
        # numbers.Real declares no __int__ for the type checker; every Real that gets here has one.
        number = raw if isinstance(raw, Decimal) else Decimal(repr(raw) if isinstance(raw, float) else int(raw))  # type: ignore[call-overload]
        marked, shown = False, str(raw)
    if not number.is_finite() or (isinstance(raw, float) and not math.isfinite(raw)):
        raise SamplingInputError("not_a_number", field=field, value=raw)
    return number, marked, shown


def parse_rate(raw: Any, field: str, *, low_inclusive: bool = False, high_inclusive: bool = False) -> RateReading:
    """Read a rate field (95, 95 %, 0.95) as an exact fraction, refusing a bare 1 and values out of range."""
    number, marked, shown = _number(raw, field)
    if not marked and number == 1:
        raise SamplingInputError("rate_ambiguous", field=field, value=shown)
    reading = PERCENT if marked or number > 1 else FRACTION
    value = number / HUNDRED if reading == PERCENT else number
    too_low = value < 0 or (value == 0 and not low_inclusive)
    too_high = value > 1 or (value == 1 and not high_inclusive)
    if too_low or too_high:
        low, high = ("≥ 0%" if low_inclusive else "> 0%"), ("≤ 100%" if high_inclusive else "< 100%")
        raise SamplingInputError("percent_out_of_range", field=field, value=shown, shown=percent_text(value),
                                 low=low, high=high)
    return RateReading(text=shown, value=value.normalize() if value else Decimal(0), reading=reading)


# How each rate field of a design is bounded: (0 allowed, 100 % allowed).
RATE_FIELDS = {
    "confidence": (False, False),
    "tolerable": (False, False),
    "margin": (False, False),
    "expected": (True, False),
    "rate": (True, True),
}


def rate_value(raw: Any, field: str) -> float | None:
    """Read a named rate field (see RATE_FIELDS) as a float, passing None through for the caller to name."""
    if raw is None:
        return None
    low, high = RATE_FIELDS[field]
    return float(parse_rate(raw, field, low_inclusive=low, high_inclusive=high).value)
