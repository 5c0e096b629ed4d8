"""A county's roster history: its snapshots, newest first, and bringing an earlier one back (undo an import)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import can, require
from core.extensions import db
from core.i18n import pick
from core.timefmt import local_time
from models import RosterSnapshot
from roster import snapshots
from roster.access import visible_county
from roster.routes import bp


@bp.get("/counties/<county>/snapshots")
@require("view_roster")
def county_history(county):
    """List a county's roster snapshots, with the current one marked and a way back to an earlier one."""
    county = visible_county(county)
    history = snapshots.county_history(db.session, county.code, current_user)
    return render_template("roster/county_history.html", county=county, history=history,
                           may_restore=can(current_user, "import_roster"))


@bp.route("/counties/<county>/snapshots/<int:snapshot_id>/restore", methods=["GET", "POST"])
@require("import_roster")
def restore(county, snapshot_id):
    """Ask for a reason, then make an earlier snapshot of the county current again."""
    county = visible_county(county)
    try:
        target = snapshots.snapshot_to_restore(db.session, county.code, snapshot_id, current_user)
    except snapshots.SnapshotError as error:
        flash(pick(error.message_zh, error.message_en), "warning")
        return redirect(url_for("roster.county_history", county=county.code))
    current = db.session.scalar(select(RosterSnapshot).where(RosterSnapshot.county_code == county.code,
                                                             RosterSnapshot.is_current))
    reason = (request.form.get("reason") or "").strip()
    if request.method == "POST" and reason:
        seen = request.form.get("replaces", type=int)  # the current roster the user saw on this page
        try:
            restored = snapshots.restore_snapshot(db, county.code, target.id, current_user, reason, replaces=seen)
        except snapshots.SnapshotError as error:
            flash(pick(error.message_zh, error.message_en), "warning")
            return redirect(url_for("roster.county_history", county=county.code))
        flash(_("The snapshot of %(date)s is the current roster again (%(count)s persons).",
                date=local_time(target.created_at), count=f"{restored.row_count:,}"), "success")
        return redirect(url_for("roster.county_history", county=county.code))
    status = 422 if request.method == "POST" else 200
    return render_template("roster/restore.html", county=county, target=target, current=current,
                           missing_reason=request.method == "POST"), status
