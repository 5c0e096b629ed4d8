"""An import with no one to look at a preview in between (the command line, a script): check the file
and, on PostgreSQL, write its persons while the rest of it is still being checked.

An import shown to a person first (the page) checks the whole file, waits for the confirmation, then
writes every person: on PostgreSQL the writing is the database's work on one CPU while the check is
the app's on the others, so doing them one after the other leaves each side idle half the time. Here
both run at once, in one write transaction that stays open from the first chunk to the end:

- the check runs as for a preview (roster/import_check.py), in its own short transactions, and hands
  each chunk of records to a thread as soon as it is spooled;
- the thread makes each county's new snapshot when the county first appears and COPYs the chunk's
  records into it, in file order, in the open transaction;
- at the end the batch is claimed as a confirmed import would be (the removal guard asks first), the
  counties are locked and found unchanged since the check read them, and the snapshots are made
  current (roster/import_commit.finish_snapshots), the transaction commits: all or nothing, as the
  two-phase import.

While it runs, its new persons hold their counties' rows (the foreign key's share lock), so that an
import or a restore of the same counties waits for it, and is refused afterwards as for any import
that came first. Whatever stops it before the end (a failed check, the guard, a changed roster, a
database error, the process killed) rolls the transaction back: nothing of it is visible, ever. A
batch whose check finished stays checked with its spool, to be imported the usual way. On SQLite,
whose writer would hold the whole database for the length of the check, it is the check and then
the commit.
"""

import logging
import queue
import threading
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.database import bulk_insert
from models import ImportBatch, RosterSnapshot
from roster.batches import spool_path
from roster.import_check import validate_batch
from roster.import_commit import (
    RosterChanged,
    claim_in,
    commit_batch,
    commit_failed,
    ensure_roster_unchanged,
    finish_snapshots,
)
from roster.snapshots import lock_counties
from roster.spool import SPOOLED, manifest, read_chunks, remove_spool

log = logging.getLogger(__name__)


def check_and_import(db, batch_id: int, today: date, progress=None, workers: int = 0, user=None,
                     confirm_removals: bool = False) -> ImportBatch:
    """Check a batch's file and import it, in one pass on PostgreSQL; return the batch.

    Raises what commit_batch raises (RemovalsNeedConfirmation, leaving the batch checked; an
    ImportError_ when the roster changed meanwhile or the writing failed). A batch that fails its
    check is returned failed.
    """
    if db.engine.dialect.name != "postgresql":
        batch = validate_batch(db.session, batch_id, today, progress, workers)
        if batch.status != "previewed":
            return batch
        return commit_batch(db, batch_id, user, confirm_removals)
    with Session(db.engine, expire_on_commit=False) as check_session, db.write_transaction() as tx:
        writer = PersonWriter(tx, db.session.get(ImportBatch, batch_id), user)
        try:
            batch = validate_batch(check_session, batch_id, today, progress, workers, sink=writer)
        finally:
            writer.drain()  # the transaction's connection is this thread's again
        if batch.status != "previewed":
            tx.rollback()
            return db.session.get(ImportBatch, batch_id)
        claimed = claim_in(check_session, batch_id, confirm_removals)  # the removal guard asks first
        check_session.commit()
        if not claimed:  # confirmed on the page meanwhile: that import goes on, from the spool
            tx.rollback()
            return db.session.get(ImportBatch, batch_id)
        try:
            writer.raise_failure()
            batch = tx.get(ImportBatch, batch_id)
            tx.refresh(batch)
            lock_counties(tx, batch.counties)
            ensure_roster_unchanged(tx, batch)
            snapshots = {code: tx.get(RosterSnapshot, snapshot_id) for code, snapshot_id in writer.snapshots.items()}
            batch = finish_snapshots(tx, batch, snapshots, manifest(spool_path(batch)), user)
        except RosterChanged as error:
            tx.rollback()
            _give_back(check_session, batch_id, "failed", error.code, f"{error.message_zh}\n{error.message_en}")
            raise
        except Exception as error:
            log.exception("import batch %s failed while writing", batch_id)
            tx.rollback()
            failed = commit_failed(error)
            _give_back(check_session, batch_id, "previewed", failed.code, f"{failed.message_zh}\n{failed.message_en}")
            raise failed from error
    remove_spool(spool_path(batch))
    return db.session.get(ImportBatch, batch_id)


def _give_back(session, batch_id: int, status: str, code: str, message: str) -> None:
    """Leave a claimed batch as the two-phase commit would after the same failure."""
    session.rollback()
    batch = session.get(ImportBatch, batch_id)
    batch.status, batch.error_code, batch.error_message = status, code, message
    session.commit()


class PersonWriter:
    """Write the persons of spooled chunks into new snapshots, in a thread, in the caller's open
    write transaction, while the check goes on (the sink of import_check.validate_batch).

    The transaction's connection is the thread's alone until `drain` returns. A failure stops the
    writing (the check runs on to its end) and is raised by `raise_failure`.
    """

    def __init__(self, tx, batch: ImportBatch, user):
        self.connection = tx.connection()
        self.source, self.batch_id, self.user_id = batch.filename, batch.id, getattr(user, "id", None)
        self.snapshots: dict[str, int] = {}  # county -> its new snapshot, in the open transaction
        self.failure: BaseException | None = None
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=f"import-{batch.id}-writer", daemon=True)
        self._thread.start()

    def add(self, folder: str, chunk: list) -> None:
        """Queue a chunk of the spool being written in `folder` (its manifest entry)."""
        self._chunks.put((folder, chunk))

    def drain(self) -> None:
        """Wait until every chunk queued is written or the writing failed (at once if it was drained)."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()

    def raise_failure(self) -> None:
        """Raise what stopped the writing, if anything did."""
        if self.failure is not None:
            raise self.failure

    def _run(self) -> None:
        try:
            while (item := self._chunks.get()) is not None:
                folder, chunk = item
                for records in read_chunks(folder, [chunk]):
                    self._write(records)
        except BaseException as error:  # raised in the caller's thread by raise_failure()
            self.failure = error
            while self._chunks.get() is not None:  # take the rest of the check's chunks, unwritten
                pass

    def _write(self, records: list[tuple]) -> None:
        snapshots = self.snapshots
        for county in sorted({record[0] for record in records}.difference(snapshots)):
            snapshots[county] = self.connection.execute(insert(RosterSnapshot.__table__).values(
                county_code=county, source=self.source, batch_id=self.batch_id, created_by_id=self.user_id,
                is_current=False, row_count=0,
            ).returning(RosterSnapshot.__table__.c.id)).scalar_one()
        bulk_insert(self.connection, "person", ("snapshot_id", *SPOOLED),
                    ((snapshots[record[0]], *record) for record in records))
