"""Phase 2 of an import, `commit_batch`: in one write transaction, make a new snapshot of every county
in the checked file from its spool and make it current. Either the whole batch lands or nothing does.

Every way of importing (page, API, CLI) claims the batch first (`claim_for_commit`), which asks for
confirmation when the import would take many persons off a county's register.
"""

import logging
import os
import time
from collections import defaultdict
from contextlib import contextmanager

from sqlalchemy import select, update

from core import auditlog
from core.database import attach_for_transaction, bulk_insert
from models import County, ImportBatch, RosterSnapshot, utcnow
from roster.batches import ImportError_, fail_batch, spool_path, this_runner
from roster.guard import removals_to_confirm
from roster.quality_store import mark_repeated_ids
from roster.snapshots import current_snapshots, lock_counties, make_current
from roster.spool import (
    SPOOLED,
    TABLE,
    all_sqlite,
    is_current,
    manifest,
    part_paths,
    read_chunks,
    remove_spool,
)

log = logging.getLogger(__name__)

BULK_CACHE_KIB = -64 * 1024  # SQLite page cache while writing a batch (negative: in KiB), 64 MiB


class RemovalsNeedConfirmation(ImportError_):
    """The import would take many persons off a county's register: a person must confirm it first."""

    def __init__(self, counties: list[dict]):
        super().__init__("removals_need_confirmation",
                         "此次导入会使以下县（市、区）的在册人员大量减少，需确认后才能导入",
                         "This import takes many persons off these counties' registers; confirm it first")
        self.counties = counties

    def as_json(self) -> dict:
        """Return the error body the CLI prints and the API answers with."""
        return {"error": {"code": self.code, "message": self.message_zh, "message_en": self.message_en,
                          "counties": self.counties}}


def removals_needing_confirmation(batch: ImportBatch, max_share=None) -> list[dict]:
    """Return the counties whose removals this batch may not make without confirmation."""
    if max_share is None:
        from flask import current_app

        max_share = current_app.config.get("IMPORT_MAX_REMOVAL_SHARE", 0.05)
    return removals_to_confirm(batch.county_counts or {}, max_share)


def claim_for_commit(db, batch_id: int, confirm_removals: bool = False, max_share=None) -> bool:
    """Move a previewed batch to importing, in a write transaction of its own; False if it was not
    previewed (e.g. a second click).

    Raises RemovalsNeedConfirmation, leaving the batch previewed, when it would take more persons
    off a county's register than allowed and confirm_removals is not set. Every way of importing
    (page, API, CLI) passes here, so none can skip the question.
    """
    with db.write_transaction() as session:
        return claim_in(session, batch_id, confirm_removals, max_share)


def claim_in(session, batch_id: int, confirm_removals: bool = False, max_share=None) -> bool:
    """claim_for_commit in the caller's transaction, which commits it."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != "previewed":
        return False
    if not confirm_removals:
        affected = removals_needing_confirmation(batch, max_share)
        if affected:
            raise RemovalsNeedConfirmation(affected)
    result = session.execute(update(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.status == "previewed"
    ).values(status="importing", heartbeat_at=utcnow(), runner=this_runner(), error_code=None,
             error_message=None))
    return result.rowcount == 1


def commit_batch(db, batch_id: int, user=None, confirm_removals: bool = False) -> ImportBatch:
    """Run phase 2: write the spooled records as new current snapshots, all in one transaction.

    Claims the batch first unless the caller already did (status importing). Refuses, and marks
    the batch failed, when a county's current roster changed after the file was checked (another
    import or a restore came first): the counts the user saw would no longer be true.
    """
    session = db.session
    batch = session.get(ImportBatch, batch_id)
    if batch.status == "previewed":
        claim_for_commit(db, batch_id, confirm_removals)
        session.refresh(batch)
    if batch.status != "importing":
        raise ImportError_("not_previewed", "只能导入已完成校验预览的批次", "Only a previewed batch can be imported")
    path = spool_path(batch)
    if not os.path.exists(path):
        batch.status = "failed"
        batch.error_code = "spool_missing"
        batch.error_message = "校验结果已丢失，请重新上传该文件\nThe validated rows are gone; upload the file again"
        session.commit()
        raise ImportError_("spool_missing", "校验结果已丢失，请重新上传该文件", "The validated rows are gone; upload again")
    if not is_current(path):  # checked by the version before an upgrade
        batch.status = "failed"
        batch.error_code = "spool_outdated"
        batch.error_message = ("校验结果出自系统升级之前，请重新上传该文件\n"
                               "The rows were checked before the system was upgraded; upload the file again")
        session.commit()
        raise ImportError_("spool_outdated", "校验结果出自系统升级之前，请重新上传该文件",
                           "The rows were checked before the system was upgraded; upload the file again")
    try:
        with db.write_transaction() as tx:
            batch = _write_snapshots(tx, batch, path, user)
    except RosterChanged as error:
        fail_batch(session, batch, error.code, error.message_zh, error.message_en)
        raise
    except Exception as error:
        log.exception("import batch %s failed while writing", batch_id)
        session.rollback()
        batch = session.get(ImportBatch, batch_id)
        batch.status = "previewed"  # nothing was written; the user may try again, and reads why
        failed = commit_failed(error)
        batch.error_code, batch.error_message = failed.code, f"{failed.message_zh}\n{failed.message_en}"
        session.commit()
        raise
    remove_spool(path)
    return batch


def _write_snapshots(tx, batch: ImportBatch, path: str, user) -> ImportBatch:
    """In the caller's write transaction: make the batch's counties' new snapshots from the spool,
    make them current, and mark the batch committed."""
    lock_counties(tx, batch.counties)
    ensure_roster_unchanged(tx, batch)
    snapshots = {}
    for code in batch.counties:
        snapshot = RosterSnapshot(county_code=code, source=batch.filename, batch_id=batch.id,
                                  created_by_id=getattr(user, "id", None), is_current=False)
        tx.add(snapshot)
        snapshots[code] = snapshot
    tx.flush()
    _write_persons(tx, path, {c: s.id for c, s in snapshots.items()})
    return finish_snapshots(tx, batch, snapshots, manifest(path), user)


def finish_snapshots(tx, batch: ImportBatch, snapshots: dict, about: dict, user) -> ImportBatch:
    """In the caller's write transaction, with the counties locked and every person of the new
    snapshots written: flag the ID numbers the file repeats within a county, make the snapshots
    current, and mark the batch committed, with its audit entry."""
    repeated: defaultdict[int, list[str]] = defaultdict(list)
    for key in about.get("repeated", ()):
        county, _, id_number = key.partition(":")
        repeated[snapshots[county].id].append(id_number)
    mark_repeated_ids(tx, repeated)
    counts = defaultdict(lambda: [0, 0], about["counts"])
    _pause_for_tests(batch.id)
    for code, snapshot in snapshots.items():
        snapshot.row_count = counts[code][0]
    make_current(tx, list(snapshots.values()), {s.id: tuple(counts[c]) for c, s in snapshots.items()})
    batch = tx.get(ImportBatch, batch.id)
    batch.status, batch.committed_at, batch.heartbeat_at = "committed", utcnow(), utcnow()
    auditlog.record("import.commit", "import_batch", batch.id, user=user, filename=batch.filename,
                    counties=batch.counties, added=batch.added, updated=batch.updated,
                    removed=batch.removed, rejected=batch.rows_rejected,
                    confirmed_removals=[c["county"] for c in removals_needing_confirmation(batch)])
    return batch


def _pause_for_tests(batch_id: int) -> None:
    """Wait IMPORT_COMMIT_PAUSE_SECONDS (tests only) with the persons written but not committed, so
    that a test can stop the process half-way and show that nothing of it lands."""
    from flask import current_app

    pause = float(current_app.config.get("IMPORT_COMMIT_PAUSE_SECONDS") or 0)
    if pause:
        log.warning("import batch %s: persons written, not yet committed; pausing %s s", batch_id, pause)
        time.sleep(pause)


class RosterChanged(ImportError_):
    """A county's current roster is not the one the file was checked against."""


def ensure_roster_unchanged(session, batch: ImportBatch) -> None:
    """Refuse the commit when a county's current snapshot changed after the file was checked."""
    now = current_snapshots(session, batch.counties)
    changed = [code for code in batch.counties if now.get(code) != (batch.base_snapshots or {}).get(code)]
    if changed:
        counties = session.scalars(select(County).where(County.code.in_(changed)).order_by(County.code)).all()
        raise RosterChanged("roster_changed",
                            f"校验之后，{'、'.join(c.name_zh for c in counties)}的当前名册已被另一次导入或恢复更改；"
                            "请重新校验此文件",
                            f"The current roster of {', '.join(c.name_en for c in counties)} changed after this file "
                            "was checked (another import or a restore); check the file again")


def commit_failed(error: Exception) -> ImportError_:
    """Return the error a failed write of the persons gives the user: nothing was changed, and why."""
    reason = error_reason(error)
    return ImportError_("commit_failed", f"写入数据库失败，名册未作任何更改：{reason}",
                        f"Writing to the database failed; the roster is unchanged: {reason}")


def error_reason(error: Exception) -> str:
    """Return the first line of a database error, for the batch page (no SQL, no values)."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


def _write_persons(session, path: str, snapshot_ids: dict) -> None:
    """Insert the spooled records into the person table as they were spooled, with their row-by-row
    quality facts and digests.

    On SQLite the spool's parts are attached and each chunk is copied with INSERT … SELECT, so that no
    row passes through Python; on PostgreSQL (or from parts SQLite cannot attach) the chunks are read in
    order into COPY (an executemany on SQLite).
    """
    about = manifest(path)
    connection = session.connection()
    if connection.dialect.name == "sqlite" and all_sqlite(about["chunks"]):
        with _larger_sqlite_cache(connection):
            _copy_attached(connection, path, about["chunks"], snapshot_ids)
    else:
        bulk_insert(connection, "person", ("snapshot_id", *SPOOLED),
                    ((snapshot_ids[record[0]], *record) for chunk in read_chunks(path, about["chunks"])
                     for record in chunk))


def _copy_attached(connection, path: str, chunks: list, snapshot_ids: dict) -> None:
    """Copy the chunks of the spool's parts into the person table, in file order, inside SQLite.

    Each part is attached for the transaction, the snapshot of each county comes from a temporary
    table joined by county, and each chunk is one INSERT … SELECT over a range of rowids.
    """
    schemas = {name: attach_for_transaction(connection, file) for name, file in part_paths(path, chunks).items()}
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS spool_snapshot (county_code TEXT PRIMARY KEY, snapshot_id INTEGER)")
        cursor.execute("DELETE FROM temp.spool_snapshot")
        cursor.executemany("INSERT INTO temp.spool_snapshot VALUES (?, ?)", snapshot_ids.items())
        columns = ", ".join(SPOOLED)
        selected = ", ".join(f"r.{c}" for c in SPOOLED)
        for name, first, last, _first_row, _last_row in chunks:
            cursor.execute(f"INSERT INTO person (snapshot_id, {columns}) SELECT s.snapshot_id, {selected} "
                           f"FROM {schemas[name]}.{TABLE} AS r JOIN temp.spool_snapshot AS s "
                           "ON s.county_code = r.county_code WHERE r.rowid BETWEEN ? AND ? ORDER BY r.rowid",
                           (first, last))
    finally:
        cursor.close()


@contextmanager
def _larger_sqlite_cache(connection):
    """On SQLite, give the connection a larger page cache for the block, then its usual one back.

    While the indexes of a million new rows are built, a larger cache spills fewer pages to the
    write-ahead log. PostgreSQL is left alone.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    cursor = connection.connection.driver_connection.cursor()
    previous_cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size={BULK_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size={int(previous_cache)}")
        cursor.close()
