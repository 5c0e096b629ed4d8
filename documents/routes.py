"""Document downloads (a county's feedback, the city-wide report, the checklists as XLSX) and the admin's
page of wording templates."""

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from auth.permissions import county_scope, require
from checklists import access
from core.downloads import attachment
from core.extensions import db
from documents import service, wording

bp = Blueprint("documents", __name__, url_prefix="/documents")


def _download(data: bytes, name: str, mimetype: str, fallback: str) -> Response:
    headers = attachment(name, fallback) | {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    return Response(data, content_type=mimetype, headers=headers)


@bp.route("/<int:campaign_id>/feedback/<code>.docx")
@login_required
def feedback_docx(campaign_id, code):
    """Download a county's feedback (核查情况反馈意见) as DOCX."""
    access.require_view()
    campaign, _county = access.campaign_county(campaign_id, code)
    data, name = service.feedback_docx(campaign, code, access.today(), current_user)
    return _download(data, name, service.DOCX, f"feedback-{code}.docx")


@bp.route("/<int:campaign_id>/summary.docx")
@login_required
def summary_docx(campaign_id):
    """Download the city-wide report (专项核查情况通报) as DOCX: for users who see every county."""
    access.require_view()
    if county_scope(current_user) is not None:
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    data, name = service.summary_docx(campaign, access.today(), current_user)
    return _download(data, name, service.DOCX, "summary.docx")


@bp.route("/<int:campaign_id>/checklists.xlsx")
@login_required
def checklists_xlsx(campaign_id):
    """Download the visible counties' checklists (?county= for one) as XLSX."""
    access.require_view()
    campaign = access.visible_campaign(campaign_id)
    counties = access.requested_counties(campaign)
    data, name = service.checklists_xlsx(campaign, counties, access.today(), current_user)
    return _download(data, name, service.XLSX, "checklists.xlsx")


@bp.route("/templates")
@require("settings")
def templates():
    """List the wording templates in force and the uploads, with the upload form."""
    return render_template("documents/templates.html", uploads=wording.uploads(db.session), kinds=wording.KINDS,
                           placeholders=wording.PLACEHOLDERS)


@bp.route("/templates/<kind>/default.docx")
@require("settings")
def default_template(kind):
    """Download the shipped template of a kind, to change its wording in Word or WPS."""
    if kind not in wording.KINDS:
        abort(404)
    return _download(wording.default_template(kind), f"{kind}-template.docx", service.DOCX, f"{kind}-template.docx")


@bp.post("/templates/<kind>")
@require("settings")
def upload_template(kind):
    """Upload a template of a kind; it is checked and then used for every document of the kind."""
    if kind not in wording.KINDS:
        abort(404)
    upload = request.files.get("file")
    data = upload.read(int(current_app.config["DOCUMENT_TEMPLATE_MAX_BYTES"]) + 1) if upload else b""
    problems = wording.check_template(data) if data else [_("Choose a DOCX file.")]
    if problems:
        for problem in problems:
            flash(problem, "danger")
    else:
        wording.store(kind, upload.filename if upload else "", data, current_user)
        flash(_("The template is in force."), "success")
    return redirect(url_for("documents.templates"))


@bp.post("/templates/<kind>/reset")
@require("settings")
def reset_template(kind):
    """Go back to the shipped template of a kind."""
    if kind not in wording.KINDS:
        abort(404)
    wording.reset(kind, current_user)
    flash(_("The shipped template is in force again."), "success")
    return redirect(url_for("documents.templates"))
