"""Twilio's webhooks: the TwiML that bridges a click-to-call, and the status callbacks.

Every request must carry a valid X-Twilio-Signature for the URL Twilio called. Behind a reverse
proxy `request.url` has the internal scheme and host, and Werkzeug decodes percent-escapes, so the
URL is rebuilt from PUBLIC_BASE_URL, the raw path and the raw query string. A request that fails
the check gets 403 and changes nothing.
"""

from datetime import timedelta
from functools import wraps
from urllib.parse import quote

from flask import Blueprint, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from callbacks.telephony.calls import public_base, webhook_url
from core import auditlog
from core.extensions import csrf, db
from models import CallRecord, utcnow

bp = Blueprint("telephony", __name__, url_prefix="/telephony/twilio")
csrf.exempt(bp)  # Twilio cannot send our CSRF token; the signature check stands in for it

# What the person's leg ended as (DialCallStatus) suggests as a disposition; the caller confirms.
SUGGESTED = {"completed": "completed", "answered": "completed", "busy": "busy", "no-answer": "no_answer"}
CALLER_LEG_FINAL = {"completed", "busy", "no-answer", "failed", "canceled"}


def public_url() -> str:
    """Rebuild the URL Twilio called, as Twilio saw it."""
    base = public_base()
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw and raw.startswith("/"):
        return base + raw
    query = request.query_string.decode("latin-1")
    return base + quote(request.script_root + request.path) + (f"?{query}" if query else "")


def signed_by_twilio(view):
    """Refuse a webhook whose Twilio signature is missing or does not match (403, no change)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not (token and signature and current_app.config.get("PUBLIC_BASE_URL")) or not RequestValidator(token).validate(public_url(), request.form, signature):
            current_app.logger.warning("refused a Twilio webhook with a bad signature: %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def record_for(call_id: int) -> CallRecord:
    """Load the call a webhook is about; the request's CallSid (or ParentCallSid) must be its own.

    A signed callback can beat the API's answer to us; then the record adopts the SID it carries.
    """
    record = db.session.get(CallRecord, call_id) or abort(404)
    sids = {request.form.get("CallSid"), request.form.get("ParentCallSid")} - {None, ""}
    if not sids:
        abort(400)
    if record.call_sid is None and record.status == "requested" and request.form.get("CallSid"):
        record.call_sid = request.form["CallSid"]
    elif record.call_sid not in sids:
        abort(400)
    return record


def twiml(response: VoiceResponse):
    return str(response), 200, {"Content-Type": "application/xml"}


@bp.post("/voice/<int:call_id>")
@signed_by_twilio
def voice(call_id):
    """The caller answered their own phone: tell them, then dial the person with our caller ID."""
    from models import FollowUpTask, Person

    with db.write_transaction():  # it may adopt the call's SID: a read, then a write
        record = record_for(call_id)
        task = db.session.get(FollowUpTask, record.task_id)
        person = db.session.get(Person, task.person_id)
    response = VoiceResponse()
    response.say("正在为您接通回访对象，请稍候。", language="cmn-CN")
    recording = bool(current_app.config.get("TWILIO_RECORD"))
    dial = response.dial(
        caller_id=current_app.config.get("TWILIO_CALLER_ID"), timeout=30,
        action=webhook_url("telephony.dial_ended", call_id=record.id), method="POST",
        **({"record": "record-from-answer-dual",
            "recording_status_callback": webhook_url("telephony.recording", call_id=record.id)} if recording else {}),
    )
    # With recording on, the person hears an announcement before the conversation starts.
    dial.number(person.phone, **({"url": webhook_url("telephony.announce", call_id=record.id)} if recording else {}))
    return twiml(response)


@bp.post("/announce/<int:call_id>")
@signed_by_twilio
def announce(call_id):
    """Played to the person when recording is on."""
    with db.write_transaction():
        record_for(call_id)
    response = VoiceResponse()
    response.say("您好，这里是就业服务中心失业登记核查回访，本次通话将被录音，仅用于核查质量。", language="cmn-CN")
    return twiml(response)


@bp.post("/dial/<int:call_id>")
@signed_by_twilio
def dial_ended(call_id):
    """The leg to the person ended: keep its status and length, suggest a disposition."""
    with db.write_transaction():
        record = record_for(call_id)
        status = request.form.get("DialCallStatus", "")
        record.person_status = status[:16] or None
        record.person_duration_seconds = _int(request.form.get("DialCallDuration"))
        record.suggested_disposition = SUGGESTED.get(status)
        auditlog.record("call.dial_ended", "call_record", record.id, status=status, via="twilio")
    response = VoiceResponse()
    response.hangup()
    return twiml(response)


@bp.post("/status/<int:call_id>")
@signed_by_twilio
def status(call_id):
    """The caller's leg moved on (initiated, ringing, in-progress, completed, busy, …)."""
    status = request.form.get("CallStatus", "")
    if not status:
        abort(400)
    with db.write_transaction():
        record = record_for(call_id)
        now = utcnow()
        if status == "in-progress" and record.answered_at is None:
            record.answered_at = now
        if status in CALLER_LEG_FINAL:
            record.ended_at = now
            record.duration_seconds = _int(request.form.get("CallDuration"))
            if record.answered_at is None and record.duration_seconds:
                record.answered_at = now - timedelta(seconds=record.duration_seconds)
        # Statuses only move forward; a late "ringing" never undoes "completed".
        if record.status not in CALLER_LEG_FINAL:
            record.status = status[:16]
    return "", 204


@bp.post("/recording/<int:call_id>")
@signed_by_twilio
def recording(call_id):
    """Keep where Twilio stored the recording (only roles that may hear it will see it)."""
    with db.write_transaction():
        record = record_for(call_id)
        record.recording_sid = request.form.get("RecordingSid")
        record.recording_url = request.form.get("RecordingUrl")
    return "", 204


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.post("/test/voice")
@signed_by_twilio
def test_voice():
    """What the admin hears on a test call."""
    response = VoiceResponse()
    response.say("这是随机抽查回访核查系统的测试电话，Twilio 点击拨号已设置成功。", language="cmn-CN")
    return twiml(response)


@bp.post("/test/status")
@signed_by_twilio
def test_status():
    """Status callbacks of a test call: nothing to keep."""
    return "", 204
