"""The caller's queue: what is due, claiming one task at a time, releasing, and expired claims.

Claims are atomic on both databases with one code path: the candidate row is selected with
`FOR UPDATE SKIP LOCKED` (PostgreSQL: a second caller skips it instead of waiting; SQLite ignores the
clause but the whole transaction runs under BEGIN IMMEDIATE, one writer at a time), then taken with a
conditional UPDATE … WHERE the claim is still free, and the row count is checked.

A caller holds one case at a time. Claims by one caller are serialised on their user row (parallel
"next" calls wait for each other, and the later ones find the case the first one took), and a partial
unique index on the claimant of cases not closed makes it a database guarantee (migration 0010).
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, or_, select, update

from callbacks.access import claim_is_live, ensure_workable, supervises, visible_condition
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.rule_settings import RetryRules
from callbacks.rules import claim_cutoff
from config.dispositions import PHONE
from core.extensions import db
from models import FollowUpTask as Task
from models import User

# How many candidates one `next` looks at before giving up (each is skipped only if taken meanwhile).
_CANDIDATES = 5


def _claim_free(now: datetime, rules: RetryRules, actor: Actor):
    """Condition: nobody holds a live claim on the task, or the actor does."""
    return or_(Task.claimed_by_id.is_(None), Task.claimed_at < claim_cutoff(now, rules), Task.claimed_by_id == actor.id)


def held_task(session, actor: Actor, now: datetime, rules: RetryRules) -> Task | None:
    """Return the task the actor holds a live claim on, if any."""
    return session.scalar(
        select(Task).where(Task.claimed_by_id == actor.id, Task.claimed_at >= claim_cutoff(now, rules),
                           Task.status != "closed").order_by(Task.claimed_at.desc()).limit(1)
    )


def _serialise_claims_of(session, actor: Actor) -> None:
    """Lock the actor's user row until the transaction ends: their claims are made one after another."""
    session.execute(select(User.id).where(User.id == actor.id).with_for_update())


def drop_other_claims(session, actor: Actor, task_id: int) -> None:
    """Give up every claim the actor holds, live or lapsed, on a task other than this one."""
    session.execute(
        update(Task).where(Task.claimed_by_id == actor.id, Task.id != task_id)
        .values(claimed_by_id=None, claimed_at=None).execution_options(synchronize_session=False)
    )


def _take(session, actor: Actor, task_id: int, now: datetime, rules: RetryRules) -> bool:
    """Take the claim with a conditional UPDATE (giving up any other); tell whether this transaction got it."""
    drop_other_claims(session, actor, task_id)
    result = session.execute(
        update(Task).where(Task.id == task_id, Task.status != "closed", _claim_free(now, rules, actor))
        .values(claimed_by_id=actor.id, claimed_at=now).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim_next(actor: Actor, now: datetime, rules: RetryRules, channel: str = PHONE) -> Task | None:
    """Claim the caller's next due task (appointments first, own before pool, oldest due first)."""
    with db.write_transaction() as session:
        _serialise_claims_of(session, actor)
        held = held_task(session, actor, now, rules)
        if held is not None:
            held.claimed_at = now
            return held
        base = (visible_condition(actor), Task.status == "open", Task.channel == channel, Task.due_at <= now,
                _claim_free(now, rules, actor))
        # Appointments first, then the caller's own tasks, then the county pool; oldest due first in
        # each. Three simple queries that each walk an index beat one sorted by a CASE expression.
        tiers = (
            (Task.plan_reason == "appointment",
             or_(Task.assigned_to_id == actor.id, Task.assigned_to_id.is_(None))),
            (Task.assigned_to_id == actor.id,),
            (Task.assigned_to_id.is_(None),),
        )
        for tier in tiers:
            query = (select(Task.id).where(*base, *tier).order_by(Task.due_at, Task.id).limit(_CANDIDATES)
                     .with_for_update(skip_locked=True))
            for task_id in session.scalars(query).all():
                if _take(session, actor, task_id, now, rules):
                    return session.get(Task, task_id, populate_existing=True)
        return None


def claim(actor: Actor, task_id: int, now: datetime, rules: RetryRules) -> Task:
    """Claim one task the actor may work; refuse when another caller holds it."""
    with db.write_transaction() as session:
        _serialise_claims_of(session, actor)
        task = ensure_workable(actor, _locked(session, task_id), now, rules)
        if task.status == "closed":
            raise FollowUpError("task_not_open")
        if not _take(session, actor, task.id, now, rules):
            raise FollowUpError("claimed_by_other")
        session.refresh(task)
        return task


def release(actor: Actor, task_id: int) -> None:
    """Give up the actor's claim on a task (nothing happens if they do not hold it)."""
    with db.write_transaction() as session:
        session.execute(update(Task).where(Task.id == task_id, Task.claimed_by_id == actor.id)
                        .values(claimed_by_id=None, claimed_at=None))


def touch(session, task: Task, actor: Actor, now: datetime) -> None:
    """Keep the actor's claim alive while they work on the task."""
    if task.claimed_by_id == actor.id:
        task.claimed_at = now


def reveal_number(actor: Actor, task_id: int, field: str, now: datetime, via: str) -> tuple[Task, str]:
    """Return a visible task and its person's full phone or ID number, writing the read to the audit log."""
    from callbacks.access import is_visible
    from core import auditlog
    from models import Person

    with db.write_transaction() as session:
        task = session.get(Task, task_id)
        if task is None or not is_visible(actor, task):
            raise FollowUpError("not_found")
        person = session.get(Person, task.person_id)
        value = getattr(person, field) or ""
        auditlog.record(f"person.reveal_{field}", "person", person.id, user=actor, task_id=task.id, via=via)
        touch(session, task, actor, now)
    return task, value


def _locked(session, task_id: int) -> Task | None:
    """Load a task for change, holding its row lock on PostgreSQL until the transaction ends."""
    return session.scalar(select(Task).where(Task.id == task_id).with_for_update())


def release_expired_claims(session, now: datetime, rules: RetryRules) -> int:
    """Clear every claim idle past the timeout; return how many were released."""
    result = session.execute(
        update(Task).where(Task.claimed_by_id.is_not(None), Task.claimed_at < claim_cutoff(now, rules))
        .values(claimed_by_id=None, claimed_at=None).execution_options(synchronize_session=False)
    )
    return result.rowcount


@dataclass
class Queue:
    """A caller's tasks by section, each list ordered by due time."""

    held: Task | None = None
    due_now: list = field(default_factory=list)
    appointments: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    missed_appointments: list = field(default_factory=list)
    to_record: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)
    visits: list = field(default_factory=list)

    def counts(self) -> dict:
        """Count the tasks of each section."""
        return {name: len(getattr(self, name)) for name in
                ("due_now", "appointments", "overdue", "missed_appointments", "to_record", "upcoming", "visits")}


def start_of_local_day(now: datetime, rules: RetryRules) -> datetime:
    """Return midnight of today in the rules' time zone, as an aware datetime."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(rules.timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone)


def build_queue(session, actor: Actor, now: datetime, rules: RetryRules, limit: int = 200) -> Queue:
    """Sort the open tasks the actor may work into the sections of the caller's page."""
    mine = visible_condition(actor)
    if supervises(actor):
        mine = and_(mine, or_(Task.assigned_to_id == actor.id, Task.claimed_by_id == actor.id))
    today = start_of_local_day(now, rules)
    grace = timedelta(minutes=rules.appointment_grace_minutes)
    horizon = today + timedelta(days=2)
    tasks = session.scalars(
        select(Task).where(mine, Task.status != "closed",
                           or_(Task.status == "awaiting_record", Task.due_at < horizon, Task.channel != PHONE,
                               Task.plan_reason == "appointment"))
        .order_by(Task.due_at, Task.id).limit(limit * 4)
    ).all()
    queue = Queue(held=held_task(session, actor, now, rules))
    for task in tasks:
        if claim_is_live(task, now, rules) and task.claimed_by_id != actor.id:
            continue
        if task.status == "awaiting_record":
            section = queue.to_record
        elif task.channel != PHONE:
            section = queue.visits
        elif task.plan_reason == "appointment_missed":
            section = queue.missed_appointments if task.due_at <= now else queue.upcoming
        elif task.plan_reason == "appointment":
            section = queue.missed_appointments if task.due_at + grace < now else (
                queue.overdue if task.due_at < now - timedelta(minutes=5) else queue.appointments)
        elif task.due_at <= now:
            section = queue.overdue if task.due_at < today else queue.due_now
        else:
            section = queue.upcoming
        if len(section) < limit:
            section.append(task)
    return queue


def queue_summary(session, actor: Actor, now: datetime, rules: RetryRules) -> dict:
    """Count the actor's tasks: due now, appointments today, open in all and awaiting a record."""
    mine = visible_condition(actor)
    if supervises(actor):
        mine = and_(mine, Task.assigned_to_id == actor.id)
    row = session.execute(
        select(
            func.count(Task.id).filter(Task.status == "open", Task.due_at <= now),
            func.count(Task.id).filter(Task.status == "open", Task.plan_reason == "appointment"),
            func.count(Task.id).filter(Task.status == "open"),
            func.count(Task.id).filter(Task.status == "awaiting_record"),
            func.count(Task.id).filter(Task.status == "open", Task.assigned_to_id == actor.id),
        ).where(mine)
    ).one()
    return dict(zip(("due_now", "appointments", "open", "to_record", "assigned"), row, strict=True))
