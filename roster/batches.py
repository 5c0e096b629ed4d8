"""An import batch: the uploaded file kept under its fingerprint, its spool of checked records, and the
steps every import shares (opening a batch, failing it, cancelling it).

A batch is checked in phase 1 (roster/import_check.py) and committed in phase 2
(roster/import_commit.py); its state lives in the database, so any user and web worker can follow it.
Its file and spool live in the storage folder every node shares (core/storage.py); the batch records
its file's path relative to that folder.
"""

import hashlib
import os

from sqlalchemy import select, update

from core import auditlog, storage
from core.background import this_process
from models import ImportBatch, utcnow
from roster.spool import COLUMNS, is_current, manifest, read_chunks, remove_spool


class ImportError_(RuntimeError):
    """The batch cannot go on; code is stable, the message is for the user."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


def this_runner() -> str:
    """Name this process as "host:pid", as a batch records which process works on it."""
    return this_process()


def file_fingerprint(path: str) -> str:
    """Return the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


UPLOADS = "imports"  # the storage folder's subfolder of uploaded files and their spools


def create_batch(session, source_path: str, filename: str, user=None,
                 default_county: str | None = None, header_mapping: dict | None = None) -> ImportBatch:
    """Keep a copy of the file in the storage folder and open a batch for it; the same file imported
    before is a duplicate."""
    fingerprint = file_fingerprint(source_path)
    extension = "".join(c for c in os.path.splitext(filename)[1].lower()[:10] if c.isalnum() or c == ".")
    relative = f"{UPLOADS}/{fingerprint}{extension}"
    stored = storage.store_copy(source_path, relative)
    batch = ImportBatch(filename=filename, fingerprint=fingerprint, size_bytes=os.path.getsize(stored),
                        stored_path=relative, uploaded_by_id=getattr(user, "id", None),
                        default_county=default_county or None, header_mapping=header_mapping or {},
                        runner=this_runner())
    earlier = session.scalar(select(ImportBatch).where(
        ImportBatch.fingerprint == fingerprint, ImportBatch.status == "committed",
        ImportBatch.default_county.is_(None) if not default_county else ImportBatch.default_county == default_county,
    ).order_by(ImportBatch.id.desc()).limit(1))
    if earlier is not None:
        batch.status = "duplicate"
        batch.error_code = "already_imported"
        batch.error_message = str(earlier.id)
    session.add(batch)
    session.flush()
    auditlog.record("import.upload", "import_batch", batch.id, user=user, filename=filename,
                    fingerprint=fingerprint, duplicate_of=batch.error_message)
    return batch


def stored_file(batch: ImportBatch) -> str:
    """Return where the batch's file lives on this node."""
    return storage.absolute(batch.stored_path)


def spool_path(batch: ImportBatch) -> str:
    """Return where a batch's validated records are spooled: beside its file."""
    return os.path.join(os.path.dirname(stored_file(batch)), f"batch-{batch.id}.spool")


def fail_batch(session, batch, code, message_zh, message_en) -> ImportBatch:
    """Mark a batch failed with a reason the user can read."""
    session.rollback()
    batch = session.get(ImportBatch, batch.id)
    batch.status, batch.error_code, batch.finished_at = "failed", code, utcnow()
    batch.error_message = f"{message_zh}\n{message_en}"
    session.commit()
    return batch


CANCELLABLE = ("previewed", "needs_mapping", "failed", "interrupted")


def cancel_batch(db, batch: ImportBatch) -> bool:
    """Discard a batch that has not been imported and drop its checked rows; False when it may not be.

    A conditional update, like the claim: a cancel racing an import's claim cannot both win.
    """
    batch_id, filename = batch.id, batch.filename
    with db.write_transaction() as session:
        result = session.execute(update(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.status.in_(CANCELLABLE)
        ).values(status="cancelled"))
        if result.rowcount != 1:
            return False
        auditlog.record("import.cancel", "import_batch", batch_id, filename=filename)
    db.session.refresh(batch)
    remove_spool(spool_path(batch))
    return True


def spooled_rows(batch: ImportBatch, row_numbers) -> list[dict]:
    """Return the checked records of the given file rows (row, county, name, ID number), while spooled.

    For the preview of a suspicious county: a few rows, read back from the spool before the commit
    removes it. Empty once the batch is imported.
    """
    wanted = set(row_numbers)
    found: list[dict] = []
    path = spool_path(batch)
    if not wanted or not is_current(path):
        return found
    row_at, county_at, name_at, id_at = (COLUMNS.index(c) for c in ("source_row", "county_code", "name", "id_number"))
    # Only the chunks whose rows of the file may hold one of those asked for.
    chunks = [c for c in manifest(path)["chunks"] if any(c[3] <= n <= c[4] for n in wanted)]
    for chunk in read_chunks(path, chunks):
        found += [{"row": record[row_at], "county": record[county_at], "name": record[name_at],
                   "id_number": record[id_at]} for record in chunk if record[row_at] in wanted]
    return sorted(found, key=lambda r: r["row"])


