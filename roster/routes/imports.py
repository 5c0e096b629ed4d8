"""Import pages: upload a county file, follow its check, map headers, commit, download the errors."""

import io
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope, require
from core.extensions import db
from core.i18n import lang
from models import County, ImportProblem
from roster import batches, guard, jobs, uploads
from roster.access import recent_batches, visible_batch
from roster.columns import FIELDS
from roster.exports import error_report
from roster.forms import UploadForm
from roster.import_commit import RemovalsNeedConfirmation, claim_for_commit, removals_needing_confirmation
from roster.routes import bp

FIRST_PROBLEMS = 20


def county_choices(form):
    """Offer the counties a file may be imported for (a county-scoped user: only their own)."""
    scope = county_scope(current_user)
    counties = db.session.scalars(select(County).where(County.active).order_by(County.code)).all()
    choices = [] if scope else [("", _("Several counties: the file has a county column"))]
    language = lang()
    form.county.choices = choices + [(c.code, f"{c.code} {c.name(language)}")
                                     for c in counties if not scope or c.code == scope]


@bp.route("/imports", methods=["GET", "POST"])
@require("import_roster")
def imports():
    """List the import batches and take a new file."""
    form = UploadForm()
    county_choices(form)
    if form.validate_on_submit():
        batch = uploads.receive_upload(current_app._get_current_object(), form.file.data, current_user,
                                       form.county.data or None)
        return redirect(url_for("roster.import_detail", batch_id=batch.id))
    jobs.mark_interrupted(db.session)
    counties = [code for code, _label in form.county.choices if code]
    return render_template("roster/imports.html", form=form, batches=recent_batches(),
                           counties=counties)


@bp.route("/imports/<int:batch_id>")
@require("import_roster")
def import_detail(batch_id):
    """Show a batch: progress while it runs, then its preview, problems and the next step."""
    jobs.mark_interrupted(db.session)
    batch = visible_batch(batch_id)
    problems = db.session.scalars(select(ImportProblem).where(ImportProblem.batch_id == batch.id)
                                  .order_by(ImportProblem.id).limit(FIRST_PROBLEMS)).all()
    suspicious = guard.suspicious_counties(batch.county_counts or {})
    rows = batches.spooled_rows(batch, [n for c in suspicious for n in c["first_rows"]])
    return render_template("roster/import_detail.html", batch=batch, problems=problems, fields=FIELDS,
                           changes=[guard.county_change(c, n) for c, n in sorted((batch.county_counts or {}).items())],
                           suspicious=suspicious, suspicious_rows=rows,
                           to_confirm=removals_needing_confirmation(batch), may_resume=jobs.may_resume(batch))


@bp.post("/imports/<int:batch_id>/mapping")
@require("import_roster")
def import_mapping(batch_id):
    """Apply the user's header mapping and check the file again."""
    batch = visible_batch(batch_id)
    if batch.status != "needs_mapping":
        abort(409)
    known = {f.name for f in FIELDS}
    mapping = {}
    for index in range(len(batch.headers)):
        choice = request.form.get(f"column-{index}", "")
        if choice in known:
            mapping[str(index)] = choice
        elif choice == "-":
            mapping[str(index)] = None
    if not uploads.remap_headers(current_app._get_current_object(), batch_id, mapping):
        abort(409)
    return redirect(url_for("roster.import_detail", batch_id=batch_id))


@bp.post("/imports/<int:batch_id>/commit")
@require("import_roster")
def import_commit(batch_id):
    """Import a previewed batch (a second click finds it already claimed and does nothing).

    A batch that takes many persons off a county's register goes to the confirmation step first;
    it is imported only from there, with the names of the counties that lose over half typed in.
    """
    batch = visible_batch(batch_id)
    to_confirm = removals_needing_confirmation(batch)
    if to_confirm and batch.status == "previewed":
        if request.form.get("confirm_removals") != "1":
            return redirect(url_for("roster.import_confirm", batch_id=batch.id))
        wrong = [c for c in to_confirm if c["large"] and not _typed_county_name(c["county"])]
        if wrong:
            return render_template("roster/import_confirm.html", batch=batch, counties=to_confirm,
                                   wrong={c["county"] for c in wrong}), 422
    try:
        claimed = claim_for_commit(db, batch.id, confirm_removals=bool(to_confirm))
    except RemovalsNeedConfirmation:  # the counts changed under us: ask again
        return redirect(url_for("roster.import_confirm", batch_id=batch.id))
    if not claimed:
        flash(_("This batch is already being imported or is not ready."), "warning")
        return redirect(url_for("roster.import_detail", batch_id=batch.id))
    jobs.start_commit(current_app._get_current_object(), batch.id, current_user.id)
    return redirect(url_for("roster.import_detail", batch_id=batch.id))


@bp.get("/imports/<int:batch_id>/confirm")
@require("import_roster")
def import_confirm(batch_id):
    """Ask the user to confirm, county by county, the persons an import takes off the register."""
    batch = visible_batch(batch_id)
    to_confirm = removals_needing_confirmation(batch)
    if batch.status != "previewed" or not to_confirm:
        return redirect(url_for("roster.import_detail", batch_id=batch.id))
    return render_template("roster/import_confirm.html", batch=batch, counties=to_confirm, wrong=set())


def _typed_county_name(code: str) -> bool:
    """Tell whether the confirmation form has the county's name typed in for it."""
    county = db.session.get(County, code)
    names = (county.name_zh, county.name_en) if county else (code,)
    return guard.typed_name_matches(request.form.get(f"county-name-{code}", ""), names)


@bp.post("/imports/<int:batch_id>/resume")
@require("import_roster")
def import_resume(batch_id):
    """Send an interrupted batch on again: back to its preview, or checked again from its file."""
    batch = visible_batch(batch_id)
    if not jobs.may_resume(batch):
        abort(409)
    if jobs.resume(current_app._get_current_object(), batch.id, date.today()) is None:
        flash(_("This batch is already being imported or is not ready."), "warning")
    return redirect(url_for("roster.import_detail", batch_id=batch.id))


@bp.post("/imports/<int:batch_id>/cancel")
@require("import_roster")
def import_cancel(batch_id):
    """Drop a batch that has not been imported."""
    batch = visible_batch(batch_id)
    if not batches.cancel_batch(db, batch):
        abort(409)
    flash(_("The batch was cancelled; the roster is unchanged."), "info")
    return redirect(url_for("roster.imports"))


@bp.route("/imports/<int:batch_id>/errors.xlsx")
@require("import_roster")
def import_errors(batch_id):
    """Download every problem of a batch as a spreadsheet."""
    data = error_report(visible_batch(batch_id))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"错误报告-批次{batch_id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
