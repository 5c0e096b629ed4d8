"""Import a reference register: keep the file in the storage folder, read it with the roster's reader,
check every row and store the clean records, all in one transaction with its audit entry.

Rows with an invalid ID number or date are reported (row, field, reason) and not stored: they cannot be
matched. A required column the file lacks stops the import before any record is written; on the page the
file is kept and the user names its columns (registers/mapping.py).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import select

from auth.scope import acting_user
from config.registers import KIND_CODES
from core import auditlog
from core.database import bulk_insert
from core.extensions import db
from core.i18n import lang
from core.storage import store_copy
from models import RegisterImport
from registers.checking import RowChecker, RowProblem
from registers.columns import FIELDS, field_label, map_register_headers
from roster.reader import open_table
from roster.table import ReaderError, Table

WAITING = "unmapped"  # the status of an import whose file waits for the user to name its columns
MAX_STORED_PROBLEMS = 1000  # the report keeps the first ones and says how many there were
RECORD_COLUMNS = ("import_id", "kind", "source_row", "id_number", "start_on", "end_on", "organisation",
                  "category", "flexible")


class RegisterError(Exception):
    """A register import or match that cannot go ahead: an HTTP-like status, a stable code, a message, and
    details for the API (the file's headers, the problems of a chosen mapping)."""

    def __init__(self, status: int, code: str, message: str, **details):
        """Keep the status, code, (translated) message and details."""
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def may_import(user) -> bool:
    """Say whether a user may import registers and run matches: coordinators and admins of every county."""
    user = acting_user(user)
    if user is None:
        return True  # the CLI: the operator
    return user.role in ("admin", "coordinator") and not user.county_code


def check_importer(user) -> None:
    """Refuse anyone but coordinators and administrators of every county."""
    if not may_import(user):
        raise RegisterError(403, "forbidden", _("Only coordinators and administrators import registers."))


def _fingerprint(path: str) -> str:
    """Return the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def earlier_import(fingerprint: str, kind: str, *, besides: int | None = None) -> RegisterImport | None:
    """Return an import of the same file as the same kind whose file is kept (imported, or waiting)."""
    query = select(RegisterImport).where(RegisterImport.fingerprint == fingerprint, RegisterImport.kind == kind,
                                         RegisterImport.purged_at.is_(None))
    if besides is not None:
        query = query.where(RegisterImport.id != besides)
    found = list(db.session.scalars(query.order_by(RegisterImport.id)))
    done = [b for b in found if b.status != WAITING]
    return (done or found or [None])[0]


def duplicate(earlier: RegisterImport) -> RegisterError:
    """Say that a file was imported already."""
    return RegisterError(409, "duplicate", _("This file was imported already (import %(id)s).", id=earlier.id))


def open_register(path: str, filename: str) -> Table:
    """Open a register file with the roster's reader, its refusal as a RegisterError."""
    try:
        return open_table(path, filename)
    except ReaderError as error:
        raise RegisterError(400, error.code, error.message_zh if lang() == "zh" else error.message_en) from None


def import_register(path: str, filename: str, kind: str, *, user=None, label: str | None = None,
                    mapping: dict[str, str] | None = None, ask_mapping: bool = False) -> RegisterImport:
    """Import one reference file of one kind; return the stored import with its row report.

    A required field that neither the aliases nor `mapping` ({header: field}) give a column stops the
    import, naming the file's headers. With `ask_mapping` (the page) the file is kept instead and the
    import waits for its columns (status "unmapped"; registers/mapping.py); the same file uploaded again
    as the same kind goes back to that import.
    """
    user = acting_user(user)
    check_importer(user)
    if kind not in KIND_CODES:
        raise RegisterError(400, "unknown_kind", _("Unknown kind of register: %(kind)s", kind=kind))
    fingerprint = _fingerprint(path)
    earlier = earlier_import(fingerprint, kind)
    if earlier is not None and earlier.status != WAITING:
        raise duplicate(earlier)
    if earlier is not None and ask_mapping:
        return earlier
    with open_register(path, filename) as table:
        try:
            columns = map_register_headers(kind, table.headers, mapping)
        except ValueError as error:
            raise RegisterError(400, "bad_mapping", _("Unknown field in the mapping: %(field)s",
                                                      field=str(error))) from None
        if columns.missing and ask_mapping:
            return _wait_for_columns(path, filename, kind, fingerprint, label, user)
        if columns.missing:
            wanted = "、".join(field_label(kind, name, lang()) for name in columns.missing)
            raise RegisterError(400, "columns_missing", _(
                "The file has no column for: %(fields)s. Its columns are: %(headers)s. Name the columns in "
                "the mapping.", fields=wanted, headers="、".join(h for h in table.headers if h)),
                headers=table.headers, missing=columns.missing)
        stored = _keep_file(path, filename, fingerprint)
        with db.write_transaction() as session:
            batch = _new_import(path, filename, kind, fingerprint, label, user, stored, "imported")
            session.add(batch)
            session.flush()
            read_rows(session, batch, table, columns.index_of, user)
        return batch


def _keep_file(path: str, filename: str, fingerprint: str) -> str:
    """Copy an uploaded file into the storage folder; return its stored path."""
    stored = os.path.join("registers", f"{fingerprint}{os.path.splitext(filename)[1].lower()[:8]}")
    store_copy(path, stored)
    return stored


def _new_import(path, filename, kind, fingerprint, label, user, stored, status) -> RegisterImport:
    """Make the import's record."""
    return RegisterImport(kind=kind, label=(label or None) and label[:64], filename=filename[:255],
                          fingerprint=fingerprint, size_bytes=os.path.getsize(path), stored_path=stored,
                          uploaded_by_id=getattr(user, "id", None), problems=[], status=status)


def _wait_for_columns(path, filename, kind, fingerprint, label, user) -> RegisterImport:
    """Keep the file and record an import waiting for the user to name its columns."""
    stored = _keep_file(path, filename, fingerprint)
    with db.write_transaction() as session:
        batch = _new_import(path, filename, kind, fingerprint, label, user, stored, WAITING)
        session.add(batch)
        session.flush()
        auditlog.record("register.upload", "register_import", batch.id, user=user, kind=kind, filename=filename,
                        waiting="columns")
    return batch


def read_rows(session, batch: RegisterImport, table: Table, index_of: dict[str, int], user) -> None:
    """Check every row of the file, store the clean records and the row report, and audit the import."""
    problems: list[RowProblem] = []
    counts = {"total": 0, "valid": 0, "problems": 0}
    checker = RowChecker(batch.kind, index_of)
    try:
        bulk_insert(session.connection(), "register_record", RECORD_COLUMNS,
                    _records(batch.id, batch.label, table.rows, checker, problems, counts))
    except ReaderError as error:
        raise RegisterError(400, error.code, error.message_zh if lang() == "zh" else error.message_en) from None
    batch.rows_total, batch.rows_valid = counts["total"], counts["valid"]
    batch.rows_rejected, batch.problem_count = counts["total"] - counts["valid"], counts["problems"]
    batch.problems = [p._asdict() for p in problems]
    auditlog.record("register.import", "register_import", batch.id, user=user, kind=batch.kind,
                    filename=batch.filename, rows=batch.rows_total, stored=batch.rows_valid,
                    rejected=batch.rows_rejected,
                    columns={name: table.headers[index] for name, index in sorted(index_of.items())})


def _records(import_id: int, label: str | None, rows: Iterator, checker: RowChecker,
             problems: list[RowProblem], counts: dict) -> Iterator[tuple]:
    """Check each row; yield the clean ones as register_record values and collect the problems."""
    for number, values in rows:
        counts["total"] += 1
        record, found = checker.check(number, values)
        if found:
            counts["problems"] += len(found)
            problems.extend(found[:max(0, MAX_STORED_PROBLEMS - len(problems))])
        if record is None:
            continue
        counts["valid"] += 1
        organisation = record["organisation"] or (label[:128] if label and record["kind"] == "generic" else None)
        yield (import_id, record["kind"], number, record["id_number"], record["start_on"], record["end_on"],
               organisation, record["category"], record["flexible"])


def kinds_and_fields(only: str | None = None) -> list[dict]:
    """Describe each kind's fields (or one kind's) for the import page and the API."""
    return [{"kind": kind, "fields": [{"name": f.name, "required": f.required,
                                       "label": f.label_zh if lang() == "zh" else f.label_en} for f in specs]}
            for kind, specs in FIELDS.items() if only in (None, kind)]
