"""Cross-register pages: the per-county overview with the import and match, the mapping step of a file
whose columns are not all recognised, an import's row report, a county's findings (masked; a reveal is logged), their XLSX export, and a finding made a rectification item."""

import os
import tempfile
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from auth.permissions import require
from config.registers import FINDING_CODES, FINDING_TYPES, REGISTER_KINDS
from core.clock import now
from core.i18n import label, lang
from core.inputs import MAX_PAGE, int_arg
from registers import access
from registers.columns import FIELDS, field_label
from registers.findings import (
    county_findings,
    county_summaries,
    export_xlsx,
    reveal_id_number,
    single_finding,
)
from registers.forms import MappingForm, MatchForm, RegisterUploadForm
from registers.importing import WAITING, RegisterError, import_register, kinds_and_fields, may_import
from registers.mapping import drop_waiting, import_mapped, not_waiting_message, waiting_columns
from registers.matching import rule_settings, run_match
from registers.rectify import active_findings, item_statuses, rectify
from reports.access import due_days
from reports.labels import rectification_label
from reports.rectification import may_review

bp = Blueprint("registers", __name__, url_prefix="/registers")


@bp.route("/", methods=["GET", "POST"])
@require("view_roster")
def index():
    """Show each visible county's findings and shares; coordinators import registers and run the match."""
    form = RegisterUploadForm()
    form.kind.choices = [(code, label(REGISTER_KINDS, code)) for code, _zh, _en in REGISTER_KINDS]
    importer = may_import(current_user)
    error = None
    if request.method == "POST":
        if not importer:
            abort(403)
        if form.validate_on_submit():
            upload = form.file.data
            handle, path = tempfile.mkstemp(prefix="register-")
            with os.fdopen(handle, "wb") as out:
                upload.save(out)
            try:
                batch = import_register(path, os.path.basename(upload.filename or "register"), form.kind.data,
                                        label=form.label.data, ask_mapping=True)
            except RegisterError as refused:
                error = refused.message
            else:
                if batch.status == WAITING:
                    return redirect(url_for(".import_mapping", import_id=batch.id))
                return redirect(url_for(".import_detail", import_id=batch.id))
            finally:
                os.remove(path)
    return render_template("registers/index.html", form=form, match_form=MatchForm(), importer=importer,
                           rows=county_summaries(access.visible_counties()), types=FINDING_TYPES,
                           imports=access.recent_imports() if importer else [], error=error,
                           kinds=kinds_and_fields(), settings=rule_settings()), 400 if error else 200


@bp.get("/imports/<int:import_id>")
@require("import_roster")
def import_detail(import_id):
    """Show an import's counts and its row-level problems."""
    batch = access.visible_import(import_id)
    return render_template("registers/import.html", batch=batch,
                           field_label=lambda name: field_label(batch.kind, name or "", lang()))


@bp.route("/imports/<int:import_id>/mapping", methods=["GET", "POST"])
@require("import_roster")
def import_mapping(import_id):
    """Ask which field each column of a waiting file holds, check the choice, then import the rows."""
    batch = access.visible_import(import_id)
    if batch.status != WAITING:
        if request.method == "POST":  # a second submit of the same choice, or a choice made after a drop
            flash(not_waiting_message(), "warning")
        return redirect(url_for(".import_detail", import_id=batch.id))
    form = MappingForm()
    try:
        columns = waiting_columns(batch)
    except RegisterError as refused:
        flash(refused.message, "danger")
        return redirect(url_for(".index"))
    chosen = {c["index"]: c["suggested"] for c in columns if c["suggested"]}
    problems = []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen = {c["index"]: request.form.get(f"column-{c['index']}", "")[:40] for c in columns}
        chosen = {index: name for index, name in chosen.items() if name}
        try:
            import_mapped(batch, chosen)
        except RegisterError as refused:
            if refused.code != "bad_mapping":
                flash(refused.message, "warning")
                return redirect(url_for(".import_detail", import_id=import_id))
            problems = [p["message"] for p in refused.details["problems"]]
        else:
            flash(_("The register was imported with the columns you chose."), "success")
            return redirect(url_for(".import_detail", import_id=import_id))
    fields = FIELDS[batch.kind]
    unmapped = [f for f in fields if f.required and f.name not in chosen.values()]
    return render_template("registers/mapping.html", batch=batch, form=form, columns=columns, chosen=chosen,
                           fields=fields, unmapped=unmapped, problems=problems), 400 if problems else 200


@bp.post("/imports/<int:import_id>/cancel")
@require("import_roster")
def import_cancel(import_id):
    """Drop an import that waits for its columns, and its kept file."""
    batch = access.visible_import(import_id)
    if not MappingForm().validate_on_submit():
        abort(400)
    if drop_waiting(batch):
        flash(_("The import was dropped; nothing of the file was stored."), "info")
        return redirect(url_for(".index"))
    flash(not_waiting_message(), "warning")
    return redirect(url_for(".import_detail", import_id=import_id))


@bp.post("/match")
@require("import_roster")
def match():
    """Run the match of every county and go back to the overview."""
    if not MatchForm().validate_on_submit():
        abort(400)
    try:
        done = run_match()
    except RegisterError as refused:
        abort(refused.status)
    flash(_("Match done: %(pairs)d matched records, %(findings)d findings.", pairs=done.records,
            findings=done.findings), "success")
    return redirect(url_for(".index"))


@bp.get("/county/<code>")
@require("view_roster")
def county(code):
    """List a county's findings (masked), by type."""
    access.visible_county(code)
    finding_type = request.args.get("type") or None
    if finding_type not in (None, *FINDING_CODES):
        abort(400)
    summary = county_summaries([code])
    result = county_findings(code, finding_type, page=int_arg("page", 1, 1, MAX_PAGE))
    return render_template("registers/county.html", code=code, summary=summary[0] if summary else None,
                           result=result, types=FINDING_TYPES, finding_type=finding_type, revealed={},
                           items=item_statuses([i["id"] for i in result["items"]]), reviewer=may_review(current_user),
                           rectification_label=rectification_label)


@bp.post("/findings/<int:finding_id>/reveal")
@require("view_roster")
def reveal(finding_id):
    """Show one finding's full ID number on its county page, writing the read to the audit log."""
    finding = access.visible_finding(finding_id)
    number = reveal_id_number(finding)
    result = single_finding(finding)
    summary = county_summaries([finding.county_code])
    return render_template("registers/county.html", code=finding.county_code, summary=summary[0],
                           result=result, types=FINDING_TYPES, finding_type=None,
                           revealed={finding.id: number}, items=item_statuses([finding.id]),
                           reviewer=may_review(current_user), rectification_label=rectification_label)


@bp.post("/county/<code>/rectify")
@require("assign_work")
def rectify_county(code):
    """Make each active finding of a county (of one type with ?type=) a rectification item of the county."""
    access.visible_county(code)
    finding_type = request.form.get("type") or None
    if finding_type not in (None, *FINDING_CODES):
        abort(400)
    return _rectify(code, active_findings(code, finding_type), finding_type)


@bp.post("/findings/<int:finding_id>/rectify")
@require("assign_work")
def rectify_one(finding_id):
    """Make one finding a rectification item of its county."""
    finding = access.visible_finding(finding_id)
    return _rectify(finding.county_code, [finding], None)


def _rectify(code, findings, finding_type):
    """Open the items and go back to the county's findings with what happened."""
    try:
        made = rectify(findings, user=current_user, today=date.today(), due_days=due_days(), now=now())
    except RegisterError as refused:
        flash(refused.message, "danger")
    else:
        flash(_("%(n)d rectification items opened (%(total)d findings).", n=made, total=len(findings)), "success")
    return redirect(url_for(".county", code=code, type=finding_type))


@bp.get("/county/<code>/export.xlsx")
@require("view_roster")
def export(code):
    """Download a county's findings as XLSX (ID numbers masked)."""
    access.visible_county(code)
    data, headers = export_xlsx(code, date.today())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=headers)
