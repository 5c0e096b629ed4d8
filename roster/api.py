"""Roster API: import batches (upload, status, mapping, commit) and data quality."""

import os
from datetime import date

from flask import abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from api import bp
from auth.permissions import county_scope, require
from extensions import db
from models import ImportBatch, ImportProblem
from roster import importer, jobs
from roster.import_routes import save_upload, visible_batch
from roster.quality import county_quality


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
        "error_message": batch.error_message and batch.error_message.split("\n")[0],
        "created_at": batch.created_at.isoformat(), "committed_at": batch.committed_at and batch.committed_at.isoformat(),
    }


@bp.get("/imports")
@require("import_roster")
def list_imports():
    """List recent import batches."""
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(100)
    if county_scope(current_user):
        query = query.where(ImportBatch.default_county == county_scope(current_user))
    return jsonify([batch_json(b) for b in db.session.scalars(query)])


@bp.post("/imports")
@require("import_roster")
def upload_import():
    """Upload a county file (multipart field `file`, optional `county`) and start its check."""
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        abort(400, "请上传名册文件（字段 file）")
    county = county_scope(current_user) or request.form.get("county") or None
    path = save_upload(storage)
    try:
        batch = importer.create_batch(db.session, path, os.path.basename(storage.filename),
                                      current_app.instance_path, current_user, county)
        db.session.commit()
    finally:
        os.remove(path)
    if batch.status != "duplicate":
        jobs.start(current_app._get_current_object(), jobs.run_validation, batch.id, date.today())
        batch = db.session.get(ImportBatch, batch.id)  # a job may have ended this session; load afresh
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
    offset = max(request.args.get("offset", 0, type=int), 0)
    rows = db.session.scalars(select(ImportProblem).where(ImportProblem.batch_id == batch.id)
                              .order_by(ImportProblem.id).offset(offset).limit(500))
    return jsonify([{"row": p.row, "field": p.field, "value": p.value, "code": p.code, "severity": p.severity,
                     "message_zh": p.message_zh, "message_en": p.message_en} for p in rows])


@bp.post("/imports/<int:batch_id>/commit")
@require("import_roster")
def commit_import(batch_id):
    """Import a previewed batch; 409 when it is not (or no longer) previewed."""
    batch = visible_batch(batch_id)
    if not importer.claim_for_commit(db.session, batch.id):
        abort(409, "该批次不是待导入状态（可能已在导入或已导入）")
    jobs.start(current_app._get_current_object(), jobs.run_commit, batch.id, current_user.id)
    batch = db.session.get(ImportBatch, batch_id)
    return jsonify(batch_json(batch)), 202


@bp.get("/quality")
@require("view_roster")
def quality():
    """Per-county data-quality counts of the current rosters."""
    scope = county_scope(current_user)
    return jsonify(county_quality(db.session, date.today(), [scope] if scope else None))
