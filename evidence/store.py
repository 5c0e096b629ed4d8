"""Keep, list, remove and hand out evidence files.

A file is read once into a temporary file (hashing and counting as it goes, and stopping at the size
limit), its type is read from the content (evidence/filetypes.py), and it is stored in the shared
storage folder under its SHA-256, so that the same file attached twice is kept once. The owner's
area decides who may attach to what; this module checks the county and writes the audit entries.
Files are only ever handed out as downloads, never shown inline in the browser.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime

from flask import current_app, send_file
from sqlalchemy import select

from auth.permissions import county_scope
from core import auditlog
from core.downloads import attachment as disposition
from core.downloads import clean_part
from core.i18n import pick
from core.storage import absolute, storage_dir, store_copy
from evidence.filetypes import EXTENSIONS, REASONS, Refusal, sniff
from models import Attachment

CHUNK = 1 << 16


class EvidenceError(Exception):
    """An upload that cannot be kept; `message` says why in the reader's language."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def max_bytes() -> int:
    """Return the size limit of one evidence file (EVIDENCE_MAX_BYTES, default 20 MiB)."""
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def _refusal(code: str) -> EvidenceError:
    zh, en = REASONS[code]
    if code == "too_large":
        limit = max_bytes() / (1024 * 1024)
        zh, en = f"{zh}（{limit:g} MB）", f"{en} ({limit:g} MB)"
    return EvidenceError(code, pick(zh, en))


def _spool(stream, limit: int) -> tuple[str, str, int]:
    """Copy the upload to a temporary file; return its path, SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    handle, path = tempfile.mkstemp(dir=storage_dir(), prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _refusal("too_large")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.remove(path)
        raise
    return path, digest.hexdigest(), size


def _check_county(user, county_code: str | None) -> None:
    scope = county_scope(user)
    if scope is not None and scope != county_code:
        raise EvidenceError("forbidden", pick("无权为其他县区上传材料", "You may not attach files for another county"), 403)


def attach(session, *, user, owner_type: str, owner_id: int, county_code: str | None, upload,
           now: datetime) -> Attachment:
    """Keep an uploaded file (a werkzeug FileStorage) as evidence of the owner, inside the caller's
    write transaction, or raise EvidenceError naming the reason."""
    _check_county(user, county_code)
    filename = clean_part(os.path.basename((upload.filename or "").replace("\\", "/")))[:200]
    if not filename:
        raise EvidenceError("no_file", pick("请选择要上传的文件", "Choose a file to upload"))
    path, sha, size = _spool(upload.stream, max_bytes())
    try:
        if size == 0:
            raise _refusal("empty")
        try:
            content_type = sniff(path)
        except Refusal as refusal:
            raise _refusal(refusal.code) from None
        key = f"evidence/{sha[:2]}/{sha}.{EXTENSIONS[content_type]}"
        store_copy(path, key)
    finally:
        os.remove(path)
    item = Attachment(owner_type=owner_type, owner_id=owner_id, county_code=county_code, sha256=sha, size=size,
                      content_type=content_type, filename=filename, storage_key=key, uploaded_by_id=user.id,
                      uploaded_at=now)
    session.add(item)
    session.flush()
    auditlog.record("evidence.attach", owner_type, owner_id, user=user, attachment=item.id, sha256=sha,
                    size=size, content_type=content_type, filename=filename)
    return item


def remove(session, *, user, item: Attachment, now: datetime) -> None:
    """Take a file off its owner (soft: it stays stored and can be put back)."""
    _check_county(user, item.county_code)
    if item.removed_at is None:
        item.removed_at, item.removed_by_id = now, user.id
        auditlog.record("evidence.remove", item.owner_type, item.owner_id, user=user, attachment=item.id)


def restore(session, *, user, item: Attachment) -> None:
    """Put a removed file back on its owner."""
    _check_county(user, item.county_code)
    if item.removed_at is not None:
        item.removed_at, item.removed_by_id = None, None
        auditlog.record("evidence.restore", item.owner_type, item.owner_id, user=user, attachment=item.id)


def attachments_of(session, owner_type: str, owner_id: int, *, include_removed: bool = False) -> list[Attachment]:
    """List the files of one owner, oldest first."""
    stmt = select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
    if not include_removed:
        stmt = stmt.where(Attachment.removed_at.is_(None))
    return list(session.scalars(stmt.order_by(Attachment.uploaded_at, Attachment.id)))


def download_response(item: Attachment):
    """Hand the file out as a download: never inline, never sniffed, never run as a page."""
    response = send_file(absolute(item.storage_key), mimetype="application/octet-stream", as_attachment=True,
                         download_name=item.filename, conditional=False, max_age=0)
    response.headers.update(disposition(item.filename, f"evidence-{item.id}.{EXTENSIONS[item.content_type]}"))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
