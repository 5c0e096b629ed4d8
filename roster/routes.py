"""Roster pages: the searchable list of persons, with ID and phone masked."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from auth.permissions import county_scope, require
from extensions import db
from models import County
from roster.queries import search_persons

bp = Blueprint("roster", __name__, url_prefix="/roster")


@bp.route("/")
@require("view_roster")
def persons():
    """List the current roster, searchable by name, ID or phone, limited to the user's county."""
    page = max(request.args.get("page", 1, type=int), 1)
    county = county_scope(current_user) or request.args.get("county") or None
    result = search_persons(
        db.session,
        text=request.args.get("q", ""),
        county_code=county,
        status=request.args.get("status", "registered"),
        page=page,
        page_size=current_app.config["PAGE_SIZE"],
        user=current_user,
    )
    counties = db.session.query(County).order_by(County.code).all()
    return render_template("roster/persons.html", result=result, counties=counties, county=county)
