"""Statistics pages: the manager dashboard, a county's page and its printable report, the cases behind
every number, the exports and the rectification lists."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from auth.permissions import county_scope, require
from callbacks.telephony.notice_figures import notice_contact
from core.clock import now
from core.extensions import db
from core.inputs import MAX_PAGE, int_arg
from evidence import store as evidence_store
from models import Draw, RectificationItem
from registers.findings import register_share
from reports import access, export, glossary, labels, register_fix
from reports import rectification as rect
from reports.cases import CaseFilterError, list_cases
from reports.figures import campaign_figures
from reports.listing import rectification_page, rectification_rows
from reports.steps import apply_step, attach_evidence

bp = Blueprint("reports", __name__, url_prefix="/reports")

RECTIFICATION_PAGE = 100  # items a page of the rectification list: a province has thousands


@bp.route("/")
def index():
    """List the campaigns whose statistics (?to=rectification: rectification lists) the user may read."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if not rect.may_view(current_user):
        abort(403)
    target = "reports.rectification" if request.args.get("to") == "rectification" else "reports.dashboard"
    campaigns = access.visible_campaigns()
    if len(campaigns) == 1:
        return redirect(url_for(target, campaign_id=campaigns[0].id))
    return render_template("reports/index.html", campaigns=campaigns, target=target)


@bp.route("/glossary")
@login_required
def glossary_page():
    """Explain every rate and interval of the figures in one line each (the tooltips' longer home)."""
    return render_template("reports/glossary.html", terms=glossary.TERMS)


@bp.route("/<int:campaign_id>/")
@require("view_stats")
def dashboard(campaign_id):
    """Show the campaign's dashboard: overall figures, the county table, charts and rectification."""
    campaign = access.visible_campaign(campaign_id)
    figures = campaign_figures(db.session, campaign, access.options())
    return render_template("reports/dashboard.html", campaign=campaign, f=figures,
                           chart=labels.chart_data(figures), L=labels,
                           splits=notice_contact(campaign.id, county_scope(current_user)))


@bp.route("/<int:campaign_id>/county/<code>")
@require("view_stats")
def county(campaign_id, code):
    """Show one county's figures: rates by type, outcome rates, services, audit, progress."""
    campaign, figures = access.visible_county_figures(campaign_id, code)
    return render_template("reports/county.html", campaign=campaign, f=figures, c=figures["county"],
                           chart=labels.county_chart_data(figures), L=labels, register=register_share(code))


@bp.route("/<int:campaign_id>/county/<code>/print")
@require("view_stats")
def county_print(campaign_id, code):
    """Show a county's report laid out for A4 paper: summary, tables, charts, list of problems."""
    campaign, figures = access.visible_county_figures(campaign_id, code)
    items = rectification_rows(db.session, campaign.id, county=code, today=access.today(), active_only=True)
    export.record_use("report.print", campaign.id, county=code)
    draw = db.session.get(Draw, figures["draw"]["id"]) if figures["draw"] else None
    return render_template("reports/print.html", campaign=campaign, f=figures, c=figures["county"], draw=draw,
                           chart=labels.county_chart_data(figures), items=items, L=labels, today=access.today(),
                           register=register_share(code))


@bp.route("/<int:campaign_id>/cases")
@require("view_stats")
def cases(campaign_id):
    """List the sample units behind a number, masked."""
    try:
        campaign, draw, f = access.cases_request(campaign_id)
    except CaseFilterError:
        abort(400)
    result = list_cases(db.session, draw.id, f, page=int_arg("page", 1, 1, MAX_PAGE))
    return render_template("reports/cases.html", campaign=campaign, filter=f, result=result, L=labels)


@bp.route("/<int:campaign_id>/export/<what>.<fmt>")
@require("view_stats")
def download(campaign_id, what, fmt):
    """Export statistics tables, verification records, attempts or the rectification list."""
    campaign = access.visible_campaign(campaign_id)
    if fmt not in ("xlsx", "csv") or what not in export.EXPORTS:
        abort(404)
    county = access.requested_county()
    body, headers, rows = export.build(db.session, campaign, what, fmt, county, access.options())
    export.record_use("report.export", campaign.id, what=what, format=fmt, county=county, rows=rows)
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
                else "text/csv; charset=utf-8")
    return Response(body, content_type=mimetype, headers=headers)


@bp.route("/<int:campaign_id>/rectification")
def rectification(campaign_id):
    """List the rectification items of the visible counties, with their progress and overdue ones."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if not rect.may_view(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    county = access.requested_county()
    status = access.requested_status()
    result = rectification_page(db.session, campaign.id, county=county, today=access.today(), status=status,
                                page=int_arg("page", 1, 1, MAX_PAGE), page_size=RECTIFICATION_PAGE)
    return render_template("reports/rectification.html", campaign=campaign, result=result, county=county,
                           deadline=campaign.rectification_deadline,
                           status=status, today=access.today(), due_days=access.due_days(), rect=rect, L=labels)


@bp.post("/<int:campaign_id>/rectification/generate")
@require("assign_work")
def rectification_generate(campaign_id):
    """Turn every confirmed discrepancy into an item of its county's list (idempotent)."""
    campaign = access.visible_campaign(campaign_id)
    days = request.form.get("due_days", access.due_days(), type=int)
    if days is None or not 1 <= days <= 365:  # checked here, so a huge number never reaches the database
        flash(_("The number of days must be between 1 and 365."), "danger")
        return redirect(url_for("reports.rectification", campaign_id=campaign.id))
    counts = rect.generate(campaign, now(), access.today(), days, current_user)
    flash(_("Rectification lists updated: %(created)d new, %(withdrawn)d withdrawn, %(restored)d restored.",
            **counts), "success")
    return redirect(url_for("reports.rectification", campaign_id=campaign.id))


@bp.post("/<int:campaign_id>/rectification/deadline")
@require("assign_work")
def rectification_deadline(campaign_id):
    """Set or clear the campaign's rectification deadline (整改期限); open items take it as their due date."""
    campaign = access.visible_campaign(campaign_id)
    try:
        deadline = access.parse_deadline(request.form.get("deadline"))
        changed = rect.set_deadline(campaign, deadline, current_user, access.today(), now())
        flash(_("Rectification deadline saved; %(n)d items take it as their due date.", n=changed)
              if deadline else _("Rectification deadline cleared."), "success")
    except rect.RectificationError as error:
        flash(error.message, "danger")
    return redirect(url_for("reports.rectification", campaign_id=campaign.id))


@bp.post("/rectification/<int:item_id>/reveal")
def rectification_reveal(item_id):
    """Show the full registered and found ID or phone number of an item once (logged), then go back."""
    if not current_user.is_authenticated:
        abort(401)
    item = access.visible_item(item_id)
    try:
        register_fix.reveal(item, current_user, request.form.get("field", ""))
    except rect.RectificationError as error:
        abort(error.status)
    # Only which field was read goes into the (signed, not secret) session cookie; the page reads the value.
    flask_session["rectification_reveal"] = {"item": item.id, "field": request.form["field"]}
    return redirect(url_for("reports.rectification_item", item_id=item.id))


@bp.post("/rectification/<int:item_id>/<step>")
def rectification_step(item_id, step):
    """Mark an item rectified (county manager), or accept or reopen it (coordinator)."""
    if not current_user.is_authenticated:
        abort(401)
    item = access.visible_item(item_id)
    try:
        apply_step(item, step, request.form)
        flash(labels.STEP_DONE[step](), "success")
    except rect.RectificationError as error:
        flash(error.message, "danger")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("reports.rectification", campaign_id=item.campaign_id)
    return redirect(target)


@bp.route("/rectification/<int:item_id>")
def rectification_item(item_id):
    """Show one item with its history of steps."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not rect.may_view(current_user):
        abort(403)
    item = access.visible_item(item_id)
    rows = rectification_rows(db.session, item.campaign_id, today=access.today(), item_id=item.id)
    files = evidence_store.attachments_of(db.session, "rectification_item", item.id)
    shown = flask_session.pop("rectification_reveal", None) or {}  # once: a reload masks the number again
    revealed = shown.get("field") if shown.get("item") == item.id else None
    return render_template("reports/rectification_item.html", row=rows[0], item=item, rect=rect, L=labels,
                           today=access.today(), campaign_id=item.campaign_id, history=_history(item), files=files,
                           may_attach=rect.may_attach(current_user, item), fix=register_fix.fix_rows(item, revealed))


@bp.post("/rectification/<int:item_id>/evidence")
def rectification_evidence(item_id):
    """Attach a file to an item as evidence of its rectification (its county's manager or a coordinator)."""
    if not current_user.is_authenticated:
        abort(401)
    item = access.visible_item(item_id)
    try:
        attach_evidence(item, request.files.get("file"))
        flash(_("The file is attached."), "success")
    except evidence_store.EvidenceError as error:
        flash(error.message, "danger")
    return redirect(url_for("reports.rectification_item", item_id=item.id))



def _history(item: RectificationItem):
    from models import AuditLog

    return db.session.scalars(select(AuditLog).where(AuditLog.object_type == "rectification_item",
                                                     AuditLog.object_id == str(item.id)).order_by(AuditLog.id)).all()
