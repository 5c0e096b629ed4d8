"""Administration JSON API: settings, the holiday calendar and the counties, with the pages' checks."""

from flask import Blueprint, jsonify
from flask_login import current_user
from sqlalchemy import select

from admin import holidays, settings_service, settings_store
from admin.counties import add_county, change_county, county_state
from admin.setting_fields import FIELD_BY_ID
from auth.permissions import require
from core.errors import api_error
from core.extensions import db
from core.jsonbody import Field, accepts
from models import County


def _refused(problems: list[tuple[str, str]], status: int = 400):
    message = "；".join(f"{where}：{reason}" for where, reason in problems)
    return api_error(status, "settings_invalid", message, problems=[{"field": w, "reason": r} for w, r in problems])


bp = Blueprint("admin", __name__)


@bp.get("/settings")
@require("settings")
def settings_show():
    """Return every setting in force (field ids as in the page: FOLLOWUP_RULES.max_phone_attempts …) and
    whether the operator pinned it."""
    return jsonify(settings_service.current())


@bp.patch("/settings")
@require("settings")
@accepts(values=Field("object", required=True))
def settings_change(body):
    """Change settings: {"values": {"FOLLOWUP_RULES.max_phone_attempts": 4, "QC_SHARE": 8}} (QC_SHARE in %)."""
    values = body["values"]
    unknown = [(name, "unknown setting") for name in sorted(set(values) - set(FIELD_BY_ID))]
    pinned = [(name, "pinned by the operator") for name in sorted(values)
              if name in FIELD_BY_ID and settings_service.is_pinned(FIELD_BY_ID[name])]
    if unknown or pinned:
        return _refused(unknown + pinned, 409 if pinned and not unknown else 400)
    problems, changed = settings_service.save(values, current_user, via="api")
    if problems:
        return _refused(problems)
    return jsonify(changed=changed, **settings_service.current())


@bp.get("/settings/history")
@require("settings")
def settings_history():
    """Return the latest changes of the stored settings, newest first."""
    return jsonify(changes=[{"key": c.key, "before": c.before, "after": c.after, "at": c.at.isoformat(),
                             "by": c.username} for c in settings_store.history(limit=200)])


@bp.get("/calendar/<int:year>")
@require("settings")
def calendar_show(year):
    """Return a year's public holidays ("closed") and make-up working days ("open")."""
    return jsonify(year=year, source=holidays.source_of(year), pinned=holidays.pinned(), **holidays.calendar_for(year))


@bp.put("/calendar/<int:year>")
@require("settings")
@accepts(closed=Field("texts", required=True), open=Field("texts", required=True))
def calendar_change(year, body):
    """Replace a year's holidays and make-up working days (lists of dates or "first 至 last" ranges)."""
    closed, problems = holidays.parse_days("\n".join(body["closed"]), year, "closed")
    opened, more = holidays.parse_days("\n".join(body["open"]), year, "open")
    problems = problems + more or holidays.save_calendar(year, closed, opened, current_user, via="api")
    if problems:
        return _refused(problems)
    return jsonify(year=year, source=holidays.source_of(year), **holidays.calendar_for(year))


COUNTY_FIELDS = {"name_zh": Field("text", max_length=50), "name_en": Field("text", max_length=100),
                 "local_code": Field("text", nullable=True, max_length=32), "official": Field("boolean"),
                 "active": Field("boolean")}


@bp.post("/counties")
@require("settings")
@accepts(code=Field("text", required=True, max_length=6), **COUNTY_FIELDS)
def county_add(body):
    """Add a county."""
    code = body.pop("code").strip()
    county, problems = add_county(code, body, via="api")
    if problems:
        return _refused(problems)
    return jsonify(code=code, **county_state(county)), 201


@bp.patch("/counties/<code>")
@require("settings")
@accepts(**COUNTY_FIELDS)
def county_change(code, body):
    """Change a county's names, local code, official flag or active flag."""
    county = db.session.scalar(select(County).where(County.code == code[:6]))
    if county is None:
        return api_error(404, "not_found", "not found")
    problems = change_county(county.code, body, via="api")
    if problems:
        return _refused(problems)
    db.session.refresh(county)
    return jsonify(code=county.code, **county_state(county))
