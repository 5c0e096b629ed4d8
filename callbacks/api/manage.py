"""Follow-up JSON API, the coordinators' and the page's other actions: tasks from a draw, assignment,
reassignment, visits, referrals and their review, the quality re-check, revealing a number, calling.

Each endpoint calls the same service function as its page, with the same permission and the same
refusals (FollowUpError answered as JSON by the blueprint, callbacks/api/__init__.py).
"""

from flask import jsonify

from auth.permissions import require
from callbacks import queue as queue_service
from callbacks import tasks as task_service
from callbacks.access import visible_task
from callbacks.api import bp
from callbacks.context import current_actor, retry_rules
from callbacks.errors import FollowUpError
from callbacks.serialize import task_json
from callbacks.telephony.calls import call_json, place_task_call
from callbacks.telephony.provider import provider
from core.clock import now
from core.errors import api_error
from core.jsonbody import Field, accepts

# A user, draw or task id as scripts send it: a number, its digits as text, "pool" or null.
REFERENCE = Field("scalar", nullable=True, max_length=20)


def _id_or_none(value, name: str) -> int | None:
    """Read an optional user or task id; refuse anything but a whole number."""
    if value in (None, "", "pool"):
        return None
    if isinstance(value, bool) or not str(value).isdigit():
        raise FollowUpError("bad_caller" if "caller" in name else "not_found")
    return int(value)


@bp.post("/draws/<int:draw_id>/tasks")
@require("assign_work")
@accepts(visit_first=Field("boolean"))
def followup_generate(draw_id, body):
    """Make one follow-up task per active unit of a draw (idempotent): {"visit_first": false}."""
    result = task_service.generate_tasks(draw_id, now(), retry_rules(), current_actor(),
                                         visit_first=body.get("visit_first", False))
    return jsonify(created=result.created, existing=result.existing, do_not_contact=result.do_not_contact,
                   visit_first=result.visit_first)


@bp.post("/followup/assign")
@require("assign_work")
@accepts(county=Field("text", required=True, max_length=12), callers=Field("scalars", required=True, max_length=20),
         draw_id=REFERENCE)
def followup_assign(body):
    """Share a county's unassigned open tasks among callers: {"county", "callers": [user ids], "draw_id"}."""
    data = body
    callers = data.get("callers")
    if not isinstance(callers, list) or not callers:
        raise FollowUpError("bad_caller")
    caller_ids = [_id_or_none(c, "caller") for c in callers]
    given = task_service.assign_balanced(current_actor(), str(data.get("county") or ""), [c for c in caller_ids if c],
                                         _id_or_none(data.get("draw_id"), "draw"))
    return jsonify(assigned={str(k): v for k, v in given.items()})


@bp.post("/followup/reassign")
@require("assign_work")
@accepts(to_caller=REFERENCE, from_caller=REFERENCE, county=Field("text", nullable=True, max_length=12),
         status=Field("text", nullable=True, max_length=20), channel=Field("text", nullable=True, max_length=10),
         task_ids=Field("scalars", nullable=True, max_length=20))
def followup_reassign(body):
    """Move open tasks to a caller (null: the county pool): {"to_caller", "county", "from_caller" (an id or
    "pool"), "status", "channel", "task_ids"}."""
    data = body
    source = data.get("from_caller")
    task_ids = data.get("task_ids")
    if task_ids is not None and (not isinstance(task_ids, list) or not all(str(t).isdigit() for t in task_ids)):
        return api_error(400, "task_ids_invalid", "task_ids: [task id, …]")
    moved = task_service.reassign(
        current_actor(), _id_or_none(data.get("to_caller"), "caller"), county_code=data.get("county") or None,
        from_pool=source == "pool", from_caller_id=_id_or_none(source, "caller"),
        status=data.get("status") or None, channel=data.get("channel") or None,
        task_ids=[int(t) for t in task_ids] if task_ids is not None else None)
    return jsonify(moved=moved)


@bp.post("/followup/tasks/<int:task_id>/send-to-visit")
@require("assign_work")
def followup_send_to_visit(task_id):
    """Make an open phone task a visit task."""
    visible_task(current_actor(), task_id)
    moved = task_service.send_to_visit(current_actor(), [task_id], now(), retry_rules())
    return jsonify(task_json(visible_task(current_actor(), task_id)) | {"moved": moved})


@bp.post("/followup/tasks/<int:task_id>/refer")
@require("follow_up")
@accepts(kind=Field("text", choices=("referral", "hand_back")), reason=Field("text", max_length=1000))
def followup_refer(task_id, body):
    """Refer a case to the coordinators, or hand it back to the pool: {"kind": "referral"|"hand_back", "reason"}."""
    data = body
    kind = "hand_back" if data.get("kind") == "hand_back" else "referral"
    task = task_service.request_review(current_actor(), task_id, kind, str(data.get("reason") or ""), now(), retry_rules())
    return jsonify(task_json(task) | {"review_kind": task.review_kind, "review_reason": task.review_reason})


@bp.post("/followup/tasks/<int:task_id>/review")
@require("assign_work")
@accepts(resolution=Field("text", max_length=1000), to_caller=REFERENCE, start_visit=Field("boolean"))
def followup_resolve(task_id, body):
    """Close a referral with a decision: {"resolution", "to_caller" (optional id), "start_visit": false}."""
    data = body
    task = task_service.resolve_review(current_actor(), task_id, str(data.get("resolution") or ""), now(),
                                       _id_or_none(data.get("to_caller"), "caller"),
                                       start_visit=bool(data.get("start_visit")), rules=retry_rules())
    return jsonify(task_json(task) | {"review_resolution": task.review_resolution})


@bp.post("/followup/tasks/<int:task_id>/qc")
@require("assign_work")
@accepts(result=Field("text", required=True, choices=("confirmed", "disputed")), note=Field("text", max_length=1000))
def followup_qc(task_id, body):
    """Record the quality re-check of a verified case drawn for it: {"result": "confirmed"|"disputed", "note"}."""
    data = body
    result = data["result"]
    task = task_service.record_qc(current_actor(), task_id, result, str(data.get("note") or ""))
    return jsonify(id=task.id, qc_result=task.qc_result, qc_note=task.qc_note)


@bp.post("/followup/tasks/<int:task_id>/reveal")
@require("follow_up")
@accepts(field=Field("text", choices=("phone", "id_number")))
def followup_reveal(task_id, body):
    """Return the full phone or ID number of a task's person once, writing the read to the audit log:
    {"field": "phone"|"id_number"}."""
    field = body.get("field", "phone")
    value = queue_service.reveal_number(current_actor(), task_id, field, now(), via="api")[1]
    revealed = {field: value}
    if field == "phone" and value:
        revealed["dial"] = provider().dial(value)
    return jsonify(revealed)


@bp.post("/followup/tasks/<int:task_id>/call")
@require("follow_up")
def followup_call(task_id):
    """Place a click-to-call (Twilio, or a Tencent CCC dual call: the caller's phone rings first); 409 when it is not set up."""
    record, placed = place_task_call(task_id)  # what the page's click-to-call does, with the same checks
    return jsonify(call_json(record)), (201 if placed else 200)
