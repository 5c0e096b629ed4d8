"""How Flask-Login finds the user: the session cookie for pages, a bearer token for scripts."""

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from auth.sessions import user_for_session
from auth.tokens import note_token_use, user_for_token
from core.clock import now
from core.errors import api_error, wants_json
from core.extensions import db


def bearer_user():
    """Return the active user whose valid token the request carries, or None; look it up once per request."""
    if "bearer_user" not in g:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        g.bearer_user = user_for_token(db.session, token) if token else None
        if g.bearer_user is not None:
            note_token_use(db, token)
    return g.bearer_user


def init_login(login_manager) -> None:
    """Teach the login manager to load users and to answer anonymous requests."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in first.")
    login_manager.session_protection = "strong"

    # Also called for Flask-Login's remember cookie, which carries no login stamps and so never
    # logs anyone in: the app does not set it, and it would outlive the absolute session lifetime.
    @login_manager.user_loader
    def load_user(session_id):
        return user_for_session(db.session, session_id, session, now(), current_app.config)

    @login_manager.request_loader
    def load_user_from_token(_req):
        return bearer_user()

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask_babel import gettext as _

        if wants_json():
            return api_error(401, "not_logged_in", _("Please log in first."))
        flash(_("Please log in first."), "warning")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
