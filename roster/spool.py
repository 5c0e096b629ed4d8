"""A spool of validated roster records on disk, written in chunks and read back in order.

Validation writes here so that a million records never sit in memory, and the commit reads them
back inside one short write transaction. A record is spooled as the person table stores it: its
columns, its row-by-row quality facts and the digest of its compared fields, so that the commit only
writes. After the last chunk comes the spool's tail: what the whole file says about its records (the
"county:ID" keys it holds more than once), which no single chunk knows.
"""

import os
import pickle
from collections.abc import Iterator

from roster.row_facts import ROW_FACT_COLUMNS

# Column order of a spooled record; the same order the person table is written in.
COLUMNS = ("county_code", "source_row", "name", "gender", "id_number", "phone", "household_address",
           "residence_address", "unemployment_reason", "registered_on", "registering_agency",
           "certificate_number", "employment_status", "cancelled_on")
# A spooled record: the person columns, the row's facts (the retirement day as ISO text) and the digest.
SPOOLED = (*COLUMNS, *ROW_FACT_COLUMNS, "record_digest")


class SpoolWriter:
    """Append chunks of record tuples to a spool file."""

    def __init__(self, path: str):
        self.path = path
        self.tmp_path = path + ".part"
        self.handle = open(self.tmp_path, "wb")  # noqa: SIM115 (closed in finish/abort)
        self.count = 0

    def write_pickled(self, data: bytes, rows: int) -> None:
        """Append one chunk of rows, pickled as a list by whoever checked them (perhaps a worker process)."""
        if rows:
            self.handle.write(data)
            self.count += rows

    def finish(self, tail: dict | None = None) -> None:
        """Write the tail after the last chunk, close the spool and make it visible under its final name."""
        pickle.dump(tail or {}, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
        self.handle.close()
        os.replace(self.tmp_path, self.path)

    def abort(self) -> None:
        """Close and remove a half-written spool."""
        self.handle.close()
        if os.path.exists(self.tmp_path):
            os.remove(self.tmp_path)


def read_spool(path: str, tail: dict | None = None) -> Iterator[list[tuple]]:
    """Yield the spool's chunks in the order they were written; its tail goes into `tail`, when given."""
    with open(path, "rb") as handle:
        while True:
            try:
                chunk = pickle.load(handle)
            except EOFError:
                return
            if isinstance(chunk, dict):
                if tail is not None:
                    tail.update(chunk)
                continue
            yield chunk


def is_current(path: str) -> bool:
    """Say whether a spool holds its records as this version spools them (one written by the version
    before an upgrade may not: its batch must be checked again)."""
    with open(path, "rb") as handle:
        try:
            first = pickle.load(handle)
        except EOFError:
            return True
    return isinstance(first, dict) or not first or len(first[0]) == len(SPOOLED)
