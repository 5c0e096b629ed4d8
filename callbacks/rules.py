"""Retry rules of the follow-up: when a task is due next, on which channel, and how a case ends.

Pure: no Flask, no database, no clock read. Times come in and go out as timezone-aware datetimes
(UTC out); calling hours, days and slots are reckoned in the rules' time zone (Asia/Shanghai).
`plan_next` is the one function that computes a task's next state; docs/followup.md explains it.
The settings it applies (`RetryRules`) are read and checked in callbacks.rule_settings.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callbacks.rule_settings import RetryRules
from config.dispositions import DISPOSITION_BY_CODE, FINAL_OUTCOMES, PHONE, VISIT, Disposition

# The one precedence of final outcomes, highest first, applied by `final_outcome`:
#   1. verified: a verification record exists; it beats everything.
#   2. (a completed contact still waiting for its record: not final yet; the record decides)
#   3. out_of_scope, deceased, do_not_contact, refused: ended by a disposition, in this order.
#   4. only when every channel is exhausted: partial (the person was reached once), else unreachable.
# So a refusal or a reported death is never overwritten by "attempts exhausted".
OUTCOME_PRECEDENCE = tuple(code for code, _, _ in FINAL_OUTCOMES)  # listed there highest first

# Long enough to step over any run of holidays and weekends a real calendar has.
_SEARCH_DAYS = 800


@dataclass(frozen=True)
class AttemptFact:
    """One call or visit as the rules see it."""

    at: datetime
    channel: str  # PHONE or VISIT; must match the disposition's channel
    disposition: str  # a code of config.dispositions
    appointment_at: datetime | None = None  # read only on an "appointment" disposition


@dataclass(frozen=True)
class TaskPlan:
    """A task's next state, to be stored on the task."""

    status: str  # "open" | "awaiting_record" | "closed" (config.dispositions.TASK_STATUSES)
    channel: str  # PHONE or VISIT: the channel of the next (or the last) attempt
    due_at: datetime | None  # UTC; None unless open
    final_outcome: str | None  # set when closed (config.dispositions.FINAL_OUTCOMES)
    reason: str  # config.dispositions.PLAN_REASONS
    phone_attempts_used: int  # counted against max_phone_attempts
    visit_attempts_used: int  # counted against max_visit_attempts


def _aware(value: datetime, name: str) -> datetime:
    """Refuse a naive datetime; the rules never guess a time zone."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value


def _disposition(attempt: AttemptFact) -> Disposition:
    """Look up an attempt's disposition, refusing unknown codes and mismatched channels."""
    try:
        found = DISPOSITION_BY_CODE[attempt.disposition]
    except KeyError:
        raise ValueError(f"unknown disposition {attempt.disposition!r}") from None
    if found.channel != attempt.channel:
        raise ValueError(f"disposition {found.code!r} belongs to {found.channel}, not {attempt.channel}")
    _aware(attempt.at, "attempt.at")
    if attempt.appointment_at is not None:
        _aware(attempt.appointment_at, "attempt.appointment_at")
    return found


def is_calling_day(day: date, rules: RetryRules) -> bool:
    """Say whether callers work on this local date."""
    if day in rules.open_dates:
        return True
    if day in rules.closed_dates:
        return False
    return rules.call_on_weekdays if day.weekday() < 5 else rules.call_on_weekends


def slot_of(moment: datetime, rules: RetryRules) -> int:
    """Return the index of the time slot (0 = morning by default) a moment falls in, locally."""
    local = _aware(moment, "moment").astimezone(ZoneInfo(rules.timezone)).time()
    return sum(1 for boundary in rules.slot_boundaries if local >= boundary)


def in_calling_hours(moment: datetime, rules: RetryRules) -> bool:
    """Say whether a moment falls inside calling hours on a calling day."""
    local = _aware(moment, "moment").astimezone(ZoneInfo(rules.timezone))
    return is_calling_day(local.date(), rules) and any(s <= local.time() < e for s, e in rules.calling_windows)


def _pieces(rules: RetryRules) -> list[tuple[time, time, int]]:
    """Cut the calling windows at the slot boundaries: (start, end, slot) in time order."""
    pieces = []
    for start, end in rules.calling_windows:
        cuts = [start, *(b for b in rules.slot_boundaries if start < b < end), end]
        for a, b in zip(cuts, cuts[1:], strict=False):
            pieces.append((a, b, sum(1 for boundary in rules.slot_boundaries if a >= boundary)))
    return pieces


def _openings(start: datetime, rules: RetryRules) -> Iterator[tuple[datetime, int]]:
    """Yield in time order the earliest calling instant of each slot piece at or after start."""
    zone = ZoneInfo(rules.timezone)
    local = start.astimezone(zone)
    pieces = _pieces(rules)
    day = local.date()
    for _ in range(_SEARCH_DAYS):
        if is_calling_day(day, rules):
            for piece_start, piece_end, slot in pieces:
                begin = max(datetime.combine(day, piece_start, zone), local)
                if begin < datetime.combine(day, piece_end, zone):
                    yield begin, slot
        day += timedelta(days=1)
    raise ValueError(f"no calling time within {_SEARCH_DAYS} days of {start.isoformat()}")


def next_calling_time(after: datetime, rules: RetryRules) -> datetime:
    """Return the first moment at or after `after` inside calling hours, in UTC."""
    moment, _ = next(_openings(_aware(after, "after"), rules))
    return moment.astimezone(UTC)


def _spread(earliest: datetime, previous: Sequence[datetime], rules: RetryRules) -> datetime:
    """Return the first calling time on a day not used yet, in a least-used slot, from earliest."""
    zone = ZoneInfo(rules.timezone)
    used_days = {p.astimezone(zone).date() for p in previous}
    usage = Counter(slot_of(p, rules) for p in previous)
    # Only slots that have calling time can be rotated into; the least used of them is the aim.
    target = min(usage[slot] for _, _, slot in _pieces(rules))
    for moment, slot in _openings(earliest, rules):
        if rules.different_days and moment.date() in used_days:
            continue
        if usage[slot] == target:
            return moment.astimezone(UTC)
    raise AssertionError("unreachable: _openings raises first")  # pragma: no cover


def appointment_problems(called_at: datetime, appointment_at: datetime | None, rules: RetryRules) -> list[str]:
    """List why an appointment time cannot be accepted (codes of APPOINTMENT_PROBLEMS)."""
    if appointment_at is None:
        return ["appointment_missing"]
    problems = []
    if _aware(appointment_at, "appointment_at") <= _aware(called_at, "called_at"):
        problems.append("appointment_not_after_call")
    if appointment_at > called_at + timedelta(days=rules.appointment_horizon_days):
        problems.append("appointment_too_far")
    local = appointment_at.astimezone(ZoneInfo(rules.timezone)).time()
    if not rules.appointment_hours[0] <= local <= rules.appointment_hours[1]:
        problems.append("appointment_outside_hours")
    return problems


def final_outcome(attempts: Sequence[AttemptFact], has_verification: bool, *, exhausted: bool = False) -> str | None:
    """Return a case's final outcome by OUTCOME_PRECEDENCE, or None while it is not final."""
    if has_verification:
        return "verified"
    found = [_disposition(a) for a in attempts]
    if any(d.ends_case and d.category == "completed" for d in found):
        return None
    ended = {d.final_outcome for d in found if d.ends_case}
    for outcome in OUTCOME_PRECEDENCE:
        if outcome in ended:
            return outcome
    if not exhausted:
        return None
    if any(d.category == "partial" for d in found):
        return "partial"
    # A barrier or an appointment means the person was reached: contacted, not a non-contact.
    return "not_completed" if any(d.category == "other" for d in found) else "unreachable"


def _count_phone(phone: Sequence[AttemptFact], rules: RetryRules) -> tuple[int, datetime | None, str | None]:
    """Count phone attempts against K; return (used, pending appointment, reason of the last)."""
    used = honoured = 0
    pending, last_reason = None, None
    for attempt in phone:
        pending, last_reason = None, None
        if attempt.disposition == "appointment":
            if appointment_problems(attempt.at, attempt.appointment_at, rules):
                last_reason = "appointment_invalid"
            elif honoured < rules.max_appointments:
                # The person asked for this time: it is a contact, not a failure.
                honoured += 1
                pending = attempt.appointment_at
                continue
        used += 1
    return used, pending, last_reason


def plan_next(
    channel: str,
    attempts: Sequence[AttemptFact],
    now: datetime,
    rules: RetryRules,
    *,
    has_verification: bool = False,
) -> TaskPlan:
    """Compute a task's next state from its given channel, all its attempts and the time now."""
    # `channel` is the channel the task was given: visit when the coordinator says so or no phone
    # is on record. Escalation from phone to visit is one way; a visit never goes back to phone.
    _aware(now, "now")
    if channel not in (PHONE, VISIT):
        raise ValueError(f"unknown channel {channel!r}")
    kinds = sorted(((a, _disposition(a)) for a in attempts), key=lambda pair: pair[0].at)
    history = [a for a, _ in kinds]
    phone = [a for a in history if a.channel == PHONE]
    visits = [a for a in history if a.channel == VISIT]
    phone_used, appointment_at, phone_reason = _count_phone(phone, rules)
    last_channel = history[-1].channel if history else channel

    def plan(status: str, on: str, due: datetime | None, reason: str, outcome: str | None = None) -> TaskPlan:
        return TaskPlan(status, on, due, outcome, reason, phone_used, len(visits))

    if has_verification:
        return plan("closed", last_channel, None, "verified", "verified")
    completed = [a for a, d in kinds if d.ends_case and d.category == "completed"]
    if completed:
        return plan("awaiting_record", completed[0].channel, None, "awaiting_record")
    outcome = final_outcome(history, False)
    if outcome is not None:
        return plan("closed", last_channel, None, "ended_by_disposition", outcome)

    phone_unusable = any(d.ends_channel for a, d in kinds if a.channel == PHONE)
    phone_exhausted = phone_used >= rules.max_phone_attempts
    if channel == PHONE and not visits and not phone_unusable and not phone_exhausted:
        if appointment_at is not None:
            if now <= appointment_at + timedelta(minutes=rules.appointment_grace_minutes):
                return plan("open", PHONE, appointment_at.astimezone(UTC), "appointment")
            phone_reason = "appointment_missed"
        earliest = max(now, phone[-1].at + timedelta(hours=rules.min_hours_between)) if phone else now
        due = _spread(earliest, [a.at for a in phone], rules)
        return plan("open", PHONE, due, phone_reason or ("retry" if phone else "first_attempt"))

    if any(d.ends_channel for a, d in kinds if a.channel == VISIT):
        return plan("closed", VISIT, None, "address_unusable", final_outcome(history, False, exhausted=True))
    if len(visits) >= rules.max_visit_attempts:
        return plan("closed", VISIT, None, "attempts_exhausted", final_outcome(history, False, exhausted=True))
    if visits:
        reason = "retry"
        earliest = max(now, visits[-1].at + timedelta(hours=rules.min_hours_between))
    else:
        reason = "phone_unusable" if phone_unusable else "escalated_to_visit" if phone_exhausted else "first_attempt"
        earliest = now
    return plan("open", VISIT, _spread(earliest, [a.at for a in visits], rules), reason)


def claim_expires_at(claimed_at: datetime, rules: RetryRules) -> datetime:
    """Return when an idle claim made at `claimed_at` lapses, in UTC."""
    return (_aware(claimed_at, "claimed_at") + timedelta(minutes=rules.claim_timeout_minutes)).astimezone(UTC)


def claim_cutoff(now: datetime, rules: RetryRules) -> datetime:
    """Return the moment before which a claim has expired, for the sweep's WHERE clause."""
    return (_aware(now, "now") - timedelta(minutes=rules.claim_timeout_minutes)).astimezone(UTC)
