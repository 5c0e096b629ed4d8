"""The date rules of the cross-register checks, each at its boundary (registers/rules.py, docs/registers.md)."""

from datetime import date

import pytest

from registers.rules import Fact, RuleSettings, findings_for

RULES = RuleSettings(min_months=2, grace_days=30)


def paid(first: str, last: str | None = None, employer: str = "某公司", flexible: bool = False) -> Fact:
    """A contribution record for months YYYY-MM to YYYY-MM."""
    start = date.fromisoformat(first + "-01")
    return Fact("social_insurance", start, date.fromisoformat(last + "-01") if last else None,
                organisation=employer, flexible=flexible)


def types(registered: str, *facts: Fact, rules: RuleSettings = RULES) -> set[str]:
    return {f.finding_type for f in findings_for(date.fromisoformat(registered), list(facts), rules)}


@pytest.mark.parametrize("registered, facts, expected", [
    # Registered 1 Jan: the grace period ends 31 Jan, so February is the first month that counts.
    ("2025-01-01", [paid("2025-02", "2025-03")], {"employed_not_deregistered"}),
    # Exactly N months: two is enough, one is not.
    ("2025-01-01", [paid("2025-02")], set()),
    # Registered 2 Jan: the grace period ends 1 Feb, the day February begins, so February does not count.
    ("2025-01-02", [paid("2025-02", "2025-03")], set()),
    ("2025-01-02", [paid("2025-02", "2025-04")], {"employed_not_deregistered"}),
    # A gap breaks the run: Mar, May, Jul are three months but never two consecutive ones.
    ("2025-01-01", [paid("2025-03"), paid("2025-05"), paid("2025-07")], set()),
    # One row per month is the same as a period.
    ("2025-01-01", [paid("2025-04"), paid("2025-05")], {"employed_not_deregistered"}),
    # Flexible workers' own contributions do not count.
    ("2025-01-01", [paid("2025-02", "2025-06", flexible=True)], set()),
    # The month of registration and the one after: the job went on across the registration.
    ("2025-01-15", [paid("2024-10", "2025-02")], {"employed_at_registration"}),
    # A job that ended in the month of registration is no contradiction.
    ("2025-01-15", [paid("2024-10", "2025-01")], set()),
    # Employed when registered, then a new job after a gap: both.
    ("2025-01-15", [paid("2024-10", "2025-02"), paid("2025-06", "2025-08")],
     {"employed_at_registration", "employed_not_deregistered"}),
])
def test_contribution_rules(registered, facts, expected):
    assert types(registered, *facts) == expected


def test_the_number_of_months_and_the_grace_period_are_settings():
    three = RuleSettings(min_months=3, grace_days=30)
    assert types("2025-01-01", paid("2025-02", "2025-03"), rules=three) == set()
    assert types("2025-01-01", paid("2025-02", "2025-04"), rules=three) == {"employed_not_deregistered"}
    no_grace = RuleSettings(min_months=2, grace_days=0)
    assert types("2025-01-31", paid("2025-02", "2025-03"), rules=no_grace) == {"employed_not_deregistered"}
    with pytest.raises(ValueError):
        RuleSettings(min_months=0)


def test_the_evidence_names_the_counted_months_and_the_employer():
    [finding] = findings_for(date(2025, 1, 2), [paid("2025-02", "2025-05", employer="湛江港")], RULES)
    assert finding.evidence == {"from": "2025-03", "to": "2025-05", "months": 3, "organisation": "湛江港",
                                "import": None}


def entity(established: str, closed: str | None = None) -> Fact:
    return Fact("business", date.fromisoformat(established), date.fromisoformat(closed) if closed else None,
                organisation="霞山区某某餐饮店", category="个体工商户")


@pytest.mark.parametrize("registered, facts, expected", [
    ("2025-03-01", [entity("2020-05-01")], {"runs_business"}),  # operating since before, still operating
    ("2025-03-01", [entity("2025-06-01")], {"runs_business"}),  # set up after registration
    ("2025-03-01", [entity("2020-05-01", "2024-12-31")], set()),  # closed before registration
    ("2025-03-01", [entity("2020-05-01", "2025-03-01")], set()),  # closed on the registration date
    ("2025-03-01", [entity("2020-05-01", "2025-03-02")], {"runs_business"}),  # closed the day after
])
def test_business_rule(registered, facts, expected):
    assert types(registered, *facts) == expected


def event(kind: str, day: str) -> Fact:
    return Fact(kind, date.fromisoformat(day))


@pytest.mark.parametrize("registered, facts, expected", [
    ("2025-03-01", [event("death", "2025-06-01")], {"deceased_not_deregistered"}),
    ("2025-03-01", [event("death", "2025-03-01")], {"deceased_not_deregistered"}),  # death on the registration date
    ("2025-03-01", [event("death", "2025-02-28")], {"registered_while_deceased"}),
    ("2025-03-15", [event("pension", "2025-03-01")], {"retired_not_deregistered"}),  # the same month
    ("2025-03-15", [event("pension", "2025-02-01")], {"registered_while_retired"}),
    ("2025-03-15", [event("generic", "2025-03-15")], {"other_register"}),
    ("2025-03-15", [event("generic", "2025-03-14")], set()),
])
def test_death_pension_and_other_list_rules(registered, facts, expected):
    assert types(registered, *facts) == expected


def test_one_finding_per_kind_of_finding_with_the_earliest_record():
    found = findings_for(date(2025, 3, 1), [entity("2025-08-01"), entity("2025-05-01")], RULES)
    assert [(f.finding_type, f.evidence["established"]) for f in found] == [("runs_business", "2025-05-01")]
