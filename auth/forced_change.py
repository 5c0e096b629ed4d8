"""A user given a one-time password changes it before doing anything else: every request leads to
the password change page (a JSON request is refused with 403) until they have."""

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import api_error, wants_json

# What such a user may still reach: the change itself, logging out, the language switch, static files.
ALLOWED_ENDPOINTS = {"auth.change_own_password", "auth.logout", "auth.login", "main.switch_language", "static",
                     "api.users.change_my_password"}


def require_password_change():
    """Send a user who must change their password to the change page; let everything else through."""
    if request.endpoint in ALLOWED_ENDPOINTS or not current_user.is_authenticated:
        return None
    if not getattr(current_user, "must_change_password", False):
        return None
    message = _("Your password was reset: choose a new password of your own before you go on.")
    if request.path.startswith("/api/") or wants_json():
        return api_error(403, "password_change_required", message)
    flash(message, "warning")
    return redirect(url_for("auth.change_own_password"))
