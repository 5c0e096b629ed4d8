"""Campaign pages: campaigns, the draw design with its live preview, draws and their sample lists."""

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import can, county_scope, require
from campaigns import drawing, export, naming, register_strata, replacement, service
from campaigns.access import scoped_county, visible_campaign, visible_draw, visible_unit
from campaigns.design import (
    ALLOCATION_LABELS,
    POPULATIONS,
    REGISTER_FINDING,
    SIZE_METHODS,
    STRATUM_FIELDS,
    DesignError,
    parse_audit_settings,
    parse_design,
)
from campaigns.forms import CampaignForm, ReplaceForm
from campaigns.preview import preview as plan_preview
from campaigns.verification import verify as verify_draw
from core.extensions import db
from core.i18n import lang, pick
from models import Campaign, County, Draw
from models.county import county_names
from sampling.errors import SamplingInputError
from sampling.percent import percent_text

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

# Above this many units, a user for every county prints the sample list county by county.
PRINT_ALL_LIMIT = 3000

DESIGN_DEFAULTS = {"population": "registered", "stratify_by": "", "method": "total", "allocation": "proportional",
                   "total": "400", "minimum": "30", "n": "40", "margin": "0.05", "confidence": "0.95",
                   "rate": "0.5", "tolerable": "0.05", "expected": "0", "reserve_mode": "share",
                   "reserve_share": "0.2", "reserve_count": "5", "exclude_months": "", "oversample": "1", "seed_mode": "system",
                   "seed_text": "", "rates": "", "reason": "", "cancelled_from": "", "cancelled_to": ""}


def design_values(campaign: Campaign) -> dict:
    """Return the design form's starting values, with the campaign's tolerable rate and confidence."""
    return dict(DESIGN_DEFAULTS, counties=[c.code for c in campaign.counties],
                tolerable=repr(campaign.tolerable_rate), confidence=repr(campaign.confidence))


def form_values(source) -> dict:
    """Read the design form (or query string) into the plain dict parse_design takes."""
    data = source.to_dict()
    data["counties"] = source.getlist("counties")
    return data


def sampling_message(error: SamplingInputError) -> str:
    """Return a sampling error's message in the page's language."""
    return error.message(lang())


@bp.route("/")
@require("view_roster")
def index():
    """List the campaigns, newest first."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())).all()
    scope = county_scope(current_user)
    if scope:
        campaigns = [c for c in campaigns if scope in {county.code for county in c.counties}]
    return render_template("campaigns/index.html", campaigns=campaigns, current_draw=service.current_draw)


@bp.route("/new", methods=["GET", "POST"])
@require("draw_samples")
def new():
    """Create a campaign with its counties in scope."""
    form = CampaignForm()
    counties = db.session.scalars(select(County).where(County.active).order_by(County.code)).all()
    form.counties.choices = [(c.code, f"{c.code} {c.name(lang())}") for c in counties]
    if request.method == "GET":
        form.counties.data = [c.code for c in counties]
    if form.validate_on_submit():
        try:
            campaign = service.create_campaign(form.name.data, form.counties.data, form.description.data,
                                               form.period_start.data, form.period_end.data, user=current_user)
        except service.ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_("Campaign “%(name)s” created.", name=campaign.name), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/new.html", form=form)


@bp.route("/<int:campaign_id>")
@require("view_roster")
def show(campaign_id):
    """Show a campaign: its counties, its draw in force and the superseded ones."""
    campaign = visible_campaign(campaign_id)
    current = service.current_draw(campaign)
    return render_template("campaigns/show.html", campaign=campaign, current=current,
                           followup=_followup_state(current))


def _followup_state(item: Draw | None) -> dict | None:
    """Count the follow-up of a draw in force, for the next step, when the user assigns work."""
    if item is None or item.superseded or not can(current_user, "assign_work"):
        return None
    return service.followup_state(db.session, item, county_scope(current_user))


@bp.route("/<int:campaign_id>/design", methods=["GET", "POST"])
@require("draw_samples")
def design(campaign_id):
    """Design the draw, preview its sizes, and draw (or redraw, with a reason)."""
    campaign = visible_campaign(campaign_id)
    codes = [c.code for c in campaign.counties]
    values = design_values(campaign)
    problems, readings = {}, {}
    current = service.current_draw(campaign)
    if request.method == "POST" and request.form.get("action") == "audit_settings":
        values = design_values(campaign) | form_values(request.form)
        problems, readings = save_audit_settings(campaign, values)
    elif request.method == "POST":
        values = design_values(campaign) | form_values(request.form)
        try:
            plan = parse_design(values, codes)
            seed_text = values.get("seed_text") if values.get("seed_mode") == "public" else None
            if values.get("seed_mode") == "public" and not (seed_text or "").strip():
                raise DesignError([("seed_text", _("Type the public seed, or let the system generate one."))])
            # The page shows the campaign's tolerable rate and confidence in the form: what is drawn with holds.
            draw = drawing.make_draw_with_settings(campaign, plan, seed_text, values.get("reason", ""),
                                                   user=current_user)
        except DesignError as error:
            problems, readings = dict(error.problems), error.readings
            flash(_("Please correct the marked fields."), "danger")
        except SamplingInputError as error:
            flash(sampling_message(error), "danger")
        except service.ServiceError as error:
            flash(error.message, "danger")
        else:
            flash(_("%(draw)s published: %(n)d units and %(r)d reserves.", draw=naming.draw_title(draw),
                    n=sum(s["n"] for s in draw.strata.values()),
                    r=sum(s["reserves"] for s in draw.strata.values())), "success")
            return redirect(url_for("campaigns.draw", draw_id=draw.id))
    match = register_strata.latest_match(db.session)
    # Without any register match every person would be "no finding": the choice is offered disabled.
    unavailable = {} if match else {REGISTER_FINDING: _("No register match has been run yet.")}
    return render_template("campaigns/design.html", campaign=campaign, values=values, problems=problems,
                           readings=readings, current=current, populations=POPULATIONS, stratum_fields=STRATUM_FIELDS,
                           size_methods=SIZE_METHODS, allocations=ALLOCATION_LABELS, pct=percent_text,
                           register_match=match, unavailable=unavailable)


def save_audit_settings(campaign: Campaign, values: dict) -> tuple[dict, dict]:
    """Save the tolerable rate and confidence from the design page; return its problems and readings."""
    try:
        tolerable, confidence, readings = parse_audit_settings(values)
    except DesignError as error:
        flash(_("Please correct the marked fields."), "danger")
        return dict(error.problems), error.readings
    service.set_audit_settings(campaign, tolerable, confidence, user=current_user)
    flash(_("Saved: every audit conclusion of this campaign now uses a tolerable rate of %(t)s at %(c)s "
            "confidence.", t=readings["tolerable"], c=readings["confidence"]), "success")
    return {}, readings


@bp.route("/<int:campaign_id>/preview")
@require("draw_samples")
def preview(campaign_id):
    """Answer the design page's live preview with the planned sizes as JSON."""
    campaign = visible_campaign(campaign_id)
    try:
        plan = parse_design(form_values(request.args), [c.code for c in campaign.counties])
        result = plan_preview(db.session, campaign, plan)
    except DesignError as error:
        return jsonify(ok=False, problems=dict(error.problems), readings=error.readings)
    except SamplingInputError as error:
        return jsonify(ok=False, message=sampling_message(error))
    except service.ServiceError as error:
        return jsonify(ok=False, message=error.message)
    names = county_names()
    body = result.as_dict()
    for row in body["strata"]:
        row["label"] = export.stratum_label(plan.stratify_by, row["stratum"], names)
    for row in body["counties"]:
        row["label"] = names.get(row["county"], row["county"])
    return jsonify(ok=True, readings=plan.readings, **body)


@bp.route("/draws/<int:draw_id>")
@require("view_roster")
def draw(draw_id):
    """Show a draw: how it was made, its strata, and its sample list per county."""
    item = visible_draw(draw_id)
    county = scoped_county(item)
    rows = export.unit_rows(db.session, item, county) if county else []
    names = county_names()
    scope = county_scope(current_user)
    strata = {h: s for h, s in item.strata.items() if not scope or h.split("|")[0] == scope}
    replaced = replacement.replaced_counts(db.session, item)
    return render_template("campaigns/draw.html", draw=item, county=county, rows=rows, strata=strata,
                           names=names, stratum_name=lambda h: export.stratum_label(item.frame_definition.get("stratify_by"), h, names),
                           replaced=replaced, replace_form=ReplaceForm(),
                           snapshots=naming.snapshot_labels(db.session, item.snapshot_ids, names, scope),
                           superseded=db.session.get(Draw, item.supersedes_id) if item.supersedes_id else None,
                           reasons=replacement.REPLACEMENT_REASONS, can_draw=can(current_user, "draw_samples"),
                           followup=_followup_state(item), register_strata=register_strata.draw_facts(item))


@bp.route("/draws/<int:draw_id>/verify", methods=["POST"])
@require("draw_samples")
def verify(draw_id):
    """Re-derive the draw from its seed and stored frame and say whether it matches."""
    item = visible_draw(draw_id)
    report = verify_draw(item)
    if report.match:
        flash(_("Verified: rebuilding the frame from the stored snapshots and re-drawing with the seed gives "
                "exactly this sample."), "success")
    else:
        messages = pick(report.messages_zh, report.messages_en)
        flash(_("Mismatch: %(reasons)s", reasons=" ".join(messages)), "danger")
    return redirect(url_for("campaigns.draw", draw_id=item.id))


@bp.route("/draws/<int:draw_id>/export.<fmt>")
@require("view_roster")
def export_list(draw_id, fmt):
    """Download the sample list (masked) as XLSX or CSV, for one county or all visible ones."""
    if fmt not in ("xlsx", "csv"):
        abort(404)
    item = visible_draw(draw_id)
    county = scoped_county(item)
    rows = export.unit_rows(db.session, item, county)
    export.record_use("draw.export", item, format=fmt, county=county, rows=len(rows))
    if fmt == "xlsx":
        body = export.to_xlsx(db.session, item, rows, county)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = export.to_csv(rows), "text/csv; charset=utf-8"
    return Response(body, content_type=mimetype, headers=export.download_headers(item, county, fmt))


@bp.route("/draws/<int:draw_id>/print")
@require("view_roster")
def print_list(draw_id):
    """Show a printable sample list, one county per page."""
    item = visible_draw(draw_id)
    county = scoped_county(item)
    if county is None and export.unit_count(db.session, item) > PRINT_ALL_LIMIT:
        # Nobody prints a province's list in one go; a page of tens of thousands of rows only stalls.
        counts = export.units_by_county(db.session, item)
        return render_template("campaigns/print_choose.html", draw=item, counts=counts, limit=PRINT_ALL_LIMIT)
    rows = export.unit_rows(db.session, item, county)
    export.record_use("draw.print", item, county=county, rows=len(rows))
    by_county = {}
    for row in rows:
        by_county.setdefault((row["county_code"], row["county"]), []).append(row)
    return render_template("campaigns/print.html", draw=item, by_county=by_county, facts=export.draw_facts(db.session, item, county))


@bp.route("/units/<int:unit_id>/replace", methods=["POST"])
@require("draw_samples")
def replace(unit_id):
    """Replace an out-of-scope unit by the next reserve of its stratum."""
    unit = visible_unit(unit_id)
    try:
        reserve = replacement.replace_unit(unit, request.form.get("reason", ""), request.form.get("note", ""),
                                           user=current_user)
    except service.ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(_("Replaced by reserve number %(rank)d of the same stratum.", rank=reserve.rank), "success")
    return redirect(url_for("campaigns.draw", draw_id=unit.draw_id, county=unit.county_code))
