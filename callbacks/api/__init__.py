"""The follow-up JSON API: one child blueprint "followup" of the /api/v1 API (no prefix of its own,
so paths stay /api/v1/followup/…, /api/v1/draws/<id>/tasks). `caller.py` holds the caller's queue,
claims, attempts and verification; `manage.py` the coordinators' actions, referrals, reveal and call.
A refused action (FollowUpError) is answered as JSON with its stable code."""

from flask import Blueprint

from callbacks.errors import FollowUpError
from core.errors import api_error

# Nested under the API blueprint (api/__init__.py): paths are below /api/v1, endpoints "api.followup.…".
bp = Blueprint("followup", __name__)


@bp.errorhandler(FollowUpError)
def followup_error(error: FollowUpError):
    """Answer a refused follow-up action with its stable code."""
    extra = {"problems": error.params["problems"]} if "problems" in error.params else {}
    return api_error(error.status, error.code, error.message(), **extra)


# The modules add their routes to `bp`; imported here, after it exists, so that nesting bp brings them.
from callbacks.api import assignment, caller, manage, notices  # noqa: E402, F401
