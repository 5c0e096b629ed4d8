"""Foundation API: who am I, the counties, the roster."""

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope, require, scope_to_county
from auth.tokens import withdraw_tokens
from core.clock import now
from core.errors import api_error
from core.extensions import db
from core.inputs import MAX_PAGE, int_arg
from models import County
from roster.search import NUMBER_REFUSED, TOO_MANY, SearchThrottled, find_persons

# Nested under the API blueprint like each area's API: endpoints "api.foundation.…".
bp = Blueprint("foundation", __name__)


@bp.get("/me")
def me():
    """Describe the calling user."""
    return jsonify(username=current_user.username, role=current_user.role, county=current_user.county_code)


@bp.get("/counties")
def counties():
    """List the counties the caller may see."""
    query = scope_to_county(select(County).order_by(County.code), County.code)
    rows = db.session.scalars(query)
    return jsonify([{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "official": c.official,
                     "local_code": c.local_code, "active": c.active} for c in rows])


@bp.get("/persons")
@require("view_roster")
def persons():
    """Search the roster by name, full ID or phone number, or name and last four digits (masked, throttled)."""
    page_size = min(int_arg("page_size", current_app.config["PAGE_SIZE"], 1), 500)
    try:
        result = find_persons(
            db, current_user, request.args.get("q", ""), now(), current_app.config["SEARCH_MAX_PER_MINUTE"],
            via="api",
            county_code=county_scope(current_user) or request.args.get("county"),
            status=request.args.get("status", "registered"),
            page=int_arg("page", 1, 1, MAX_PAGE),
            page_size=page_size,
        )
    except SearchThrottled:
        return api_error(429, "too_many_searches", str(TOO_MANY))
    if result.refused:
        return api_error(400, "number_search_refused", str(NUMBER_REFUSED))
    return jsonify(total=result.total, page=result.page, pages=result.pages, persons=result.rows)


@bp.post("/me/tokens/revoke")
def revoke_my_tokens():
    """Revoke every API token of the calling user (for a token that may have leaked)."""
    return jsonify(revoked=withdraw_tokens(current_user.id, via="api"))
