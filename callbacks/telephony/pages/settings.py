"""The admin's telephony page: which mode runs, whether Twilio or Tencent Cloud (contact centre and
SMS) is set up, each caller's contact-centre agent account, and a test call.

Secrets are never shown: the account SID and SecretId are cut to their ends, the auth token and the
secret key only reported as set or not set.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.permissions import require
from callbacks.telephony import ccc_client, sms_client
from callbacks.telephony.agents import AgentError, agents, set_agent
from callbacks.telephony.calls import TWILIO_SETTINGS, ccc_configured, place_test_call, twilio_configured
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
    mode = config.get("TELEPHONY_PROVIDER", "manual")
    return render_template(
        "callbacks/telephony_settings.html",
        mode=mode, configured=twilio_configured(),
        account=masked_sid(config.get("TWILIO_ACCOUNT_SID")), token_set=bool(config.get("TWILIO_AUTH_TOKEN")),
        caller_id=config.get("TWILIO_CALLER_ID"), public_base=config.get("PUBLIC_BASE_URL"),
        recording=bool(config.get("TWILIO_RECORD")), missing=[k for k in TWILIO_SETTINGS if not config.get(k)],
        own_phone=current_user.phone, own_phone_is_china=bool(current_user.phone and is_mainland_china(current_user.phone)),
        tencent={
            "ccc_configured": ccc_configured(), "sms_configured": sms_client.configured(config),
            "secret_id": masked_sid(config.get("TENCENT_SECRET_ID")), "key_set": bool(config.get("TENCENT_SECRET_KEY")),
            "region": config.get("TENCENT_REGION"), "app_id": config.get("CCC_SDK_APP_ID"),
            "callers": ccc_client.callers(config), "sms_app_id": config.get("SMS_SDK_APP_ID"),
            "sign": config.get("SMS_SIGN_NAME"), "template_id": config.get("SMS_TEMPLATE_ID"),
            "auto_hours": config.get("SMS_AUTO_HOURS_BEFORE") or 0,
            "missing": [k for k in ccc_client.CCC_SETTINGS if not config.get(k)] if mode == "tencent_ccc" else [],
        },
        agents=agents(), own_agent=current_user.ccc_user_id,
    )


@bp.post("/settings/agents/<int:user_id>")
@require("settings")
def agent(user_id):
    """Set or clear one caller's contact-centre agent account."""
    try:
        user = set_agent(user_id, request.form.get("ccc_user_id", ""))
    except AgentError as error:
        flash(pick(error.zh, error.en), "danger")
    else:
        flash(_("Agent account of %(user)s saved.", user=user.display_name or user.username), "success")
    return redirect(url_for("calls.settings") + "#agents")


@bp.post("/settings/test-call")
@require("settings")
def test_call():
    """Ring the admin's own phone through the configured click-to-call provider."""
    if ccc_configured():
        if not (current_user.ccc_user_id and current_user.phone):
            flash(_("Set your own agent account and your phone number first; the test call rings your agent mobile, then your phone."), "warning")
            return redirect(url_for("calls.settings"))
    elif not twilio_configured():
        flash(_("Twilio is not set up: %(missing)s", missing=", ".join(
            k for k in TWILIO_SETTINGS if not current_app.config.get(k)) or "TELEPHONY_PROVIDER"), "warning")
        return redirect(url_for("calls.settings"))
    if not current_user.phone:
        flash(_("Your own phone number is not set; ask the administrator to add it to your account."), "warning")
        return redirect(url_for("calls.settings"))
    result = place_test_call(current_user)
    if result.placed and ccc_configured():
        flash(_("The contact centre accepted the test call: your agent mobile rings first, then your phone."), "success")
    elif result.placed:
        flash(_("Twilio accepted the test call; your phone should ring now."), "success")
    else:
        flash(pick(result.message_zh, result.message_en), "danger")
    return redirect(url_for("calls.settings"))
