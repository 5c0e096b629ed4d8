"""The caller's click-to-call actions (JSON for the task page's script): place a call, follow it.
The work is in callbacks.telephony.calls."""

from flask import abort, jsonify
from flask_login import current_user

from auth.permissions import require
from callbacks.access import is_visible
from callbacks.context import Actor
from callbacks.telephony.calls import call_json, place_task_call
from callbacks.telephony.pages import bp
from core.extensions import db
from models import CallRecord, FollowUpTask


@bp.post("/tasks/<int:task_id>/call")
@require("follow_up")
def call_task(task_id):
    """Place a click-to-call for a task the caller may work."""
    record, placed = place_task_call(task_id)
    return jsonify(call_json(record)), (201 if placed else 200)


@bp.get("/calls/<int:call_id>")
@require("follow_up")
def call_status(call_id):
    """Report a call's progress to the caller who placed it (or a supervisor)."""
    record = db.session.get(CallRecord, call_id) or abort(404)
    task = db.session.get(FollowUpTask, record.task_id)
    if record.caller_id != current_user.id and not is_visible(Actor.of(current_user), task):
        abort(404)
    return jsonify(call_json(record))

