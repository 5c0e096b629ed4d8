"""The "calls" blueprint (/calls): the caller's click-to-call and the admin's telephony page.

Not the webhooks' blueprint: these are the users' own actions and keep their CSRF check.
`click_to_call.py` and `settings.py` hold its views, imported below so that registering bp brings them.
"""

from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/calls")

# The views add themselves to `bp`; imported here, after it exists.
from callbacks.telephony.pages import click_to_call, notices, settings  # noqa: E402, F401
