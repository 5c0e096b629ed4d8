"""Record a caller's submission once: each form or API call carries a client-supplied submission key,
and a second copy of it (a double-clicked submit, a retried request) answers with what the first stored.
"""

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from callbacks.access import ensure_workable
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.queue import _locked
from callbacks.rule_settings import RetryRules
from core.extensions import db
from models import FollowUpTask as Task

Result = TypeVar("Result")


def stored_under(session, model, submission_key: str, task_id: int):
    """Return the row (attempt or record) already stored under a submission key, or None.

    A key used for another task is refused: it is a form sent twice to the wrong place.
    """
    row = session.scalar(select(model).where(model.submission_key == submission_key))
    if row is not None and row.task_id != task_id:
        raise FollowUpError("key_reused")
    return row


def record_once(actor: Actor, task_id: int, now: datetime, rules: RetryRules, submission_key: str, *,
                stored: Callable[..., Result | None], write: Callable[..., Result],
                lost_race: str | None = None) -> Result:
    """Return `stored(session, submission_key, task_id)` when the submission is already recorded, else
    `write(session, task)` on the task, locked and workable by the actor, in one write transaction.

    Two copies that race both find nothing stored; the second one's insert fails on the unique key and it
    answers with what the first stored, or, when there is nothing, is refused with the code `lost_race`
    (without one, the IntegrityError goes on).
    """
    if not submission_key or len(submission_key) > 64:
        raise FollowUpError("bad_answers", reasons="submission_key")
    try:
        with db.write_transaction() as session:
            found = stored(session, submission_key, task_id)
            if found is not None:
                return found
            task: Task = ensure_workable(actor, _locked(session, task_id), now, rules)
            return write(session, task)
    except IntegrityError:
        with db.write_transaction() as session:
            found = stored(session, submission_key, task_id)
            if found is None:
                if lost_race is None:
                    raise
                raise FollowUpError(lost_race) from None
            return found
