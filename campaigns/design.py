"""A draw design: who is on the frame, how it is stratified and how many units each stratum gets.

The same design comes from the page's form, the API's JSON and the CLI's options; `parse_design`
reads all three and returns every problem at once. Sizes come from the pure code in sampling/.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import overload

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from config.registers import FINDING_STRATA
from core.i18n import lang
from sampling.allocation import MAX_FACTOR, allocate, oversampled, per_stratum_sizes, reserve_sizes
from sampling.allocation import METHODS as ALLOCATIONS
from sampling.errors import SamplingInputError
from sampling.percent import RATE_FIELDS, parse_rate
from sampling.sizes import attribute_sample_size, margin_of_error, precision_sample_size

POPULATIONS = {
    "registered": _l("Registered persons (no cancellation date)"),
    "cancelled": _l("Persons cancelled within a period (to check cancellations)"),
}
# Strata by the cross-register checks: each county's persons with an active register finding at draw time
# ("440802|finding") and the others ("440802|none"); the findings used are stored with the draw.
REGISTER_FINDING = "register_finding"
WITH_FINDING, WITHOUT_FINDING = (code for code, _zh, _en in FINDING_STRATA)  # "finding", "none"
STRATUM_FIELDS = {
    "": _l("County only"),
    "gender": _l("County × gender"),
    "unemployment_reason": _l("County × reason for unemployment"),
    "employment_status": _l("County × employment status"),
    REGISTER_FINDING: _l("County × register finding (with / without)"),
}
SIZE_METHODS = {
    "fixed": _l("Fixed n per stratum"),
    "total": _l("Total n, allocated over the strata"),
    "precision": _l("Precision target per stratum"),
    "attribute": _l("Audit attribute rule per stratum"),
}
ALLOCATION_LABELS = {
    "equal": _l("Equal"),
    "proportional": _l("Proportional"),
    "neyman": _l("Neyman"),
}
# Separates the county from the value of the extra stratum field in a stratum's name: "440802|2".
STRATUM_SEPARATOR = "|"
MISSING_VALUE = "-"


class DesignError(ValueError):
    """A design that cannot be used, with every problem as (field, message)."""

    def __init__(self, problems: list[tuple[str, str]], readings: dict[str, str] | None = None):
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems
        self.readings = readings or {}  # the rate fields that were read, and how


@dataclass
class Design:
    """Everything a draw needs besides the seed: frame definition, strata, size rule and reserves."""

    counties: list[str]
    population: str = "registered"
    cancelled_from: date | None = None
    cancelled_to: date | None = None
    stratify_by: str = ""
    method: str = "total"
    n: int | None = None
    total: int | None = None
    allocation: str = "proportional"
    minimum: int = 0
    margin: float | None = None
    confidence: float = 0.95
    rate: float = 0.5
    tolerable: float | None = None
    expected: float | None = None
    rates: dict[str, float] = field(default_factory=dict)
    reserve_share: float | None = 0.2
    reserve_count: int | None = None
    exclude_months: int | None = None
    oversample: float = 1.0  # factor for the strata with a register finding (REGISTER_FINDING only)
    readings: dict[str, str] = field(default_factory=dict)  # rate field -> how it was read ("95%")

    def frame_definition(self) -> dict:
        """Return the part of the design that says who is on the frame and in which stratum."""
        return {
            "counties": list(self.counties),
            "population": self.population,
            "cancelled_from": self.cancelled_from.isoformat() if self.cancelled_from else None,
            "cancelled_to": self.cancelled_to.isoformat() if self.cancelled_to else None,
            "stratify_by": self.stratify_by or None,
            "exclude_months": self.exclude_months,
        }

    def size_rule(self) -> dict:
        """Return the size method and its parameters, as stored with the draw."""
        data = asdict(self)
        for key in ("counties", "population", "cancelled_from", "cancelled_to", "stratify_by", "exclude_months",
                    "readings"):
            data.pop(key)
        if self.stratify_by != REGISTER_FINDING:
            data.pop("oversample")
        return data

    def factors(self, strata) -> dict[str, float]:
        """Return the oversampling factor of each stratum with a register finding (none without one)."""
        if self.stratify_by != REGISTER_FINDING or self.oversample == 1:
            return {}
        return {h: self.oversample for h in strata if split_stratum(h)[1] == WITH_FINDING}


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Reader:
    """Read typed values out of form, JSON or CLI input, collecting problems instead of raising."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: list[tuple[str, str]] = []
        self.readings: dict[str, str] = {}

    @overload
    def rate(self, name: str, default: float, required: bool = False) -> float: ...
    @overload
    def rate(self, name: str, default: None = None, required: bool = False) -> float | None: ...

    def rate(self, name: str, default: float | None = None, required: bool = False) -> float | None:
        """Read a rate field as 95, 95 % or 0.95 (sampling.percent), noting how it was read."""
        value = self.data.get(name)
        if _blank(value):
            if required:
                self.problems.append((name, _("Required.")))
            return default
        low, high = RATE_FIELDS[name]
        try:
            reading = parse_rate(value, name, low_inclusive=low, high_inclusive=high)
        except SamplingInputError as error:
            self.problems.append((name, error.message(lang())))
            return default
        self.readings[name] = reading.shown
        return float(reading.value)

    def number(self, name: str, kind=float, default=None, low=None, high=None, required=False):
        value = self.data.get(name)
        if _blank(value):
            if required:
                self.problems.append((name, _("Required.")))
            return default
        assert value is not None  # _blank(None) is true: returned above
        try:
            number = kind(value) if kind is float else int(str(value).strip())
        except (TypeError, ValueError):
            self.problems.append((name, _("Enter a number.") if kind is float else _("Enter a whole number.")))
            return default
        if kind is float and not math.isfinite(number):
            self.problems.append((name, _("Enter a number.")))
            return default
        if (low is not None and number < low) or (high is not None and number > high):
            self.problems.append((name, _("Out of range.")))
            return default
        return number

    def choice(self, name: str, choices, default: str) -> str:
        value = self.data.get(name)
        value = default if value is None else str(value).strip()
        if value not in choices:
            self.problems.append((name, _("Choose one of the listed options.")))
            return default
        return value

    def day(self, name: str) -> date | None:
        value = self.data.get(name)
        if _blank(value):
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.problems.append((name, _("Enter a date as YYYY-MM-DD.")))
            return None


def _codes(value) -> list[str]:
    """Read county codes from a list or a comma-separated text."""
    if _blank(value):
        return []
    items = value.split(",") if isinstance(value, str) else value
    return sorted({str(item).strip() for item in items if str(item).strip()})


def _rates(value, problems) -> dict[str, float]:
    """Read anticipated rates per stratum from a dict or from "stratum=rate" lines."""
    if _blank(value):
        return {}
    if isinstance(value, dict):
        pairs = list(value.items())
    else:
        pairs = []
        for line in str(value).replace(",", "\n").replace("，", "\n").splitlines():
            if line.strip():
                name, sep, rate = line.partition("=")
                if not sep:
                    problems.append(("rates", _("Write one stratum=rate per line, e.g. 440802=0.1.")))
                    return {}
                pairs.append((name.strip(), rate.strip()))
    rates = {}
    for name, rate in pairs:
        try:
            rates[str(name)] = float(parse_rate(rate, "rate", low_inclusive=True, high_inclusive=True).value)
        except SamplingInputError as error:
            problems.append(("rates", f"{name}: {error.message(lang())}"))
            return {}
    return rates


def parse_design(data: dict, allowed_counties: list[str]) -> Design:
    """Read a design from form, JSON or CLI values; raise DesignError listing every problem."""
    read = _Reader(data)
    counties = _codes(data.get("counties")) or list(allowed_counties)
    unknown = sorted(set(counties) - set(allowed_counties))
    if unknown:
        read.problems.append(("counties", _("Not a county of this campaign: %(codes)s", codes=", ".join(unknown))))
    if not counties:
        read.problems.append(("counties", _("Choose at least one county.")))
    design = Design(counties=counties)
    design.population = read.choice("population", POPULATIONS, "registered")
    design.cancelled_from = read.day("cancelled_from")
    design.cancelled_to = read.day("cancelled_to")
    if design.population == "cancelled" and not (design.cancelled_from and design.cancelled_to):
        read.problems.append(("cancelled_from", _("Give the first and last day of the cancellation period.")))
    elif design.cancelled_from and design.cancelled_to and design.cancelled_from > design.cancelled_to:
        read.problems.append(("cancelled_to", _("The period ends before it starts.")))
    design.stratify_by = read.choice("stratify_by", STRATUM_FIELDS, "")
    design.method = read.choice("method", SIZE_METHODS, "total")
    design.allocation = read.choice("allocation", ALLOCATIONS, "proportional")
    design.minimum = read.number("minimum", int, 0, low=0)
    design.confidence = _audit_confidence(read)
    design.tolerable = read.rate("tolerable", None, required=design.method == "attribute")
    design.rate = read.rate("rate", 0.5)
    if design.method == "fixed":
        design.n = read.number("n", int, low=0, required=True)
    elif design.method == "total":
        design.total = read.number("total", int, low=0, required=True)
        design.rates = _rates(data.get("rates"), read.problems)
    elif design.method == "precision":
        design.margin = read.rate("margin", required=True)
    else:
        design.expected = read.rate("expected", 0.0)
    if "reserve_mode" not in data and not _blank(data.get("reserve_count")) and not _blank(data.get("reserve_share")):
        # The page says which one with reserve_mode; a script giving both would get one silently ignored.
        read.problems.append(("reserve_count", _("Give a reserve share or a reserve count, not both.")))
    mode = read.choice("reserve_mode", ("share", "count"), "count" if not _blank(data.get("reserve_count"))
                       and _blank(data.get("reserve_share")) else "share")
    if mode == "share":
        design.reserve_share = read.number("reserve_share", float, 0.2, low=0, high=10)
        design.reserve_count = None
    else:
        design.reserve_share = None
        design.reserve_count = read.number("reserve_count", int, 0, low=0)
    design.exclude_months = read.number("exclude_months", int, None, low=1, high=120)
    # Only the register-finding strata are oversampled; with other strata the field is ignored (the page
    # keeps it, hidden, when another stratification is chosen).
    if design.stratify_by == REGISTER_FINDING:
        design.oversample = read.number("oversample", float, 1.0, low=1, high=MAX_FACTOR)
    design.readings = read.readings
    if read.problems:
        raise DesignError(read.problems, read.readings)
    return design


def _audit_confidence(read: _Reader) -> float:
    """Read the confidence, which is also the campaign's for its audit conclusions: at least 50 %."""
    confidence = read.rate("confidence", 0.95)
    if confidence < 0.5:
        # Below 50 % both one-sided tests could pass at once (docs/statistics.md, section 5).
        read.problems.append(("confidence", _("Enter a confidence of at least 50%%.")))
    return confidence


def parse_audit_settings(data: dict) -> tuple[float, float, dict[str, str]]:
    """Read the campaign's tolerable rate and confidence; raise DesignError listing the problems."""
    read = _Reader(data)
    tolerable = read.rate("tolerable", required=True)
    confidence = _audit_confidence(read) if not _blank(data.get("confidence")) else read.rate("confidence",
                                                                                              required=True)
    if read.problems:
        raise DesignError(read.problems, read.readings)
    # A required rate is None only when a problem was noted, and those were raised just above.
    assert tolerable is not None and confidence is not None
    return tolerable, confidence, read.readings


def stratum_rates(design: Design, strata) -> dict[str, float]:
    """Give each stratum the anticipated rate named for it, or for its county, or the design's rate."""
    rates = {}
    for h in strata:
        county = h.split(STRATUM_SEPARATOR)[0]
        rates[h] = design.rates.get(h, design.rates.get(county, design.rate))
    return rates


def plan_sizes(design: Design, populations: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Return n_h and r_h for every stratum; sampling errors (SamplingInputError) pass through."""
    # Each method's own parameter is set: parse_design, where every design comes from, requires it.
    factors = design.factors(populations)
    if design.method == "fixed":
        n = design.n
        assert n is not None
        sizes = per_stratum_sizes(populations, lambda big_n: n)
    elif design.method == "total":
        assert design.total is not None
        rates = stratum_rates(design, populations) if design.allocation == "neyman" else None
        sizes = allocate(populations, design.total, design.allocation, design.minimum, rates, factors)
    elif design.method == "precision":
        margin = design.margin
        assert margin is not None
        sizes = per_stratum_sizes(
            populations, lambda big_n: precision_sample_size(margin, design.confidence, design.rate, big_n)
        )
    else:
        assert design.tolerable is not None
        plan = attribute_sample_size(design.confidence, design.tolerable, design.expected or 0.0)
        sizes = per_stratum_sizes(populations, lambda big_n: plan.n)
    if factors and design.method != "total":
        sizes = oversampled(populations, sizes, factors)
    reserves = reserve_sizes(populations, sizes, share=design.reserve_share, count=design.reserve_count)
    return sizes, reserves


def combined_margin(parts: list[tuple[int, int, float]], confidence: float) -> float | None:
    """Return the margin of error of a stratified estimate over (N_h, n_h, p_h) parts, or None if undefined.

    Var = Σ W_h² · p_h(1-p_h)/n_h · (N_h-n_h)/(N_h-1): each part's own margin, squared and weighted.
    """
    big_n = sum(part[0] for part in parts)
    if big_n == 0:
        return None
    total = 0.0
    for n_pop, n, rate in parts:
        if n_pop == 0:
            continue
        margin = margin_of_error(n, n_pop, confidence, rate)
        if math.isinf(margin):
            return None
        total += (n_pop / big_n) ** 2 * margin**2
    return math.sqrt(total)


def split_stratum(name: str) -> tuple[str, str | None]:
    """Return a stratum's county code and the value of the extra field (None when county only)."""
    county, sep, value = name.partition(STRATUM_SEPARATOR)
    return county, (value if sep else None)
