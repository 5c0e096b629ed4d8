"""What Twilio's signed webhooks report about a call, stored on its CallRecord, one write transaction
each. The webhooks (callbacks.telephony.twilio_webhooks) check the signature and answer Twilio."""

from collections.abc import Mapping
from datetime import timedelta

from flask import abort

from core import auditlog
from core.extensions import db
from models import CallRecord, FollowUpTask, Person, utcnow

# What the person's leg ended as (DialCallStatus) suggests as a disposition; the caller confirms.
SUGGESTED = {"completed": "completed", "answered": "completed", "busy": "busy", "no-answer": "no_answer"}
CALLER_LEG_FINAL = {"completed", "busy", "no-answer", "failed", "canceled"}


def record_for(call_id: int, form: Mapping[str, str]) -> CallRecord:
    """Load the call a webhook is about; the request's CallSid (or ParentCallSid) must be its own.

    A signed callback can beat the API's answer to us; then the record adopts the SID it carries.
    """
    record = db.session.get(CallRecord, call_id) or abort(404)
    sids = {form.get("CallSid"), form.get("ParentCallSid")} - {None, ""}
    if not sids:
        abort(400)
    if record.call_sid is None and record.status == "requested" and form.get("CallSid"):
        record.call_sid = form["CallSid"]
    elif record.call_sid not in sids:
        abort(400)
    return record


def answered_call(call_id: int, form: Mapping[str, str]) -> tuple[CallRecord, Person]:
    """The caller answered their own phone: return the call and the person to dial."""
    with db.write_transaction():  # it may adopt the call's SID: a read, then a write
        record = record_for(call_id, form)
        task = db.session.get(FollowUpTask, record.task_id)
        person = db.session.get(Person, task.person_id)
    return record, person


def check_call(call_id: int, form: Mapping[str, str]) -> None:
    """Make sure the webhook is about this call (adopting its SID if it comes first)."""
    with db.write_transaction():
        record_for(call_id, form)


def record_dial_end(call_id: int, form: Mapping[str, str]) -> None:
    """The leg to the person ended: keep its status and length, suggest a disposition."""
    with db.write_transaction():
        record = record_for(call_id, form)
        status = form.get("DialCallStatus", "")
        record.person_status = status[:16] or None
        record.person_duration_seconds = _int(form.get("DialCallDuration"))
        record.suggested_disposition = SUGGESTED.get(status)
        auditlog.record("call.dial_ended", "call_record", record.id, status=status, via="twilio")


def record_caller_status(call_id: int, form: Mapping[str, str], status: str) -> None:
    """The caller's leg moved on (initiated, ringing, in-progress, completed, busy, …)."""
    with db.write_transaction():
        record = record_for(call_id, form)
        now = utcnow()
        if status == "in-progress" and record.answered_at is None:
            record.answered_at = now
        if status in CALLER_LEG_FINAL:
            record.ended_at = now
            record.duration_seconds = _int(form.get("CallDuration"))
            if record.answered_at is None and record.duration_seconds:
                record.answered_at = now - timedelta(seconds=record.duration_seconds)
        # Statuses only move forward; a late "ringing" never undoes "completed".
        if record.status not in CALLER_LEG_FINAL:
            record.status = status[:16]


def record_recording(call_id: int, form: Mapping[str, str]) -> None:
    """Keep where Twilio stored the recording (only roles that may hear it will see it)."""
    with db.write_transaction():
        record = record_for(call_id, form)
        record.recording_sid = form.get("RecordingSid")
        record.recording_url = form.get("RecordingUrl")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
