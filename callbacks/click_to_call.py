"""Click-to-call: the caller presses "call", Twilio rings the caller's own phone and bridges to the
person; the call's progress lands on its CallRecord through the signed webhooks.

Every press is kept as a CallRecord, also when the call cannot be placed (a +86 number, bad
credentials, Twilio refusing or not answering): the caller gets the reason in Chinese and can dial
by hand, and nothing is lost.
"""

from flask import Blueprint, abort, current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update

from auth.permissions import can, require
from callbacks.access import ensure_workable, is_visible
from callbacks.context import Actor, retry_rules
from callbacks.errors import FollowUpError
from callbacks.twilio_client import place_call
from callbacks.twilio_webhooks import webhook_url
from core import auditlog
from core.clock import now
from core.extensions import db
from core.i18n import is_chinese
from models import CallRecord, FollowUpTask, Person

# Not the webhooks' blueprint: these are the caller's own actions and keep their CSRF check.
bp = Blueprint("calls", __name__, url_prefix="/calls")

TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_CALLER_ID", "PUBLIC_BASE_URL")


def twilio_configured() -> bool:
    """Tell whether the Twilio provider is chosen and has its credentials."""
    config = current_app.config
    return config.get("TELEPHONY_PROVIDER") == "twilio" and all(config.get(k) for k in TWILIO_SETTINGS)


def call_json(record: CallRecord) -> dict:
    """Describe a call for the caller's page (no numbers, no secrets)."""
    return {
        "id": record.id, "placed": record.placed, "status": record.status, "person_status": record.person_status,
        "suggested_disposition": record.suggested_disposition, "duration_seconds": record.duration_seconds,
        "person_duration_seconds": record.person_duration_seconds, "error_code": record.error_code,
        "message": _message(record),
        # Recordings are personal data: only roles that may hear them see where they are.
        "recording_url": record.recording_url if can(current_user, "hear_recordings") else None,
    }


def _message(record: CallRecord) -> str | None:
    if not record.error_message:
        return None
    zh, _sep, en = record.error_message.partition("\n")
    return zh if is_chinese() else (en or zh)


@bp.post("/tasks/<int:task_id>/call")
@require("follow_up")
def call_task(task_id):
    """Place a click-to-call for a task the caller may work."""
    if not twilio_configured():
        abort(409, _("Click-to-call is not set up here; dial the number yourself."))
    actor = Actor.of(current_user)
    try:
        task = ensure_workable(actor, db.session.get(FollowUpTask, task_id), now(), retry_rules())
    except FollowUpError:
        abort(404)
    person = db.session.get(Person, task.person_id)
    if not person.phone:
        abort(409, _("No phone number is on record for this person; plan a visit instead."))
    if not current_user.phone:
        abort(409, _("Your own phone number is not set; ask the administrator to add it to your account."))
    record = CallRecord(task_id=task.id, caller_id=current_user.id, provider="twilio")
    db.session.add(record)
    db.session.commit()  # the press is kept before Twilio is asked, whatever Twilio answers
    result = place_call(current_app.config, current_user.phone, person.phone,
                        webhook_url("telephony.voice", call_id=record.id),
                        webhook_url("telephony.status", call_id=record.id))
    # Twilio's signed webhooks may already have moved this call on while we waited for its answer:
    # write only what they have not, so that a late answer never overwrites a newer status.
    this = CallRecord.id == record.id
    with db.write_transaction():
        _store_answer(this, result)
        auditlog.record("call.place", "call_record", record.id, task_id=task.id, placed=result.placed,
                        error_code=result.error_code)
    db.session.refresh(record)
    return jsonify(call_json(record)), (201 if result.placed else 200)


def _store_answer(this, result) -> None:
    """Write what Twilio answered, without overwriting what its webhooks already reported."""
    if result.placed:
        db.session.execute(update(CallRecord).where(this).values(placed=True))
        db.session.execute(update(CallRecord).where(this, CallRecord.call_sid.is_(None)).values(call_sid=result.call_sid))
        db.session.execute(update(CallRecord).where(this, CallRecord.status == "requested")
                           .values(status=result.status or "queued"))
    else:
        db.session.execute(update(CallRecord).where(this).values(
            status="not_placed", error_code=result.error_code,
            error_message=f"{result.message_zh}\n{result.message_en}"))


@bp.get("/calls/<int:call_id>")
@require("follow_up")
def call_status(call_id):
    """Report a call's progress to the caller who placed it (or a supervisor)."""
    record = db.session.get(CallRecord, call_id) or abort(404)
    task = db.session.get(FollowUpTask, record.task_id)
    if record.caller_id != current_user.id and not is_visible(Actor.of(current_user), task):
        abort(404)
    return jsonify(call_json(record))


def link_call_to_attempt(call_id: str | None, task_id: int, attempt_id: int, caller_id: int) -> None:
    """Tie the caller's click-to-call to the attempt they then recorded (their own call, this task)."""
    if not (call_id and call_id.isdigit()):
        return
    with db.write_transaction():
        db.session.execute(update(CallRecord).where(
            CallRecord.id == int(call_id), CallRecord.task_id == task_id, CallRecord.caller_id == caller_id,
            CallRecord.attempt_id.is_(None),
        ).values(attempt_id=attempt_id))


def init_templates(app) -> None:
    """Let the task page ask whether click-to-call is on."""
    app.jinja_env.globals["click_to_call_enabled"] = twilio_configured
