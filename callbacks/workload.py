"""What the coordinators oversee: each caller's workload, and each county's progress in one campaign."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select

from callbacks.access import visible_condition
from callbacks.assignment import day_bounds, week_start
from callbacks.context import Actor
from models import Campaign, User
from models import FollowUpTask as Task


def caller_workload(session, actor: Actor, now: datetime, zone: ZoneInfo, campaign_id: int | None = None,
                    callers: list[User] | None = None) -> list[dict]:
    """Count each caller's tasks in the actor's scope: open, awaiting a record, due today, overdue (due
    before today and still open) and closed this week (Monday 00:00 local on); the county pool as the
    row with no caller. Callers given in `callers` are listed even with no task."""
    start, end = day_bounds(now, zone)
    monday = week_start(now, zone)
    conditions = [visible_condition(actor), or_(Task.status != "closed", Task.closed_at >= monday)]
    if campaign_id:
        conditions.append(Task.campaign_id == campaign_id)
    is_open = Task.status == "open"
    counted = session.execute(
        select(Task.assigned_to_id,
               func.count(Task.id).filter(is_open),
               func.count(Task.id).filter(Task.status == "awaiting_record"),
               func.count(Task.id).filter(is_open, Task.due_at >= start, Task.due_at < end),
               func.count(Task.id).filter(is_open, Task.due_at < start),
               func.count(Task.id).filter(Task.status == "closed"))
        .where(and_(*conditions)).group_by(Task.assigned_to_id)).all()
    names = ("open", "awaiting_record", "due_today", "overdue", "closed_this_week")
    by_caller = {row[0]: dict(zip(names, row[1:], strict=True)) for row in counted}
    people = {u.id: u for u in callers or []}
    missing = [uid for uid in by_caller if uid is not None and uid not in people]
    if missing:
        people.update({u.id: u for u in session.scalars(select(User).where(User.id.in_(missing)))})
    zero = dict.fromkeys(names, 0)
    rows = [{"caller_id": uid, "caller": user.display_name or user.username, "county_code": user.county_code,
             "active": user.active, **by_caller.get(uid, zero)}
            for uid, user in sorted(people.items(), key=lambda item: item[1].username)]
    rows.append({"caller_id": None, "caller": None, "county_code": None, "active": True,
                 **by_caller.get(None, zero)})
    return rows


def campaigns_with_tasks(session, actor: Actor) -> list[Campaign]:
    """List the campaigns that have tasks the actor may see, newest first."""
    ids = select(Task.campaign_id).where(visible_condition(actor)).distinct()
    return list(session.scalars(select(Campaign).where(Campaign.id.in_(ids)).order_by(Campaign.id.desc())))


def county_progress(session, actor: Actor, campaign_id: int) -> dict[str, dict]:
    """Count one campaign's tasks per county in the actor's scope: by status, unassigned, and per caller."""
    counted = session.execute(
        select(Task.county_code, Task.status, Task.assigned_to_id, func.count(Task.id))
        .where(visible_condition(actor), Task.campaign_id == campaign_id)
        .group_by(Task.county_code, Task.status, Task.assigned_to_id)).all()
    progress: dict[str, dict] = {}
    for county, status, assigned, count in counted:
        row = progress.setdefault(county, {"open": 0, "awaiting_record": 0, "closed": 0, "pool": 0, "callers": {}})
        row[status] += count
        if status != "closed":
            if assigned is None:
                row["pool"] += count
            else:
                row["callers"][assigned] = row["callers"].get(assigned, 0) + count
    return progress
