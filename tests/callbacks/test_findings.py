"""Discrepancy derivation: one table of verification records and the types they show."""

from dataclasses import replace
from datetime import date

import pytest

from callbacks.findings import (
    FactsError,
    FindingRules,
    VerificationFacts,
    derive_discrepancies,
    explain_discrepancies,
)
from config.codelists import label
from config.verification import (
    CORE_FIELDS,
    CURRENT_STATUSES,
    DISCREPANCY_TYPES,
    FINDING_REASONS,
    SATISFACTION_LEVELS,
    SERVICES,
    WISH_TO_WORK,
)

D = date.fromisoformat
# A clean record: registered 2025-12-01, checked 2026-06-15, served and called back.
CLEAN = VerificationFacts(
    checked_on=D("2026-06-15"),
    registered_on=D("2025-12-01"),
    identity_confirmed=True,
    registered_by_self=True,
    unemployed_at_registration=True,
    current_status="unemployed_seeking",
    services=frozenset({"job_referral", "agency_callback"}),
)
RULES = FindingRules()
NOTHING_OWED = frozenset({"unemployment_insurance", "certificate_issued", "agency_callback"})

# (name, changes to CLEAN, rule overrides, expected {type: reasons})
CASES = [
    ("clean_record_shows_nothing", {}, {}, {}),
    ("unconfirmed_identity_proves_nothing", {"identity_confirmed": False, "registered_by_self": False,
                                             "wrong_fields": frozenset({"name"}), "services": frozenset()}, {}, {}),
    ("never_registered_is_not_authentic", {"registered_by_self": False, "services": frozenset()}, {},
     {"not_authentic": ("never_registered",)}),
    ("working_when_registered_is_not_authentic", {"unemployed_at_registration": False}, {},
     {"not_authentic": ("not_unemployed_at_registration",)}),
    ("employed_since_before_registration_is_not_authentic_and_uncancelled",
     {"current_status": "employed", "status_since": D("2025-10-01")}, {},
     {"not_authentic": ("ineligible_before_registration",), "should_have_been_cancelled": ("status_change_not_cancelled",)}),
    ("moved_before_registration_is_only_uncancelled", {"current_status": "moved_away", "status_since": D("2025-10-01")}, {},
     {"should_have_been_cancelled": ("status_change_not_cancelled",)}),
    ("recent_change_before_registration_gets_grace_from_registration",
     {"registered_on": D("2026-06-01"), "current_status": "employed", "status_since": D("2026-01-01")}, {},
     {"not_authentic": ("ineligible_before_registration",)}),
    ("wrong_core_field_is_inaccurate_data", {"wrong_fields": frozenset({"phone", "address"})}, {},
     {"inaccurate_data": ("wrong_core_field",)}),
    ("employed_past_grace_should_have_been_cancelled", {"current_status": "employed", "status_since": D("2026-05-15")},
     {}, {"should_have_been_cancelled": ("status_change_not_cancelled",)}),
    ("last_day_of_grace_is_not_late", {"current_status": "employed", "status_since": D("2026-05-16")}, {}, {}),
    ("employed_within_grace_is_fine", {"current_status": "employed", "status_since": D("2026-05-20")}, {}, {}),
    ("prompt_cancellation_is_fine", {"current_status": "employed", "status_since": D("2026-05-01"),
                                     "cancelled_on": D("2026-05-20")}, {}, {}),
    ("late_cancellation_is_flagged", {"current_status": "employed", "status_since": D("2026-05-01"),
                                      "cancelled_on": D("2026-06-10")}, {},
     {"should_have_been_cancelled": ("status_change_not_cancelled",)}),
    ("change_without_a_date_is_not_flagged", {"current_status": "employed"}, {}, {}),
    ("grace_is_configurable", {"current_status": "employed", "status_since": D("2026-05-01")},
     {"cancellation_grace_days": 60}, {}),
    ("unable_to_work_is_not_a_ground_by_default", {"current_status": "unable_to_work", "status_since": D("2026-01-01")},
     {}, {}),
    ("unable_to_work_can_be_made_a_ground", {"current_status": "unable_to_work", "status_since": D("2026-01-01")},
     {"cancellation_statuses": frozenset({"unable_to_work"})},
     {"should_have_been_cancelled": ("status_change_not_cancelled",)}),
    ("no_employment_service_since_registration", {"services": NOTHING_OWED}, {},
     {"assistance_not_delivered": ("no_services",)}),
    ("no_service_yet_within_grace_is_fine", {"registered_on": D("2026-05-20"), "services": frozenset()}, {}, {}),
    ("no_callback_in_three_months", {"services": frozenset({"skills_training"})}, {},
     {"assistance_not_delivered": ("no_recent_callback",)}),
    ("callback_not_yet_owed_under_three_months", {"registered_on": D("2026-04-01"),
                                                   "services": frozenset({"skills_training"})}, {}, {}),
    ("callback_rule_can_be_switched_off", {"services": frozenset({"skills_training"})},
     {"require_recent_callback": False}, {}),
    ("nothing_at_all_gives_both_reasons", {"services": frozenset()}, {},
     {"assistance_not_delivered": ("no_services", "no_recent_callback")}),
    ("unanswered_services_are_not_flagged", {"services": None}, {}, {}),
    ("cancelled_person_is_judged_on_the_registered_period", {"cancelled_on": D("2026-01-10"), "services": frozenset()},
     {}, {"assistance_not_delivered": ("no_services",)}),
    ("short_registration_owed_no_services", {"cancelled_on": D("2025-12-10"), "services": frozenset()}, {}, {}),
    ("several_types_at_once", {"wrong_fields": frozenset({"name"}), "current_status": "pension",
                               "status_since": D("2026-02-01"), "services": NOTHING_OWED}, {},
     {"inaccurate_data": ("wrong_core_field",), "should_have_been_cancelled": ("status_change_not_cancelled",),
      "assistance_not_delivered": ("no_services",)}),
]


@pytest.mark.parametrize(("name", "changes", "overrides", "expected"), CASES, ids=[c[0] for c in CASES])
def test_explain_discrepancies(name, changes, overrides, expected):
    facts = replace(CLEAN, **changes)
    rules = replace(RULES, **overrides)
    assert explain_discrepancies(facts, rules) == expected
    assert derive_discrepancies(facts, rules) == set(expected)


@pytest.mark.parametrize("status", ["employed", "self_employed", "pension", "school_military", "moved_away", "deceased"])
def test_every_cancellation_status_is_flagged_past_grace(status):
    facts = replace(CLEAN, current_status=status, status_since=D("2026-04-01"))
    assert "should_have_been_cancelled" in derive_discrepancies(facts)


@pytest.mark.parametrize("status", ["unemployed_seeking", "unable_to_work", "not_seeking"])
def test_other_statuses_are_not_flagged(status):
    facts = replace(CLEAN, current_status=status, status_since=D("2025-06-01"))
    assert derive_discrepancies(facts) == set()


def test_plain_record_values_are_accepted():
    record = {"checked_on": "2026-06-15", "registered_on": "2025-12-01", "identity_confirmed": True,
              "current_status": "employed", "status_since": "2026-03-01", "cancelled_on": "",
              "wrong_fields": ["gender"], "services": ["job_referral", "agency_callback"],
              "satisfaction": "satisfied", "notes": "其他字段不参与推导"}
    assert derive_discrepancies(record) == {"inaccurate_data", "should_have_been_cancelled"}


def test_bad_record_lists_every_problem():
    with pytest.raises(FactsError) as error:
        VerificationFacts(checked_on=D("2026-06-15"), registered_on=D("2025-12-01"), identity_confirmed="yes",
                          current_status="retired", wrong_fields=frozenset({"salary"}), services=frozenset({"loan"}))
    assert {p.field for p in error.value.problems} == {"identity_confirmed", "current_status", "wrong_fields", "services"}


@pytest.mark.parametrize(
    ("record", "fields"),
    [
        ({}, {"checked_on", "registered_on", "identity_confirmed"}),
        ({"checked_on": "2026-13-01", "registered_on": "2025-12-01", "identity_confirmed": True}, {"checked_on"}),
        ({"checked_on": "2026-06-15", "registered_on": "2026-07-01", "identity_confirmed": True}, {"registered_on"}),
        ({"checked_on": "2026-06-15", "registered_on": "2025-12-01", "identity_confirmed": True,
          "status_since": "2026-07-01", "current_status": "employed"}, {"status_since"}),
    ],
)
def test_bad_record_values_name_the_field(record, fields):
    with pytest.raises(FactsError) as error:
        VerificationFacts.from_mapping(record)
    assert {p.field for p in error.value.problems} == fields


def test_finding_rules_round_trip_and_read_strings():
    rules = FindingRules.from_dict({"cancellation_grace_days": "15", "cancellation_statuses": "employed, pension",
                                    "require_recent_callback": "no"})
    assert rules.cancellation_grace_days == 15 and not rules.require_recent_callback
    assert rules.cancellation_statuses == {"employed", "pension"}
    assert FindingRules.from_dict(rules.to_dict()) == rules


def test_bad_finding_rules_list_every_problem():
    with pytest.raises(FactsError) as error:
        FindingRules.from_dict({"grace_days": 3, "cancellation_statuses": ["retired"], "service_grace_days": -1})
    assert {p.field for p in error.value.problems} == {"grace_days", "cancellation_statuses", "service_grace_days"}


def test_every_verification_code_has_chinese_and_english_labels():
    for codelist in (CURRENT_STATUSES, SERVICES, SATISFACTION_LEVELS, WISH_TO_WORK, CORE_FIELDS, DISCREPANCY_TYPES,
                     FINDING_REASONS):
        codes = [code for code, _, _ in codelist]
        assert len(codes) == len(set(codes))
        for code, zh, en in codelist:
            assert zh and en and label(codelist, code, "zh") == zh and label(codelist, code, "en") == en


def test_every_reason_the_rules_give_has_a_label():
    reasons = {code for code, _, _ in FINDING_REASONS}
    given = {r for _, _, _, expected in CASES for rs in expected.values() for r in rs}
    assert given == reasons
