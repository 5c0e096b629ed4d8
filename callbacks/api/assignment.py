"""Follow-up JSON API of the assignment table: the open tasks by filter and page, the one step that
gives the picked (or all matching) tasks to a caller or the county pool, and each caller's workload.
The same services, checks and refusals as the pages (callbacks/routes/assignment.py)."""

from flask import current_app, jsonify, request

from auth.permissions import require
from callbacks import assignment as assign_service
from callbacks import workload
from callbacks.api import bp
from callbacks.context import current_actor, local_zone
from callbacks.errors import FollowUpError
from callbacks.serialize import iso
from core.clock import now
from core.extensions import db
from core.inputs import MAX_ID, MAX_PAGE, int_arg
from core.jsonbody import Field, accepts

FILTER_KEYS = ("county", "status", "channel", "caller", "due", "attempts", "campaign")


@bp.get("/followup/tasks")
@require("assign_work")
def followup_tasks():
    """List the open tasks in your scope by county, status, channel, caller, due, attempts and campaign, paged.

    ?county= ?status=open or awaiting_record ?channel=phone or visit ?caller=<user id> or pool
    ?due=overdue, today, later or none ?attempts=0, 1, 2 or 3+ ?campaign=<id> ?page= ?page_size= (at most 500)."""
    f = assign_service.TaskFilter.from_mapping(request.args)
    result = assign_service.list_tasks(
        db.session, current_actor(), f, now(), local_zone(), int_arg("page", 1, 1, MAX_PAGE),
        min(int_arg("page_size", current_app.config["PAGE_SIZE"], 1), assign_service.MAX_PICKED))
    return jsonify(total=result.total, page=result.page, pages=result.pages, filter=f.args(), tasks=[
        row | {"due_at": iso(row["due_at"])} for row in result.rows])


@bp.post("/followup/tasks/assign")
@require("assign_work")
@accepts(to_caller=Field("scalar", nullable=True, max_length=20), task_ids=Field("scalars", nullable=True, max_length=20),
         filter=Field("object", nullable=True), expected=Field("integer", nullable=True, low=0, high=10**9))
def followup_assign_tasks(body):
    """Give the picked or all matching open tasks to a caller, or to their county pool; all or nothing.

    {"to_caller": id, or null / "pool"} with either {"task_ids": [ids]} or {"filter": {"county", "status", "channel",
    "caller", "due", "attempts", "campaign"}, "expected": the count you saw}. The same step twice changes nothing."""
    target = body.get("to_caller")
    if target in (None, "", "pool"):
        caller_id = None
    elif isinstance(target, bool) or not str(target).isdigit() or not 0 < int(target) <= MAX_ID:
        raise FollowUpError("bad_caller")
    else:
        caller_id = int(target)
    task_ids, given_filter = body.get("task_ids"), body.get("filter")
    if (task_ids is None) == (given_filter is None):
        raise FollowUpError("bad_selection", most=assign_service.MAX_PICKED)
    if task_ids is not None:
        if not all(isinstance(t, int | str) and not isinstance(t, bool) and str(t).isdigit() for t in task_ids):
            raise FollowUpError("not_found")
        picked = [int(t) for t in task_ids]
        if any(not 0 < t <= MAX_ID for t in picked):
            raise FollowUpError("not_found")
        result = assign_service.assign_tasks(current_actor(), caller_id, now(), local_zone(), task_ids=picked)
    else:
        f = assign_service.TaskFilter.from_mapping({k: given_filter.get(k) for k in FILTER_KEYS})
        result = assign_service.assign_tasks(current_actor(), caller_id, now(), local_zone(), f=f,
                                             expected=body.get("expected"))
    return jsonify(selected=result.selected, changed=result.changed, to_caller=caller_id)


@bp.get("/followup/workload")
@require("assign_work")
def followup_workload():
    """Count each caller's open, awaiting-record, due today, overdue and closed-this-week tasks, and the pool.

    The county pool is the row whose caller_id is null; ?campaign=<id> for one campaign."""
    from callbacks.tasks import eligible_callers

    actor = current_actor()
    rows = workload.caller_workload(db.session, actor, now(), local_zone(), int_arg("campaign", 0) or None,
                                    callers=eligible_callers(db.session, actor.county_code))
    return jsonify(callers=rows)
