"""The statistics and rectification API under /api/v1: the figures of the pages, the same permissions."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from auth.permissions import require
from core.clock import now
from core.errors import api_error
from core.extensions import db
from core.inputs import MAX_PAGE, int_arg
from core.jsonbody import Field, accepts
from evidence import store as evidence_store
from models import Attachment
from registers.findings import register_share
from reports import access, glossary, register_fix
from reports import rectification as rect
from reports.cases import CaseFilterError, list_cases
from reports.figures import campaign_figures
from reports.listing import rectification_page, rectification_rows
from reports.steps import apply_step, attach_evidence, evidence_dict, evidence_rows

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.reports.…".
bp = Blueprint("reports", __name__)


@bp.get("/glossary")
def glossary_terms():
    """Return the plain name, AAPOR code and one-line explanation of every rate and interval."""
    return jsonify(terms=glossary.as_list())


@bp.get("/campaigns/<int:campaign_id>/statistics")
@require("view_stats")
def statistics(campaign_id):
    """Return the dashboard figures: overall, per visible county, progress and rectification counts."""
    campaign = access.visible_campaign(campaign_id)
    return jsonify(campaign_figures(db.session, campaign, access.options()))


@bp.get("/campaigns/<int:campaign_id>/statistics/counties/<code>")
@require("view_stats")
def county_statistics(campaign_id, code):
    """Return one county's figures."""
    campaign, figures = access.visible_county_figures(campaign_id, code)
    return jsonify(figures | {"register_findings": register_share(code)})


@bp.get("/campaigns/<int:campaign_id>/statistics/progress")
@require("view_stats")
def progress(campaign_id):
    """Return the progress over time of the visible counties (a county with ?county=)."""
    from reports.counts import progress as daily

    campaign = access.visible_campaign(campaign_id)
    county = access.requested_county()
    return jsonify(daily(db.session, campaign.id, county=county))


@bp.get("/campaigns/<int:campaign_id>/statistics/cases")
@require("view_stats")
def cases(campaign_id):
    """Return the units behind a number (?kind=&code=&county=&page=), masked."""
    try:
        _campaign, draw, f = access.cases_request(campaign_id)
    except CaseFilterError:
        return api_error(400, "bad_filter", "kind/code")
    page_size = min(int_arg("page_size", 50, 1), 500)
    return jsonify(list_cases(db.session, draw.id, f, page=int_arg("page", 1, 1, MAX_PAGE),
                              page_size=page_size))


@bp.get("/campaigns/<int:campaign_id>/rectification")
def rectification_list(campaign_id):
    """Return a page of the rectification items of the visible counties (?county=&status=&page=&page_size=,
    500 a page unless asked, at most 1,000), with the list's total, overdue items and pages."""
    if not rect.may_view(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    county = access.requested_county()
    status = access.requested_status()
    return jsonify(rectification_page(db.session, campaign.id, county=county, status=status, today=access.today(),
                                      page=int_arg("page", 1, 1, MAX_PAGE),
                                      page_size=int_arg("page_size", 500, 1, 1000)))


@bp.post("/campaigns/<int:campaign_id>/rectification/generate")
@require("assign_work")
@accepts(due_days=Field("integer", low=1, high=365))
def rectification_generate(campaign_id, body):
    """Bring the rectification lists in line with the confirmed discrepancies (idempotent)."""
    campaign = access.visible_campaign(campaign_id)
    days = body.get("due_days", access.due_days())
    counts = rect.generate(campaign, now(), access.today(), days, current_user)
    return jsonify(counts)


@bp.post("/campaigns/<int:campaign_id>/rectification/deadline")
@require("assign_work")
@accepts(deadline=Field("date", nullable=True))
def rectification_deadline(campaign_id, body):
    """Set the campaign's rectification deadline ({"deadline": "YYYY-MM-DD"}, or null to clear it)."""
    campaign = access.visible_campaign(campaign_id)
    try:
        deadline = access.parse_deadline(body.get("deadline"))
        changed = rect.set_deadline(campaign, deadline, current_user, access.today(), now())
    except rect.RectificationError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify(deadline=deadline.isoformat() if deadline else None, items_changed=changed)


@bp.get("/rectification/<int:item_id>")
def rectification_item(item_id):
    """Return one item: its row, the corrected fields to fix the register (masked) and its evidence files."""
    if not rect.may_view(current_user):
        abort(403)
    item = access.visible_item(item_id)
    row = rectification_rows(db.session, item.campaign_id, today=access.today(), item_id=item.id)[0]
    return jsonify(row | {"register_fix": register_fix.fix_rows(item), "evidence": evidence_rows(item)})


@bp.post("/rectification/<int:item_id>/evidence")
def rectification_evidence(item_id):
    """Attach a file (multipart field "file": PDF, PNG, JPEG, XLSX or DOCX) as evidence of the item."""
    item = access.visible_item(item_id)
    try:
        kept = attach_evidence(item, request.files.get("file"))
    except evidence_store.EvidenceError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify(evidence_dict(db.session.get(Attachment, kept))), 201


@bp.post("/rectification/<int:item_id>/reveal")
@accepts(field=Field("text", choices=register_fix.REVEALABLE, required=True))
def rectification_reveal(item_id, body):
    """Return the full registered and found ID or phone number of an item ({"field"}); the read is logged."""
    item = access.visible_item(item_id)
    try:
        return jsonify(register_fix.reveal(item, current_user, body["field"]))
    except rect.RectificationError as error:
        return api_error(error.status, error.code, error.message)


@bp.post("/rectification/<int:item_id>/<step>")
@accepts(note=Field("text", max_length=1000), rectified_on=Field("date"))
def rectification_step(item_id, step, body):
    """Mark an item rectified ({"note", "rectified_on"}), or accept or reopen it ({"note"})."""
    item = access.visible_item(item_id)
    try:
        apply_step(item, step, body)
    except rect.RectificationError as error:
        return api_error(error.status, error.code, error.message)
    row = rectification_rows(db.session, item.campaign_id, today=access.today(), item_id=item.id)[0]
    return jsonify(row)
