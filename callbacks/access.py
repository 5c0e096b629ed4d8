"""Who may see and work which follow-up task: the one check used by pages, API and exports.

Coordinators see every task of their county scope. A caller sees the tasks assigned to or claimed by
them and the unassigned pool of their county (every county when not scoped); never another
caller's task, never another county's.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, true

from auth.permissions import CAPABILITIES
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.rule_settings import RetryRules
from callbacks.rules import claim_cutoff
from core.extensions import db
from models import County
from models import FollowUpTask as Task


def supervises(actor: Actor) -> bool:
    """Tell whether the actor assigns and supervises follow-up work."""
    return "assign_work" in CAPABILITIES.get(actor.role, ())


def visible_condition(actor: Actor):
    """Return the WHERE condition of the tasks the actor may see."""
    scope = Task.county_code == actor.county_code if actor.county_code else true()
    if supervises(actor):
        return scope
    if "follow_up" not in CAPABILITIES.get(actor.role, ()):
        return Task.id.is_(None)
    return and_(scope, or_(Task.assigned_to_id == actor.id, Task.claimed_by_id == actor.id,
                           Task.assigned_to_id.is_(None)))


def is_visible(actor: Actor, task: Task) -> bool:
    """Tell whether the actor may see the task (the same rule as `visible_condition`)."""
    if actor.county_code and task.county_code != actor.county_code:
        return False
    if supervises(actor):
        return True
    if "follow_up" not in CAPABILITIES.get(actor.role, ()):
        return False
    return task.assigned_to_id in (None, actor.id) or task.claimed_by_id == actor.id


def visible_task(actor: Actor, task_id: int) -> Task:
    """Load a task the actor may see, else raise FollowUpError("not_found")."""
    task = db.session.get(Task, task_id)
    if task is None or not is_visible(actor, task):
        raise FollowUpError("not_found")
    return task


def counties_in_scope(county_code: str | None) -> Sequence[County]:
    """List the active counties a user scoped to `county_code` (None: every county) may pick."""
    query = select(County).where(County.active).order_by(County.code)
    if county_code:
        query = query.where(County.code == county_code)
    return db.session.scalars(query).all()


def claim_is_live(task: Task, now: datetime, rules: RetryRules) -> bool:
    """Tell whether someone holds an unexpired claim on the task."""
    return task.claimed_by_id is not None and task.claimed_at is not None and task.claimed_at >= claim_cutoff(
        now, rules)


def ensure_workable(actor: Actor, task: Task | None, now: datetime, rules: RetryRules) -> Task:
    """Return the task if the actor may write to it now, else raise why not."""
    if task is None or not is_visible(actor, task):
        raise FollowUpError("not_found")
    if claim_is_live(task, now, rules) and task.claimed_by_id != actor.id:
        raise FollowUpError("claimed_by_other")
    return task
