"""The rectification workflow steps as pages and API take them: the permission each needs, then the step
and its audit entry in one write transaction."""

from datetime import date

from flask import abort
from flask_login import current_user

from core.clock import now
from core.extensions import db
from models import RectificationItem
from reports import access
from reports import rectification as rect


def apply_step(item: RectificationItem, step: str, data) -> None:
    """Apply one workflow step with the permission it needs (pages and API alike).

    Raises RectificationError when the item cannot take the step; nothing is written then.
    """
    today, moment, note = access.today(), now(), data.get("note", "")
    if step == "rectify":
        if not rect.may_mark(current_user, item):
            abort(403)
        try:
            on = date.fromisoformat(data.get("rectified_on") or "")
        except ValueError:
            on = None
        with db.write_transaction():
            rect.mark_rectified(item, current_user, note, on, today, moment)
    elif step in ("accept", "reopen"):
        if not rect.may_review(current_user):
            abort(403)
        due_days = access.due_days()
        with db.write_transaction():
            if step == "accept":
                rect.accept(item, current_user, note, moment)
            else:
                rect.reopen(item, current_user, note, today, moment, due_days)
    else:
        abort(404)
