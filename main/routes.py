"""Home pages per role and the language switch."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from auth.permissions import can, scope_to_county
from core.extensions import db
from models import County, RosterSnapshot, User
from reports import access, labels
from reports.figures import campaign_figures

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def home():
    """Show the signed-in user the home page of their role."""
    counts = county_roster_counts()
    users = db.session.scalar(select(func.count(User.id))) if can(current_user, "manage_users") else None
    followup = followup_summary() if can(current_user, "follow_up") else None
    overview = campaign_overview() if can(current_user, "view_stats") else None
    return render_template(f"main/home_{current_user.role}.html", counts=counts, user_count=users,
                           followup=followup, overview=overview, L=labels)


OVERVIEW_CAMPAIGNS = 5  # the newest campaigns shown on the home page; the rest are one click away


def campaign_overview() -> list[dict]:
    """Return the headline figures of the newest campaigns the user may read, as their dashboards show them."""
    options = access.options()
    newest = sorted(access.visible_campaigns(), key=lambda c: c.id, reverse=True)[:OVERVIEW_CAMPAIGNS]
    return [{"campaign": campaign, "f": campaign_figures(db.session, campaign, options)} for campaign in newest]


def followup_summary() -> dict:
    """Count the signed-in user's follow-up queue by section, as the queue page counts it."""
    from callbacks.context import Actor, retry_rules
    from callbacks.queue import section_counts
    from core.clock import now

    return section_counts(db.session, Actor.of(current_user), now(), retry_rules())


@bp.route("/lang/<code>")
def switch_language(code):
    """Remember the chosen language for this session and go back."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(same_site_path(request.referrer) or url_for("main.home"))


def same_site_path(url: str | None) -> str | None:
    """Return the path and query of a URL on this site (for going back), or None for any other."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc != request.host or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def county_roster_counts():
    """Return the persons and the registered (not cancelled) persons of each visible county's current
    roster, as counted when the roster became current."""
    query = (
        select(County, func.coalesce(RosterSnapshot.person_count, 0), func.coalesce(RosterSnapshot.registered_count, 0))
        .outerjoin(RosterSnapshot, (RosterSnapshot.county_code == County.code) & RosterSnapshot.is_current)
        .order_by(County.code)
    )
    query = scope_to_county(query, County.code)
    return [{"county": c, "total": total, "registered": registered} for c, total, registered in
            db.session.execute(query)]
