"""The "calls" blueprint (/calls): the caller's click-to-call and the admin's telephony page.

Not the webhooks' blueprint: these are the users' own actions and keep their CSRF check.
`click_to_call.py` and `settings_routes.py` attach their views to it.
"""

from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/calls")
