"""Roster API: import batches (upload, status, mapping, commit) and data quality.

A child blueprint: the API nests it below /api/v1, so the paths here are the ones below that.
"""

from datetime import date

from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope, ensure_county_visible, require
from core.extensions import db
from core.inputs import int_arg
from core.jsonbody import Field, accepts, identifier
from models import ImportBatch, ImportProblem
from roster import batches, guard, jobs, person_file, snapshots, uploads
from roster.access import recent_batches, visible_batch, visible_quality
from roster.import_commit import RemovalsNeedConfirmation, claim_for_commit, removals_needing_confirmation

bp = Blueprint("roster", __name__)

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.roster.…".
bp = Blueprint("roster", __name__)


def batch_json(batch: ImportBatch) -> dict:
    """Describe a batch for scripts and for the progress bar."""
    percent = None
    if batch.status == "committed":
        percent = 100
    elif batch.rows_total:
        percent = min(100, round(100 * batch.rows_read / batch.rows_total))
    return {
        "id": batch.id, "filename": batch.filename, "status": batch.status, "fingerprint": batch.fingerprint,
        "county": batch.default_county, "counties": batch.counties, "rows_total": batch.rows_total,
        "rows_read": batch.rows_read, "rows_valid": batch.rows_valid, "rows_rejected": batch.rows_rejected,
        "rows_warned": batch.rows_warned, "added": batch.added, "updated": batch.updated,
        "unchanged": batch.unchanged, "removed": batch.removed, "duplicates": batch.duplicates,
        "percent": percent, "error_code": batch.error_code,
        "county_changes": [guard.county_change(c, n) for c, n in sorted((batch.county_counts or {}).items())],
        "suspicious_counties": [c["county"] for c in guard.suspicious_counties(batch.county_counts or {})],
        "removals_to_confirm": removals_needing_confirmation(batch) if batch.status == "previewed" else [],
        "error_message": batch.error_message and batch.error_message.split("\n")[0],
        "created_at": batch.created_at.isoformat(), "committed_at": batch.committed_at and batch.committed_at.isoformat(),
    }


@bp.get("/imports")
@require("import_roster")
def list_imports():
    """List recent import batches."""
    return jsonify([batch_json(b) for b in recent_batches()])


@bp.post("/imports")
@require("import_roster")
def upload_import():
    """Upload a county file (multipart field `file`, optional `county`) and start its check."""
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        abort(400, "请上传名册文件（字段 file）")
    county = county_scope(current_user) or request.form.get("county") or None
    batch = uploads.receive_upload(current_app._get_current_object(), storage, current_user, county)
    return jsonify(batch_json(batch)), 202


@bp.get("/imports/<int:batch_id>")
@require("import_roster")
def import_status(batch_id):
    """Report a batch's progress and counts."""
    jobs.mark_interrupted(db.session)
    return jsonify(batch_json(visible_batch(batch_id)))


@bp.get("/imports/<int:batch_id>/problems")
@require("import_roster")
def import_problems(batch_id):
    """List a batch's problems (row, field, value, code, reasons), 500 at a time."""
    batch = visible_batch(batch_id)
    offset = int_arg("offset", 0)
    rows = db.session.scalars(select(ImportProblem).where(ImportProblem.batch_id == batch.id)
                              .order_by(ImportProblem.id).offset(offset).limit(500))
    return jsonify([{"row": p.row, "field": p.field, "value": p.value, "code": p.code, "severity": p.severity,
                     "message_zh": p.message_zh, "message_en": p.message_en} for p in rows])


@bp.post("/imports/<int:batch_id>/commit")
@require("import_roster")
@accepts(confirm_removals=Field("boolean"))
def commit_import(batch_id, body):
    """Import a previewed batch; 409 when it is not previewed, or when it takes many persons off a
    county's register and the body lacks `"confirm_removals": true` (then the body names the counties)."""
    batch = visible_batch(batch_id)
    try:
        claimed = claim_for_commit(db, batch.id, confirm_removals=body.get("confirm_removals", False))
    except RemovalsNeedConfirmation as refusal:
        return jsonify(refusal.as_json()), 409
    if not claimed:
        abort(409, "该批次不是待导入状态（可能已在导入或已导入）")
    jobs.start_commit(current_app._get_current_object(), batch.id, current_user.id)
    batch = db.session.get(ImportBatch, batch_id)
    return jsonify(batch_json(batch)), 202


@bp.post("/imports/<int:batch_id>/resume")
@require("import_roster")
def resume_import(batch_id):
    """Send an interrupted batch on again (back to its preview, or checked again); 409 if it is not one."""
    batch = visible_batch(batch_id)
    if not jobs.may_resume(batch):
        abort(409, "只有中断的批次（或名册已变更的批次）可以继续")
    if jobs.resume(current_app._get_current_object(), batch.id, date.today()) is None:
        abort(409, "该批次已由另一请求继续处理")
    return jsonify(batch_json(db.session.get(ImportBatch, batch_id))), 202


@bp.post("/imports/<int:batch_id>/cancel")
@require("import_roster")
def cancel_import(batch_id):
    """Discard a batch that has not been imported; the roster is unchanged."""
    batch = visible_batch(batch_id)
    if not batches.cancel_batch(db, batch):
        abort(409, "该批次已导入或正在处理，不能放弃")
    return jsonify(batch_json(batch))


@bp.get("/counties/<county>/snapshots")
@require("view_roster")
def county_snapshots(county):
    """List a county's roster snapshots, newest first."""
    ensure_county_visible(county)
    return jsonify([snapshots.snapshot_json(s) for s in snapshots.county_history(db.session, county, current_user)])


@bp.post("/counties/<county>/snapshots/restore")
@require("import_roster")
@accepts(reason=Field("text", required=True, max_length=500), snapshot=identifier(nullable=True),
         replaces=identifier(nullable=True))
def restore_snapshot(county, body):
    """Make an earlier snapshot current again as a new snapshot; body {"reason": …, "snapshot": id (optional),
    "replaces": the current snapshot's id as the caller saw it (optional; 409 when it is no longer current)}."""
    ensure_county_visible(county)
    try:
        snapshot = snapshots.restore_snapshot(db, county, body.get("snapshot"), current_user, body["reason"],
                                              replaces=body.get("replaces"))
    except snapshots.SnapshotError as error:
        status = {"reason_required": 400, "already_current": 409, "roster_changed": 409}.get(error.code, 404)
        return jsonify({"error": {"code": error.code, "message": error.message_zh}}), status
    return jsonify(snapshots.snapshot_json(snapshot)), 201


@bp.get("/quality")
@require("view_roster")
def quality():
    """Per-county data-quality counts of the current rosters."""
    return jsonify(visible_quality())


@bp.get("/persons/<int:person_id>")
@require("view_roster")
def person_file_json(person_id):
    """One person's file in your county scope, ID and phone numbers masked.

    Roster rows across snapshots, draws, tasks, attempts, verification records and rectification items."""
    try:
        return jsonify(person_file.person_file(db.session, current_user, person_id).as_json())
    except person_file.PersonNotFound:
        abort(404)


@bp.post("/persons/<int:person_id>/reveal")
@require("view_roster")
@accepts(field=Field("text", required=True, choices=person_file.REVEAL_FIELDS))
def person_reveal(person_id, body):
    """Return a person's full ID or phone number once, writing the read to the audit log.

    {"field": "id_number" or "phone"}."""
    try:
        _entry, value = person_file.reveal(current_user, person_id, body["field"], via="api")
    except person_file.PersonNotFound:
        abort(404)
    return jsonify({body["field"]: value})
