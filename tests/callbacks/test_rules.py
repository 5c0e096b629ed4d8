"""Retry rules: calling hours, slot rotation, appointments, escalation and final outcomes.

Every test passes `now` explicitly: the fake clock is the datetimes in the tables. 2026-05-11 is
a Monday; all times in the tables are Asia/Shanghai local unless they end in "Z".
"""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks.rule_settings import RetryRules
from callbacks.rules import (
    AttemptFact,
    appointment_problems,
    final_outcome,
    in_calling_hours,
    next_calling_time,
    plan_next,
    slot_of,
)
from support.rule_times import RULES, SH, at, local, phone, visit

# --- calling hours ---------------------------------------------------------------------------

NEXT_CALLING_TIME = [
    ("before_nine_waits_for_nine", {}, "2026-05-11 07:30", "2026-05-11 09:00"),
    ("nine_sharp_is_inside", {}, "2026-05-11 09:00", "2026-05-11 09:00"),
    ("inside_morning_is_now", {}, "2026-05-11 10:15", "2026-05-11 10:15"),
    ("noon_waits_out_lunch_gap", {}, "2026-05-11 12:00", "2026-05-11 14:00"),
    ("end_of_lunch_gap", {}, "2026-05-11 13:59", "2026-05-11 14:00"),
    ("last_minute_of_evening", {}, "2026-05-11 19:59", "2026-05-11 19:59"),
    ("twenty_hundred_is_outside", {}, "2026-05-11 20:00", "2026-05-12 09:00"),
    ("friday_night_skips_weekend", {}, "2026-05-15 21:00", "2026-05-18 09:00"),
    ("saturday_skipped_by_default", {}, "2026-05-16 10:00", "2026-05-18 09:00"),
    ("saturday_allowed_when_configured", {"call_on_weekends": True}, "2026-05-16 10:00", "2026-05-16 10:00"),
    ("weekdays_off_waits_for_saturday", {"call_on_weekdays": False, "call_on_weekends": True},
     "2026-05-11 10:00", "2026-05-16 09:00"),
    ("holiday_is_skipped", {"closed_dates": frozenset({date(2026, 5, 11)})}, "2026-05-11 08:00", "2026-05-12 09:00"),
    ("make_up_working_sunday_is_open", {"open_dates": frozenset({date(2026, 5, 17)})},
     "2026-05-16 12:00", "2026-05-17 09:00"),
    ("utc_input_is_read_in_shanghai_time", {}, "2026-05-11 00:30Z", "2026-05-11 09:00"),
]


@pytest.mark.parametrize(("name", "overrides", "after", "expected"), NEXT_CALLING_TIME, ids=[c[0] for c in NEXT_CALLING_TIME])
def test_next_calling_time(name, overrides, after, expected):
    result = next_calling_time(at(after), replace(RULES, **overrides))
    assert local(result) == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("moment", "inside"),
    [("2026-05-11 08:59", False), ("2026-05-11 09:00", True), ("2026-05-11 11:59", True), ("2026-05-11 12:00", False),
     ("2026-05-11 13:30", False), ("2026-05-11 14:00", True), ("2026-05-11 19:59", True), ("2026-05-11 20:00", False),
     ("2026-05-16 10:00", False)],
)
def test_in_calling_hours(moment, inside):
    assert in_calling_hours(at(moment), RULES) is inside


@pytest.mark.parametrize(("moment", "slot"), [("2026-05-11 09:30", 0), ("2026-05-11 12:30", 1), ("2026-05-11 16:59", 1),
                                             ("2026-05-11 17:00", 2), ("2026-05-11 19:30", 2)])
def test_slots_are_morning_afternoon_evening(moment, slot):
    assert slot_of(at(moment), RULES) == slot


# --- plan_next: one table of rules -----------------------------------------------------------

# (name, channel, attempts, now, rule overrides, expected (status, channel, due, outcome, reason))
PLANS = [
    ("new_phone_task_is_due_when_calling_hours_open", "phone", [], "2026-05-11 07:00", {},
     ("open", "phone", "2026-05-11 09:00", None, "first_attempt")),
    ("coordinator_can_start_with_a_visit", "visit", [], "2026-05-11 10:00", {},
     ("open", "visit", "2026-05-11 10:00", None, "first_attempt")),
    ("retry_moves_to_another_day_and_slot", "phone", [phone("2026-05-11 09:10", "no_answer")], "2026-05-11 09:11", {},
     ("open", "phone", "2026-05-12 14:00", None, "retry")),
    ("third_attempt_rotates_into_the_unused_evening_slot", "phone",
     [phone("2026-05-11 09:10", "no_answer"), phone("2026-05-12 14:05", "busy")], "2026-05-12 14:06", {},
     ("open", "phone", "2026-05-13 17:00", None, "retry")),
    ("slot_used_twice_is_avoided", "phone",
     [phone("2026-05-11 09:10", "no_answer"), phone("2026-05-12 09:30", "busy")], "2026-05-12 09:31", {},
     ("open", "phone", "2026-05-13 14:00", None, "retry")),
    ("same_day_allowed_still_keeps_h_hours", "phone", [phone("2026-05-11 09:10", "no_answer")], "2026-05-11 09:11",
     {"different_days": False, "min_hours_between": 6}, ("open", "phone", "2026-05-11 15:10", None, "retry")),
    ("h_hours_push_past_the_next_morning_opening", "phone", [phone("2026-05-11 19:50", "no_answer")],
     "2026-05-11 19:51", {"min_hours_between": 16}, ("open", "phone", "2026-05-12 11:50", None, "retry")),
    ("friday_evening_failure_waits_for_monday", "phone", [phone("2026-05-15 17:30", "switched_off")],
     "2026-05-15 17:31", {}, ("open", "phone", "2026-05-18 09:00", None, "retry")),
    ("friday_evening_failure_uses_saturday_when_allowed", "phone", [phone("2026-05-15 17:30", "switched_off")],
     "2026-05-15 17:31", {"call_on_weekends": True}, ("open", "phone", "2026-05-16 09:00", None, "retry")),
    ("late_sweep_never_plans_in_the_past", "phone", [phone("2026-05-11 09:10", "no_answer")], "2026-05-20 15:00", {},
     ("open", "phone", "2026-05-20 15:00", None, "retry")),
    ("appointment_inside_hours_wins", "phone", [phone("2026-05-11 10:00", "appointment", "2026-05-11 15:30")],
     "2026-05-11 10:01", {}, ("open", "phone", "2026-05-11 15:30", None, "appointment")),
    ("appointment_in_lunch_gap_is_kept", "phone", [phone("2026-05-11 10:00", "appointment", "2026-05-11 12:30")],
     "2026-05-11 10:01", {}, ("open", "phone", "2026-05-11 12:30", None, "appointment")),
    ("appointment_after_twenty_is_kept", "phone", [phone("2026-05-11 10:00", "appointment", "2026-05-11 20:30")],
     "2026-05-11 10:01", {}, ("open", "phone", "2026-05-11 20:30", None, "appointment")),
    ("appointment_on_a_saturday_is_kept", "phone", [phone("2026-05-15 10:00", "appointment", "2026-05-16 10:00")],
     "2026-05-15 10:01", {}, ("open", "phone", "2026-05-16 10:00", None, "appointment")),
    ("appointment_within_grace_stays_due_and_shows_overdue", "phone",
     [phone("2026-05-11 10:00", "appointment", "2026-05-11 15:30")], "2026-05-11 15:55", {},
     ("open", "phone", "2026-05-11 15:30", None, "appointment")),
    ("missed_appointment_falls_back_to_the_rules", "phone",
     [phone("2026-05-11 10:00", "appointment", "2026-05-11 15:30")], "2026-05-11 16:10", {},
     ("open", "phone", "2026-05-12 14:00", None, "appointment_missed")),
    ("kept_appointment_without_answer_continues_the_rotation", "phone",
     [phone("2026-05-11 10:00", "appointment", "2026-05-12 15:30"), phone("2026-05-12 15:31", "no_answer")],
     "2026-05-12 15:32", {}, ("open", "phone", "2026-05-13 17:00", None, "retry")),
    ("appointment_at_night_is_refused_and_counted", "phone",
     [phone("2026-05-11 10:00", "appointment", "2026-05-11 23:00")], "2026-05-11 10:01", {},
     ("open", "phone", "2026-05-12 14:00", None, "appointment_invalid")),
    ("appointment_without_time_is_refused", "phone", [phone("2026-05-11 10:00", "appointment")], "2026-05-11 10:01", {},
     ("open", "phone", "2026-05-12 14:00", None, "appointment_invalid")),
    ("appointments_do_not_use_up_attempts", "phone",
     [phone("2026-05-11 09:10", "no_answer"), phone("2026-05-12 14:10", "no_answer"),
      phone("2026-05-13 17:10", "appointment", "2026-05-14 10:00")], "2026-05-13 17:11", {},
     ("open", "phone", "2026-05-14 10:00", None, "appointment")),
    ("appointments_beyond_the_cap_count_as_attempts", "phone",
     [phone("2026-05-11 09:10", "appointment", "2026-05-11 15:00"), phone("2026-05-11 15:00", "appointment",
                                                                          "2026-05-12 10:00")],
     "2026-05-11 15:01", {"max_appointments": 1}, ("open", "phone", "2026-05-12 17:00", None, "retry")),
    ("k_failures_escalate_to_a_visit", "phone",
     [phone("2026-05-11 09:10", "no_answer"), phone("2026-05-12 14:05", "busy"), phone("2026-05-13 17:05", "no_answer")],
     "2026-05-13 17:06", {}, ("open", "visit", "2026-05-13 17:06", None, "escalated_to_visit")),
    ("k_is_configurable", "phone", [phone("2026-05-11 09:10", "no_answer")], "2026-05-11 09:11",
     {"max_phone_attempts": 1}, ("open", "visit", "2026-05-11 09:11", None, "escalated_to_visit")),
    ("number_not_exist_goes_straight_to_visit", "phone", [phone("2026-05-11 09:10", "number_not_exist")],
     "2026-05-11 09:11", {}, ("open", "visit", "2026-05-11 09:11", None, "phone_unusable")),
    ("wrong_person_goes_straight_to_visit", "phone", [phone("2026-05-11 19:10", "wrong_person")],
     "2026-05-11 20:11", {}, ("open", "visit", "2026-05-12 09:00", None, "phone_unusable")),
    ("language_barrier_goes_to_visit", "phone", [phone("2026-05-11 09:10", "barrier")], "2026-05-11 09:11", {},
     ("open", "visit", "2026-05-11 09:11", None, "phone_unusable")),
    ("failed_visit_is_retried_on_another_day_and_slot", "visit", [visit("2026-05-11 10:00", "nobody_home")],
     "2026-05-11 10:01", {}, ("open", "visit", "2026-05-12 14:00", None, "retry")),
    ("v_failed_visits_end_unreachable", "visit",
     [visit("2026-05-11 10:00", "nobody_home"), visit("2026-05-12 15:00", "nobody_home")], "2026-05-12 15:01", {},
     ("closed", "visit", None, "unreachable", "attempts_exhausted")),
    ("one_failed_visit_ends_when_v_is_one", "visit", [visit("2026-05-11 10:00", "nobody_home")], "2026-05-11 10:01",
     {"max_visit_attempts": 1}, ("closed", "visit", None, "unreachable", "attempts_exhausted")),
    ("moved_ends_unreachable_at_once", "visit", [visit("2026-05-11 10:00", "moved")], "2026-05-11 10:01", {},
     ("closed", "visit", None, "unreachable", "address_unusable")),
    ("no_such_person_ends_unreachable_at_once", "visit", [visit("2026-05-11 10:00", "no_such_person")],
     "2026-05-11 10:01", {}, ("closed", "visit", None, "unreachable", "address_unusable")),
    ("partial_contact_then_exhaustion_ends_partial", "phone",
     [phone("2026-05-11 09:10", "partial"), phone("2026-05-12 14:05", "no_answer"), phone("2026-05-13 17:05", "busy"),
      visit("2026-05-14 10:00", "nobody_home"), visit("2026-05-15 15:00", "nobody_home")], "2026-05-15 15:01", {},
     ("closed", "visit", None, "partial", "attempts_exhausted")),
    ("refusal_ends_the_case", "phone", [phone("2026-05-11 09:10", "refused")], "2026-05-11 09:11", {},
     ("closed", "phone", None, "refused", "ended_by_disposition")),
    ("refusal_is_never_overwritten_by_exhausted_attempts", "phone",
     [phone("2026-05-11 09:10", "no_answer"), phone("2026-05-12 14:05", "refused"), phone("2026-05-13 17:05", "no_answer"),
      visit("2026-05-14 10:00", "nobody_home"), visit("2026-05-15 15:00", "nobody_home")], "2026-05-15 15:01", {},
     ("closed", "visit", None, "refused", "ended_by_disposition")),
    ("visit_refusal_ends_the_case", "visit", [visit("2026-05-11 10:00", "visit_refused")], "2026-05-11 10:01", {},
     ("closed", "visit", None, "refused", "ended_by_disposition")),
    ("reported_death_ends_the_case", "phone", [phone("2026-05-11 09:10", "deceased")], "2026-05-11 09:11", {},
     ("closed", "phone", None, "deceased", "ended_by_disposition")),
    ("reported_death_beats_an_earlier_refusal", "phone",
     [phone("2026-05-11 09:10", "refused"), visit("2026-05-12 10:00", "visit_deceased")], "2026-05-12 10:01", {},
     ("closed", "visit", None, "deceased", "ended_by_disposition")),
    ("do_not_contact_ends_the_case", "phone", [phone("2026-05-11 09:10", "do_not_contact")], "2026-05-11 09:11", {},
     ("closed", "phone", None, "do_not_contact", "ended_by_disposition")),
    ("out_of_scope_ends_the_case", "phone", [phone("2026-05-11 09:10", "out_of_scope")], "2026-05-11 09:11", {},
     ("closed", "phone", None, "out_of_scope", "ended_by_disposition")),
    ("completed_call_waits_for_the_record", "phone", [phone("2026-05-11 09:10", "completed")], "2026-05-11 09:40", {},
     ("awaiting_record", "phone", None, None, "awaiting_record")),
    ("completed_visit_beats_an_earlier_refusal", "phone",
     [phone("2026-05-11 09:10", "refused"), visit("2026-05-12 10:00", "visit_completed")], "2026-05-12 10:30", {},
     ("awaiting_record", "visit", None, None, "awaiting_record")),
    ("proxy_answer_is_a_completed_contact", "visit", [visit("2026-05-11 10:00", "visit_proxy")], "2026-05-11 10:30", {},
     ("awaiting_record", "visit", None, None, "awaiting_record")),
]


@pytest.mark.parametrize(("name", "channel", "attempts", "now", "overrides", "expected"), PLANS, ids=[p[0] for p in PLANS])
def test_plan_next(name, channel, attempts, now, overrides, expected):
    plan = plan_next(channel, attempts, at(now), replace(RULES, **overrides))
    assert (plan.status, plan.channel, local(plan.due_at), plan.final_outcome, plan.reason) == expected
    assert plan.due_at is None or plan.due_at.tzinfo is UTC


def test_completed_verification_beats_everything():
    attempts = [phone("2026-05-11 09:10", "refused"), visit("2026-05-12 10:00", "visit_deceased")]
    plan = plan_next("phone", attempts, at("2026-05-12 11:00"), RULES, has_verification=True)
    assert (plan.status, plan.final_outcome, plan.reason) == ("closed", "verified", "verified")


def test_attempt_order_in_the_input_does_not_matter():
    attempts = [phone("2026-05-12 14:05", "busy"), phone("2026-05-11 09:10", "no_answer")]
    assert plan_next("phone", attempts, at("2026-05-12 14:06"), RULES) == plan_next(
        "phone", attempts[::-1], at("2026-05-12 14:06"), RULES
    )


def test_plan_counts_attempts_used():
    attempts = [phone("2026-05-11 09:10", "no_answer"), phone("2026-05-11 10:00", "appointment", "2026-05-12 10:00"),
                phone("2026-05-12 10:00", "busy"), phone("2026-05-13 17:00", "no_answer"), visit("2026-05-14 10:00", "nobody_home")]
    plan = plan_next("phone", attempts, at("2026-05-14 10:01"), RULES)
    assert (plan.phone_attempts_used, plan.visit_attempts_used) == (3, 1)


@pytest.mark.parametrize(
    ("attempts", "has_verification", "exhausted", "expected"),
    [
        ([], False, False, None),
        ([], False, True, "unreachable"),
        ([phone("2026-05-11 09:00", "no_answer")], True, True, "verified"),
        ([phone("2026-05-11 09:00", "refused")], False, True, "refused"),
        ([phone("2026-05-11 09:00", "partial"), phone("2026-05-12 09:00", "deceased")], False, True, "deceased"),
        ([phone("2026-05-11 09:00", "do_not_contact"), phone("2026-05-12 09:00", "refused")], False, False, "do_not_contact"),
        ([phone("2026-05-11 09:00", "deceased"), visit("2026-05-12 09:00", "visit_out_of_scope")], False, False, "out_of_scope"),
        ([phone("2026-05-11 09:00", "refused"), phone("2026-05-12 09:00", "completed")], False, True, None),
        ([phone("2026-05-11 09:00", "partial")], False, False, None),
        ([phone("2026-05-11 09:00", "partial")], False, True, "partial"),
        ([phone("2026-05-11 09:00", "barrier"), visit("2026-05-12 09:00", "nobody_home")], False, True,
         "not_completed"),
        ([phone("2026-05-11 09:00", "appointment", "2026-05-11 15:00"), phone("2026-05-12 09:00", "no_answer")],
         False, True, "not_completed"),
        ([phone("2026-05-11 09:00", "no_answer"), visit("2026-05-12 09:00", "nobody_home")], False, True,
         "unreachable"),
    ],
)
def test_final_outcome_precedence(attempts, has_verification, exhausted, expected):
    assert final_outcome(attempts, has_verification, exhausted=exhausted) == expected


@pytest.mark.parametrize(
    ("called", "appointment", "expected"),
    [
        ("2026-05-11 10:00", "2026-05-11 15:00", []),
        ("2026-05-11 10:00", None, ["appointment_missing"]),
        ("2026-05-11 10:00", "2026-05-11 09:00", ["appointment_not_after_call"]),
        ("2026-05-11 10:00", "2026-07-01 10:00", ["appointment_too_far"]),
        ("2026-05-11 10:00", "2026-05-11 07:59", ["appointment_not_after_call", "appointment_outside_hours"]),
        ("2026-05-11 10:00", "2026-05-11 21:00", []),
        ("2026-05-11 10:00", "2026-05-11 21:01", ["appointment_outside_hours"]),
    ],
)
def test_appointment_problems(called, appointment, expected):
    assert appointment_problems(at(called), at(appointment) if appointment else None, RULES) == expected


# --- invariants --------------------------------------------------------------------------------

FAILURES = ("no_answer", "busy", "switched_off", "partial", "appointment")
rules_strategy = st.builds(
    RetryRules,
    max_phone_attempts=st.integers(1, 5),
    min_hours_between=st.floats(0, 30),
    different_days=st.booleans(),
    call_on_weekends=st.booleans(),
    max_appointments=st.integers(0, 3),
)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=rules_strategy, now=moments, history=st.lists(
    st.tuples(st.integers(1, 20 * 24 * 60), st.sampled_from(FAILURES), st.integers(-60, 3 * 24 * 60)), max_size=7))
def test_rule_plans_are_in_calling_hours_not_in_the_past_and_within_k(rules, now, history):
    attempts = [AttemptFact(now - timedelta(minutes=ago), "phone", code,
                            now - timedelta(minutes=ago) + timedelta(minutes=ahead) if code == "appointment" else None)
                for ago, code, ahead in history]
    plan = plan_next("phone", attempts, now, rules)
    assert plan.status == "open"
    if plan.reason != "appointment":
        assert in_calling_hours(plan.due_at, rules)
        assert plan.due_at >= now
    if plan.channel == "phone":
        assert plan.phone_attempts_used < rules.max_phone_attempts


@settings(max_examples=200, deadline=None)
@given(rules=rules_strategy, start=moments, data=st.data())
def test_working_a_task_never_plans_more_than_k_counted_phone_attempts(rules, start, data):
    attempts, now = [], start
    for _ in range(rules.max_phone_attempts + rules.max_appointments + 2):
        plan = plan_next("phone", attempts, now, rules)
        if plan.channel != "phone":
            break
        if plan.reason != "appointment":
            assert in_calling_hours(plan.due_at, rules) and plan.due_at >= now
            if attempts and rules.different_days:
                done_days = {a.at.astimezone(SH).date() for a in attempts}
                assert plan.due_at.astimezone(SH).date() not in done_days
        code = data.draw(st.sampled_from(FAILURES))
        called = plan.due_at + timedelta(minutes=data.draw(st.integers(0, 5)))
        booked = called + timedelta(hours=data.draw(st.integers(1, 48))) if code == "appointment" else None
        attempts.append(AttemptFact(called, "phone", code, booked))
        now = called + timedelta(minutes=1)
    else:
        pytest.fail("phone attempts never ran out")
    # Every phone attempt either counts against K or keeps one of the few appointments honoured.
    assert plan.phone_attempts_used == rules.max_phone_attempts
    assert len(attempts) <= rules.max_phone_attempts + rules.max_appointments
