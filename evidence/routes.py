"""Evidence files: download, take off, put back. Uploading belongs to the page of the owner."""

from flask import Blueprint, abort, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.clock import now
from core.extensions import db
from core.inputs import safe_next
from evidence import store
from evidence.access import load_attachment, may_change

bp = Blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """Download one evidence file (always as a file, never shown in the browser)."""
    return store.download_response(load_attachment(current_user, attachment_id))


@bp.post("/<int:attachment_id>/remove")
@login_required
def remove(attachment_id: int):
    """Take a file off its owner; the message offers to undo it."""
    item = load_attachment(current_user, attachment_id)
    if not may_change(current_user, item):
        abort(403)
    with db.write_transaction() as session:
        store.remove(session, user=current_user, item=session.merge(item), now=now())
    flash(_("The file %(name)s was taken off.", name=item.filename), "success")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/<int:attachment_id>/restore")
@login_required
def restore(attachment_id: int):
    """Put a file that was taken off back."""
    item = load_attachment(current_user, attachment_id, include_removed=True)
    if not may_change(current_user, item):
        abort(403)
    with db.write_transaction() as session:
        store.restore(session, user=current_user, item=session.merge(item))
    flash(_("The file %(name)s is back.", name=item.filename), "success")
    return redirect(safe_next(request.form.get("next")))
