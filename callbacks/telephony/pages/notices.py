"""The coordinators' SMS notice page: preview the notice, see what was sent and delivered per county,
and send it for a draw's units (every county in scope, or one)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from auth.permissions import county_scope, require
from callbacks.access import counties_in_scope
from callbacks.telephony import notices, sms_client
from callbacks.telephony.notice_access import chosen, draws_with_tasks
from callbacks.telephony.notice_figures import NOTICE_STATUSES, contact_by_notice, notice_counts
from callbacks.telephony.pages import bp
from core.clock import now
from core.extensions import db
from core.i18n import label, pick
from core.inputs import int_arg
from models import Campaign, FollowUpTask


@bp.route("/notices")
@require("assign_work")
def notices_page():
    """Show the notice's text, the persons still to notify and the notices per county."""
    draw, county = chosen(int_arg("draw", 0, low=0) or None, request.args.get("county") or None)
    campaign = db.session.get(Campaign, draw.campaign_id) if draw else None
    config = current_app.config
    moment = now()
    pending, pending_by_county = 0, {}
    if campaign and draw:
        pending, counted = notices.pending_counts(campaign.id, draw.id, county)
        pending_by_county = {code: counted.get(code, 0)
                             for code in db.session.scalars(select(FollowUpTask.county_code).where(
                                 FollowUpTask.draw_id == draw.id).group_by(FollowUpTask.county_code)
                                 .order_by(FollowUpTask.county_code)) if county is None or code == county}
    return render_template(
        "callbacks/notices.html", draws=draws_with_tasks(), draw=draw, campaign=campaign, county=county,
        counties=counties_in_scope(county_scope(current_user)), scoped=county_scope(current_user) is not None,
        preview=notices.preview(config, campaign) if campaign else None,
        params=[label("sms_param", p) for p in config.get("SMS_TEMPLATE_PARAMS") or []], configured=sms_client.configured(config),
        quiet=notices.in_quiet_hours(moment), resume=notices.quiet_hours_end(moment),
        pending=pending, pending_by_county=pending_by_county, statuses=NOTICE_STATUSES,
        counts=notice_counts(campaign.id, county) if campaign else {},
        splits=contact_by_notice(campaign.id, county) if campaign else [],
        task_count=db.session.scalar(select(func.count(FollowUpTask.id)).where(FollowUpTask.draw_id == draw.id)) if draw else 0,
    )


@bp.post("/notices/send")
@require("assign_work")
def send_notices():
    """Send the notice to the draw's persons not yet notified (all counties in scope, or one)."""
    draw, county = chosen(int_arg("draw_id", 0, low=0, source=request.form) or None, request.form.get("county") or None)
    if draw is None:
        abort(404)
    back = redirect(url_for("calls.notices_page", draw=draw.id, county=county or ""))
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm: a sent SMS cannot be taken back."), "warning")
        return back
    campaign = db.session.get(Campaign, draw.campaign_id)
    rows = notices.pending(campaign.id, draw_id=draw.id, county=county)
    if not rows:
        flash(_("Every person of this selection has had the notice, opted out or may not be contacted."), "info")
        return back
    try:
        report = notices.send_notices(campaign, rows, now(), "manual", current_user)
    except notices.NoticeError as error:
        flash(pick(error.zh, error.en), "warning")
        return back
    if report.sent or report.failed:
        flash(_("Notices accepted by the platform: %(sent)d; refused: %(failed)d (in %(batches)d requests).",
                sent=report.sent, failed=report.failed, batches=report.batches), "success" if not report.failed else "warning")
    if report.error:
        flash(pick(report.error.message_zh, report.error.message_en) + f" ({report.error.code})", "danger")
    return back
