"""Accounts JSON API (/api/v1/users…, /api/v1/me/…): the same services and permissions as the pages."""

from flask import Blueprint, jsonify, request
from flask_login import current_user

from auth.accounts import AccountError, edit_user, register_user, reset_to_one_time_password, switch_active
from auth.login import claim_login_try, current_password_is, set_own_password
from auth.permissions import require
from auth.profile import PhoneError, update_profile
from auth.user_list import LOGIN_FILTERS, find_users, parse_active, user_json
from core.clock import now
from core.errors import api_error
from core.extensions import db
from core.jsonbody import Field, accepts
from models import ROLES, User

bp = Blueprint("users", __name__)


def _account_error(error: AccountError, status: int = 400):
    return api_error(404 if error.kind == "missing" else status, f"account_{error.kind}", error.message())


@bp.get("/users")
@require("manage_users")
def users_list():
    """List the users; filters: role, county (a code, or "all" for users of every county), active, login."""
    login = request.args.get("login")
    role = request.args.get("role")
    rows = find_users(now(), role=role if role in ROLES else None, county=(request.args.get("county") or "")[:6] or None,
                      active=parse_active(request.args.get("active")), login=login if login in LOGIN_FILTERS else None)
    return jsonify(users=[user_json(user) for user in rows])


@bp.post("/users")
@require("manage_users")
@accepts(username=Field("text", required=True, max_length=64), password=Field("text", required=True, max_length=128),
         role=Field("text", required=True, choices=ROLES), county=Field("text", nullable=True, max_length=6),
         display_name=Field("text", max_length=64))
def users_create(body):
    """Create a user."""
    try:
        user = register_user(body["username"].strip(), body["password"], body["role"], body.get("county") or None,
                             body.get("display_name") or "")
    except AccountError as error:
        return _account_error(error)
    return jsonify(user_json(user)), 201


@bp.get("/users/<int:user_id>")
@require("manage_users")
def users_show(user_id):
    """Describe one user."""
    user = db.session.get(User, user_id)
    if user is None:
        return api_error(404, "not_found", "not found")
    return jsonify(user_json(user))


@bp.patch("/users/<int:user_id>")
@require("manage_users")
@accepts(display_name=Field("text", max_length=64), role=Field("text", choices=ROLES),
         county=Field("text", nullable=True, max_length=6))
def users_edit(user_id, body):
    """Change a user's display name, role and county scope (county null: all counties)."""
    changes = {"display_name": body["display_name"]} if "display_name" in body else {}
    changes |= {"role": body["role"]} if "role" in body else {}
    changes |= {"county_code": body["county"] or None} if "county" in body else {}
    try:
        return jsonify(user_json(edit_user(user_id, via="api", **changes)))
    except AccountError as error:
        return _account_error(error)


@bp.post("/users/<int:user_id>/disable")
@require("manage_users")
def users_disable(user_id):
    """Disable a user: their sessions end and their API tokens are revoked."""
    if user_id == current_user.id:
        return api_error(400, "own_account", "不能停用自己的账号 / You cannot disable your own account.")
    try:
        return jsonify(user_json(switch_active(user_id, False, via="api")))
    except AccountError as error:
        return _account_error(error)


@bp.post("/users/<int:user_id>/enable")
@require("manage_users")
def users_enable(user_id):
    """Enable a disabled user again."""
    try:
        return jsonify(user_json(switch_active(user_id, True, via="api")))
    except AccountError as error:
        return _account_error(error)


@bp.post("/users/<int:user_id>/reset-password")
@require("manage_users")
def users_reset_password(user_id):
    """Give a user a one-time password (in the answer, once) that they must change at next login."""
    try:
        user, password = reset_to_one_time_password(user_id, via="api")
    except AccountError as error:
        return _account_error(error)
    response = jsonify(user=user_json(user), one_time_password=password)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/me/password")
@accepts(current=Field("text", required=True, max_length=128), password=Field("text", required=True, max_length=128))
def change_my_password(body):
    """Change one's own password (the current one is asked); the user's sessions end."""
    user = current_user._get_current_object()
    if claim_login_try(user.username, request.remote_addr or "", now()) is not None:  # guessing is throttled
        return api_error(429, "too_many_attempts", "尝试次数过多，请稍后再试 / Too many failed attempts; try later.")
    if not current_password_is(user, body["current"]):
        return api_error(400, "wrong_password", "当前密码不对 / The current password is wrong.")
    try:
        set_own_password(user, body["password"], request.remote_addr or "")
    except AccountError as error:
        return _account_error(error)
    return jsonify(changed=True)


@bp.get("/me/profile")
def my_profile():
    """Describe the calling user's own account."""
    return jsonify(user_json(current_user))


@bp.patch("/me/profile")
@accepts(display_name=Field("text", max_length=64), phone=Field("text", nullable=True, max_length=32))
def update_my_profile(body):
    """Change one's own display name and phone number (validated; null or "" clears it)."""
    try:
        user = update_profile(current_user.id, body.get("display_name"),
                              (body.get("phone") or "") if "phone" in body else None, via="api")
    except PhoneError as error:
        return api_error(400, "phone_invalid", error.message())
    return jsonify(user_json(user))
