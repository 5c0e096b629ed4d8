"""AAPOR-style outcome rates for a list sample in which every unit is eligible.

Formulas follow AAPOR Standard Definitions (10th edition, 2023). Every sampled person is on the
register and so eligible: the unknown-eligibility counts UH and UO are zero and the estimated
eligibility share e is 1, which makes RR1 = RR3 = RR5, RR2 = RR4 = RR6 and CON1 = CON2 = CON3.
Units still being worked are OPEN: in every denominator, in no numerator. Out-of-scope units are
replaced by reserves and are not passed in at all (see docs/statistics.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from sampling.checks import EstimateInputError, check_count


class Outcome(StrEnum):
    """A unit's outcome category; the values are the categories of config/dispositions.py."""

    COMPLETE = "completed"  # AAPOR I: the verification was established
    PARTIAL = "partial"  # AAPOR P: contact made, verification not finished
    REFUSAL = "refusal"  # AAPOR R: refusal or break-off
    NON_CONTACT = "non_contact"  # AAPOR NC: the person was never reached
    OTHER = "other"  # AAPOR O: reached or located, no interview (barrier, death reported, appointment)
    OPEN = "open"  # still being worked; counted like a non-contact until final. Not an AAPOR code


# Counts keyed by category, as Outcome members or their text values (Mapping is invariant in its keys).
Counts: TypeAlias = Mapping[Outcome, int] | Mapping[str, int] | Mapping[Outcome | str, int]


AAPOR_CODES: dict[Outcome, str] = {
    Outcome.COMPLETE: "I",
    Outcome.PARTIAL: "P",
    Outcome.REFUSAL: "R",
    Outcome.NON_CONTACT: "NC",
    Outcome.OTHER: "O",
    Outcome.OPEN: "OPEN",
}

OUTCOME_LABELS: dict[Outcome, tuple[str, str]] = {
    Outcome.COMPLETE: ("完成核实", "Completed"),
    Outcome.PARTIAL: ("部分完成", "Partial"),
    Outcome.REFUSAL: ("拒访或中断", "Refusal or break-off"),
    Outcome.NON_CONTACT: ("未联系上", "Non-contact"),
    Outcome.OTHER: ("其他未完成", "Other non-interview"),
    Outcome.OPEN: ("仍在回访中", "Still open"),
}


@dataclass(frozen=True)
class OutcomeRates:
    """The outcome counts of a sample and the AAPOR-style rates computed from them."""

    counts: dict[Outcome, int]
    total: int  # every sample unit: I + P + R + NC + O + OPEN
    open_units: int
    final: bool  # True when no unit is open
    response_rate_1: float | None  # RR1: completion rate
    response_rate_2: float | None  # RR2: completion rate counting partials
    refusal_rate_1: float | None  # REF1
    cooperation_rate_1: float | None  # COOP1
    contact_rate_1: float | None  # CON1


def outcome_counts(counts: Counts) -> dict[Outcome, int]:
    """Return the counts keyed by Outcome with zeros filled in, refusing unknown categories."""
    result = dict.fromkeys(Outcome, 0)
    for key, value in counts.items():
        try:
            outcome = Outcome(key)
        except ValueError:
            raise EstimateInputError(
                "outcome_unknown", outcome=key, choices=", ".join(o.value for o in Outcome)
            ) from None
        zh, en = OUTCOME_LABELS[outcome]
        code = AAPOR_CODES[outcome]
        result[outcome] += check_count(value, (f"{zh}（{code}）", f"the {en.lower()} count ({code})"))
    return result


def _ratio(numerator: int, denominator: int) -> float | None:
    """Return numerator/denominator, or None when there is nothing to divide by."""
    return None if denominator == 0 else numerator / denominator


def _sample_total(c: dict[Outcome, int]) -> int:
    """Return all sample units, the denominator of RR and REF when every unit is eligible."""
    return sum(c.values())


def response_rate_1(counts: Counts) -> float | None:
    """Return RR1 = I / ((I + P) + (R + NC + O) + (UH + UO)), with UH + UO = 0 and OPEN added."""
    c = outcome_counts(counts)
    return _ratio(c[Outcome.COMPLETE], _sample_total(c))


def response_rate_2(counts: Counts) -> float | None:
    """Return RR2 = (I + P) / ((I + P) + (R + NC + O) + (UH + UO)), with UH + UO = 0 and OPEN added."""
    c = outcome_counts(counts)
    return _ratio(c[Outcome.COMPLETE] + c[Outcome.PARTIAL], _sample_total(c))


def refusal_rate_1(counts: Counts) -> float | None:
    """Return REF1 = R / ((I + P) + (R + NC + O) + (UH + UO)), with UH + UO = 0 and OPEN added."""
    c = outcome_counts(counts)
    return _ratio(c[Outcome.REFUSAL], _sample_total(c))


def cooperation_rate_1(counts: Counts) -> float | None:
    """Return COOP1 = I / ((I + P) + R + O): completions among the persons reached."""
    c = outcome_counts(counts)
    contacted = c[Outcome.COMPLETE] + c[Outcome.PARTIAL] + c[Outcome.REFUSAL] + c[Outcome.OTHER]
    return _ratio(c[Outcome.COMPLETE], contacted)


def contact_rate_1(counts: Counts) -> float | None:
    """Return CON1 = ((I + P) + R + O) / ((I + P) + R + O + NC + (UH + UO)), UH + UO = 0, OPEN added."""
    c = outcome_counts(counts)
    contacted = c[Outcome.COMPLETE] + c[Outcome.PARTIAL] + c[Outcome.REFUSAL] + c[Outcome.OTHER]
    return _ratio(contacted, _sample_total(c))


def outcome_rates(counts: Counts) -> OutcomeRates:
    """Compute every outcome rate of a sample from its counts by outcome category."""
    c = outcome_counts(counts)
    return OutcomeRates(
        counts=c,
        total=_sample_total(c),
        open_units=c[Outcome.OPEN],
        final=c[Outcome.OPEN] == 0,
        response_rate_1=response_rate_1(c),
        response_rate_2=response_rate_2(c),
        refusal_rate_1=refusal_rate_1(c),
        cooperation_rate_1=cooperation_rate_1(c),
        contact_rate_1=contact_rate_1(c),
    )
