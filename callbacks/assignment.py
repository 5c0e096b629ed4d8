"""Assignment as a table: the open follow-up tasks a coordinator may see, filtered and paged, and the one
step that gives many of them (picked, or all matching a filter) to a caller or back to the county pool.

The rule of who may get what, checked here and nowhere else:
- a task is only ever selected inside the coordinator's county scope (another county's task is "not found");
- a caller scoped to a county only gets that county's tasks; a caller with no county gets any county's;
- the whole step is refused when one task does not fit, so a selection is never half assigned.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select, update

from callbacks.access import supervises, visible_condition
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from core import auditlog
from core.extensions import db
from models import Campaign, User
from models import FollowUpTask as Task
from models.county import county_name

OPEN_STATUSES = ("open", "awaiting_record")  # the tasks that can still be worked, so assigned
DUE_CHOICES = ("overdue", "today", "later", "none")
ATTEMPT_CHOICES = ("0", "1", "2", "3+")
MAX_PICKED = 500  # task ids in one "selected" step: a page at most; "all matching" takes the filter instead


@dataclass(frozen=True)
class TaskFilter:
    """The filter of the table, as the page's query string and the API's body give it."""

    county: str | None = None
    status: str | None = None
    channel: str | None = None
    caller: str | None = None  # "pool", or a user id as text
    due: str | None = None
    attempts: str | None = None
    campaign: int | None = None

    @classmethod
    def from_mapping(cls, values) -> "TaskFilter":
        """Read a filter from request args or a JSON body; values that are no choice filter nothing."""

        def text(name: str) -> str | None:
            value = values.get(name)
            return value.strip() or None if isinstance(value, str) and len(value) <= 20 else None

        caller = text("caller")
        campaign = values.get("campaign")
        campaign = str(campaign) if isinstance(campaign, int) and not isinstance(campaign, bool) else campaign
        return cls(
            county=text("county"),
            status=text("status") if text("status") in OPEN_STATUSES else None,
            channel=text("channel") if text("channel") in ("phone", "visit") else None,
            caller=caller if caller == "pool" or (caller or "").isdigit() and len(caller or "") < 10 else None,
            due=text("due") if text("due") in DUE_CHOICES else None,
            attempts=text("attempts") if text("attempts") in ATTEMPT_CHOICES else None,
            campaign=int(campaign) if isinstance(campaign, str) and campaign.isdigit() and len(campaign) < 10
            else None,
        )

    def args(self) -> dict:
        """Return the filter's set values as text, for links and hidden fields."""
        return {name: str(value) for name, value in self.__dict__.items() if value is not None}


def day_bounds(now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the start of today and of tomorrow (local calendar) as UTC times."""
    today = _aware(now).astimezone(zone).date()
    start = datetime.combine(today, time(0), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def week_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Return Monday 00:00 of this local week as a UTC time."""
    today = _aware(now).astimezone(zone).date()
    return datetime.combine(today - timedelta(days=today.weekday()), time(0), zone).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    """Read a naive time as UTC (SQLite drops the offset)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def filter_condition(actor: Actor, f: TaskFilter, now: datetime, zone: ZoneInfo):
    """Return the WHERE condition of the open tasks in the actor's scope that match the filter."""
    conditions = [visible_condition(actor), Task.status.in_(OPEN_STATUSES)]
    if f.county:
        conditions.append(Task.county_code == f.county)
    if f.status:
        conditions.append(Task.status == f.status)
    if f.channel:
        conditions.append(Task.channel == f.channel)
    if f.caller == "pool":
        conditions.append(Task.assigned_to_id.is_(None))
    elif f.caller:
        conditions.append(Task.assigned_to_id == int(f.caller))
    if f.campaign:
        conditions.append(Task.campaign_id == f.campaign)
    if f.due:
        start, end = day_bounds(now, zone)
        conditions.append({
            "overdue": and_(Task.status == "open", Task.due_at < start),
            "today": and_(Task.status == "open", Task.due_at >= start, Task.due_at < end),
            "later": and_(Task.status == "open", Task.due_at >= end),
            "none": Task.due_at.is_(None),
        }[f.due])
    if f.attempts:
        used = Task.phone_attempts_used + Task.visit_attempts_used
        conditions.append(used >= 3 if f.attempts == "3+" else used == int(f.attempts))
    return and_(*conditions)


@dataclass
class TaskPage:
    rows: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max((self.total + self.page_size - 1) // self.page_size, 1)


def list_tasks(session, actor: Actor, f: TaskFilter, now: datetime, zone: ZoneInfo, page: int = 1,
               page_size: int = 50) -> TaskPage:
    """Return one page of the matching open tasks (in generation order: county, stratum, random order).

    Paged by an indexed offset: the offset walks only the ids of the matching tasks, then the page's
    rows are read by their ids, so a late page of a province's tasks reads 50 rows, not all before it.
    """
    condition = filter_condition(actor, f, now, zone)
    total = session.scalar(select(func.count(Task.id)).where(condition)) or 0
    ids = list(session.scalars(select(Task.id).where(condition).order_by(Task.id)
                               .offset((page - 1) * page_size).limit(page_size)))
    rows = session.execute(
        select(Task, Campaign.name, User.display_name, User.username)
        .join(Campaign, Campaign.id == Task.campaign_id).outerjoin(User, User.id == Task.assigned_to_id)
        .where(Task.id.in_(ids)).order_by(Task.id)).all() if ids else []
    return TaskPage([{
        "id": task.id, "county_code": task.county_code, "campaign": campaign, "campaign_id": task.campaign_id,
        "person_id": task.person_id, "status": task.status, "channel": task.channel, "due_at": task.due_at,
        "plan_reason": task.plan_reason, "attempts": task.phone_attempts_used + task.visit_attempts_used,
        "caller_id": task.assigned_to_id, "caller": (display or username) if task.assigned_to_id else None,
        "claimed": task.claimed_by_id is not None,
    } for task, campaign, display, username in rows], total, page, page_size)


@dataclass
class AssignResult:
    selected: int  # tasks the step covered
    changed: int  # of them, the ones that were not with that caller (or the pool) already


def assign_tasks(actor: Actor, to_caller_id: int | None, now: datetime, zone: ZoneInfo, *,
                 task_ids: list[int] | None = None, f: TaskFilter | None = None,
                 expected: int | None = None) -> AssignResult:
    """Give the picked tasks, or all tasks matching a filter, to a caller (None: their county pool).

    Picked ids must all be open tasks in the actor's scope. For "all matching", `expected` is the count
    the coordinator saw: if the filter matches a different number now, nothing changes. Running the same
    step twice changes nothing the second time.
    """
    if not supervises(actor):
        raise FollowUpError("not_permitted")
    if (task_ids is None) == (f is None):
        raise ValueError("give task_ids or a filter, not both")
    with db.write_transaction() as session:
        if task_ids is not None:
            picked = set(task_ids)
            if not picked or len(picked) > MAX_PICKED:
                raise FollowUpError("bad_selection", most=MAX_PICKED)
            condition = and_(Task.id.in_(picked), visible_condition(actor))
            found = dict(session.execute(select(Task.id, Task.status).where(condition)).all())
            if len(found) != len(picked):
                raise FollowUpError("not_found")
            closed = sorted(task_id for task_id, status in found.items() if status not in OPEN_STATUSES)
            if closed:
                raise FollowUpError("tasks_closed", ids="、".join(str(i) for i in closed[:10]))
        else:
            condition = filter_condition(actor, f or TaskFilter(), now, zone)
        selected = session.scalar(select(func.count(Task.id)).where(condition)) or 0
        if expected is not None and selected != expected:
            raise FollowUpError("selection_changed", expected=expected, found=selected)
        if selected == 0:
            raise FollowUpError("bad_selection", most=MAX_PICKED)
        if to_caller_id is not None:
            counties = set(session.scalars(select(Task.county_code).where(condition).distinct()))
            _check_caller_fits(session, to_caller_id, counties)
        changed = session.execute(
            update(Task).where(condition, Task.assigned_to_id.is_distinct_from(to_caller_id))
            .values(assigned_to_id=to_caller_id, updated_at=now,
                    claimed_at=case((Task.claimed_by_id == to_caller_id, Task.claimed_at), else_=None),
                    claimed_by_id=case((Task.claimed_by_id == to_caller_id, Task.claimed_by_id), else_=None))
            .execution_options(synchronize_session=False)).rowcount
        if changed:
            auditlog.record("followup.assign_tasks", "followup_task", "", user=actor, to_caller_id=to_caller_id,
                            selected=selected, changed=changed,
                            task_ids=sorted(task_ids) if task_ids is not None else None,
                            filter=f.args() if f is not None else None)
        return AssignResult(selected, changed)


def _check_caller_fits(session, caller_id: int, counties: set[str]) -> None:
    """Refuse a target that is no active caller, or a county caller given another county's task."""
    user = session.get(User, caller_id)
    if user is None or not user.active or user.role != "caller":
        raise FollowUpError("bad_caller")
    foreign = sorted(code for code in counties if user.county_code not in (None, code))
    if foreign:
        raise FollowUpError("caller_wrong_county", caller=user.display_name or user.username,
                            counties="、".join(county_name(code) for code in foreign))
