"""Row checkers that misbehave inside worker processes, to test how the importer copes.

They live in a module of their own because worker processes import them by name.
"""

import os

from roster.checking import RowChecker


class DyingChecker(RowChecker):
    """Kills the worker process that checks a chunk holding the given row; checks normally elsewhere."""

    def __init__(self, *args, die_at_row: int, parent_pid: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.die_at_row, self.parent_pid = die_at_row, parent_pid

    def __getstate__(self) -> dict:
        return super().__getstate__() | {"die_at_row": self.die_at_row, "parent_pid": self.parent_pid}

    def chunk(self, rows):
        """Check the chunk, unless this is a worker and the chunk holds the fatal row."""
        numbers = [number for number, _ in (rows.rows() if hasattr(rows, "rows") else rows)]
        if os.getpid() != self.parent_pid and self.die_at_row in numbers:
            os._exit(3)  # as the kernel's out-of-memory killer would: no exception, no clean-up
        return super().chunk(rows)


class DyingAfterSpoolingChecker(DyingChecker):
    """Kills the worker process that checks a chunk holding the given row after it spooled the chunk's
    records but before it hands the chunk back: its rows are in its part file, the importer never hears of them."""

    def chunk(self, rows):
        numbers = [number for number, _ in (rows.rows() if hasattr(rows, "rows") else rows)]
        checked = RowChecker.chunk(self, rows)
        if os.getpid() != self.parent_pid and self.die_at_row in numbers and checked.part is not None:
            os._exit(3)
        return checked


class NicenessReportingChecker(RowChecker):
    """Checks normally, but reports the checking process and its niceness in place of the chunk's counties."""

    def chunk(self, rows):
        return RowChecker.chunk(self, rows)._replace(counties=[str(os.getpid()), str(os.nice(0))])


def spooled(path, checker, workers, folder):
    """Check a file's lines into a spool in `folder` as the importer does; return the spool's records."""
    from roster import checking
    from roster.checking import checked_chunks
    from roster.csv_reader import csv_line_chunks
    from roster.reader import open_table
    from roster.spool import SpoolWriter, read_spool

    writer = SpoolWriter(str(folder))
    checker.spool_folder = writer.tmp_path
    with open_table(path) as table:
        for chunk in checked_chunks(csv_line_chunks(path, table, "roster.csv", checking.CHUNK_ROWS), checker, workers):
            if chunk.part is not None:
                writer.accept(chunk.part, chunk.row_numbers[0], chunk.row_numbers[-1], len(chunk.counties))
    writer.finish()
    return [record for chunk in read_spool(str(folder)) for record in chunk]
