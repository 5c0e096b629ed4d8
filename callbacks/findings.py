"""Derive the discrepancy types of a verification record, each with the rule that found it.

Pure: no Flask, no database, no clock read; the check date is part of the record. The caller
sees the derived types with their reasons and confirms them. docs/followup.md states every rule.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import Any, NamedTuple

from config.verification import CORE_FIELDS, CURRENT_STATUSES, DISCREPANCY_TYPES, SERVICES

_STATUS_CODES = frozenset(code for code, _, _ in CURRENT_STATUSES)
_SERVICE_CODES = frozenset(code for code, _, _ in SERVICES)
_FIELD_CODES = frozenset(code for code, _, _ in CORE_FIELDS)


class Problem(NamedTuple):
    """One thing wrong with an input: which field, its value, and why."""

    field: str
    value: object
    reason: str


class FactsError(ValueError):
    """Invalid verification facts or finding rules; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.field}: {p.reason} ({p.value!r})" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class FindingRules:
    """The configurable rules of discrepancy derivation; `from_dict` reads plain config values."""

    # Guangdong practice is prompt cancellation; this is how long a status change may stay unrecorded.
    cancellation_grace_days: int = 30
    # A status held since this date means the registration should be cancelled (应注销).
    cancellation_statuses: frozenset[str] = frozenset(
        {"employed", "self_employed", "pension", "school_military", "moved_away", "deceased"}
    )
    # A status held since before the registration date means the person could not have registered.
    ineligible_statuses: frozenset[str] = frozenset(
        {"employed", "self_employed", "pension", "school_military", "deceased"}
    )
    # Services that count as employment assistance; benefits and the certificate do not.
    assistance_services: frozenset[str] = frozenset(
        {"job_referral", "vocational_guidance", "skills_training", "entrepreneurship_support", "employment_assistance"}
    )
    service_grace_days: int = 30  # registered this long with none of them: assistance not delivered
    require_recent_callback: bool = True
    callback_window_days: int = 90  # "the last three months"

    def __post_init__(self) -> None:
        problems = [
            Problem(name, value, "must be a whole number >= 0")
            for name in ("cancellation_grace_days", "service_grace_days", "callback_window_days")
            if isinstance(value := getattr(self, name), bool) or not isinstance(value, int) or value < 0
        ]
        for name, known in (
            ("cancellation_statuses", _STATUS_CODES),
            ("ineligible_statuses", _STATUS_CODES),
            ("assistance_services", _SERVICE_CODES),
        ):
            problems += [Problem(name, code, "unknown code") for code in sorted(set(getattr(self, name)) - known)]
        if not isinstance(self.require_recent_callback, bool):
            problems.append(Problem("require_recent_callback", self.require_recent_callback, "must be true or false"))
        if problems:
            raise FactsError(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "FindingRules":
        """Build finding rules from plain config values (code lists as lists of strings)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        problems = [Problem(key, data[key], "unknown setting") for key in sorted(set(data) - known)]
        values: dict[str, Any] = {}
        for key in sorted(set(data) & known):
            value = data[key]
            if isinstance(value, str) and key.endswith(("_statuses", "_services")):
                value = [part for part in value.replace(",", " ").split() if part]
            elif isinstance(value, str) and key == "require_recent_callback":
                value = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
                    value.strip().lower(), value
                )
            elif isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            values[key] = frozenset(value) if key.endswith(("_statuses", "_services")) else value
        try:
            rules = cls(**values)
        except FactsError as exc:
            problems += exc.problems
        if problems:
            raise FactsError(problems)
        return rules

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as plain config values, the inverse of `from_dict`."""
        return {k: sorted(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class VerificationFacts:
    """The answers of a verification record that discrepancies are derived from."""

    checked_on: date  # local date of the completed contact
    registered_on: date  # roster: 失业登记日期
    identity_confirmed: bool
    cancelled_on: date | None = None  # roster: 注销日期, None while registered
    registered_by_self: bool | None = None  # False: "I never registered"; None: not answered
    unemployed_at_registration: bool | None = None  # False: "I was working then"
    wrong_fields: frozenset[str] = frozenset()  # CORE_FIELDS codes the person says are wrong
    current_status: str | None = None  # CURRENT_STATUSES code
    status_since: date | None = None
    services: frozenset[str] | None = None  # SERVICES codes received; None: not answered

    def __post_init__(self) -> None:
        problems = _fact_problems(self)
        if problems:
            raise FactsError(problems)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "VerificationFacts":
        """Build facts from a record's plain values (ISO date strings, lists of codes)."""
        known = {f.name for f in fields(cls)}
        problems, values = [], {}
        for key in sorted(known - set(data)):
            if key in ("checked_on", "registered_on", "identity_confirmed"):
                problems.append(Problem(key, None, "required"))
        for key in sorted(known & set(data)):
            value = data[key]
            if key in ("checked_on", "registered_on", "cancelled_on", "status_since") and isinstance(value, str):
                try:
                    value = date.fromisoformat(value.strip()) if value.strip() else None
                except ValueError:
                    problems.append(Problem(key, value, "not a date (YYYY-MM-DD)"))
                    continue
            elif key == "wrong_fields":
                value = frozenset(value or ())
            elif key == "services" and value is not None:
                value = frozenset(value)
            elif key == "current_status" and value == "":
                value = None
            values[key] = value
        if problems:
            raise FactsError(problems)
        return cls(**values)


def _fact_problems(v: VerificationFacts) -> list[Problem]:
    """List what is wrong with a set of verification facts."""
    problems = []
    for name in ("checked_on", "registered_on"):
        if not isinstance(getattr(v, name), date):
            problems.append(Problem(name, getattr(v, name), "required date"))
    for name in ("cancelled_on", "status_since"):
        if getattr(v, name) is not None and not isinstance(getattr(v, name), date):
            problems.append(Problem(name, getattr(v, name), "not a date"))
    for name in ("identity_confirmed", "registered_by_self", "unemployed_at_registration"):
        value = getattr(v, name)
        if not isinstance(value, bool) and not (value is None and name != "identity_confirmed"):
            problems.append(Problem(name, value, "must be yes or no"))
    if v.current_status is not None and v.current_status not in _STATUS_CODES:
        problems.append(Problem("current_status", v.current_status, "unknown status"))
    problems += [Problem("wrong_fields", f, "unknown core field") for f in sorted(set(v.wrong_fields) - _FIELD_CODES)]
    if v.services is not None:
        problems += [Problem("services", s, "unknown service") for s in sorted(set(v.services) - _SERVICE_CODES)]
    if problems:
        return problems
    if v.registered_on > v.checked_on:
        problems.append(Problem("registered_on", v.registered_on, "after the check date"))
    if v.status_since is not None and v.status_since > v.checked_on:
        problems.append(Problem("status_since", v.status_since, "after the check date"))
    if v.status_since is not None and v.current_status is None:
        problems.append(Problem("status_since", v.status_since, "given without a current status"))
    return problems


DEFAULT_FINDING_RULES = FindingRules()


def explain_discrepancies(
    v: VerificationFacts | Mapping[str, Any], rules: FindingRules = DEFAULT_FINDING_RULES
) -> dict[str, tuple[str, ...]]:
    """Map each derived discrepancy type to the FINDING_REASONS codes that found it."""
    if not isinstance(v, VerificationFacts):
        v = VerificationFacts.from_mapping(v)
    if not v.identity_confirmed:
        # Answers that cannot be tied to the registered person prove nothing about the registration.
        return {}
    found: dict[str, list[str]] = {}
    status, since = v.current_status, v.status_since

    if v.registered_by_self is False:
        found.setdefault("not_authentic", []).append("never_registered")
    if v.unemployed_at_registration is False:
        found.setdefault("not_authentic", []).append("not_unemployed_at_registration")
    if status in rules.ineligible_statuses and since is not None and since < v.registered_on:
        found.setdefault("not_authentic", []).append("ineligible_before_registration")

    if v.wrong_fields:
        found["inaccurate_data"] = ["wrong_core_field"]

    if status in rules.cancellation_statuses and since is not None:
        # A change before the registration could only be acted on once the registration existed.
        deadline = max(since, v.registered_on) + timedelta(days=rules.cancellation_grace_days)
        if deadline < v.checked_on and (v.cancelled_on is None or v.cancelled_on > deadline):
            found["should_have_been_cancelled"] = ["status_change_not_cancelled"]

    if v.services is not None and "not_authentic" not in found:
        # Services are owed only while the registration is open.
        active_until = min(v.checked_on, v.cancelled_on) if v.cancelled_on else v.checked_on
        reasons = []
        if (active_until - v.registered_on).days >= rules.service_grace_days and not (
            v.services & rules.assistance_services
        ):
            reasons.append("no_services")
        if (
            rules.require_recent_callback
            and active_until == v.checked_on
            and (v.checked_on - v.registered_on).days >= rules.callback_window_days
            and "agency_callback" not in v.services
        ):
            reasons.append("no_recent_callback")
        if reasons:
            found["assistance_not_delivered"] = reasons

    order = [code for code, _, _ in DISCREPANCY_TYPES]
    return {kind: tuple(found[kind]) for kind in order if kind in found}


def derive_discrepancies(v: VerificationFacts | Mapping[str, Any], rules: FindingRules = DEFAULT_FINDING_RULES) -> set[str]:
    """Return the discrepancy types a verification record shows (DISCREPANCY_TYPES codes)."""
    return set(explain_discrepancies(v, rules))
