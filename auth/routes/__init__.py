"""Account pages on the "auth" blueprint: `login.py` logs in and out and changes one's own password,
`users.py` is the administrator's user list and user page, `profile.py` every user's own profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from auth.routes import login, profile, users  # noqa: E402,F401  (the views register themselves on bp)
