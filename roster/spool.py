"""A spool of validated roster records on disk, written in chunks, read back in file order.

Validation writes here so that a million records never sit in memory, and the commit reads them
back inside one short write transaction. A record is spooled as the person table stores it: its
columns, its row-by-row quality facts and the digest of its compared fields, so that the commit only
writes.

The spool is a folder of part files. Each process that checks rows (the importing process, each
row-checking worker) appends the records it checked to its own part file, a chunk at a time, so
that writing them costs the importing process nothing and spreads over the workers. The importing
process keeps the manifest: the chunks it accepted, in file order, each as (part, first and last
position, first and last row of the file), and what the whole file says (its records per county, the
"county:ID" keys it holds more than once), which no single chunk knows. Rows a worker wrote for a
chunk the importer never accepted (the worker died before handing the chunk back, and the chunk was
checked again elsewhere) are in no chunk of the manifest and never read.

A part is of one of two kinds, chosen for the database the commit writes to:
- SQLite (`part-<pid>.sqlite3`, a chunk per transaction, positions are rowids): the commit attaches
  the parts and copies each chunk with one INSERT … SELECT, without a row passing through Python;
- marshal (`part-<pid>.marshal`, a chunk per `marshal.dumps` of its records, positions are the
  chunk's first and last byte): for PostgreSQL, whose commit reads the chunks in order into COPY.
  Writing a chunk is one call in C and one write, where an executemany into SQLite took a third of
  a large file's check (docs/performance.md, "PostgreSQL in one pass").
"""

import json
import marshal
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, closing

from roster.row_facts import ROW_FACT_COLUMNS

# Column order of a spooled record; the same order the person table is written in.
COLUMNS = ("county_code", "source_row", "name", "gender", "id_number", "phone", "household_address",
           "residence_address", "unemployment_reason", "registered_on", "registering_agency",
           "certificate_number", "employment_status", "cancelled_on")
# A spooled record: the person columns, the row's facts (the retirement day as ISO text) and the digest.
SPOOLED = (*COLUMNS, *ROW_FACT_COLUMNS, "record_digest")
FORMAT = 3  # the manifest's format: spools of another format were checked before an upgrade
READABLE_FORMATS = (2, 3)  # 2: SQLite parts only, which this version still reads and commits alike
MANIFEST = "manifest.json"
TABLE = "record"
SQLITE, MARSHAL = "sqlite3", "marshal"  # the part kinds, named by their files' suffixes
_INSERT = f"INSERT INTO {TABLE} VALUES ({', '.join('?' * len(SPOOLED))})"

# The part each process writes, per spool folder: a process checks rows of one batch at a time, but
# a worker outlives no pool, and tests run several batches in one process.
_parts: dict[str, "sqlite3.Connection | _MarshalPart"] = {}


def part_kind_for(dialect: str) -> str:
    """Return the kind of part that the commit into a database of this dialect reads best."""
    return SQLITE if dialect == "sqlite" else MARSHAL


def part_name(kind: str = SQLITE) -> str:
    """Return the name of this process's part file of that kind."""
    return f"part-{os.getpid()}.{kind}"


def kind_of(name: str) -> str:
    """Return the kind of a part from its file's name."""
    return MARSHAL if name.endswith("." + MARSHAL) else SQLITE


def write_part(folder: str, records: list[tuple], kind: str = SQLITE) -> tuple[str, int, int]:
    """Append one chunk of records to this process's part file of that kind in `folder` (being
    written, `.part`); return (part name, first position, last position) for the manifest.

    The part is scratch space (the file is checked again if it is lost), so nothing waits for the
    disk. A chunk is whole or, if the process dies while writing it, never accepted and never read.
    """
    part = _parts.get(folder)
    if part is None:
        part = _open_part(folder, kind)
    if isinstance(part, _MarshalPart):
        return part.append(records)
    with part:  # one transaction per chunk, so that the rowids of a chunk are consecutive
        cursor = part.execute(f"SELECT coalesce(max(rowid), 0) FROM {TABLE}")
        first = cursor.fetchone()[0] + 1
        part.executemany(_INSERT, records)
    return part_name(SQLITE), first, first + len(records) - 1


class _MarshalPart:
    """A part file of marshalled chunks, appended with one unbuffered write each."""

    def __init__(self, path: str):
        self.name = os.path.basename(path)
        self.file = open(path, "ab", buffering=0)  # noqa: SIM115 - kept open across chunks, closed by close_parts

    def append(self, records: list[tuple]) -> tuple[str, int, int]:
        data = marshal.dumps(records)
        first = self.file.seek(0, os.SEEK_END)
        written = 0
        while written < len(data):  # a raw write may write less than asked
            written += self.file.write(memoryview(data)[written:])
        return self.name, first, first + len(data) - 1

    def close(self) -> None:
        self.file.close()


def _open_part(folder: str, kind: str) -> sqlite3.Connection | _MarshalPart:
    path = os.path.join(folder, part_name(kind))
    if kind == MARSHAL:
        part: sqlite3.Connection | _MarshalPart = _MarshalPart(path)
    else:
        part = sqlite3.connect(path, isolation_level="DEFERRED", check_same_thread=False)
        part.execute("PRAGMA synchronous=OFF")
        part.execute("PRAGMA journal_mode=TRUNCATE")
        part.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({', '.join(SPOOLED)})")
    _parts[folder] = part
    return part


def close_parts(folder: str) -> None:
    """Close this process's part file of a spool folder (the importing process, when it is done)."""
    part = _parts.pop(folder, None)
    if part is not None:
        part.close()


class SpoolWriter:
    """Build a spool folder: the chunks accepted, in order, then the manifest."""

    def __init__(self, path: str):
        self.path = path
        self.tmp_path = path + ".part"
        remove_spool(self.tmp_path)  # left by a check that was stopped
        os.makedirs(self.tmp_path)
        self.chunks: list[list] = []
        self.count = 0

    def accept(self, part: tuple[str, int, int] | None, first_row: int, last_row: int, records: int) -> None:
        """Record a chunk of `records` records that a process wrote to its part: (part, first
        position, last position)."""
        if part is not None:
            name, first, last = part
            self.chunks.append([name, first, last, first_row, last_row])
            self.count += records

    def finish(self, tail: dict | None = None) -> None:
        """Write the manifest after the last chunk and make the spool visible under its final name."""
        close_parts(self.tmp_path)
        with open(os.path.join(self.tmp_path, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump({"format": FORMAT, "marshal_version": marshal.version, "chunks": self.chunks,
                       "records": self.count, **(tail or {})}, handle)
        remove_spool(self.path)
        os.replace(self.tmp_path, self.path)

    def abort(self) -> None:
        """Remove a half-written spool."""
        close_parts(self.tmp_path)
        remove_spool(self.tmp_path)


def remove_spool(path: str) -> None:
    """Remove a spool, whatever its format (a file before FORMAT 2)."""
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.remove(path)


def manifest(path: str) -> dict:
    """Return a finished spool's manifest."""
    with open(os.path.join(path, MANIFEST), encoding="utf-8") as handle:
        return json.load(handle)


def part_paths(path: str, chunks: list) -> dict[str, str]:
    """Return {part name: its file} for the parts the chunks read."""
    return {name: os.path.join(path, name) for name in dict.fromkeys(chunk[0] for chunk in chunks)}


def read_spool(path: str, tail: dict | None = None) -> Iterator[list[tuple]]:
    """Yield the spool's chunks of records in file order; the rest of its manifest goes into `tail`,
    when given."""
    about = manifest(path)
    if tail is not None:
        tail.update({k: v for k, v in about.items() if k != "chunks"})
    yield from read_chunks(path, about["chunks"])


def read_chunks(path: str, chunks: list) -> Iterator[list[tuple]]:
    """Yield the records of the given manifest chunks, in the order given."""
    with ExitStack() as stack:
        parts = {name: stack.enter_context(open(file, "rb")) if kind_of(name) == MARSHAL
                 else stack.enter_context(closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)))
                 for name, file in part_paths(path, chunks).items()}
        for name, first, last, _first_row, _last_row in chunks:
            part = parts[name]
            if isinstance(part, sqlite3.Connection):
                yield part.execute(f"SELECT * FROM {TABLE} WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                                   (first, last)).fetchall()
            else:
                part.seek(first)
                yield marshal.loads(part.read(last - first + 1))


def is_current(path: str) -> bool:
    """Say whether a spool holds its records as this version spools them (one written by the version
    before an upgrade may not: its batch must be checked again)."""
    try:
        about = manifest(path)
    except (OSError, ValueError):
        return False
    if about.get("format") not in READABLE_FORMATS:
        return False
    if not about["chunks"]:
        return True
    name = about["chunks"][0][0]
    if kind_of(name) == MARSHAL:
        if about.get("marshal_version") != marshal.version:
            return False
        return len(next(read_chunks(path, [about["chunks"][0]]))[0]) == len(SPOOLED)
    connection = sqlite3.connect(f"file:{os.path.join(path, name)}?mode=ro", uri=True)
    try:
        return len(connection.execute(f"SELECT * FROM {TABLE} LIMIT 0").description) == len(SPOOLED)
    finally:
        connection.close()


def all_sqlite(chunks: list) -> bool:
    """Say whether every chunk lies in a SQLite part (which the commit into SQLite attaches)."""
    return all(kind_of(chunk[0]) == SQLITE for chunk in chunks)
