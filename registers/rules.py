"""The date rules of the cross-register checks: what a person's reference records say about their registration.

Pure functions on plain values (no Flask, no database), so that each rule and its boundary is tested
alone; docs/registers.md states the same rules for readers in Chinese and English.

Months are whole: a social-insurance contribution is paid for a calendar month, and a month counts
from its first day. A record reaches the rules as a `Fact`; what they find is a `Finding` with the
evidence that supports it (the record's dates and the employer's or entity's name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple


@dataclass(frozen=True)
class RuleSettings:
    """The adjustable parts of the rules (settings REGISTER_MIN_MONTHS, REGISTER_GRACE_DAYS)."""

    min_months: int = 2
    grace_days: int = 30

    def __post_init__(self) -> None:
        """Refuse settings that make no rule."""
        if self.min_months < 1:
            raise ValueError("min_months must be at least 1")
        if self.grace_days < 0:
            raise ValueError("grace_days must not be negative")


class Fact(NamedTuple):
    """One reference record of a person, in the register's own terms.

    social_insurance: start/end are the first days of the first and last month paid (end None: one
    month), flexible tells a flexible worker's own contributions from an employee's; business: start
    is the entity's established date, end its closing date (None while it operates); death: start is
    the date of death; pension: start is the first day of the first month paid; generic: start is the
    list's date and organisation its label.
    """

    kind: str
    start: date
    end: date | None = None
    organisation: str | None = None
    category: str | None = None
    flexible: bool = False
    source_id: int | None = None  # the import it came from, kept with the evidence


class Finding(NamedTuple):
    """One kind of contradiction found for a person, with the record that shows it."""

    finding_type: str
    kind: str
    evidence: dict[str, str | int | None]


def month_index(day: date) -> int:
    """Number a calendar month so that consecutive months differ by one."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    """Return the first day of a numbered month."""
    return date(index // 12, index % 12 + 1, 1)


def _month_text(index: int) -> str:
    """Write a numbered month as YYYY-MM."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Group month numbers into maximal runs of consecutive months, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for month in sorted(set(months)):
        if runs and month == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs


def employment_findings(registered_on: date, facts: list[Fact], settings: RuleSettings) -> list[Finding]:
    """Apply the contribution rules: employed when registered, or employed after it and not de-registered.

    Only contributions as an employee count (a flexible worker pays for themselves, often while
    registered). "Employed when registered": the month of registration and the month after it are
    both paid, so the job went on across the registration (a job that ended in the registration month
    is paid for that month and is no contradiction). "Employed, not de-registered": at least
    min_months consecutive paid months, each beginning after the last day of the grace period
    (registration date + grace_days); months of a run that began earlier are not counted.
    """
    fact_of: dict[int, Fact] = {}
    months: list[int] = []
    for fact in sorted(facts, key=lambda f: f.start):
        if fact.kind != "social_insurance" or fact.flexible:
            continue
        first = month_index(fact.start)
        last = month_index(fact.end) if fact.end is not None else first
        for month in range(first, max(first, last) + 1):
            months.append(month)
            fact_of.setdefault(month, fact)
    registered = month_index(registered_on)
    grace_ends = registered_on + timedelta(days=settings.grace_days)
    found: dict[str, Finding] = {}
    for first, last in _runs(months):
        if first <= registered and last >= registered + 1:
            found.setdefault("employed_at_registration", Finding(
                "employed_at_registration", "social_insurance",
                {"from": _month_text(first), "to": _month_text(last), "months": last - first + 1,
                 "organisation": fact_of[registered].organisation, "import": fact_of[registered].source_id}))
            continue
        counted = first
        while counted <= last and month_start(counted) <= grace_ends:
            counted += 1
        if last - counted + 1 >= settings.min_months:
            found.setdefault("employed_not_deregistered", Finding(
                "employed_not_deregistered", "social_insurance",
                {"from": _month_text(counted), "to": _month_text(last), "months": last - counted + 1,
                 "organisation": fact_of[counted].organisation, "import": fact_of[counted].source_id}))
    return list(found.values())


def business_findings(registered_on: date, facts: list[Fact]) -> list[Finding]:
    """Apply the business rule: an entity still operating after the registration date.

    An entity closed on or before the registration date is no contradiction; one closed later, or
    still operating, is (whether it was set up before or after the registration).
    """
    for fact in sorted(facts, key=lambda f: f.start):
        if fact.kind != "business":
            continue
        if fact.end is None or fact.end > registered_on:
            return [Finding("runs_business", "business", {
                "established": fact.start.isoformat(), "closed": fact.end.isoformat() if fact.end else None,
                "organisation": fact.organisation, "category": fact.category, "import": fact.source_id})]
    return []


def event_findings(registered_on: date, facts: list[Fact]) -> list[Finding]:
    """Apply the death, pension and other-list rules to dated events.

    Death: on or after the registration date, "should have been de-registered"; strictly before it,
    "registered although deceased" (a registration on the day of death is taken as made before it).
    Pension: a first payment in or after the registration month, "should have been de-registered";
    in an earlier month, "registered although receiving a pension". Another list: a date on or after
    the registration date.
    """
    found: dict[str, Finding] = {}
    for fact in sorted(facts, key=lambda f: f.start):
        evidence: dict[str, str | int | None] = {"date": fact.start.isoformat(), "organisation": fact.organisation,
                                                 "import": fact.source_id}
        if fact.kind == "death":
            kind = "deceased_not_deregistered" if fact.start >= registered_on else "registered_while_deceased"
        elif fact.kind == "pension":
            after = month_index(fact.start) >= month_index(registered_on)
            kind = "retired_not_deregistered" if after else "registered_while_retired"
            evidence["date"] = _month_text(month_index(fact.start))
        elif fact.kind == "generic" and fact.start >= registered_on:
            kind = "other_register"
        else:
            continue
        found.setdefault(kind, Finding(kind, fact.kind, evidence))
    return list(found.values())


def findings_for(registered_on: date, facts: list[Fact], settings: RuleSettings) -> list[Finding]:
    """Return every finding a registered person's reference records support, one per kind of finding."""
    kinds = {fact.kind for fact in facts}
    found: list[Finding] = []
    if "social_insurance" in kinds:
        found.extend(employment_findings(registered_on, facts, settings))
    if "business" in kinds:
        found.extend(business_findings(registered_on, facts))
    if kinds & {"death", "pension", "generic"}:
        found.extend(event_findings(registered_on, facts))
    return found
