"""What a user may see of campaigns and draws: load it or answer 404. Shared by pages, API and reports."""

from flask import abort, request
from flask_login import current_user

from auth.permissions import county_scope, ensure_county_visible
from auth.scope import check_campaign
from core.extensions import db
from models import Campaign, Draw, SampleUnit


def visible_campaign(campaign_id: int) -> Campaign:
    """Load a campaign the user may see (a county-scoped user: only campaigns with their county)."""
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    check_campaign(campaign)  # the services' own check: OutOfScope answers 404
    return campaign


def visible_draw(draw_id: int) -> Draw:
    """Load a draw whose campaign the user may see."""
    draw = db.session.get(Draw, draw_id) or abort(404)
    visible_campaign(draw.campaign_id)
    return draw


def visible_unit(unit_id: int, check_county: bool = True) -> SampleUnit:
    """Load a sample unit of a visible draw (and, unless told otherwise, of a county the user may see)."""
    unit = db.session.get(SampleUnit, unit_id) or abort(404)
    visible_draw(unit.draw_id)
    if check_county:
        ensure_county_visible(unit.county_code)
    return unit


def scoped_county(draw: Draw) -> str | None:
    """Return the county a list is limited to: the user's own, or the one asked for."""
    scope = county_scope(current_user)
    asked = request.args.get("county") or None
    if scope:
        if asked and asked != scope:
            abort(404)
        return scope
    return asked
