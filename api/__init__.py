"""The JSON API under /api/v1: token or session auth, the same permissions as the pages."""

from flask import Blueprint, request
from flask_login import current_user

from core.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def authenticated_by_token() -> bool:
    """Tell whether a valid bearer token, not a session cookie, authenticated the request."""
    from auth.loaders import bearer_user

    token_user = bearer_user()
    return token_user is not None and current_user.is_authenticated and current_user.id == token_user.id


@bp.before_request
def check_csrf_for_cookie_sessions():
    """Require the CSRF token for a change unless a valid bearer token authenticated the request.

    Any other Authorization header (empty, bogus, revoked, another user's) lifts nothing: the cookie
    is what authenticates then, and a cookie needs the CSRF token.
    """
    if request.method in UNSAFE_METHODS and not authenticated_by_token():
        csrf.protect()


@bp.before_request
def require_login():
    """Refuse anonymous calls with a JSON 401."""
    from flask import abort

    if not current_user.is_authenticated:
        abort(401)


# The areas' API blueprints are nested here, once, so that their routes live under /api/v1.
from callbacks.api import bp as followup_bp  # noqa: E402

bp.register_blueprint(followup_bp)
csrf.exempt(followup_bp)  # the check above asks cookie sessions for the token; a bearer token needs none
