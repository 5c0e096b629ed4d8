"""Import a county roster file as a batch: validate to a spool, then commit it in one transaction.

Phase 1, `validate_batch`: read the file, map its headers, validate every row, store the problems
and the counts (rows to add, update, leave, and current persons absent from the file) and spool
the valid records to disk. Progress is written in short transactions, so other users can follow it.
Phase 2, `commit_batch`: in one write transaction, make a new snapshot of every county in the file
from the spool and make it current. Either the whole batch lands or nothing does.

A county's file is its whole current register: persons on the current roster but absent from the
file are no longer registered in the new snapshot (counted as `removed`). Earlier snapshots stay.
"""

import hashlib
import logging
import os
import shutil
import socket
from collections import defaultdict
from contextlib import contextmanager
from datetime import date

from sqlalchemy import insert, select, update

from core import auditlog
from core.database import bulk_insert
from models import County, ImportBatch, ImportProblem, Person, RosterSnapshot, utcnow
from roster.checking import CHUNK_ROWS, RowChecker, checked_chunks, record_digest, row_chunks
from roster.columns import map_headers
from roster.guard import FIRST_ROWS, removals_to_confirm
from roster.normalize import visible
from roster.reader import ReaderError, csv_line_chunks, open_table
from roster.snapshots import current_snapshots, lock_counties, make_current
from roster.spool import COLUMNS, SpoolWriter, read_spool

log = logging.getLogger(__name__)

PROGRESS_EVERY = 20_000  # rows between progress updates (each is a short transaction)
MAX_STORED_PROBLEMS = 100_000  # beyond this the error report says how many more there were
BULK_CACHE_KIB = -64 * 1024  # SQLite page cache while writing a batch (negative: in KiB), 64 MiB
PARALLEL_FROM_ROWS = 50_000  # below this, starting worker processes costs more than it saves
COMPARED = COLUMNS[2:]  # fields that decide whether a person's record changed (not county or row)
DATE_COLUMNS = ("registered_on", "cancelled_on")


class ImportError_(RuntimeError):
    """The batch cannot go on; code is stable, the message is for the user."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


def this_runner() -> str:
    """Name this process as "host:pid", as a batch records which process works on it."""
    return f"{socket.gethostname()}:{os.getpid()}"[-80:]


def file_fingerprint(path: str) -> str:
    """Return the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_dir(instance_path: str) -> str:
    """Return (and create) the folder where uploaded files and spools are kept."""
    path = os.path.join(instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def create_batch(session, source_path: str, filename: str, instance_path: str, user=None,
                 default_county: str | None = None, header_mapping: dict | None = None) -> ImportBatch:
    """Keep a copy of the file and open a batch for it; the same file imported before is a duplicate."""
    fingerprint = file_fingerprint(source_path)
    extension = os.path.splitext(filename)[1].lower()[:10]
    stored = os.path.join(upload_dir(instance_path), f"{fingerprint}{extension}")
    if not os.path.exists(stored):
        shutil.copyfile(source_path, stored)
    batch = ImportBatch(filename=filename, fingerprint=fingerprint, size_bytes=os.path.getsize(stored),
                        stored_path=stored, uploaded_by_id=getattr(user, "id", None),
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


def spool_path(batch: ImportBatch) -> str:
    """Return where a batch's validated records are spooled."""
    return os.path.join(os.path.dirname(batch.stored_path), f"batch-{batch.id}.spool")


def _snapshot_roster(session, snapshot_id: int | None) -> dict:
    """Load a roster snapshot as {"county:ID[#n]": hash of its fields} (empty for None: no roster yet).

    Keys are plain strings (the 2nd, 3rd… person of a county with the same ID number gets "#2",
    "#3"…) and values a digest, not the fields, so that a million-person roster stays small in memory;
    the digest is the one row-checking workers compute for the file's records. Read by snapshot id:
    a snapshot never changes, so the counts stay true to the snapshot recorded as the batch's base.
    """
    current = {}
    if snapshot_id is None:
        return current
    seen = defaultdict(int)
    query = (
        select(Person.county_code, *[getattr(Person, c) for c in COMPARED])
        .where(Person.snapshot_id == snapshot_id)
        .order_by(Person.county_code, Person.id)
    )
    id_position = COMPARED.index("id_number") + 1
    dates = [COMPARED.index(c) + 1 for c in DATE_COLUMNS]
    for row in session.execute(query):
        base = f"{row[0]}:{row[id_position]}"
        seen[base] += 1
        values = list(row[1:])
        for position in dates:  # the spool holds dates as ISO text
            if values[position - 1] is not None:
                values[position - 1] = values[position - 1].isoformat()
        current[base if seen[base] == 1 else f"{base}#{seen[base]}"] = record_digest(values)
    return current


def validate_batch(session, batch_id: int, today: date, progress=None, workers: int = 0,
                   parallel_from_rows: int = PARALLEL_FROM_ROWS) -> ImportBatch:
    """Run phase 1 for a batch: validate every row, count, spool, and store the problems.

    With workers > 0, files of at least parallel_from_rows rows are checked in that many worker
    processes (roster/checking.py); smaller ones do not repay starting them.
    """
    batch = session.get(ImportBatch, batch_id)
    known = frozenset(session.scalars(select(County.code).where(County.active)))
    batch.status, batch.started_at, batch.heartbeat_at = "validating", utcnow(), utcnow()
    batch.runner, batch.finished_at = this_runner(), None
    session.execute(ImportProblem.__table__.delete().where(ImportProblem.batch_id == batch.id))
    session.commit()
    try:
        table = open_table(batch.stored_path, batch.filename)
    except ReaderError as error:
        return _fail(session, batch, error.code, error.message_zh, error.message_en)
    with table:
        batch.headers = [("" if h is None else str(h)) for h in table.headers]
        # An estimate (blank and quoted multi-line rows make it high), for progress and for workers.
        quote_free = False
        if table.file_format == "csv":
            lines, quote_free = _scan_lines(batch.stored_path)
            batch.rows_total = lines - table.header_row
        elif table.last_row is not None:
            batch.rows_total = table.last_row - table.header_row
        overrides = {int(k): v for k, v in (batch.header_mapping or {}).items()}
        mapping = map_headers(table.headers, overrides, default_county=batch.default_county)
        if not mapping.is_complete:
            batch.status = "needs_mapping"
            batch.error_code = "headers_missing"
            batch.error_message = ",".join(mapping.missing_required)
            session.commit()
            return batch
        try:
            checker = RowChecker(mapping, today, known, batch.default_county)
            workers = workers if (batch.rows_total or 0) >= parallel_from_rows else 0
            if workers and quote_free:
                # Each line is a record: send lines and let the workers parse them too.
                tasks = csv_line_chunks(batch.stored_path, table, batch.filename, CHUNK_ROWS)
            else:
                tasks = row_chunks(table.rows)
            _validate_rows(session, batch, tasks, checker, workers, progress)
        except ReaderError as error:
            return _fail(session, batch, error.code, error.message_zh, error.message_en)
    return batch


def _scan_lines(path: str) -> tuple[int, bool]:
    """Count a text file's lines fast (quoted line breaks make this an upper bound), and tell
    whether it holds no quote character at all (then each line is one record)."""
    lines = quotes = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
            quotes += block.count(b'"')
    return lines, quotes == 0


def _validate_rows(session, batch, tasks, checker, workers, progress):
    """Validate the rows of an open table into the spool, the problems and the batch's counters.

    One pass: each record is compared with its county's current roster (loaded the first time the
    file names that county) as it goes by. `duplicates` counts the rows whose ID number the file
    repeats within a county; registrations in two counties show on the data-quality page.
    """
    counts = defaultdict(int)
    by_county = defaultdict(int)  # (county, "added" | "updated" | "unchanged") -> rows
    first_rows = defaultdict(list)  # county -> its first row numbers in the file
    problems = []
    in_file = {}  # "county:ID" -> how often the file has it so far
    current, loaded = {}, set()  # loaded: counties whose current roster is in `current`
    before = {}  # county -> persons on its current roster
    base_snapshots = {}  # county -> id of the current snapshot the file is compared with
    first_import = set()  # counties without a current roster yet
    writer = SpoolWriter(spool_path(batch))
    read = rejected = 0
    chunks = checked_chunks(tasks, checker, workers)
    try:
        for chunk in chunks:
            writer.write_pickled(chunk.spool_bytes, len(chunk.keys))
            read += chunk.read
            rejected += chunk.rejected
            counts["warned_rows"] += chunk.warned
            for p in chunk.problems:
                counts[p.severity] += 1
                if len(problems) + counts["stored_problems"] < MAX_STORED_PROBLEMS:
                    problems.append(_problem_row(batch.id, p))
            for county, base, digest, number in zip(chunk.counties, chunk.keys, chunk.digests, chunk.row_numbers,
                                                    strict=True):
                repeat = in_file.get(base, 0) + 1
                in_file[base] = repeat
                if county not in loaded:
                    # The counts are made against this snapshot; the commit refuses if it is no longer current.
                    base_snapshots[county] = current_snapshots(session, [county]).get(county)
                    county_roster = _snapshot_roster(session, base_snapshots[county])
                    current.update(county_roster)
                    loaded.add(county)
                    before[county] = len(county_roster)
                    if not county_roster:
                        first_import.add(county)
                if len(first_rows[county]) < FIRST_ROWS:
                    first_rows[county].append(number)
                if county in first_import:  # nothing to compare with: every record is new
                    kind = "added"
                else:
                    # Matched entries leave `current`: what is left at the end is no longer registered.
                    old = current.pop(base if repeat == 1 else f"{base}#{repeat}", None)
                    kind = "added" if old is None else ("unchanged" if old == digest else "updated")
                counts[kind] += 1
                by_county[county, kind] += 1
            if read - counts["read"] >= PROGRESS_EVERY:
                counts["read"], counts["rejected"] = read, rejected
                counts["stored_problems"] += _flush_progress(session, batch, counts, problems)
                problems = []
                if progress:
                    progress(read)
        writer.finish()
    except BaseException:
        chunks.close()  # stops the workers before the error goes on
        writer.abort()
        session.rollback()
        raise
    counts["read"], counts["rejected"] = read, rejected
    if read == 0:
        return _fail(session, batch, "no_rows", "文件只有表头，没有数据行", "The file has a header but no data rows")
    batch.counties = sorted(loaded)
    batch.added, batch.updated, batch.unchanged = counts["added"], counts["updated"], counts["unchanged"]
    batch.removed = len(current)
    batch.county_counts = _county_counts(before, by_county, current, first_rows)
    batch.base_snapshots = base_snapshots
    batch.duplicates = sum(n for n in in_file.values() if n > 1)
    batch.rows_total = read
    _flush_progress(session, batch, counts, problems)
    batch.status, batch.finished_at = "previewed", utcnow()
    session.commit()
    return batch


def _county_counts(before: dict, by_county: dict, left_over: dict, first_rows: dict) -> dict:
    """Return each county's counts: persons before, rows after, and what the import does to them."""
    removed = defaultdict(int)
    for key in left_over:  # "county:ID[#n]" of the persons the file no longer has
        removed[key.partition(":")[0]] += 1
    result = {}
    for county in sorted(before):
        kinds = {kind: by_county.get((county, kind), 0) for kind in ("added", "updated", "unchanged")}
        result[county] = {"before": before[county], "after": sum(kinds.values()), **kinds,
                          "removed": removed[county], "first_rows": first_rows[county]}
    return result


def _problem_row(batch_id, problem) -> dict:
    value = problem.value_as_given
    return {"batch_id": batch_id, "row": problem.row, "field": problem.field,
            "value": None if value is None else visible(value)[:255], "code": problem.code,
            "severity": problem.severity, "message_zh": problem.message_zh, "message_en": problem.message_en}


def _flush_progress(session, batch, counts, problems) -> int:
    """Store the problems found so far and the counters, in a short transaction."""
    if problems:
        session.execute(insert(ImportProblem), problems)
    batch.rows_read = counts["read"]
    batch.rows_rejected = counts["rejected"]
    batch.rows_valid = counts["read"] - counts["rejected"]
    batch.rows_warned = counts["warned_rows"]
    batch.heartbeat_at = utcnow()
    session.commit()
    return len(problems)


def _fail(session, batch, code, message_zh, message_en) -> ImportBatch:
    """Mark a batch failed with a reason the user can read."""
    session.rollback()
    batch = session.get(ImportBatch, batch.id)
    batch.status, batch.error_code, batch.finished_at = "failed", code, utcnow()
    batch.error_message = f"{message_zh}\n{message_en}"
    session.commit()
    return batch


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


CANCELLABLE = ("previewed", "needs_mapping", "failed", "interrupted")


def cancel_batch(session, batch: ImportBatch) -> bool:
    """Discard a batch that has not been imported and drop its checked rows; False when it may not be.

    A conditional update, like the claim: a cancel racing an import's claim cannot both win.
    """
    result = session.execute(update(ImportBatch).where(
        ImportBatch.id == batch.id, ImportBatch.status.in_(CANCELLABLE)
    ).values(status="cancelled"))
    if result.rowcount != 1:
        session.rollback()
        return False
    auditlog.record("import.cancel", "import_batch", batch.id, filename=batch.filename)
    session.commit()
    session.refresh(batch)
    if os.path.exists(spool_path(batch)):
        os.remove(spool_path(batch))
    return True


def claim_for_commit(session, batch_id: int, confirm_removals: bool = False, max_share=None) -> bool:
    """Move a previewed batch to importing; False if it was not previewed (e.g. a second click).

    Raises RemovalsNeedConfirmation, leaving the batch previewed, when it would take more persons
    off a county's register than allowed and confirm_removals is not set. Every way of importing
    (page, API, CLI) passes here, so none can skip the question.
    """
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.status != "previewed":
        return False
    if not confirm_removals:
        affected = removals_needing_confirmation(batch, max_share)
        if affected:
            raise RemovalsNeedConfirmation(affected)
    result = session.execute(update(ImportBatch).where(
        ImportBatch.id == batch_id, ImportBatch.status == "previewed"
    ).values(status="importing", heartbeat_at=utcnow(), runner=this_runner(), error_code=None, error_message=None))
    session.commit()
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
        claim_for_commit(session, batch_id, confirm_removals)
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
    try:
        with db.write_transaction() as tx:
            lock_counties(tx, batch.counties)
            _ensure_roster_unchanged(tx, batch)
            snapshots = {}
            for code in batch.counties:
                snapshot = RosterSnapshot(county_code=code, source=batch.filename, batch_id=batch.id,
                                          created_by_id=getattr(user, "id", None), is_current=False)
                tx.add(snapshot)
                snapshots[code] = snapshot
            tx.flush()
            per_county = _write_persons(tx, path, {c: s.id for c, s in snapshots.items()})
            for code, snapshot in snapshots.items():
                snapshot.row_count = per_county[code]
            make_current(tx, list(snapshots.values()))
            batch = tx.get(ImportBatch, batch_id)
            batch.status, batch.committed_at, batch.heartbeat_at = "committed", utcnow(), utcnow()
            auditlog.record("import.commit", "import_batch", batch.id, user=user, filename=batch.filename,
                            counties=batch.counties, added=batch.added, updated=batch.updated,
                            removed=batch.removed, rejected=batch.rows_rejected,
                            confirmed_removals=[c["county"] for c in removals_needing_confirmation(batch)])
    except RosterChanged as error:
        _fail(session, batch, error.code, error.message_zh, error.message_en)
        raise
    except Exception as error:
        log.exception("import batch %s failed while writing", batch_id)
        session.rollback()
        batch = session.get(ImportBatch, batch_id)
        batch.status = "previewed"  # nothing was written; the user may try again, and reads why
        batch.error_code = "commit_failed"
        batch.error_message = (f"写入数据库失败，名册未作任何更改：{_reason(error)}\n"
                               f"Writing to the database failed; the roster is unchanged: {_reason(error)}")
        session.commit()
        raise
    os.remove(path)
    return batch


class RosterChanged(ImportError_):
    """A county's current roster is not the one the file was checked against."""


def _ensure_roster_unchanged(session, batch: ImportBatch) -> None:
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


def _reason(error: Exception) -> str:
    """Return the first line of a database error, for the batch page (no SQL, no values)."""
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0][:300]


def spooled_rows(batch: ImportBatch, row_numbers) -> list[dict]:
    """Return the checked records of the given file rows (row, county, name, ID number), while spooled.

    For the preview of a suspicious county: a few rows, read back from the spool before the commit
    removes it. Empty once the batch is imported.
    """
    wanted, found = set(row_numbers), []
    path = spool_path(batch)
    if not wanted or not os.path.exists(path):
        return found
    row_at, county_at, name_at, id_at = (COLUMNS.index(c) for c in ("source_row", "county_code", "name", "id_number"))
    for chunk in read_spool(path):
        for record in chunk:
            if record[row_at] in wanted:
                found.append({"row": record[row_at], "county": record[county_at], "name": record[name_at],
                              "id_number": record[id_at]})
        if len(found) == len(wanted):
            break
    return sorted(found, key=lambda r: r["row"])


def _write_persons(session, path: str, snapshot_ids: dict) -> dict:
    """Insert the spooled records into the person table (COPY on PostgreSQL); return the rows per county."""
    per_county = defaultdict(int)

    def rows():
        for chunk in read_spool(path):
            for record in chunk:
                per_county[record[0]] += 1
                yield (snapshot_ids[record[0]], *record)

    connection = session.connection()
    with _larger_sqlite_cache(connection):
        bulk_insert(connection, "person", ("snapshot_id", *COLUMNS), rows())
    return per_county


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
