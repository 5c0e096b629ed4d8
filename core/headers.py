"""Security headers on every response: what the browser may load, frame, sniff, send on, and keep.

Every script, style and font is served by the app itself (static/vendor), so the
Content-Security-Policy allows only this origin: no inline script, no inline style, no other host.
Pages, API answers and exports carry names and numbers of persons, so nothing but the static
files may be stored by the browser or a proxy.
"""

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # for browsers older than frame-ancestors
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def add_security_headers(response):
    """Set the security headers; forbid storing anything but the static files."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    from flask import request

    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_headers(app) -> None:
    """Send the security headers with every response of the app."""
    app.after_request(add_security_headers)
