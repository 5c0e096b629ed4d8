"""Who may read evidence files: shared by the download page and the API."""

from flask import abort

from auth.permissions import can, ensure_county_visible
from core.extensions import db
from models import Attachment


def may_read(user) -> bool:
    """Readers of figures, county managers and coordinators; callers have no use for evidence."""
    return can(user, "view_stats") or can(user, "rectify") or can(user, "assign_work")


def may_change(user, item: Attachment) -> bool:
    """The one who uploaded it, or a coordinator, may take a file off or put it back."""
    return item.uploaded_by_id == user.id or can(user, "assign_work")


def load_attachment(user, attachment_id: int, *, include_removed: bool = False) -> Attachment:
    """Load a file the user may read (their county only, if they have one), or answer 404."""
    item = db.session.get(Attachment, attachment_id)
    if item is None or not may_read(user) or (item.removed_at is not None and not include_removed):
        abort(404)
    if item.county_code is not None:
        ensure_county_visible(item.county_code, user)
    return item
