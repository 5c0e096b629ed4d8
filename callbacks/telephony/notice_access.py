"""Which draw and county an SMS notice action is about, in the user's county scope: shared by the
notice page and the API."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope
from core.extensions import db
from models import Draw, FollowUpTask


def draws_with_tasks() -> list[Draw]:
    """The draws that have follow-up tasks, newest first."""
    with_tasks = select(FollowUpTask.draw_id).group_by(FollowUpTask.draw_id)
    return list(db.session.scalars(select(Draw).where(Draw.id.in_(with_tasks)).order_by(Draw.id.desc())))


def chosen(draw_id: int | None, county: str | None) -> tuple[Draw | None, str | None]:
    """Load the draw (404 when unknown; the newest when none is named) and the county, held to the
    user's own county when they are scoped to one (another county is 404)."""
    scope = county_scope(current_user)
    if county and scope and county != scope:
        abort(404)
    county = scope or county or None
    if draw_id is None:
        draws = draws_with_tasks()
        return (draws[0] if draws else None), county
    return (db.session.get(Draw, draw_id) or abort(404)), county
