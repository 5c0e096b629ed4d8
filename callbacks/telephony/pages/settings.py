"""The admin's telephony page: which mode runs, whether Twilio is set up, and a test call.

Secrets are never shown: the account SID is cut to its ends and the auth token only reported as
set or not set.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.permissions import require
from callbacks.telephony.calls import TWILIO_SETTINGS, place_test_call, twilio_configured
from callbacks.telephony.pages import bp
from callbacks.telephony.twilio_client import is_mainland_china
from core.i18n import pick


def masked_sid(sid: str | None) -> str:
    """Show the first four and last four characters of an account SID."""
    return f"{sid[:4]}…{sid[-4:]}" if sid and len(sid) > 8 else ("" if not sid else "…")


@bp.route("/settings")
@require("settings")
def settings():
    """Show the telephony mode and its settings, without secrets."""
    config = current_app.config
    return render_template(
        "callbacks/telephony_settings.html",
        mode=config.get("TELEPHONY_PROVIDER", "manual"), configured=twilio_configured(),
        account=masked_sid(config.get("TWILIO_ACCOUNT_SID")), token_set=bool(config.get("TWILIO_AUTH_TOKEN")),
        caller_id=config.get("TWILIO_CALLER_ID"), public_base=config.get("PUBLIC_BASE_URL"),
        recording=bool(config.get("TWILIO_RECORD")), missing=[k for k in TWILIO_SETTINGS if not config.get(k)],
        own_phone=current_user.phone, own_phone_is_china=bool(current_user.phone and is_mainland_china(current_user.phone)),
    )


@bp.post("/settings/test-call")
@require("settings")
def test_call():
    """Ring the admin's own phone through Twilio with a short spoken message."""
    if not twilio_configured():
        flash(_("Twilio is not set up: %(missing)s", missing=", ".join(
            k for k in TWILIO_SETTINGS if not current_app.config.get(k)) or "TELEPHONY_PROVIDER"), "warning")
        return redirect(url_for("calls.settings"))
    if not current_user.phone:
        flash(_("Your own phone number is not set; ask the administrator to add it to your account."), "warning")
        return redirect(url_for("calls.settings"))
    result = place_test_call(current_user)
    if result.placed:
        flash(_("Twilio accepted the test call; your phone should ring now."), "success")
    else:
        flash(pick(result.message_zh, result.message_en), "danger")
    return redirect(url_for("calls.settings"))
