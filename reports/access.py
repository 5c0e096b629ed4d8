"""What a reader may see of the figures, and the request options: shared by pages, API and exports."""

from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope, ensure_county_visible
from campaigns.access import visible_campaign  # noqa: F401  (the one check, re-exported here)
from campaigns.service import current_draw
from core.clock import now
from core.extensions import db
from models import Campaign, County, RectificationItem
from reports.figures import Options
from sampling.estimates import KORN_GRAUBARD, LOGIT, PROPORTION_METHODS, WILSON


def visible_county(code: str) -> str:
    """Check that the county exists and the user may see it; return its code."""
    ensure_county_visible(code)
    if db.session.get(County, code) is None:
        abort(404)
    return code


def requested_county() -> str | None:
    """Return the county asked for (?county=), checked; a county-scoped user always gets their own."""
    county = request.args.get("county") or None
    if county:
        visible_county(county)
    return county or county_scope(current_user)


def visible_campaigns() -> list[Campaign]:
    """List the campaigns the user may see, newest first."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())).all()
    scope = county_scope(current_user)
    return [c for c in campaigns if not scope or scope in {county.code for county in c.counties}]


def requested_status() -> str | None:
    """Return the rectification status asked for (?status=), or None for all; 400 for an unknown one."""
    status = request.args.get("status") or None
    if status not in (None, "open", "rectified", "accepted", "withdrawn", "overdue"):
        abort(400)
    return status


def visible_item(item_id: int) -> RectificationItem:
    """Load a rectification item of a campaign and county the user may see, or 404."""
    item = db.session.get(RectificationItem, item_id) or abort(404)
    visible_campaign(item.campaign_id)
    visible_county(item.county_code)
    return item



def parse_deadline(text: str | None):
    """Read a deadline typed as YYYY-MM-DD (empty: none); RectificationError names a wrong one."""
    from datetime import date

    from flask_babel import gettext as _

    from reports.rectification import RectificationError

    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RectificationError("date_invalid", _("The rectification deadline must be a date (YYYY-MM-DD)."),
                                 400) from None


def today():
    """Return today's date where the center is (the configured time zone)."""
    return now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def due_days() -> int:
    """Return the default number of days a county has to rectify an item (RECTIFICATION_DUE_DAYS)."""
    return int(current_app.config.get("RECTIFICATION_DUE_DAYS", 30))


def options() -> Options:
    """Read the interval methods from the query string (?ci=wilson|clopper-pearson&overall=logit|…)."""
    method = request.args.get("ci", WILSON)
    overall = request.args.get("overall", LOGIT)
    if method not in PROPORTION_METHODS or overall not in (LOGIT, KORN_GRAUBARD):
        abort(400)
    scope = county_scope(current_user)
    return Options(method=method, overall_method=overall, today=today(), counties=None if scope is None else {scope},
                   min_resolved=int(current_app.config["MIN_RESOLVED_FOR_ESTIMATE"]), city=sees_city(current_user))


def sees_city(user) -> bool:
    """Tell whether the user may see the city-wide aggregates (全市): everyone who sees every county, and a
    county liaison only where LIAISON_SEES_CITY allows it (default: their county only)."""
    return county_scope(user) is None or bool(current_app.config.get("LIAISON_SEES_CITY", False))


def visible_county_figures(campaign_id: int, code: str):
    """Load a visible campaign and one visible county's figures; 404 when the county has none."""
    from reports.figures import county_figures

    campaign = visible_campaign(campaign_id)
    visible_county(code)
    figures = county_figures(db.session, campaign, code, options())
    if figures["county"] is None:
        abort(404)
    return campaign, figures


def case_filter():
    """Read the drill-down filter (?kind=&code=&county=); a scoped user is held to their county.

    Raises CaseFilterError for an unknown kind or code, so that pages and API can each say so.
    """
    from reports.cases import CaseFilter

    county = request.args.get("county") or None
    scope = county_scope(current_user)
    if scope is not None:
        if county not in (None, scope):
            abort(404)
        county = scope
    return CaseFilter(request.args.get("kind", "units"), request.args.get("code") or None, county).check()


def cases_request(campaign_id: int):
    """Load a visible campaign, its draw in force (404 without one) and the drill-down filter.

    Raises CaseFilterError as case_filter does.
    """
    campaign = visible_campaign(campaign_id)
    draw = current_draw(campaign) or abort(404)
    return campaign, draw, case_filter()
