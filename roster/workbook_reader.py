"""Read a workbook into a Table: the first sheet with recognised headers, else the first visible sheet.

An .xlsx is streamed (roster/xlsx_stream.py), whatever its size. What the stream reader does not
expect, and .xls, .ods and .xlsb, is read with python-calamine, which loads a sheet whole: there a
zip bomb or a sheet too large to load is refused first (roster/sheetscan.py).
"""

from __future__ import annotations

import logging

import python_calamine

from roster.columns import count_recognised
from roster.sheetscan import MAX_COLUMNS, SheetRefused, check_workbook
from roster.table import MIN_RECOGNISED, ReaderError, Table, make_table
from roster.xlsx_stream import Unstreamable, read_streamed

log = logging.getLogger(__name__)


def _check_workbook(source, filename: str) -> None:
    """Refuse a workbook that is a zip bomb or holds a sheet too large to load (roster/sheetscan.py)."""
    try:
        check_workbook(source)
    except SheetRefused as refused:
        raise ReaderError(refused.code, filename, detail=refused.detail) from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def read_workbook(source, filename: str, scratch_dir: str | None = None) -> Table:
    """Read the first sheet with recognised headers (else the first visible sheet) of a workbook:
    streamed when it is an XLSX the stream reader takes, else with calamine (logging why)."""
    try:
        return read_streamed(source, filename, scratch_dir)
    except Unstreamable as reason:
        log.log(logging.INFO if reason.other_format else logging.WARNING,
                "reading %s with calamine rather than streaming it: %s", filename, reason)
    if hasattr(source, "seek"):
        source.seek(0)
    return read_with_calamine(source, filename)


def read_with_calamine(source, filename: str) -> Table:
    """Read a workbook with python-calamine, which loads the sheet whole."""
    _check_workbook(source, filename)  # before calamine loads anything
    try:
        workbook = python_calamine.load_workbook(source)
    except python_calamine.PasswordError:
        raise ReaderError("workbook_encrypted", filename) from None
    except python_calamine.CalamineError as error:
        detail = str(error)
        if "detect" in detail.lower():
            raise ReaderError("not_a_spreadsheet", filename) from None
        raise ReaderError("workbook_unreadable", filename, detail=detail) from None
    except Exception as error:  # calamine raises plain errors for some broken containers
        raise ReaderError("workbook_unreadable", filename, detail=str(error)) from None
    names = [
        meta.name for meta in workbook.sheets_metadata
        if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        and meta.visible == python_calamine.SheetVisibleEnum.Visible
    ] or list(workbook.sheet_names)
    first_table: Table | None = None
    first_error: ReaderError | None = None
    for name in names:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except python_calamine.CalamineError as error:
            raise ReaderError("workbook_unreadable", filename, detail=str(error)) from None
        if sheet.width > MAX_COLUMNS:  # an .xls, which the scan does not open; its format caps it at 256
            raise ReaderError("too_many_columns", filename, detail=str(sheet.width))
        # iter_rows starts at the sheet's first row even when it is empty, so row numbers are
        # the index + 1 (tests/roster/test_roster_reader.py checks this against a sheet with blank top rows).
        try:
            table = make_table(
                enumerate(sheet.iter_rows(), start=1), filename, file_format="workbook", sheet=name,
                last_row=sheet.height,
            )
        except ReaderError as error:
            if first_error is None or error.code == "header_only":
                first_error = error  # "only a header" says more than "empty"
            continue
        if count_recognised(table.headers) >= MIN_RECOGNISED:
            first_table = table
            break
        first_table = first_table or table
    if first_table is not None:
        first_table._closers.append(workbook.close)
        return first_table
    raise first_error or ReaderError("empty_file", filename)
