"""The cross-register API under /api/v1/registers: imports, the match, per-county counts and findings."""

import json
import os
import tempfile
from datetime import date

from flask import Blueprint, Response, abort, jsonify, request
from flask_login import current_user

from auth.permissions import require
from config.registers import FINDING_CODES, KIND_CODES
from core.clock import now
from core.errors import api_error
from core.inputs import MAX_PAGE, int_arg
from core.jsonbody import Field, accepts
from registers import access
from registers.findings import county_findings, county_summaries, export_xlsx, reveal_id_number
from registers.importing import WAITING, RegisterError, import_register, kinds_and_fields, may_import
from registers.mapping import import_mapped, waiting_columns
from registers.matching import run_match
from registers.rectify import active_findings, item_statuses, rectify
from reports.access import due_days

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.registers.…".
bp = Blueprint("registers", __name__)


def import_json(batch) -> dict:
    """Describe an import and its row report."""
    return {"id": batch.id, "kind": batch.kind, "label": batch.label, "filename": batch.filename,
            "status": batch.status, "rows": batch.rows_total, "stored": batch.rows_valid,
            "rejected": batch.rows_rejected, "records_kept": batch.records_kept,
            "created_at": batch.created_at.isoformat(), "problem_count": batch.problem_count,
            "problems": batch.problems}


@bp.get("/registers")
@require("view_roster")
def summaries():
    """Return each visible county's registered persons, persons with findings and each type's count and share."""
    return jsonify(counties=county_summaries(access.visible_counties()))


@bp.get("/registers/counties/<code>/findings")
@require("view_roster")
def findings(code):
    """Return a page of a county's findings (?type=&page=&page_size=), ID numbers masked."""
    access.visible_county(code)
    finding_type = request.args.get("type") or None
    if finding_type not in (None, *FINDING_CODES):
        return api_error(400, "bad_filter", "type")
    page = county_findings(code, finding_type, page=int_arg("page", 1, 1, MAX_PAGE),
                           page_size=int_arg("page_size", 50, 1, 500))
    statuses = item_statuses([item["id"] for item in page["items"]])
    for item in page["items"]:
        item["rectification"] = statuses.get(item["id"])
    return jsonify(page)


@bp.get("/registers/counties/<code>/findings.xlsx")
@require("view_roster")
def findings_xlsx(code):
    """Return a county's findings as XLSX (ID numbers masked)."""
    access.visible_county(code)
    data, headers = export_xlsx(code, date.today())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=headers)


@bp.post("/registers/findings/<int:finding_id>/reveal")
@require("view_roster")
def reveal(finding_id):
    """Return one finding's full ID number; the read goes to the audit log."""
    finding = access.visible_finding(finding_id)
    return jsonify(id=finding.id, id_number=reveal_id_number(finding))


@bp.get("/registers/imports")
@require("import_roster")
def imports():
    """List the latest imports (coordinators and admins of every county)."""
    if not may_import(current_user):
        abort(404)
    return jsonify([import_json(b) for b in access.recent_imports()])


@bp.get("/registers/imports/<int:import_id>")
@require("import_roster")
def import_status(import_id):
    """Return an import's counts and row report (waiting for its columns: each column and the kind's fields).

    A column: its index from 0, number, header, a sample value (ID and phone numbers masked) and the field
    its header suggests."""
    batch = access.visible_import(import_id)
    answer = import_json(batch)
    if batch.status == WAITING:
        try:
            answer["columns"] = waiting_columns(batch)
        except RegisterError as error:
            return api_error(error.status, error.code, error.message)
        answer["fields"] = kinds_and_fields(batch.kind)[0]["fields"]
    return jsonify(answer)


@bp.post("/registers/imports/<int:import_id>/mapping")
@require("import_roster")
@accepts(columns=Field("object", required=True))
def import_mapping(import_id, body):
    """Import a file waiting for its columns with {"columns": {"<column index from 0>": "field"}}.

    Columns left out are not imported. Each required field needs one column and a field takes one only
    (400 "bad_mapping" with the problems); an import no longer waiting answers 409 "not_waiting"."""
    batch = access.visible_import(import_id)
    choice = {}
    for index, name in body["columns"].items():
        if not (isinstance(index, str) and index.isdigit() and len(index) < 4) or not isinstance(name, str | None):
            return api_error(400, "bad_mapping", "columns: {\"0\": \"id_number\", …}")
        if name:
            choice[int(index)] = name[:40]
    try:
        batch = import_mapped(batch, choice)
    except RegisterError as error:
        return api_error(error.status, error.code, error.message, **error.details)
    return jsonify(import_json(batch))


@bp.post("/registers/imports")
@require("import_roster")
def upload():
    """Import a register file: multipart `file`, `kind`, optional `label` and `mapping` ({"header": "field"}).

    A required field no header names is refused (400 "columns_missing" with the file's `headers` and the
    `missing` fields): send the file again with `mapping`."""
    storage = request.files.get("file")
    kind = request.form.get("kind")
    if storage is None or not storage.filename:
        return api_error(400, "file_missing", "请上传文件（字段 file）")
    if kind not in KIND_CODES:
        return api_error(400, "unknown_kind", "kind: " + "、".join(KIND_CODES))
    try:
        mapping = json.loads(request.form.get("mapping") or "{}")
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        return api_error(400, "bad_mapping", "mapping: {\"表头\": \"field\"}")
    handle, path = tempfile.mkstemp(prefix="register-")
    with os.fdopen(handle, "wb") as out:
        storage.save(out)
    try:
        batch = import_register(path, os.path.basename(storage.filename), kind, label=request.form.get("label"),
                                mapping=mapping)
    except RegisterError as error:
        return api_error(error.status, error.code, error.message, **error.details)
    finally:
        os.remove(path)
    return jsonify(import_json(batch)), 201


@bp.post("/registers/match")
@require("import_roster")
@accepts(county=Field("text", max_length=6))
def match(body):
    """Run the match (of one county with {"county"}); return the persons per county and finding type."""
    county = body.get("county")
    if county:
        access.visible_county(county)
    try:
        done = run_match(county=county)
    except RegisterError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify(match=done.id, pairs=done.records, findings=done.findings, counts=done.counts)


@bp.post("/registers/counties/<code>/rectify")
@require("assign_work")
@accepts(type=Field("text", max_length=32), finding_ids=Field("integers"), due_days=Field("integer", low=1, high=365))
def rectify_findings(code, body):
    """Make a county's active findings (all, of one {"type"}, or {"finding_ids"}) rectification items."""
    access.visible_county(code)
    finding_type = body.get("type")
    if finding_type not in (None, *FINDING_CODES):
        return api_error(400, "bad_filter", "type")
    findings = active_findings(code, finding_type)
    if body.get("finding_ids") is not None:
        wanted = set(body["finding_ids"])
        findings = [f for f in findings if f.id in wanted]
    try:
        made = rectify(findings, user=current_user, today=date.today(), due_days=body.get("due_days", due_days()),
                       now=now())
    except RegisterError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify(opened=made, findings=len(findings))
