"""Roster pages: the searchable list of persons (ID and phone masked) and the data-quality table."""

import io
from datetime import date

from flask import abort, current_app, render_template, request, send_file
from flask_login import current_user

from auth.permissions import county_scope, require
from core.clock import now
from core.extensions import db
from core.inputs import MAX_PAGE, int_arg
from models import County
from roster.access import visible_quality
from roster.exports import quality_workbook
from roster.quality import FLAGS
from roster.routes import bp
from roster.search import NUMBER_REFUSED, TOO_MANY, SearchThrottled, find_persons


@bp.route("/")
@require("view_roster")
def persons():
    """List the current roster, limited to the user's county: searchable by name, by a full ID or phone
    number, or by a name with the last four digits."""
    page = int_arg("page", 1, 1, MAX_PAGE)
    county = county_scope(current_user) or request.args.get("county") or None
    flag = request.args.get("flag") or None
    if flag and flag not in FLAGS:
        abort(404)
    try:
        result = find_persons(
            db, current_user, request.args.get("q", ""), now(), current_app.config["SEARCH_MAX_PER_MINUTE"],
            via="page",
            county_code=county,
            status=request.args.get("status", "all" if flag else "registered"),
            page=page,
            page_size=current_app.config["PAGE_SIZE"],
            flag=flag,
            today=date.today(),
        )
    except SearchThrottled:
        return render_template("roster/persons.html", result=None, throttled=str(TOO_MANY), counties=_counties(),
                               county=county, flag=flag, flags=FLAGS), 429
    return render_template("roster/persons.html", result=result, refused=str(NUMBER_REFUSED), counties=_counties(),
                           county=county, flag=flag, flags=FLAGS)


def _counties() -> list[County]:
    """Return the counties to filter by (loaded after the search, whose transaction ends on its own)."""
    return db.session.query(County).order_by(County.code).all()


@bp.route("/quality")
@require("view_roster")
def quality():
    """Show per-county data-quality figures; every number links to the persons behind it."""
    return render_template("roster/quality.html", rows=visible_quality(), flags=FLAGS)


@bp.route("/quality.xlsx")
@require("view_roster")
def quality_export():
    """Download the data-quality table as a spreadsheet."""
    data = quality_workbook(visible_quality(), county_scope(current_user))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"数据质量-{date.today()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
