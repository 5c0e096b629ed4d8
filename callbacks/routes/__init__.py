"""Follow-up pages on the "followup" blueprint (/followup): `caller.py` holds the caller's queue and
task page, visits and the verification form; `manage.py` the coordinators' supervision pages; `assignment.py` the assignment table and workload."""

from flask import Blueprint, abort, flash, redirect
from flask_login import current_user

from callbacks.access import visible_task
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from models import FollowUpTask as Task

bp = Blueprint("followup", __name__, url_prefix="/followup")


def me() -> Actor:
    return Actor.of(current_user)


def fail(error: FollowUpError, target: str):
    """Show why an action was refused and go back; a task the user may not see is simply not found."""
    if error.status in (403, 404):
        abort(error.status)
    flash(error.message(), "danger")
    return redirect(target)


def load_task(task_id: int) -> Task:
    """Load a task the current user may see, or answer 404."""
    try:
        return visible_task(me(), task_id)
    except FollowUpError:
        abort(404)


# The pages add their views to `bp`; imported here, after it exists, so that registering bp brings them.
from callbacks.routes import assignment, caller, manage, verification  # noqa: E402, F401
