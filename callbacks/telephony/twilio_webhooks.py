"""Twilio's webhooks: the TwiML that bridges a click-to-call, and the status callbacks.

Every request must carry a valid X-Twilio-Signature for the URL Twilio called. Behind a reverse
proxy `request.url` has the internal scheme and host, and Werkzeug decodes percent-escapes, so the
URL is rebuilt from PUBLIC_BASE_URL, the raw path and the raw query string. A request that fails
the check gets 403 and changes nothing.
"""

from functools import wraps
from urllib.parse import quote

from flask import Blueprint, abort, current_app, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from callbacks.telephony import call_progress
from callbacks.telephony.calls import public_base, webhook_url
from core.extensions import csrf

bp = Blueprint("telephony", __name__, url_prefix="/telephony/twilio")
csrf.exempt(bp)  # Twilio cannot send our CSRF token; the signature check stands in for it


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


def twiml(response: VoiceResponse):
    return str(response), 200, {"Content-Type": "application/xml"}


def saying(text: str) -> VoiceResponse:
    """Return TwiML that first says the text in Mandarin."""
    response = VoiceResponse()
    response.say(text, language="cmn-CN")
    return response


@bp.post("/voice/<int:call_id>")
@signed_by_twilio
def voice(call_id):
    """The caller answered their own phone: tell them, then dial the person with our caller ID."""
    record, person = call_progress.answered_call(call_id, request.form)
    response = saying("正在为您接通回访对象，请稍候。")
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
    call_progress.check_call(call_id, request.form)
    return twiml(saying("您好，这里是就业服务中心失业登记核查回访，本次通话将被录音，仅用于核查质量。"))


@bp.post("/dial/<int:call_id>")
@signed_by_twilio
def dial_ended(call_id):
    """The leg to the person ended: keep its status and length, suggest a disposition."""
    call_progress.record_dial_end(call_id, request.form)
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
    call_progress.record_caller_status(call_id, request.form, status)
    return "", 204


@bp.post("/recording/<int:call_id>")
@signed_by_twilio
def recording(call_id):
    """Keep where Twilio stored the recording (only roles that may hear it will see it)."""
    call_progress.record_recording(call_id, request.form)
    return "", 204


@bp.post("/test/voice")
@signed_by_twilio
def test_voice():
    """What the admin hears on a test call."""
    return twiml(saying("这是随机抽查回访核查系统的测试电话，Twilio 点击拨号已设置成功。"))


@bp.post("/test/status")
@signed_by_twilio
def test_status():
    """Status callbacks of a test call: nothing to keep."""
    return "", 204
