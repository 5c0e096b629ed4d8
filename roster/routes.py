"""Roster pages: the searchable list of persons (ID and phone masked) and the data-quality table."""

import io
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_login import current_user

from auth.permissions import county_scope, require
from core import auditlog
from core.clock import now
from core.extensions import db
from core.i18n import is_chinese
from core.inputs import MAX_PAGE, int_arg
from models import County
from roster.quality import FLAGS, county_quality
from roster.reports import quality_xlsx
from roster.search import NUMBER_REFUSED, TOO_MANY, SearchThrottled, search_roster

bp = Blueprint("roster", __name__, url_prefix="/roster")


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
    counties = db.session.query(County).order_by(County.code).all()
    try:
        result = search_roster(
            db.session, current_user, request.args.get("q", ""), now(), current_app.config["SEARCH_MAX_PER_MINUTE"],
            via="page",
            county_code=county,
            status=request.args.get("status", "all" if flag else "registered"),
            page=page,
            page_size=current_app.config["PAGE_SIZE"],
            flag=flag,
            today=date.today(),
        )
    except SearchThrottled:
        db.session.commit()
        return render_template("roster/persons.html", result=None, throttled=str(TOO_MANY), counties=counties,
                               county=county, flag=flag, flags=FLAGS), 429
    db.session.commit()
    return render_template("roster/persons.html", result=result, refused=str(NUMBER_REFUSED), counties=counties,
                           county=county, flag=flag, flags=FLAGS)


def quality_rows():
    """Compute the quality figures of the counties the user may see."""
    scope = county_scope(current_user)
    return county_quality(db.session, date.today(), [scope] if scope else None)


@bp.route("/quality")
@require("view_roster")
def quality():
    """Show per-county data-quality figures; every number links to the persons behind it."""
    return render_template("roster/quality.html", rows=quality_rows(), flags=FLAGS)


@bp.route("/quality.xlsx")
@require("view_roster")
def quality_export():
    """Download the data-quality table as a spreadsheet."""
    names = {c.code: (c.name_zh if is_chinese() else c.name_en) for c in db.session.query(County)}
    labels = {name: str(label) for name, (label, _condition) in FLAGS.items()}
    rows = quality_rows()
    data = quality_xlsx(rows, names, labels)
    auditlog.record("roster.quality_export", "roster", "", county=county_scope(current_user), rows=len(rows))
    db.session.commit()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"数据质量-{date.today()}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
