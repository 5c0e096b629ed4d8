"""A spool of validated roster records on disk, written in chunks, read back in file order.

Validation writes here so that a million records never sit in memory, and the commit reads them
back inside one short write transaction. A record is spooled as the person table stores it: its
columns, its row-by-row quality facts and the digest of its compared fields, so that the commit only
writes.

The spool is a folder of SQLite files. Each process that checks rows (the importing process, each
row-checking worker) appends the records it checked to its own part file, a chunk per transaction,
so that writing them costs the importing process nothing and spreads over the workers. The
importing process keeps the manifest: the chunks it accepted, in file order, each as (part, first
and last rowid, first and last row of the file), and what the whole file says (its records per
county, the "county:ID" keys it holds more than once), which no single chunk knows. Rows a worker
wrote for a chunk the importer never accepted (the worker died before handing the chunk back, and
the chunk was checked again elsewhere) are in no chunk of the manifest and never read.

On SQLite the commit attaches the parts and copies each chunk with one INSERT … SELECT, without a
row passing through Python; on PostgreSQL it reads them in order into COPY.
"""

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator

from roster.row_facts import ROW_FACT_COLUMNS

# Column order of a spooled record; the same order the person table is written in.
COLUMNS = ("county_code", "source_row", "name", "gender", "id_number", "phone", "household_address",
           "residence_address", "unemployment_reason", "registered_on", "registering_agency",
           "certificate_number", "employment_status", "cancelled_on")
# A spooled record: the person columns, the row's facts (the retirement day as ISO text) and the digest.
SPOOLED = (*COLUMNS, *ROW_FACT_COLUMNS, "record_digest")
FORMAT = 2  # the manifest's format: spools of another format were checked before an upgrade
MANIFEST = "manifest.json"
TABLE = "record"
_INSERT = f"INSERT INTO {TABLE} VALUES ({', '.join('?' * len(SPOOLED))})"

# The part each process writes, per spool folder: a process checks rows of one batch at a time, but
# a worker outlives no pool, and tests run several batches in one process.
_parts: dict[str, sqlite3.Connection] = {}


def part_name() -> str:
    """Return the name of this process's part file."""
    return f"part-{os.getpid()}.sqlite3"


def write_part(folder: str, records: list[tuple]) -> tuple[str, int, int]:
    """Append one chunk of records to this process's part file in `folder` (being written, `.part`);
    return (part name, first rowid, last rowid) for the manifest.

    One transaction per chunk, so that the rowids of a chunk are consecutive. The part is scratch
    space (the file is checked again if it is lost), so nothing waits for the disk; the rollback
    journal still keeps the chunks written before intact if the process dies inside a transaction.
    """
    connection = _parts.get(folder)
    if connection is None:
        connection = _open_part(folder)
    with connection:
        cursor = connection.execute(f"SELECT coalesce(max(rowid), 0) FROM {TABLE}")
        first = cursor.fetchone()[0] + 1
        connection.executemany(_INSERT, records)
    return part_name(), first, first + len(records) - 1


def _open_part(folder: str) -> sqlite3.Connection:
    connection = sqlite3.connect(os.path.join(folder, part_name()), isolation_level="DEFERRED",
                                 check_same_thread=False)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA journal_mode=TRUNCATE")
    connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({', '.join(SPOOLED)})")
    _parts[folder] = connection
    return connection


def close_parts(folder: str) -> None:
    """Close this process's part file of a spool folder (the importing process, when it is done)."""
    connection = _parts.pop(folder, None)
    if connection is not None:
        connection.close()


class SpoolWriter:
    """Build a spool folder: the chunks accepted, in order, then the manifest."""

    def __init__(self, path: str):
        self.path = path
        self.tmp_path = path + ".part"
        remove_spool(self.tmp_path)  # left by a check that was stopped
        os.makedirs(self.tmp_path)
        self.chunks: list[list] = []
        self.count = 0

    def accept(self, part: tuple[str, int, int] | None, first_row: int, last_row: int) -> None:
        """Record a chunk that a process wrote to its part: (part, first rowid, last rowid)."""
        if part is not None:
            name, first, last = part
            self.chunks.append([name, first, last, first_row, last_row])
            self.count += last - first + 1

    def finish(self, tail: dict | None = None) -> None:
        """Write the manifest after the last chunk and make the spool visible under its final name."""
        close_parts(self.tmp_path)
        with open(os.path.join(self.tmp_path, MANIFEST), "w", encoding="utf-8") as handle:
            json.dump({"format": FORMAT, "chunks": self.chunks, "records": self.count, **(tail or {})}, handle)
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
    connections = {name: sqlite3.connect(f"file:{file}?mode=ro", uri=True)
                   for name, file in part_paths(path, chunks).items()}
    try:
        for name, first, last, _first_row, _last_row in chunks:
            yield connections[name].execute(f"SELECT * FROM {TABLE} WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                                            (first, last)).fetchall()
    finally:
        for connection in connections.values():
            connection.close()


def is_current(path: str) -> bool:
    """Say whether a spool holds its records as this version spools them (one written by the version
    before an upgrade may not: its batch must be checked again)."""
    try:
        about = manifest(path)
    except (OSError, ValueError):
        return False
    if about.get("format") != FORMAT:
        return False
    if not about["chunks"]:
        return True
    connection = sqlite3.connect(f"file:{os.path.join(path, about['chunks'][0][0])}?mode=ro", uri=True)
    try:
        return len(connection.execute(f"SELECT * FROM {TABLE} LIMIT 0").description) == len(SPOOLED)
    finally:
        connection.close()
