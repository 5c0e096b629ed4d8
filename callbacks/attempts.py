"""Record a call or visit: store the attempt, plan the task's next step, close or release it.

Idempotent by a client-supplied submission key: a double-clicked submit (or a retried API call)
records once and answers with the attempt already stored.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.queue import drop_other_claims
from callbacks.rule_settings import RetryRules
from callbacks.rules import TaskPlan, appointment_problems
from callbacks.submissions import record_once, stored_under
from callbacks.tasks import replan
from config.codelists import label
from config.dispositions import APPOINTMENT_PROBLEMS, DISPOSITION_BY_CODE
from core import auditlog
from core.timefmt import local_time
from models import Attempt, DoNotContact, Person
from models import FollowUpTask as Task


@dataclass
class AttemptResult:
    attempt: Attempt
    task: Task
    created: bool  # False: the same submission was already recorded
    plan: TaskPlan | None = None


def _existing(session, submission_key: str, task_id: int) -> AttemptResult | None:
    """Return the attempt already stored under this submission key."""
    attempt = stored_under(session, Attempt, submission_key, task_id)
    return None if attempt is None else AttemptResult(attempt, session.get(Task, task_id), False)


EARLY_ALLOWANCE = timedelta(hours=1)  # a failed attempt this long before the task is due still counts


def record_attempt(actor: Actor, task_id: int, disposition: str, now: datetime, rules: RetryRules, *,
                   submission_key: str, appointment_at: datetime | None = None, note: str = "",
                   lang: str = "zh") -> AttemptResult:
    """Record one attempt on a task and store the task's next plan."""

    def write(session, task: Task) -> AttemptResult:
        if task.status != "open":
            raise FollowUpError("task_not_open")
        kind = DISPOSITION_BY_CODE.get(disposition)
        if kind is None or kind.channel != task.channel:
            raise FollowUpError("bad_disposition")
        if kind.category == "non_contact" and task.due_at is not None and now < task.due_at - EARLY_ALLOWANCE:
            # The retry rules spread failed calls over days and times; an early one (someone else just
            # tried, or the page was left open) would spend an attempt against them. A contact that
            # happens early (the person answers or calls back) is always recorded.
            due = local_time(task.due_at, rules.timezone)
            raise FollowUpError("not_due_yet", due=due)
        if disposition == "appointment":
            problems = appointment_problems(now, appointment_at, rules)
            if problems:
                reasons = "; ".join(label(APPOINTMENT_PROBLEMS, p, lang) for p in problems)
                raise FollowUpError("bad_appointment", reasons=reasons, problems=problems)
        attempt = Attempt(task_id=task.id, channel=task.channel, disposition=disposition, at=now,
                          appointment_at=appointment_at if disposition == "appointment" else None,
                          note=(note or "").strip(), caller_id=actor.id,
                          submission_key=submission_key, created_at=now)
        session.add(attempt)
        session.flush()
        plan = replan(session, task, now, rules)
        if plan.status == "awaiting_record":
            drop_other_claims(session, actor, task.id)  # one case at a time
            task.claimed_by_id, task.claimed_at = actor.id, now  # keep it to fill in the record
        else:
            task.claimed_by_id, task.claimed_at = None, None  # back to the queue at its new due time
        if plan.final_outcome == "do_not_contact":
            _mark_do_not_contact(session, task, actor, now)
        auditlog.record("followup.attempt", "followup_task", task.id, user=actor, attempt_id=attempt.id,
                        disposition=disposition, status=plan.status, reason=plan.reason,
                        outcome=plan.final_outcome)
        return AttemptResult(attempt, task, True, plan)

    return record_once(actor, task_id, now, rules, submission_key, stored=_existing, write=write)


def _mark_do_not_contact(session, task: Task, actor: Actor, now: datetime) -> None:
    """Put the person on the do-not-contact list and close their other open cases the same way."""
    person = session.get(Person, task.person_id)
    if session.scalar(select(DoNotContact.id).where(DoNotContact.id_number == person.id_number)) is None:
        session.add(DoNotContact(id_number=person.id_number, person_id=person.id, task_id=task.id,
                                 recorded_by_id=actor.id, recorded_at=now))
    same_person = select(Person.id).where(Person.id_number == person.id_number)
    session.execute(
        update(Task).where(Task.person_id.in_(same_person), Task.id != task.id, Task.status != "closed")
        .values(status="closed", final_outcome="do_not_contact", plan_reason="ended_by_disposition", due_at=None,
                claimed_by_id=None, claimed_at=None, closed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
