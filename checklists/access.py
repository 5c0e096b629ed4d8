"""What a user may see and do of the verification checklists: load it or answer 404 in the user's county
scope. Shared by the pages, the API and the documents."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_login import current_user

from auth.permissions import can, county_scope, ensure_county_visible
from campaigns.access import visible_campaign
from core.clock import now
from core.extensions import db
from models import ChecklistItem, County, Meeting


def may_view(user) -> bool:
    """Tell whether the user may read checklists, meetings and progress (statistics readers, managers)."""
    return can(user, "view_stats") or can(user, "rectify")


def may_record(user) -> bool:
    """Tell whether the user may record conclusions and meetings: the coordinators of the team."""
    return can(user, "assign_work")


def may_edit_checklist(user) -> bool:
    """Tell whether the user may edit the campaign's checklist: a coordinator who sees every county."""
    return can(user, "assign_work") and county_scope(user) is None


def require_view() -> None:
    """Refuse with 403 a user who may not read checklists (401 comes from the login check)."""
    if not may_view(current_user):
        abort(403)


def campaign_county(campaign_id: int, code: str):
    """Load a visible campaign and one of its counties the user may see, or 404."""
    campaign = visible_campaign(campaign_id)
    ensure_county_visible(code)
    if code not in {c.code for c in campaign.counties}:
        abort(404)
    return campaign, db.session.get(County, code)


def visible_item(campaign, item_id: int) -> ChecklistItem:
    """Load an item of the campaign's checklist, or 404."""
    item = db.session.get(ChecklistItem, item_id)
    if item is None or item.campaign_id != campaign.id:
        abort(404)
    return item


def visible_meeting(meeting_id: int) -> Meeting:
    """Load a meeting of a visible campaign in a county the user may see, or 404."""
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    campaign_county(meeting.campaign_id, meeting.county_code)
    return meeting


def visible_counties(campaign) -> list[str]:
    """Return the campaign's counties the user may see."""
    scope = county_scope(current_user)
    return [c.code for c in campaign.counties if scope is None or c.code == scope]


def today():
    """Return today's date where the center is."""
    return now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def requested_counties(campaign) -> list[str]:
    """Return the counties a download asks for (?county= for one, checked), else every visible one; 404 if none."""
    code = request.args.get("county") or None
    if code:
        campaign_county(campaign.id, code)
    counties = [code] if code else visible_counties(campaign)
    if not counties:
        abort(404)
    return counties
