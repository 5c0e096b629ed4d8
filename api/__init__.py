"""The JSON API under /api/v1: token or session auth, the same permissions as the pages.

This parent blueprint checks login and CSRF for every API route, serves /me, /counties and /persons
(api/routes.py), and nests each area's own API blueprint (`<area>/api.py`'s `bp`).
"""

from flask import Blueprint, request
from flask_login import current_user

from core.extensions import csrf

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def authenticated_by_token() -> bool:
    """Tell whether a valid bearer token, not a session cookie, authenticated the request."""
    from auth.loaders import bearer_user

    token_user = bearer_user()
    return token_user is not None and current_user.is_authenticated and current_user.id == token_user.id


def check_csrf_for_cookie_sessions():
    """Require the CSRF token for a change unless a valid bearer token authenticated the request.

    Any other Authorization header (empty, bogus, revoked, another user's) lifts nothing: the cookie
    is what authenticates then, and a cookie needs the CSRF token.
    """
    if request.method in UNSAFE_METHODS and not authenticated_by_token():
        csrf.protect()


def require_login():
    """Refuse anonymous calls with a JSON 401."""
    from flask import abort

    if not current_user.is_authenticated:
        abort(401)


def init_app(app) -> None:
    """Register the API: a parent blueprint per app (blueprints cannot change once registered) with the
    login and CSRF checks, nesting /me, /counties, /persons and each area's API blueprint."""
    from admin.api import bp as admin_api
    from api.routes import bp as foundation_api
    from auth.api import bp as users_api
    from callbacks.api import bp as followup_api
    from campaigns.api import bp as campaigns_api
    from checklists.api import bp as checklists_api
    from documents.api import bp as documents_api
    from registers.api import bp as registers_api
    from reports.api import bp as reports_api
    from roster.api import bp as roster_api

    parent = Blueprint("api", __name__, url_prefix="/api/v1")
    parent.before_request(check_csrf_for_cookie_sessions)
    parent.before_request(require_login)
    for child in (foundation_api, users_api, admin_api, roster_api, campaigns_api, followup_api, reports_api,
                  registers_api, checklists_api, documents_api):
        parent.register_blueprint(child)
        csrf.exempt(child)  # the check above asks cookie sessions for the token; a bearer token needs none
    csrf.exempt(parent)
    app.register_blueprint(parent)
