"""The rectification workflow steps as pages and API take them: the permission each needs, then the step
(a status change, or a file of evidence) and its audit entry in one write transaction."""

from datetime import date

from flask import abort, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.clock import now
from core.extensions import db
from evidence import store as evidence_store
from models import Attachment, RectificationItem
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


def attach_evidence(item: RectificationItem, upload) -> int:
    """Keep an uploaded file as evidence of the item (its county's manager or a coordinator); return its id.

    Raises EvidenceError naming the reason a file is refused (type, size, empty, none chosen).
    """
    if not rect.may_attach(current_user, item):
        abort(403)
    if upload is None or not upload.filename:
        raise evidence_store.EvidenceError("no_file", _("Choose a file to upload."))
    with db.write_transaction() as session:
        kept = evidence_store.attach(session, user=current_user, owner_type="rectification_item", owner_id=item.id,
                                     county_code=item.county_code, upload=upload, now=now())
        return kept.id


def evidence_rows(item: RectificationItem) -> list[dict]:
    """Describe an item's evidence files for the API: name, size, type, SHA-256, when, and where to fetch it."""
    return [evidence_dict(a) for a in evidence_store.attachments_of(db.session, "rectification_item", item.id)]


def evidence_dict(a: Attachment) -> dict:
    """Describe one evidence file for the API."""
    return {"id": a.id, "filename": a.filename, "size": a.size, "content_type": a.content_type, "sha256": a.sha256,
            "uploaded_at": a.uploaded_at.isoformat(), "uploaded_by": a.uploaded_by.username if a.uploaded_by else None,
            "download_url": url_for("evidence.download", attachment_id=a.id)}
