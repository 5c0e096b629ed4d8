"""Phase 1 of an import, `validate_batch`: check a batch's file and count what it would change.

Read the file, map its headers, validate every row, store the problems and the counts (rows to
add, update, leave, and current persons absent from the file) and spool the valid records to disk.
Progress is written in short transactions, so other users can follow it; the import itself is
phase 2 (roster/import_commit.py).

A county's file is its whole current register: persons on the current roster but absent from the
file are no longer registered in the new snapshot (counted as `removed`). Earlier snapshots stay.
"""

import operator
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from itertools import repeat

from sqlalchemy import insert, select

from core.database import driver_rows
from models import County, ImportBatch, ImportProblem, Person, utcnow
from roster.batches import fail_batch, spool_path, stored_file, this_runner
from roster.checking import CHUNK_ROWS, RowChecker, checked_chunks, record_digest, row_chunks
from roster.columns import map_headers
from roster.csv_reader import csv_line_chunks
from roster.guard import FIRST_ROWS
from roster.normalize import visible
from roster.reader import open_table
from roster.snapshots import current_snapshots
from roster.spool import COLUMNS, SpoolWriter, part_kind_for
from roster.table import ReaderError

PROGRESS_EVERY = 20_000  # rows between progress updates (each is a short transaction)
MAX_STORED_PROBLEMS = 100_000  # beyond this the error report says how many more there were
PARALLEL_FROM_ROWS = 50_000  # below this, starting worker processes costs more than it saves
COMPARED = COLUMNS[2:]  # fields that decide whether a person's record changed (not county or row)
DATE_COLUMNS = ("registered_on", "cancelled_on")


def _snapshot_roster(session, snapshot_id: int | None) -> dict:
    """Load a roster snapshot as {"county:ID[#n]": digest of its fields} (empty for None: no roster yet).

    Keys are plain strings (the 2nd, 3rd… person of a county with the same ID number gets "#2",
    "#3"…) and values a digest, not the fields, so that a million-person roster stays small in memory;
    the digest is the one row-checking workers compute for the file's records, stored with each
    person the import wrote. Persons written otherwise (the demo, before the digest was stored) get
    theirs computed here. Read by snapshot id: a snapshot never changes, so the counts stay true to
    the snapshot recorded as the batch's base.
    """
    current: dict[str, int] = {}
    if snapshot_id is None:
        return current
    person = Person.__table__.c
    connection = session.connection()
    unstored: dict[int, str] = {}  # person id -> key, for the persons without a stored digest
    # All rows at once, as the driver gives them: a county's roster is small enough, a fetch per row
    # costs more than the rest, and so does building SQLAlchemy rows of a million persons.
    for key, digest, person_id in driver_rows(connection, select(
            person.county_code.concat(":").concat(person.id_number), person.record_digest, person.id)
            .where(person.snapshot_id == snapshot_id).order_by(person.county_code, person.id)):
        if key in current:  # the same ID again in the county (rare): the next free "#n"
            repeat = 2
            while f"{key}#{repeat}" in current:
                repeat += 1
            key = f"{key}#{repeat}"
        current[key] = digest
        if digest is None:
            unstored[person_id] = key
    ids = list(unstored)
    dates = [COMPARED.index(c) for c in DATE_COLUMNS]
    for start in range(0, len(ids), 500):
        for person_id, *values in connection.execute(select(person.id, *[person[c] for c in COMPARED])
                                                     .where(person.id.in_(ids[start:start + 500]))):
            for position in dates:  # the spool holds dates as ISO text
                if values[position] is not None:
                    values[position] = values[position].isoformat()
            current[unstored[person_id]] = record_digest(values)
    return current


def validate_batch(session, batch_id: int, today: date, progress=None, workers: int = 0,
                   parallel_from_rows: int = PARALLEL_FROM_ROWS, sink=None) -> ImportBatch:
    """Run phase 1 for a batch: validate every row, count, spool, and store the problems.

    With workers > 0, files of at least parallel_from_rows rows are checked in that many worker
    processes (roster/checking.py); smaller ones do not repay starting them. A `sink`, when given,
    hears of each chunk of records as it is spooled, in file order (`sink.add(folder, chunk)`: the
    spool being written and the chunk as its manifest lists it), and is drained (`sink.drain()`)
    before the spool is finished: an import in one pass (roster/import_direct.py) writes the records
    while the rest of the file is checked.
    """
    batch = session.get(ImportBatch, batch_id)
    known = frozenset(session.scalars(select(County.code).where(County.active)))
    batch.status, batch.started_at, batch.heartbeat_at = "validating", utcnow(), utcnow()
    batch.runner, batch.finished_at = this_runner(), None
    session.execute(ImportProblem.__table__.delete().where(ImportProblem.batch_id == batch.id))
    session.commit()
    path = stored_file(batch)
    try:
        table = open_table(path, batch.filename)
    except ReaderError as error:
        return fail_batch(session, batch, error.code, error.message_zh, error.message_en)
    with table:
        batch.headers = [("" if h is None else str(h)) for h in table.headers]
        # An estimate (blank and quoted multi-line rows make it high), for progress and for workers.
        quote_free = False
        if table.file_format == "csv":
            lines, quote_free = _scan_lines(path)
            batch.rows_total = lines - table.header_row
        elif table.last_row is not None:
            batch.rows_total = table.last_row - table.header_row
        overrides: dict[int | str, str | None] = {int(k): v for k, v in (batch.header_mapping or {}).items()}
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
            tasks: Iterator
            if workers and quote_free:
                # Each line is a record: send lines and let the workers parse them too.
                tasks = csv_line_chunks(path, table, batch.filename, CHUNK_ROWS)
            elif workers and table.pieces is not None:
                tasks = table.pieces()  # a streamed XLSX sheet: pieces of its XML, parsed by the workers
            else:
                tasks = row_chunks(table.rows)
            _validate_rows(session, batch, tasks, checker, workers, progress, sink)
        except ReaderError as error:
            return fail_batch(session, batch, error.code, error.message_zh, error.message_en)
    return batch


def _scan_lines(path: str) -> tuple[int, bool]:
    """Count a text file's lines fast (quoted line breaks make this an upper bound), and tell
    whether it holds no quote character at all (then each line is one record)."""
    lines, quotes = 0, False
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
            quotes = quotes or b'"' in block
    return lines, not quotes


class _Comparison:
    """The file's records compared, as they go by, with their counties' current rosters.

    A county's current roster is loaded the first time the file names it. `duplicates` counts the
    rows whose ID number the file repeats within a county; registrations in two counties show on
    the data-quality page.
    """

    def __init__(self, session):
        self.session = session
        self.kinds = defaultdict(int)  # "added" | "updated" | "unchanged" -> rows
        self.by_county = defaultdict(int)  # (county, kind) -> rows
        self.first_rows = defaultdict(list)  # county -> its first row numbers in the file
        self.in_file = {}  # "county:ID" -> how often the file has it so far
        self.current = {}  # "county:ID[#n]" -> digest: the loaded counties' persons not matched yet
        self.before = {}  # county -> persons on its current roster; its keys are the loaded counties
        self.base_snapshots = {}  # county -> id of the current snapshot the file is compared with
        self.first_import = set()  # counties without a current roster yet

    def _load(self, county: str) -> None:
        """Load a county's current roster, to compare the file's records with."""
        # The counts are made against this snapshot; the commit refuses if it is no longer current.
        self.base_snapshots[county] = current_snapshots(self.session, [county]).get(county)
        county_roster = _snapshot_roster(self.session, self.base_snapshots[county])
        self.current.update(county_roster)
        self.before[county] = len(county_roster)
        if not county_roster:
            self.first_import.add(county)

    def add(self, chunk) -> None:
        """Count a checked chunk's valid records as added, updated or unchanged.

        A chunk is counted a run of one county at a time (a file lists its counties one after the
        other): the ID numbers new to the file a whole list at once, those the file had before or
        repeats within the run one by one in file order (the 2nd of an ID is matched with the
        roster's 2nd, "#2"). Both give the same counts as counting every record one by one.
        """
        counties = chunk.counties
        if not counties:  # every row of the chunk rejected
            return
        start = 0
        for end in [i for i in range(1, len(counties)) if counties[i] != counties[i - 1]] + [len(counties)]:
            self._add_run(chunk, start, end)
            start = end

    def _add_run(self, chunk, start: int, end: int) -> None:
        """Count the records start..end of a chunk, all of one county."""
        county = chunk.counties[start]
        if county not in self.before:
            self._load(county)
        first_rows = self.first_rows[county]
        if len(first_rows) < FIRST_ROWS:
            first_rows += chunk.row_numbers[start:end][:FIRST_ROWS - len(first_rows)]
        keys, digests = chunk.keys[start:end], chunk.digests[start:end]
        unique = dict.fromkeys(keys)
        repeated = set() if self.in_file.keys().isdisjoint(unique) else unique.keys() & self.in_file.keys()
        if len(unique) != len(keys):
            repeated.update(key for key, n in Counter(keys).items() if n > 1)
        if repeated:
            self._count_one_by_one(county, [(k, d) for k, d in zip(keys, digests, strict=True) if k in repeated])
            kept = [(k, d) for k, d in zip(keys, digests, strict=True) if k not in repeated]
            keys, digests = [k for k, _ in kept], [d for _, d in kept]
        self._count_new(county, keys, digests)

    def _count_new(self, county: str, keys: list[str], digests: list[int]) -> None:
        """Count records of one county whose keys are all different and new to the file, at once."""
        self.in_file.update(dict.fromkeys(keys, 1))
        if county in self.first_import:
            counted = {"added": len(keys)}
        else:
            # Matched entries leave `current`: what is left at the end is no longer registered.
            old = list(map(self.current.pop, keys, repeat(None)))
            added = old.count(None)
            unchanged = sum(map(operator.eq, old, digests))
            counted = {"added": added, "unchanged": unchanged, "updated": len(keys) - added - unchanged}
        for kind, n in counted.items():
            if n:
                self.kinds[kind] += n
                self.by_county[county, kind] += n

    def _count_one_by_one(self, county: str, records: list[tuple[str, int]]) -> None:
        """Count records of one county, (key, digest) in file order, one by one: keys the file repeats."""
        in_file, current, kinds, by_county = self.in_file, self.current, self.kinds, self.by_county
        first_import = county in self.first_import
        for base, digest in records:
            repeat_ = in_file.get(base, 0) + 1
            in_file[base] = repeat_
            if first_import:  # nothing to compare with: every record is new
                kind = "added"
            else:
                old = current.pop(base if repeat_ == 1 else f"{base}#{repeat_}", None)
                kind = "added" if old is None else ("unchanged" if old == digest else "updated")
            kinds[kind] += 1
            by_county[county, kind] += 1

    def record_on(self, batch: ImportBatch) -> None:
        """Store the counts on the batch."""
        batch.counties = sorted(self.before)
        batch.added, batch.updated, batch.unchanged = self.kinds["added"], self.kinds["updated"], self.kinds["unchanged"]
        batch.removed = len(self.current)
        batch.county_counts = _county_counts(self.before, self.by_county, self.current, self.first_rows)
        batch.base_snapshots = self.base_snapshots
        batch.duplicates = sum(n for n in self.in_file.values() if n > 1)

    def repeated(self) -> list[str]:
        """Return the "county:ID" keys the file holds more than once (for the commit's duplicate flag)."""
        return [key for key, n in self.in_file.items() if n > 1]


def _validate_rows(session, batch, tasks, checker, workers, progress, sink=None):
    """Validate the rows of an open table into the spool, the problems and the batch's counters.

    One pass: each record is compared with its county's current roster as it goes by (_Comparison).
    """
    counts = defaultdict(int)
    problems = []
    comparison = _Comparison(session)
    writer = SpoolWriter(spool_path(batch))
    checker.spool_folder = writer.tmp_path  # each checking process appends its records there
    checker.spool_kind = part_kind_for(session.get_bind().dialect.name)
    per_county: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])  # county -> [records, registered]
    read = rejected = 0
    chunks = checked_chunks(tasks, checker, workers)
    try:
        for chunk in chunks:
            if chunk.part is not None:
                writer.accept(chunk.part, chunk.row_numbers[0], chunk.row_numbers[-1], len(chunk.counties))
                if sink is not None:
                    sink.add(writer.tmp_path, writer.chunks[-1])
                for county, n in Counter(chunk.counties).items():
                    per_county[county][0] += n
                for county, n in chunk.registered.items():
                    per_county[county][1] += n
            read += chunk.read
            rejected += chunk.rejected
            counts["warned_rows"] += chunk.warned
            for p in chunk.problems:
                counts[p.severity] += 1
                if len(problems) + counts["stored_problems"] < MAX_STORED_PROBLEMS:
                    problems.append(_problem_row(batch.id, p))
            comparison.add(chunk)
            if read - counts["read"] >= PROGRESS_EVERY:
                counts["read"], counts["rejected"] = read, rejected
                counts["stored_problems"] += _flush_progress(session, batch, counts, problems)
                problems = []
                if progress:
                    progress(read)
        if sink is not None:
            sink.drain()  # it reads the parts where they are being written, before they move
        writer.finish({"repeated": comparison.repeated(), "counts": per_county})
    except BaseException:
        chunks.close()  # stops the workers before the error goes on
        writer.abort()
        session.rollback()
        raise
    counts["read"], counts["rejected"] = read, rejected
    if read == 0:
        return fail_batch(session, batch, "no_rows", "文件只有表头，没有数据行", "The file has a header but no data rows")
    comparison.record_on(batch)
    batch.rows_total = read
    _flush_progress(session, batch, counts, problems)
    batch.status, batch.finished_at = "previewed", utcnow()
    session.commit()
    return batch


def _county_counts(before: dict, by_county: dict, left_over: dict, first_rows: dict) -> dict:
    """Return each county's counts: persons before, rows after, and what the import does to them."""
    removed: defaultdict[str, int] = defaultdict(int)
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


