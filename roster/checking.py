"""Check a file's rows in chunks, in this process or spread over worker processes, in file order.

Row checking is pure Python and holds the GIL, so threads cannot share it; processes can. For a
large file the importer keeps reading the file and doing the bookkeeping (the comparison with the
current roster, the progress) while workers check chunks of rows. A worker hands back what the
importer needs and no more: per row only its county, ID number, a digest of its fields and its
problems; the valid records themselves the worker appends to its own part of the spool
(roster/spool.py), so that they never travel back. Workers are started by a
fork server, never by forking the web process itself with its threads, locks and database
connections, and only for files big enough to repay their start-up.
"""

import contextlib
import hashlib
import logging
import multiprocessing
import operator
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from itertools import islice
from typing import NamedTuple

from roster.columns import HeaderMapping
from roster.csv_reader import CsvBlock, CsvLines
from roster.idnumber import birth_info
from roster.problems import Problem
from roster.spool import COLUMNS, SQLITE, write_part
from roster.validate import LEAN_FIELDS, clean_values, validate_row
from roster.xlsx_stream import SheetPiece

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000  # rows per chunk: large enough that sending it to a worker costs little per row
AHEAD = 3  # chunks in flight per worker, so that no worker waits while the reader catches up
WORKER_NICENESS = 10  # how far the row-checking workers lower their priority (see _lower_priority)
ID_POSITION = COLUMNS.index("id_number")
_CANCELLED_AT = COLUMNS.index("cancelled_on")


def record_digest(fields) -> int:
    """Return a 64-bit digest of a record's compared fields (text or None), the same in every process.

    Python's own hash() of a str is salted per process, so workers cannot use it. Signed, so that
    the person table stores it as a plain BIGINT.
    """
    joined = "\x1f".join(["\x00" if value is None else value for value in fields])
    return int.from_bytes(hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          signed=True)


# A clean record's fields in the order validate.clean_values returns them.
RECORD_FIELDS = ("county_code", "name", "gender", "id_number", "phone", "household_address", "residence_address",
                 "unemployment_reason", "registered_on", "registering_agency", "certificate_number",
                 "employment_status", "cancelled_on")


def spooled_record(row_number: int, clean: tuple) -> tuple:
    """Return a clean record (RECORD_FIELDS, then the birth facts of its ID) as spooled (spool.SPOOLED):
    its columns, its row-by-row quality facts (row_facts.row_facts) and the digest of its fields."""
    (county, name, gender, id_number, phone, household, residence, reason, registered_on, agency, certificate,
     status, cancelled_on, info) = clean
    # Dates travel as ISO text: what SQLite stores and what COPY reads, with no conversion later.
    cancelled = cancelled_on and cancelled_on.isoformat()
    compared = (name, gender, id_number, phone, household, residence, reason, registered_on.isoformat(), agency,
                certificate, status, cancelled)
    registered = cancelled is None
    retirement = None if info is None else info[2] if gender == "1" else info[3] if gender == "2" else None
    return (county, row_number, *compared,
            registered and not phone, registered and not household and not residence, registered and not reason,
            retirement and retirement.isoformat(), record_digest(compared))


class CheckedChunk(NamedTuple):
    """What the importer needs of a checked chunk, in plain lists that travel cheaply between processes.

    Where the valid records went (spool.write_part: the part file and its rowids; None when the chunk
    has none, or the checker spools nowhere); for each of them, in order, its county, its "county:ID
    number" key, the digest of its fields and its row number; the registered (not cancelled) records
    per county; the problems of all rows (each names its row), and how many rows were read, rejected,
    and kept with a warning.
    """

    part: tuple[str, int, int] | None
    counties: list[str]
    keys: list[str]
    digests: list[int]
    row_numbers: list[int]
    registered: dict[str, int]
    problems: list[Problem]
    read: int
    rejected: int
    warned: int


class RowChecker:
    """Check rows as read into spool records and problems.

    Holds only plain values (the header mapping, the date, the county codes, the spool folder the
    valid records go to and the kind of part they are written in), so that it can be sent to worker
    processes. Without a spool folder the records are checked and counted but kept nowhere.
    """

    def __init__(self, mapping: HeaderMapping, today: date, known: frozenset[str], default_county: str | None,
                 spool_folder: str | None = None, spool_kind: str = SQLITE):
        self.mapping, self.today, self.known, self.default_county = mapping, today, known, default_county
        self.spool_folder, self.spool_kind = spool_folder, spool_kind
        self._ready()

    def __getstate__(self) -> dict:
        return {"mapping": self.mapping, "today": self.today, "known": self.known,
                "default_county": self.default_county, "spool_folder": self.spool_folder,
                "spool_kind": self.spool_kind}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._ready()

    def _ready(self) -> None:
        """Build the per-row helpers (closures, which do not travel between processes)."""
        self._extract = self.mapping.extractor()
        # The lean path reads a row's values by position: the columns of LEAN_FIELDS, an unmapped
        # field reading the None put after the mapped columns.
        index_of = {field: index for index, field in self.mapping.field_by_index.items()}
        self._width = max(index_of.values(), default=-1) + 1
        self._all_mapped = all(field in index_of for field in LEAN_FIELDS)
        self._nones = [None] * (self._width + 1)
        self._lean_getter = operator.itemgetter(*(index_of.get(field, self._width) for field in LEAN_FIELDS))

    def record(self, row_number: int, values) -> tuple[tuple | None, list[Problem]]:
        """Return one row's record as spooled (spool.SPOOLED: its columns, facts and digest; None when an
        error rejects it) and its problems."""
        width = self._width
        if not self._all_mapped:
            values = [*values[:width], *self._nones[min(len(values), width):]]
        elif len(values) < width:
            values = [*values, *self._nones[len(values):width]]
        clean = clean_values(self._lean_getter(values), self.today, self.known, self.default_county)
        if clean is not None:
            return spooled_record(row_number, clean), []
        record, problems = validate_row(self._extract(values), row_number, self.today, self.known,
                                        self.default_county)
        if record is None:
            return None, problems
        id_number = record["id_number"]
        return spooled_record(row_number, (*map(record.__getitem__, RECORD_FIELDS), birth_info(id_number[6:14]))), problems

    def chunk(self, rows: list | CsvLines | CsvBlock | SheetPiece) -> CheckedChunk:
        """Check a list of (row number, values), or lines of CSV or a piece of XLSX sheet parsed here first."""
        if not isinstance(rows, list):
            rows = rows.rows()
        records: list[tuple] = []
        problems: list[Problem] = []
        rejected = warned = 0
        record_of = self.record
        for number, values in rows:
            record, row_problems = record_of(number, values)
            if row_problems:
                problems += row_problems
                warned += record is not None
            if record is None:
                rejected += 1
                continue
            records.append(record)
        counties = [record[0] for record in records]
        keys = [record[0] + ":" + record[ID_POSITION] for record in records]
        registered = dict(Counter(record[0] for record in records if record[_CANCELLED_AT] is None))
        part = write_part(self.spool_folder, records, self.spool_kind) if records and self.spool_folder else None
        return CheckedChunk(part, counties, keys, [record[-1] for record in records], [record[1] for record in records],
                            registered, problems, len(rows), rejected, warned)


MAX_WORKERS = 8  # each writes a part of the spool, and SQLite attaches at most 10 databases to the commit


def worker_count(setting: int | str | None) -> int:
    """Read the IMPORT_WORKERS setting: a number of processes, or "auto" for one per CPU (at most MAX_WORKERS)."""
    if setting in (None, "", "auto"):
        return min(os.cpu_count() or 1, MAX_WORKERS)
    return min(max(0, int(setting)), MAX_WORKERS)


def row_chunks(rows: Iterable) -> Iterator[list]:
    """Group a table's (row number, values) into lists of CHUNK_ROWS."""
    source = iter(rows)
    while chunk := list(islice(source, CHUNK_ROWS)):
        yield chunk


def checked_chunks(tasks: Iterable[list | CsvLines | CsvBlock | SheetPiece], checker: RowChecker,
                   workers: int = 0) -> Iterator[CheckedChunk]:
    """Yield each chunk of rows checked, in file order; with workers > 0 in that many processes.

    Should the workers fail (one killed for lack of memory, say), the chunks they had not returned
    and the rest of the file are checked here instead: slower, but the import goes on.
    """
    source = iter(tasks)
    workers = min(workers, MAX_WORKERS)
    if workers > 0:
        yield from _checked_by_workers(source, checker, workers)
    for task in source:
        yield checker.chunk(task)


def _lower_priority() -> None:
    """Make this worker process yield the CPU to everything of normal priority.

    Checking rows is batch work: the web workers of the same node answer pages meanwhile, and the
    database, when it runs on the same machine, writes the persons of an import in one pass
    (roster/import_direct.py) while the rest of its file is checked, at its own pace only if these
    processes do not take a fair share of its CPU.
    """
    with contextlib.suppress(AttributeError, OSError):  # no nice() on this system, or not allowed: run as is
        os.nice(WORKER_NICENESS)


def _checked_by_workers(source: Iterator, checker: RowChecker, workers: int) -> Iterator[CheckedChunk]:
    """Check chunks of the source in worker processes until it ends or the workers fail.

    Reading stays in the caller's thread, so a reader error surfaces where it happened, and at
    most AHEAD chunks per worker are in flight, so memory stays flat whatever the file's size.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # workers start with the checking code already imported
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_lower_priority)
    pending: deque[list] = deque()  # [future, its task]: a task is kept until its results are in
    try:
        try:
            for task in source:
                pending.append([None, task])
                pending[-1][0] = pool.submit(checker.chunk, task)
                if len(pending) >= workers * AHEAD:
                    yield pending[0][0].result()
                    pending.popleft()
            while pending:
                yield pending[0][0].result()
                pending.popleft()
        except (BrokenProcessPool, OSError):
            log.warning("row-checking workers failed; checking the rest of the file in this process",
                        exc_info=True)
            while pending:
                yield checker.chunk(pending.popleft()[1])
    finally:
        for future, _ in pending:
            if future is not None:
                future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
