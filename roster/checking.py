"""Check a file's rows in chunks, in this process or spread over worker processes, in file order.

Row checking is pure Python and holds the GIL, so threads cannot share it; processes can. For a
large file the importer keeps reading the file and doing the bookkeeping (the comparison with the
current roster, the progress) while workers check chunks of rows. A worker hands back what the
importer needs and no more: the chunk's valid records already pickled for the spool, and per row
only its county, ID number, a digest of its fields and its problems. Workers are started by a
fork server, never by forking the web process itself with its threads, locks and database
connections, and only for files big enough to repay their start-up.
"""

import hashlib
import logging
import multiprocessing
import operator
import os
import pickle
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from itertools import islice
from typing import NamedTuple

from roster.columns import HeaderMapping
from roster.csv_reader import CsvLines
from roster.problems import Problem
from roster.row_facts import row_facts
from roster.spool import COLUMNS
from roster.validate import validate_row
from roster.xlsx_stream import SheetPiece

log = logging.getLogger(__name__)

CHUNK_ROWS = 2000  # rows per chunk: large enough that sending it to a worker costs little per row
AHEAD = 3  # chunks in flight per worker, so that no worker waits while the reader catches up
ID_POSITION = COLUMNS.index("id_number")
# Where the dates sit among a record's fields before source_row is put in.
_REGISTERED, _CANCELLED = COLUMNS.index("registered_on") - 1, COLUMNS.index("cancelled_on") - 1
_COLUMN_COUNT = len(COLUMNS)


def record_digest(fields) -> int:
    """Return a 64-bit digest of a record's compared fields (text or None), the same in every process.

    Python's own hash() of a str is salted per process, so workers cannot use it. Signed, so that
    the person table stores it as a plain BIGINT.
    """
    joined = "\x1f".join(["\x00" if value is None else value for value in fields])
    return int.from_bytes(hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          signed=True)


class CheckedChunk(NamedTuple):
    """What the importer needs of a checked chunk, in plain lists that travel cheaply between processes.

    The valid records are already pickled as one spool chunk; for each of them, in order, its county,
    its "county:ID number" key, the digest of its fields and its row number; the problems of all rows
    (each names its row), and how many rows were read, rejected, and kept with a warning.
    """

    spool_bytes: bytes
    counties: list[str]
    keys: list[str]
    digests: list[int]
    row_numbers: list[int]
    problems: list[Problem]
    read: int
    rejected: int
    warned: int


class RowChecker:
    """Check rows as read into spool records and problems.

    Holds only plain values (the header mapping, the date, the county codes), so that it can be
    sent to worker processes.
    """

    def __init__(self, mapping: HeaderMapping, today: date, known: frozenset[str], default_county: str | None):
        self.mapping, self.today, self.known, self.default_county = mapping, today, known, default_county
        self._ready()

    def __getstate__(self) -> dict:
        return {"mapping": self.mapping, "today": self.today, "known": self.known,
                "default_county": self.default_county}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._ready()

    def _ready(self) -> None:
        """Build the per-row helpers (closures, which do not travel between processes)."""
        self._extract = self.mapping.extractor()
        # One itemgetter builds a record tuple in spool order; source_row and the dates are set after.
        self._fields = operator.itemgetter(*(c for c in COLUMNS if c != "source_row"))

    def record(self, row_number: int, values) -> tuple[tuple | None, list[Problem]]:
        """Return one row's record as spooled (spool.SPOOLED: its columns, facts and digest; None when an
        error rejects it) and its problems."""
        record, problems = validate_row(self._extract(values), row_number, self.today, self.known,
                                        self.default_county)
        if record is None:
            return None, problems
        v, registered, cancelled = self._fields(record), _REGISTERED, _CANCELLED
        # Dates travel as ISO text: what SQLite stores and what COPY reads, with no conversion later.
        columns = (v[0], row_number, *v[1:registered], v[registered].isoformat(), *v[registered + 1:cancelled],
                   v[cancelled] and v[cancelled].isoformat(), *v[cancelled + 1:])
        missing_phone, missing_address, missing_reason, retirement = row_facts(
            columns[3], columns[4], columns[5], columns[6], columns[7], columns[8], columns[13])
        return (*columns, missing_phone, missing_address, missing_reason, retirement and retirement.isoformat(),
                record_digest(columns[2:_COLUMN_COUNT])), problems

    def chunk(self, rows: list | CsvLines | SheetPiece) -> CheckedChunk:
        """Check a list of (row number, values), or lines of CSV or a piece of XLSX sheet parsed here first."""
        if not isinstance(rows, list):
            rows = rows.rows()
        records, counties, keys, digests, numbers, problems = [], [], [], [], [], []
        rejected = warned = 0
        for number, values in rows:
            record, row_problems = self.record(number, values)
            if row_problems:
                problems += row_problems
            if record is None:
                rejected += 1
                continue
            warned += bool(row_problems)
            records.append(record)
            counties.append(record[0])
            keys.append(record[0] + ":" + record[ID_POSITION])
            digests.append(record[-1])
            numbers.append(number)
        spooled = pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL) if records else b""
        return CheckedChunk(spooled, counties, keys, digests, numbers, problems, len(rows), rejected, warned)


def worker_count(setting: int | str | None) -> int:
    """Read the IMPORT_WORKERS setting: a number of processes, or "auto" for one per CPU."""
    if setting in (None, "", "auto"):
        return os.cpu_count() or 1
    return max(0, int(setting))


def row_chunks(rows: Iterable) -> Iterator[list]:
    """Group a table's (row number, values) into lists of CHUNK_ROWS."""
    source = iter(rows)
    while chunk := list(islice(source, CHUNK_ROWS)):
        yield chunk


def checked_chunks(tasks: Iterable[list | CsvLines | SheetPiece], checker: RowChecker, workers: int = 0) -> Iterator[CheckedChunk]:
    """Yield each chunk of rows checked, in file order; with workers > 0 in that many processes.

    Should the workers fail (one killed for lack of memory, say), the chunks they had not returned
    and the rest of the file are checked here instead: slower, but the import goes on.
    """
    source = iter(tasks)
    if workers > 0:
        yield from _checked_by_workers(source, checker, workers)
    for task in source:
        yield checker.chunk(task)


def _checked_by_workers(source: Iterator, checker: RowChecker, workers: int) -> Iterator[CheckedChunk]:
    """Check chunks of the source in worker processes until it ends or the workers fail.

    Reading stays in the caller's thread, so a reader error surfaces where it happened, and at
    most AHEAD chunks per worker are in flight, so memory stays flat whatever the file's size.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # workers start with the checking code already imported
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
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
