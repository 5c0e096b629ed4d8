"""The statistics and rectification API under /api/v1: the figures of the pages, the same permissions."""

from flask import Blueprint, abort, jsonify
from flask_login import current_user

from auth.permissions import require
from core.clock import now
from core.errors import api_error
from core.extensions import db
from core.inputs import MAX_PAGE, int_arg
from core.jsonbody import Field, accepts
from registers.findings import register_share
from reports import access
from reports import rectification as rect
from reports.cases import CaseFilterError, list_cases
from reports.figures import campaign_figures
from reports.listing import rectification_rows
from reports.steps import apply_step

bp = Blueprint("reports", __name__)

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.reports.…".
bp = Blueprint("reports", __name__)


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
    """Return the rectification items of the visible counties (?county=&status=)."""
    if not rect.may_view(current_user):
        abort(403)
    campaign = access.visible_campaign(campaign_id)
    county = access.requested_county()
    status = access.requested_status()
    items = rectification_rows(db.session, campaign.id, county=county, status=status, today=access.today())
    return jsonify(items=items, total=len(items))


@bp.post("/campaigns/<int:campaign_id>/rectification/generate")
@require("assign_work")
@accepts(due_days=Field("integer", low=1, high=365))
def rectification_generate(campaign_id, body):
    """Bring the rectification lists in line with the confirmed discrepancies (idempotent)."""
    campaign = access.visible_campaign(campaign_id)
    days = body.get("due_days", access.due_days())
    counts = rect.generate(campaign, now(), access.today(), days, current_user)
    return jsonify(counts)


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
