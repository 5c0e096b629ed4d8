"""Verification records (核查结论): check the answers, derive the discrepancy types, let the caller
confirm them, store the record and close the case; correct a record later only with a reason, the
earlier version going to the audit log.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from callbacks.access import is_visible, supervises
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.findings import FactsError, FindingRules, VerificationFacts, explain_discrepancies
from callbacks.queue import _locked
from callbacks.rule_settings import RetryRules
from callbacks.submissions import record_once, stored_under
from callbacks.tasks import replan
from config.verification import (
    CORE_FIELDS,
    CURRENT_STATUSES,
    DISCREPANCY_TYPES,
    SATISFACTION_LEVELS,
    SERVICES,
    WISH_TO_WORK,
)
from core import auditlog
from core.extensions import db
from core.privacy import mask_core_value
from models import Attempt, Person, Verification
from models import FollowUpTask as Task

_CODES = {
    "current_status": {c for c, _, _ in CURRENT_STATUSES},
    "satisfaction": {c for c, _, _ in SATISFACTION_LEVELS},
    "wish_to_work": {c for c, _, _ in WISH_TO_WORK},
}
_SERVICES = {c for c, _, _ in SERVICES}
_FIELDS = {c for c, _, _ in CORE_FIELDS}
_TYPES = [c for c, _, _ in DISCREPANCY_TYPES]
ANSWER_FIELDS = ("identity_confirmed", "registered_by_self", "unemployed_at_registration", "corrections",
                 "current_status", "status_since", "services", "satisfaction", "wish_to_work", "training_needs",
                 "notes")


def _yes_no(value):
    """Read yes/no/unanswered from JSON booleans or form strings."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(text, "?")


def parse_answers(data) -> tuple[dict, list[str]]:
    """Check a record's answers (JSON or form values); return the clean answers and the problems."""
    problems, answers = [], {}
    for name in ("identity_confirmed", "registered_by_self", "unemployed_at_registration"):
        value = _yes_no(data.get(name))
        if value == "?" or (name == "identity_confirmed" and value is None):
            problems.append(name)
            value = None
        answers[name] = value
    corrections = data.get("corrections") or {}
    if not isinstance(corrections, dict) or set(corrections) - _FIELDS:
        problems.append("corrections")
        corrections = {}
    answers["corrections"] = {k: str(v or "").strip() for k, v in sorted(corrections.items())}
    for name, codes in _CODES.items():
        value = data.get(name) or None
        if value is not None and value not in codes:
            problems.append(name)
            value = None
        answers[name] = value
    since = data.get("status_since") or None
    if since is not None:
        try:
            since = since if isinstance(since, date) else date.fromisoformat(str(since).strip())
        except ValueError:
            problems.append("status_since")
            since = None
    answers["status_since"] = since
    services = data.get("services")
    if services is not None and (not isinstance(services, list | tuple | set) or set(services) - _SERVICES):
        problems.append("services")
        services = None
    answers["services"] = sorted(services) if services is not None else None
    for name in ("training_needs", "notes"):
        answers[name] = str(data.get(name) or "").strip()[:4000]
    return answers, problems


def facts_for(answers: dict, person: Person, checked_on: date) -> VerificationFacts:
    """Build the facts discrepancies are derived from, out of the answers and the roster row."""
    services = answers["services"]
    return VerificationFacts(
        checked_on=checked_on, registered_on=person.registered_on, cancelled_on=person.cancelled_on,
        identity_confirmed=bool(answers["identity_confirmed"]), registered_by_self=answers["registered_by_self"],
        unemployed_at_registration=answers["unemployed_at_registration"],
        wrong_fields=frozenset(answers["corrections"]), current_status=answers["current_status"],
        status_since=answers["status_since"], services=frozenset(services) if services is not None else None,
    )


def derive(answers: dict, person: Person, checked_on: date, rules: FindingRules) -> dict[str, list[str]]:
    """Derive the discrepancy types with their reasons; raise bad_answers when the facts do not hold."""
    try:
        found = explain_discrepancies(facts_for(answers, person, checked_on), rules)
    except FactsError as error:
        raise FollowUpError("bad_answers", reasons=", ".join(p.field for p in error.problems)) from error
    return {kind: list(reasons) for kind, reasons in found.items()}


def _clean(answers) -> dict:
    answers, problems = parse_answers(answers)
    if problems:
        raise FollowUpError("bad_answers", reasons=", ".join(problems))
    return answers


def _confirmed(confirmed) -> list[str]:
    """Check the list of discrepancy types the caller confirmed."""
    if confirmed is None or not isinstance(confirmed, list | tuple | set) or set(confirmed) - set(_TYPES):
        raise FollowUpError("bad_answers", reasons="confirmed")
    return [kind for kind in _TYPES if kind in set(confirmed)]


def _apply(record: Verification, answers: dict, derived: dict, confirmed: list[str]) -> None:
    for name in ANSWER_FIELDS:
        setattr(record, name, answers[name])
    record.derived, record.discrepancies = derived, confirmed


def record_as_dict(record: Verification, masked: bool = False) -> dict:
    """Return a record's answers and findings as plain JSON values: in full for the audit log, with
    corrected ID and phone numbers masked (masked=True) for the API, as pages and exports show them."""
    out = {name: getattr(record, name) for name in ANSWER_FIELDS}
    if masked:
        out["corrections"] = {f: mask_core_value(f, v) for f, v in (record.corrections or {}).items()}
    out["status_since"] = record.status_since.isoformat() if record.status_since else None
    out.update(id=record.id, task_id=record.task_id, version=record.version, checked_on=record.checked_on.isoformat(),
               respondent=record.respondent, derived=record.derived, discrepancies=record.discrepancies,
               recorded_by_id=record.recorded_by_id, recorded_at=record.recorded_at.isoformat(),
               corrected_at=record.corrected_at.isoformat() if record.corrected_at else None,
               correction_reason=record.correction_reason)
    return out


@dataclass
class RecordResult:
    record: Verification
    task: Task
    created: bool


def record_verification(actor: Actor, task_id: int, answers, confirmed, now: datetime, rules: RetryRules,
                        finding_rules: FindingRules, *, submission_key: str) -> RecordResult:
    """Store the verification record of a completed contact and close the case as verified."""
    answers, confirmed = _clean(answers), _confirmed(confirmed)

    def write(session, task: Task) -> RecordResult:
        if session.scalar(select(Verification.id).where(Verification.task_id == task.id)) is not None:
            raise FollowUpError("already_recorded")
        if task.status != "awaiting_record":
            raise FollowUpError("not_awaiting_record")
        person = session.get(Person, task.person_id)
        checked_on = now.astimezone(_zone(rules)).date()
        derived = derive(answers, person, checked_on, finding_rules)
        completed = session.scalar(select(Attempt.disposition).where(Attempt.task_id == task.id)
                                   .order_by(Attempt.at.desc(), Attempt.id.desc()).limit(1))
        record = Verification(task_id=task.id, person_id=person.id, county_code=task.county_code,
                              checked_on=checked_on, respondent="proxy" if completed == "visit_proxy" else "self",
                              recorded_by_id=actor.id, recorded_at=now, submission_key=submission_key)
        _apply(record, answers, derived, confirmed)
        session.add(record)
        session.flush()
        replan(session, task, now, rules)
        if not answers["identity_confirmed"]:
            # Answers not tied to the sampled person resolve nothing: a coordinator decides what next
            # (a visit, say). The statistics count the unit as reached but not resolved.
            task.review_kind, task.review_reason = "referral", "identity_unconfirmed"
            task.review_requested_by_id, task.review_requested_at = actor.id, now
        elif set(confirmed) != set(derived):
            # The caller overrode the derived types: a coordinator looks at the case.
            task.review_kind, task.review_reason = "referral", "discrepancy_override"
            task.review_requested_by_id, task.review_requested_at = actor.id, now
        auditlog.record("verification.create", "verification_record", record.id, user=actor, task_id=task.id,
                        derived=derived, confirmed=confirmed)
        return RecordResult(record, task, True)

    return record_once(actor, task_id, now, rules, submission_key, stored=_existing, write=write,
                       lost_race="already_recorded")


def _existing(session, submission_key: str, task_id: int) -> RecordResult | None:
    """Return the record already stored under this submission key."""
    record = stored_under(session, Verification, submission_key, task_id)
    return None if record is None else RecordResult(record, session.get(Task, task_id), False)


def _zone(rules: RetryRules):
    from zoneinfo import ZoneInfo

    return ZoneInfo(rules.timezone)


def correct_verification(actor: Actor, task_id: int, answers, confirmed, reason: str, now: datetime,
                         finding_rules: FindingRules) -> Verification:
    """Change a stored record with a reason; its previous version goes to the audit log."""
    answers, confirmed = _clean(answers), _confirmed(confirmed)
    if not (reason or "").strip():
        raise FollowUpError("reason_required")
    with db.write_transaction() as session:
        task = _locked(session, task_id)
        if task is None or not is_visible(actor, task):
            raise FollowUpError("not_found")
        record = session.scalar(select(Verification).where(Verification.task_id == task_id).with_for_update())
        if record is None:
            raise FollowUpError("no_record")
        if not supervises(actor) and record.recorded_by_id != actor.id:
            raise FollowUpError("not_permitted")
        before = record_as_dict(record)
        person = session.get(Person, task.person_id)
        derived = derive(answers, person, record.checked_on, finding_rules)
        _apply(record, answers, derived, confirmed)
        record.version += 1
        record.corrected_by_id, record.corrected_at, record.correction_reason = actor.id, now, reason.strip()
        auditlog.record("verification.correct", "verification_record", record.id, user=actor, task_id=task_id,
                        reason=reason.strip(), previous=before, version=record.version)
        return record
