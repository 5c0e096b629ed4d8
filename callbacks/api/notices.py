"""SMS advance notices and contact-centre agent accounts in the JSON API: what the notice page and the
telephony settings page do, with the same services, permissions and refusals."""

from flask import abort, current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from auth.permissions import require
from callbacks.api import bp
from callbacks.telephony import notices
from callbacks.telephony.agents import AgentError, set_agent
from callbacks.telephony.notice_access import chosen
from callbacks.telephony.notice_figures import contact_by_notice, notice_counts
from core.clock import now
from core.errors import api_error
from core.extensions import db
from core.i18n import pick
from core.jsonbody import Field, accepts
from models import Campaign


@bp.get("/draws/<int:draw_id>/sms-notices")
@require("assign_work")
def sms_notices(draw_id):
    """The notice's text, how many persons are still to notify, the notices per county and status, and
    the contact rate with and without a delivered notice."""
    draw, county = chosen(draw_id, None)
    campaign = db.session.get(Campaign, draw.campaign_id)
    splits = contact_by_notice(campaign.id, county)
    return jsonify(
        draw_id=draw.id, campaign_id=campaign.id, county=county,
        preview=notices.preview(current_app.config, campaign),
        pending=notices.pending_counts(campaign.id, draw.id, county)[0],
        counts=notice_counts(campaign.id, county),
        contact=[{"county": s.county, "with_notice": {"attempted": s.with_attempted, "contacted": s.with_contacted},
                  "without_notice": {"attempted": s.without_attempted, "contacted": s.without_contacted}}
                 for s in splits],
    )


@bp.post("/draws/<int:draw_id>/sms-notices")
@require("assign_work")
@accepts(county=Field("text", max_length=6), confirm=Field("boolean", required=True))
def sms_notices_send(draw_id, body):
    """Send the notice to the draw's persons not yet notified (every county in scope, or one)."""
    draw, county = chosen(draw_id, body.get("county") or None)
    if draw is None:
        abort(404)
    if body["confirm"] is not True:
        return api_error(400, "not_confirmed", _("Tick the box to confirm: a sent SMS cannot be taken back."))
    campaign = db.session.get(Campaign, draw.campaign_id)
    rows = notices.pending(campaign.id, draw_id=draw.id, county=county)
    try:
        report = notices.send_notices(campaign, rows, now(), "manual", current_user) if rows else notices.SendReport()
    except notices.NoticeError as refusal:
        return api_error(409, "sms_not_now", pick(refusal.zh, refusal.en))
    failure = report.error
    return jsonify(sent=report.sent, failed=report.failed, batches=report.batches,
                   error=None if failure is None else {"code": failure.code,
                                                       "message": pick(failure.message_zh, failure.message_en)}), \
        (502 if failure and not report.sent else 200)


@bp.put("/users/<int:user_id>/ccc-agent")
@require("settings")
@accepts(ccc_user_id=Field("text", max_length=128, nullable=True))
def ccc_agent(user_id, body):
    """Set (or with null or "", clear) a caller's contact-centre agent account (UserId)."""
    try:
        user = set_agent(user_id, body.get("ccc_user_id") or "")
    except AgentError as error:
        return api_error(400, "bad_agent", pick(error.zh, error.en))
    return jsonify(id=user.id, username=user.username, ccc_user_id=user.ccc_user_id)
