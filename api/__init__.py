"""The JSON API under /api/v1: token or session auth, the same permissions as the pages."""

from flask import Blueprint, request
from flask_login import current_user

from extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def check_csrf_for_cookie_sessions():
    """Require the CSRF token when a browser session, not a bearer token, makes a change."""
    if request.method in UNSAFE_METHODS and not request.headers.get("Authorization", "").startswith("Bearer "):
        csrf.protect()


@bp.before_request
def require_login():
    """Refuse anonymous calls with a JSON 401."""
    from flask import abort

    if not current_user.is_authenticated:
        abort(401)
