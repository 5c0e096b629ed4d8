"""How Flask-Login finds the user: the session cookie for pages, a bearer token for scripts."""

from flask import flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from auth.tokens import note_token_use, user_for_token
from errors import api_error, wants_json
from extensions import db
from models import User


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

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id))
        return user if user and user.active else None

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
