"""What the current user may see of the roster area: load it, limited to the user's county, or 404."""

from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from auth.permissions import county_scope, ensure_county_visible
from core.extensions import db
from models import County, ImportBatch
from roster.quality import county_quality

RECENT_BATCHES = 100


def visible_batch(batch_id: int) -> ImportBatch:
    """Load a batch the current user may see (a county-scoped user: only their county's)."""
    batch = db.session.get(ImportBatch, batch_id) or abort(404)
    scope = county_scope(current_user)
    if scope and (batch.default_county != scope):
        abort(404)
    return batch


def recent_batches() -> list[ImportBatch]:
    """Return the latest import batches the current user may see, newest first."""
    query = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(RECENT_BATCHES)
    if county_scope(current_user):
        query = query.where(ImportBatch.default_county == county_scope(current_user))
    return db.session.scalars(query).all()


def visible_county(code: str) -> County:
    """Load a county the current user may see, or 404."""
    ensure_county_visible(code)
    return db.session.get(County, code) or abort(404)


def visible_quality() -> list[dict]:
    """Compute the data-quality figures of the counties the current user may see."""
    scope = county_scope(current_user)
    return county_quality(db.session, date.today(), [scope] if scope else None)
