"""Retry-rule settings (callbacks/rule_settings.py): read from plain config and environment strings,
every problem listed; claims; the disposition code lists."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from callbacks.rule_settings import RetryRules, RulesError
from callbacks.rules import (
    OUTCOME_PRECEDENCE,
    AttemptFact,
    claim_cutoff,
    claim_expires_at,
    next_calling_time,
    plan_next,
)
from config.codelists import label
from config.dispositions import (
    APPOINTMENT_PROBLEMS,
    DISPOSITION_CODELIST,
    DISPOSITIONS,
    FINAL_OUTCOMES,
    OUTCOME_CATEGORY,
    PLAN_REASONS,
    dispositions_for,
)
from support.rule_times import RULES, at, local

# --- settings, errors, claims, code lists ----------------------------------------------------

def test_rules_round_trip_through_plain_config():
    rules = replace(RULES, closed_dates=frozenset({date(2026, 10, 1)}), call_on_weekends=True)
    assert RetryRules.from_dict(rules.to_dict()) == rules


def test_rules_read_environment_strings():
    rules = RetryRules.from_dict({"max_phone_attempts": "4", "call_on_weekends": "yes", "min_hours_between": "2.5",
                                  "calling_windows": ["14:00-20:00", "08:30-11:30"], "closed_dates": ["2026-10-01"]})
    assert rules.max_phone_attempts == 4 and rules.call_on_weekends and rules.min_hours_between == 2.5
    assert local(next_calling_time(at("2026-05-11 08:00"), rules)) == "2026-05-11 08:30"
    assert rules.closed_dates == {date(2026, 10, 1)}


def test_bad_rules_list_every_problem():
    with pytest.raises(RulesError) as error:
        RetryRules.from_dict({"max_phone_attemps": 3, "call_on_weekends": "maybe", "max_visit_attempts": -1,
                              "calling_windows": ["12:00-09:00"], "timezone": "Mars/Olympus"})
    problems = "\n".join(error.value.problems)
    for expected in ("max_phone_attemps: unknown", "call_on_weekends", "max_visit_attempts", "calling_windows", "timezone"):
        assert expected in problems


def test_no_calling_day_is_refused():
    with pytest.raises(RulesError):
        replace(RULES, call_on_weekdays=False, call_on_weekends=False)


@pytest.mark.parametrize(
    "call",
    [
        lambda: plan_next("phone", [], datetime(2026, 5, 11, 9), RULES),
        lambda: plan_next("fax", [], at("2026-05-11 09:00"), RULES),
        lambda: plan_next("phone", [AttemptFact(at("2026-05-11 09:00"), "phone", "nobody_home")], at("2026-05-11 10:00"), RULES),
        lambda: plan_next("phone", [AttemptFact(at("2026-05-11 09:00"), "phone", "hung_up")], at("2026-05-11 10:00"), RULES),
        lambda: plan_next("phone", [AttemptFact(datetime(2026, 5, 11, 9), "phone", "busy")], at("2026-05-11 10:00"), RULES),
        lambda: next_calling_time(datetime(2026, 5, 11, 9), RULES),
    ],
    ids=["naive_now", "unknown_channel", "visit_code_on_phone", "unknown_code", "naive_attempt", "naive_after"],
)
def test_bad_input_is_refused(call):
    with pytest.raises(ValueError):
        call()


def test_claims_expire_after_the_timeout():
    claimed = at("2026-05-11 09:00")
    assert local(claim_expires_at(claimed, RULES)) == "2026-05-11 09:30"
    assert claim_cutoff(at("2026-05-11 09:31"), RULES) > claimed
    assert claim_cutoff(at("2026-05-11 09:29"), RULES) < claimed


def test_every_code_has_chinese_and_english_labels():
    for codelist in (DISPOSITION_CODELIST, FINAL_OUTCOMES, PLAN_REASONS, APPOINTMENT_PROBLEMS):
        for code, zh, en in codelist:
            assert zh and en and zh != en and label(codelist, code, "zh") == zh and label(codelist, code, "en") == en


def test_disposition_list_is_consistent():
    codes = [d.code for d in DISPOSITIONS]
    assert len(codes) == len(set(codes))
    outcomes = {code for code, _, _ in FINAL_OUTCOMES}
    assert set(OUTCOME_PRECEDENCE) == outcomes
    for d in DISPOSITIONS:
        assert d.channel in ("phone", "visit") and d.category in ("completed", "partial", "refusal", "non_contact", "other")
        # A case-ending disposition either waits for a record (completed) or names its outcome.
        assert d.ends_case == (d.category == "completed" or d.final_outcome is not None)
        assert d.final_outcome is None or d.final_outcome in outcomes
        assert not (d.ends_case and d.ends_channel)
        assert not d.out_of_scope or d.final_outcome == "out_of_scope"
    assert not DISPOSITIONS[[d.code for d in DISPOSITIONS].index("deceased")].out_of_scope
    # Every final outcome counts in the rates, except out of scope, which leaves them.
    assert set(OUTCOME_CATEGORY) == outcomes - {"out_of_scope"}
    for channel in ("phone", "visit"):
        keys = [d.shortcut for d in dispositions_for(channel) if d.shortcut]
        assert len(keys) == len(set(keys))
