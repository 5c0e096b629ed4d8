"""Campaign and sampling actions under /api/v1, with the same permissions as the pages.

Errors: {"error": {"code", "message"}} — sampling input errors carry the code of sampling/errors.py,
design problems come as "design_invalid" with a "problems" object (field -> message).
"""

from datetime import date
from functools import wraps

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from auth.permissions import require
from campaigns import drawing, export, replacement, service
from campaigns.access import scoped_county, visible_campaign, visible_draw, visible_unit
from campaigns.design import DesignError, parse_audit_settings, parse_design
from campaigns.preview import preview
from campaigns.verification import verify
from core.errors import api_error
from core.extensions import db
from core.i18n import lang
from core.inputs import MAX_PAGE, int_arg
from core.jsonbody import Field, accepts, identifier
from models import Campaign
from sampling.allocation import allocate
from sampling.errors import SamplingInputError
from sampling.percent import rate_value
from sampling.sizes import attribute_sample_size, precision_sample_size

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.campaigns.…".
bp = Blueprint("campaigns", __name__)

UNITS_PAGE_SIZE, MAX_UNITS_PAGE_SIZE = 1000, 5000


def json_errors(view):
    """Answer the service's and the sampling core's refusals as JSON errors (the services rolled back)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except SamplingInputError as error:
            return api_error(400, error.code, error.message(lang()))
        except DesignError as error:
            return api_error(400, "design_invalid", "; ".join(m for _f, m in error.problems),
                             problems=dict(error.problems))
        except service.ServiceError as error:
            return api_error(error.status, error.code, error.message)

    return wrapped


# The fields of a design, as the design page has them: numbers and rates may come as numbers or as
# text ("95 %"); parse_design reads and checks each and names the field it refuses.
_DESIGN_SCALARS = ("method", "allocation", "population", "reserve_mode", "stratify_by", "total", "minimum", "n",
                   "margin", "confidence", "rate", "tolerable", "expected", "reserve_share", "reserve_count",
                   "exclude_months", "oversample", "seed_mode", "seed_text")
DESIGN_FIELDS = {name: Field("scalar", nullable=True, max_length=200) for name in _DESIGN_SCALARS} | {
    "counties": Field("codes"), "rates": Field("mapping", nullable=True, max_length=20_000),
    "cancelled_from": Field("date", nullable=True), "cancelled_to": Field("date", nullable=True)}


def _day(value):
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise DesignError([("period", str(error))]) from error


@bp.get("/campaigns")
@require("view_roster")
def api_campaigns():
    """List the campaigns the caller may see."""
    from sqlalchemy import select

    rows = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
    scope = current_user.county_code
    return jsonify([service.campaign_summary(c) for c in rows
                    if not scope or scope in {county.code for county in c.counties}])


@bp.post("/campaigns")
@require("draw_samples")
@accepts(name=Field("text", required=True, max_length=100), counties=Field("codes"),
         description=Field("text"), period_start=Field("date", nullable=True), period_end=Field("date", nullable=True))
@json_errors
def api_create_campaign(body):
    """Create a campaign: {"name", "counties": [...], "description", "period_start", "period_end"}."""
    data = body
    counties = data.get("counties") or []
    if isinstance(counties, str):
        counties = [c.strip() for c in counties.split(",") if c.strip()]
    campaign = service.create_campaign(data.get("name", ""), counties, data.get("description", ""),
                                       _day(data.get("period_start")), _day(data.get("period_end")),
                                       user=current_user)
    return jsonify(service.campaign_summary(campaign)), 201


@bp.get("/campaigns/<int:campaign_id>")
@require("view_roster")
def api_campaign(campaign_id):
    """Describe a campaign and its draws."""
    return jsonify(service.campaign_summary(visible_campaign(campaign_id)))


@bp.put("/campaigns/<int:campaign_id>/audit-settings")
@require("draw_samples")
@accepts(tolerable=Field("scalar", max_length=20), confidence=Field("scalar", max_length=20))
@json_errors
def api_audit_settings(campaign_id, body):
    """Set the tolerable rate and confidence of the audit conclusions: {"tolerable": "5%", "confidence": 95}."""
    campaign = visible_campaign(campaign_id)
    tolerable, confidence, readings = parse_audit_settings(body)
    service.set_audit_settings(campaign, tolerable, confidence, user=current_user)
    return jsonify(service.audit_settings(campaign) | {"readings": readings})


@bp.post("/campaigns/<int:campaign_id>/preview")
@require("draw_samples")
@accepts(**DESIGN_FIELDS)
@json_errors
def api_preview(campaign_id, body):
    """Plan a design over the present frame without drawing: N_h, n_h, reserves, margins."""
    campaign = visible_campaign(campaign_id)
    plan = parse_design(body, [c.code for c in campaign.counties])
    return jsonify(preview(db.session, campaign, plan).as_dict())


@bp.post("/campaigns/<int:campaign_id>/draws")
@require("draw_samples")
@accepts(**DESIGN_FIELDS, seed=Field("text", nullable=True, max_length=200), reason=Field("text", max_length=1000))
@json_errors
def api_draw(campaign_id, body):
    """Draw (or, with a "reason", redraw) the campaign's sample; "seed" is an optional public seed."""
    campaign = visible_campaign(campaign_id)
    data = body
    plan = parse_design(data, [c.code for c in campaign.counties])
    draw = drawing.make_draw(campaign, plan, data.get("seed") or None, data.get("reason", ""), user=current_user)
    return jsonify(service.draw_summary(draw)), 201


@bp.get("/draws/<int:draw_id>")
@require("view_roster")
def api_draw_detail(draw_id):
    """Describe a draw: seed, algorithm, fingerprint, frame definition, strata."""
    return jsonify(service.draw_summary(visible_draw(draw_id)))


@bp.get("/draws/<int:draw_id>/units")
@require("view_roster")
def api_units(draw_id):
    """List a draw's units (masked) in random order per stratum, a page at a time (?page=&page_size=, at
    most 5000 a page, 1000 by default; `total` and `pages` say how many); ?county= limits to one county."""
    draw = visible_draw(draw_id)
    county = scoped_county(draw)
    page_size = int_arg("page_size", UNITS_PAGE_SIZE, 1, MAX_UNITS_PAGE_SIZE)
    page = int_arg("page", 1, 1, MAX_PAGE)
    total = export.unit_count(db.session, draw, county)
    rows = export.unit_rows(db.session, draw, county, limit=page_size, offset=(page - 1) * page_size)
    return jsonify(draw=draw.id, total=total, page=page, pages=max(1, -(-total // page_size)), units=rows)


@bp.post("/draws/<int:draw_id>/verify")
@require("draw_samples")
def api_verify(draw_id):
    """Re-derive the draw from its seed and stored frame: {"match": true|false, "reasons": [...]}."""
    report = verify(visible_draw(draw_id))
    return jsonify(report.as_dict())


@bp.get("/draws/<int:draw_id>/export")
@require("view_roster")
def api_export(draw_id):
    """Download the sample list: ?format=xlsx|csv&county=."""
    fmt = request.args.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        return api_error(400, "format_unknown", "format: xlsx | csv")
    draw = visible_draw(draw_id)
    county = scoped_county(draw)
    rows = export.unit_rows(db.session, draw, county)
    export.record_use("draw.export", draw, format=fmt, county=county, rows=len(rows), via="api")
    name = export.download_headers(draw, county, fmt)
    if fmt == "xlsx":
        return Response(export.to_xlsx(db.session, draw, rows, county), headers=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(export.to_csv(rows), content_type="text/csv; charset=utf-8", headers=name)


@bp.post("/units/<int:unit_id>/replace")
@require("draw_samples")
@accepts(reason=Field("text", required=True, max_length=64), note=Field("text", max_length=1000))
@json_errors
def api_replace(unit_id, body):
    """Replace an out-of-scope unit by the next reserve: {"reason": code, "note": text}."""
    unit = visible_unit(unit_id, check_county=False)  # the service refuses another county's unit
    data = body
    reserve = replacement.replace_unit(unit, data.get("reason", ""), data.get("note", ""), user=current_user)
    return jsonify(replaced=unit.id, reserve=reserve.id, reserve_rank=reserve.rank, reason=unit.replacement_reason)


@bp.post("/sample/size")
@require("draw_samples")
@accepts(method=Field("text", choices=("precision", "attribute")), population=identifier(nullable=True),
         margin=Field("scalar", max_length=20), confidence=Field("scalar", max_length=20),
         rate=Field("scalar", max_length=20), tolerable=Field("scalar", max_length=20),
         expected=Field("scalar", max_length=20))
@json_errors
def api_sample_size(body):
    """Compute a sample size: {"method": "precision", population, margin, confidence, rate} or
    {"method": "attribute", confidence, tolerable, expected}."""
    data = body
    confidence = rate_value(data.get("confidence", 0.95), "confidence")
    if data.get("method") == "attribute":
        plan = attribute_sample_size(confidence, rate_value(data.get("tolerable"), "tolerable"),
                                     rate_value(data.get("expected", 0.0), "expected"))
        return jsonify(n=plan.n, allowed_deviations=plan.allowed_deviations)
    if data.get("method", "precision") != "precision":
        return api_error(400, "method_unknown", "method: precision | attribute")
    return jsonify(n=precision_sample_size(rate_value(data.get("margin"), "margin"), confidence,
                                           rate_value(data.get("rate", 0.5), "rate"), data.get("population")))


@bp.post("/sample/allocate")
@require("draw_samples")
@accepts(total=Field("integer", required=True, low=0, high=10_000_000), method=Field("text", max_length=20),
         minimum=Field("integer", low=0, high=10_000_000), populations=Field("object", required=True),
         rates=Field("object", nullable=True))
@json_errors
def api_allocate(body):
    """Allocate a total over any strata: {"total", "method", "minimum", "populations": {...}, "rates": {...}}."""
    data = body
    populations = data.get("populations") or {}
    if not isinstance(populations, dict):
        return api_error(400, "populations_invalid", "populations: {stratum: N}")
    return jsonify(allocate(populations, data.get("total"), data.get("method", "proportional"),
                            data.get("minimum", 0), data.get("rates")))
