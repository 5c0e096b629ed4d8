"""The one permission check used by pages, the API and exports alike."""

from functools import wraps

from flask import abort, current_app
from flask_login import current_user

# What each role may do. Pages, API routes and exports ask for a capability, not a role.
CAPABILITIES = {
    "admin": {"manage_users", "view_roster", "import_roster", "draw_samples", "view_stats", "settings",
              "hear_recordings"},
    "coordinator": {"view_roster", "import_roster", "draw_samples", "assign_work", "view_stats", "follow_up",
                    "hear_recordings"},
    "caller": {"follow_up"},
    "manager": {"view_roster", "view_stats", "rectify"},
}


def can(user, capability: str) -> bool:
    """Tell whether the user's role grants the capability."""
    return bool(user and user.is_authenticated and capability in CAPABILITIES.get(user.role, ()))


def require(capability: str):
    """Refuse the view with 403 unless the current user has the capability (401 if not logged in)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not can(current_user, capability):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def county_scope(user) -> str | None:
    """Return the county code a user is limited to, or None when the user sees every county."""
    return user.county_code if user and user.is_authenticated else None


def scope_to_county(query, county_column, user=None):
    """Limit a query to the user's county when the user is scoped to one."""
    scope = county_scope(user or current_user)
    return query if scope is None else query.where(county_column == scope)


def ensure_county_visible(county_code: str, user=None) -> None:
    """Abort with 404 when a county-scoped user asks for another county's data."""
    scope = county_scope(user or current_user)
    if scope is not None and county_code != scope:
        abort(404)
