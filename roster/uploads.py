"""Taking a roster file in: keep it as a new batch and send it to be checked, each in a transaction of its own."""

import os
import tempfile
from datetime import date

from core.extensions import db
from models import ImportBatch
from roster import jobs
from roster.batches import create_batch


def save_upload(storage) -> str:
    """Write an uploaded file to a temporary path and return it."""
    handle, path = tempfile.mkstemp(prefix="upload-", suffix=os.path.splitext(storage.filename or "")[1])
    with os.fdopen(handle, "wb") as out:
        storage.save(out)
    return path


def open_batch(path: str, filename: str, user=None, default_county: str | None = None) -> ImportBatch:
    """Keep a copy of a roster file in the storage folder as a new batch (a duplicate when the same file
    was imported before)."""
    with db.write_transaction() as session:
        return create_batch(session, path, filename, user, default_county)


def receive_upload(app, storage, user, default_county: str | None) -> ImportBatch:
    """Open a batch for an uploaded file and start its check (not for a duplicate); return it as it stands."""
    path = save_upload(storage)
    try:
        batch = open_batch(path, os.path.basename(storage.filename or "roster"), user, default_county)
    finally:
        os.remove(path)
    if batch.status == "duplicate":
        return batch
    jobs.start_check(app, batch.id, date.today())
    return db.session.get(ImportBatch, batch.id)  # a job may have ended this session; load afresh


def remap_headers(app, batch_id: int, mapping: dict) -> bool:
    """Apply a user's header mapping to a batch waiting for one and check its file again; False when
    the batch waits for none."""
    with db.write_transaction() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch.status != "needs_mapping":
            return False
        batch.header_mapping = mapping
        batch.status = "uploaded"
    jobs.start_check(app, batch_id, date.today())
    return True
