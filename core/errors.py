"""Error answers: a page in the user's language, or a JSON body with a stable code under /api/."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError

# Stable error codes for the API, with the message shown to people.
HTTP_ERRORS = {
    400: ("bad_request", lambda: _("The request is not valid.")),
    401: ("not_logged_in", lambda: _("Please log in first.")),
    403: ("forbidden", lambda: _("You do not have permission to do this.")),
    404: ("not_found", lambda: _("Not found, or not visible to you.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
    409: ("conflict", lambda: _("This conflicts with the current state; reload and try again.")),
    413: ("too_large", lambda: _("The upload is larger than the allowed size.")),
    429: ("too_many_requests", lambda: _("Too many attempts; please wait and try again.")),
    500: ("server_error", lambda: _("Something went wrong on the server. The error has been logged.")),
}


def wants_json() -> bool:
    """Tell whether to answer in JSON: calls to the API, and page scripts that ask for JSON."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def api_error(status: int, code: str, message: str, **extra):
    """Build a JSON error answer with a stable code and a translated message."""
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


def _handle(status):
    def handler(error):
        code, message = HTTP_ERRORS[status]
        detail = getattr(error, "description", None)
        text = message()
        if status in (400, 409) and isinstance(detail, str) and detail and not detail.startswith("The "):
            text = detail  # our own messages, raised with abort(400, msg)
        if wants_json():
            return api_error(status, code, text)
        return render_template("errors/error.html", status=status, message=text), status

    return handler


def not_found(error):
    """Answer "not found", as a page or in JSON (also for another county's object: auth/scope.py)."""
    return _handle(404)(error)


def forbidden_beyond_county():
    """Answer a change that would reach other counties than the user's own."""
    from core.extensions import db

    db.session.rollback()
    message = _("This reaches other counties than yours; only a user for every county may do it.")
    if wants_json():
        return api_error(403, "beyond_your_county", message)
    return render_template("errors/error.html", status=403, message=message), 403


def init_errors(app) -> None:
    """Register the handlers for the HTTP errors we answer ourselves."""
    for status in HTTP_ERRORS:
        app.register_error_handler(status, _handle(status))

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # No page: without a trusted host the app cannot build its own URLs (TRUSTED_HOSTS).
        return _("This address is not served here (the Host header is not trusted)."), 400, {
            "Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form has expired or was not sent from this site. Reload the page and try again.")
        if wants_json():
            return api_error(400, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400
