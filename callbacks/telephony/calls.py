"""Click-to-call: the caller presses "call", the provider rings the caller's own phone and then the
person. With Twilio the call's progress lands on its CallRecord through the signed webhooks; with
Tencent CCC (dual call, 双呼) the scheduler reads the call records back (callbacks.telephony.ccc_records).

Every press is kept as a CallRecord, also when the call cannot be placed (a +86 number for Twilio, bad
credentials, the provider refusing or not answering): the caller gets the reason in Chinese and can dial
by hand, and nothing is lost. The pages, the API and the webhooks share what is here.
"""

from flask import abort, current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update

from auth.permissions import can
from callbacks.access import ensure_workable
from callbacks.context import Actor, retry_rules
from callbacks.errors import FollowUpError
from callbacks.telephony import ccc_client
from callbacks.telephony.twilio_client import PlaceResult, place_call
from core import auditlog
from core.clock import now
from core.extensions import db
from core.i18n import pick
from models import CallRecord, FollowUpTask, Person

TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_CALLER_ID", "PUBLIC_BASE_URL")


def twilio_configured() -> bool:
    """Tell whether the Twilio provider is chosen and has its credentials."""
    config = current_app.config
    return config.get("TELEPHONY_PROVIDER") == "twilio" and all(config.get(k) for k in TWILIO_SETTINGS)


def ccc_configured() -> bool:
    """Tell whether the Tencent CCC provider is chosen and has its settings."""
    return ccc_client.configured(current_app.config)


def click_to_call_configured() -> bool:
    """Tell whether a click-to-call provider (Twilio or Tencent CCC) is set up."""
    return twilio_configured() or ccc_configured()


def public_base() -> str:
    """Return PUBLIC_BASE_URL; a URL for Twilio is never built from the request's Host header."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base:
        raise RuntimeError("PUBLIC_BASE_URL is not set; config.settings refuses Twilio without it")
    return base.rstrip("/")


def webhook_url(endpoint: str, **values) -> str:
    """Return the public URL of one of Twilio's webhooks (callbacks.telephony.twilio_webhooks)."""
    return public_base() + url_for(endpoint, **values)


def call_json(record: CallRecord) -> dict:
    """Describe a call for the caller's page (no numbers, no secrets)."""
    return {
        "id": record.id, "provider": record.provider, "placed": record.placed, "status": record.status,
        "person_status": record.person_status, "end_status": record.end_status,
        "rang_at": _iso(record.rang_at), "answered_at": _iso(record.answered_at), "ended_at": _iso(record.ended_at),
        "suggested_disposition": record.suggested_disposition, "duration_seconds": record.duration_seconds,
        "person_duration_seconds": record.person_duration_seconds, "error_code": record.error_code,
        "message": _message(record),
        # Recordings are personal data: only roles that may hear them see where they are.
        "recording_url": record.recording_url if can(current_user, "hear_recordings") else None,
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _message(record: CallRecord) -> str | None:
    if not record.error_message:
        return None
    zh, _sep, en = record.error_message.partition("\n")
    return pick(zh, en)


def place_task_call(task_id: int) -> tuple[CallRecord, bool]:
    """Place a click-to-call for a task the current user may work; return its record and whether
    the provider accepted it. Refuses with 404 (a task they may not work) or 409 (not set up, no numbers)."""
    use_ccc = ccc_configured()
    if not (use_ccc or twilio_configured()):
        abort(409, _("Click-to-call is not set up here; dial the number yourself."))
    actor = Actor.of(current_user)
    try:
        task = ensure_workable(actor, db.session.get(FollowUpTask, task_id), now(), retry_rules())
    except FollowUpError:
        abort(404)
    person = db.session.get(Person, task.person_id)
    if not person.phone:
        abort(409, _("No phone number is on record for this person; plan a visit instead."))
    if use_ccc and not current_user.ccc_user_id:
        abort(409, _("Your contact-centre agent account is not set; ask the administrator to set it on the telephony page."))
    if not use_ccc and not current_user.phone:
        abort(409, _("Your own phone number is not set; ask the administrator to add it to your account."))
    caller_phone, agent, person_phone = current_user.phone, current_user.ccc_user_id, person.phone
    with db.write_transaction():  # the press is kept before the provider is asked, whatever it answers
        record = CallRecord(task_id=task_id, caller_id=actor.id, provider="tencent_ccc" if use_ccc else "twilio")
        db.session.add(record)
    if use_ccc:
        result = _from_dial(ccc_client.place_dual_call(current_app.config, agent, person_phone, uui=f"call:{record.id}"))
    else:
        result = place_call(current_app.config, caller_phone, person_phone,
                            webhook_url("telephony.voice", call_id=record.id),
                            webhook_url("telephony.status", call_id=record.id))
    # Twilio's signed webhooks may already have moved this call on while we waited for its answer:
    # write only what they have not, so that a late answer never overwrites a newer status.
    with db.write_transaction():
        _store_answer(CallRecord.id == record.id, result)
        auditlog.record("call.place", "call_record", record.id, task_id=task_id, placed=result.placed,
                        error_code=result.error_code)
    db.session.refresh(record)
    return record, result.placed


def _from_dial(result: ccc_client.DialResult) -> PlaceResult:
    """Read a CCC dial answer as a placed call: its SessionId is the call's id at the provider."""
    return PlaceResult(result.placed, call_sid=result.session_id, status="queued" if result.placed else None,
                       error_code=result.error_code, message_zh=result.message_zh, message_en=result.message_en)


def _store_answer(this, result: PlaceResult) -> None:
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


def place_test_call(user) -> PlaceResult:
    """Ring the user's own phone (Twilio: with a short spoken message; CCC: a dual call from their agent
    mobile to the phone on their account); the try is audited."""
    user_id, phone = user.id, user.phone
    if ccc_configured():
        result = _from_dial(ccc_client.place_dual_call(current_app.config, user.ccc_user_id or "", phone,
                                                       uui=f"test:{user_id}"))
    else:
        result = place_call(current_app.config, phone, phone,
                            webhook_url("telephony.test_voice"), webhook_url("telephony.test_status"))
    with db.write_transaction():
        auditlog.record("call.test", "user", user_id, placed=result.placed, error_code=result.error_code)
    return result


def link_call_to_attempt(call_id: str | None, task_id: int, attempt_id: int, caller_id: int) -> None:
    """Tie the caller's click-to-call to the attempt they then recorded (their own call, this task)."""
    if not (call_id and call_id.isdigit()):
        return
    with db.write_transaction():
        db.session.execute(update(CallRecord).where(
            CallRecord.id == int(call_id), CallRecord.task_id == task_id, CallRecord.caller_id == caller_id,
            CallRecord.attempt_id.is_(None),
        ).values(attempt_id=attempt_id))
