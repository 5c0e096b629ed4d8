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

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import contains_eager

from callbacks.access import ensure_workable, supervises, visible_condition
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.rule_settings import RetryRules
from callbacks.rules import claim_cutoff
from config.dispositions import PHONE
from core.extensions import db
from models import FollowUpTask as Task
from models import Person, User

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


# The sections of the caller's queue, in the order the page shows them.
SECTIONS = ("due_now", "appointments", "to_record", "overdue", "missed_appointments", "visits", "upcoming")
PAGE_SIZE = 25
SORTS = ("due", "-due", "name", "attempts")
# An appointment is overdue five minutes after its time, missed once the grace period has passed.
_APPOINTMENT_LATE = timedelta(minutes=5)


def start_of_local_day(now: datetime, rules: RetryRules) -> datetime:
    """Return midnight of today in the rules' time zone, as an aware datetime."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(rules.timezone)
    return datetime.combine(now.astimezone(zone).date(), time(0), zone)


def _mine(actor: Actor):
    """Condition: the tasks of the actor's own queue (a coordinator's: those assigned to or claimed by them)."""
    mine = visible_condition(actor)
    if supervises(actor):
        mine = and_(mine, or_(Task.assigned_to_id == actor.id, Task.claimed_by_id == actor.id))
    return mine


def queue_condition(actor: Actor, now: datetime, rules: RetryRules):
    """Condition: the tasks in the actor's queue — not closed, and not held by another caller."""
    return and_(_mine(actor), Task.status != "closed", _claim_free(now, rules, actor))


def section_of(now: datetime, rules: RetryRules):
    """Return the SQL expression naming the queue section of a task (one rule for every count and list)."""
    today = start_of_local_day(now, rules)
    grace = timedelta(minutes=rules.appointment_grace_minutes)
    appointment, missed = Task.plan_reason == "appointment", Task.plan_reason == "appointment_missed"
    return case(
        (Task.status == "awaiting_record", "to_record"),
        (Task.channel != PHONE, "visits"),
        (and_(missed, Task.due_at <= now), "missed_appointments"),
        (missed, "upcoming"),
        (and_(appointment, Task.due_at < now - grace), "missed_appointments"),
        (and_(appointment, Task.due_at < now - _APPOINTMENT_LATE), "overdue"),
        (appointment, "appointments"),
        (Task.due_at < today, "overdue"),
        (Task.due_at <= now, "due_now"),
        else_="upcoming",
    )


def section_counts(session, actor: Actor, now: datetime, rules: RetryRules) -> dict[str, int]:
    """Count the actor's queue by section, with `open` (all but the records to fill in) and `total`.

    The home page and the queue page both show these numbers, so they always agree.
    """
    inner = select(section_of(now, rules).label("section")).where(queue_condition(actor, now, rules)).subquery()
    found = dict(session.execute(select(inner.c.section, func.count()).group_by(inner.c.section)).all())
    counts = {name: int(found.get(name, 0)) for name in SECTIONS}
    counts["total"] = sum(counts.values())
    counts["open"] = counts["total"] - counts["to_record"]
    return counts


def _ordering(sort: str):
    """Return the ORDER BY of a sort key (see SORTS); due time first by default."""
    if sort == "-due":
        return (Task.due_at.desc(), Task.id.desc())
    if sort == "name":
        return (Person.name, Task.id)
    if sort == "attempts":
        return ((Task.phone_attempts_used + Task.visit_attempts_used).desc(), Task.due_at, Task.id)
    return (Task.due_at, Task.id)


@dataclass
class SectionPage:
    """One page of a queue section, in the chosen order."""

    section: str
    tasks: list
    total: int
    page: int = 1
    page_size: int = PAGE_SIZE
    sort: str = "due"

    @property
    def pages(self) -> int:
        """Count the pages of the section (at least one)."""
        return max((self.total + self.page_size - 1) // self.page_size, 1)


def section_page(session, actor: Actor, now: datetime, rules: RetryRules, section: str, page: int = 1,
                 page_size: int = PAGE_SIZE, sort: str = "due", total: int | None = None) -> SectionPage:
    """Return one page of a section of the actor's queue (an unknown section or sort is the default one)."""
    section = section if section in SECTIONS else "due_now"
    sort = sort if sort in SORTS else "due"
    where = (queue_condition(actor, now, rules), section_of(now, rules) == section)
    if total is None:
        total = session.scalar(select(func.count(Task.id)).where(*where)) or 0
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(max(page, 1), pages)
    tasks = session.scalars(
        select(Task).join(Person, Person.id == Task.person_id).where(*where).options(contains_eager(Task.person))
        .order_by(*_ordering(sort)).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return SectionPage(section, list(tasks), total, page, page_size, sort)


@dataclass
class Queue:
    """The caller's queue: the held task, every section's count, and the first tasks of each section."""

    held: Task | None
    counts: dict
    sections: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> list:
        return self.sections[name]


def build_queue(session, actor: Actor, now: datetime, rules: RetryRules, first: int = 10) -> Queue:
    """Return the actor's queue: counts of every section and the first `first` tasks of each, due first."""
    counts = section_counts(session, actor, now, rules)
    sections = {name: section_page(session, actor, now, rules, name, page_size=first, total=counts[name]).tasks
                if counts[name] else [] for name in SECTIONS}
    return Queue(held_task(session, actor, now, rules), counts, sections)
