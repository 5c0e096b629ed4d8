"""The mapping step of a register import, as the roster import has one: a file whose headers leave a required
field without a column is kept, and the user names the field of each column from the fields of its kind.

The choice is checked (registers/columns.py: check_choice) before anything is read; the import is then
claimed with a conditional UPDATE in the transaction that stores its rows, so a mapping sent twice, or by
two people at once, imports the file once.
"""

from __future__ import annotations

import os
import re
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy import update

from auth.scope import acting_user
from config.registers import REGISTER_KINDS
from core import auditlog
from core.clock import now
from core.extensions import db
from core.i18n import label, lang
from core.privacy import mask_id_number, mask_phone
from core.storage import absolute
from models import RegisterImport
from registers.columns import ChoiceProblem, check_choice, field_label, suggested_columns
from registers.importing import (
    WAITING,
    RegisterError,
    check_importer,
    duplicate,
    earlier_import,
    open_register,
    read_rows,
)
from registers.retention import drop_stored_file
from roster.normalize import visible
from roster.table import Table, is_blank

PREVIEW_ROWS = 20  # rows read for a sample value of each column
SAMPLE_CHARS = 40
_ID_LIKE = re.compile(r"[0-9]{14,17}[0-9Xx]")
_PHONE_LIKE = re.compile(r"(\+?86)?1[0-9]{10}")


def _stored_table(batch: RegisterImport) -> Table:
    """Open the kept file of an import, or say that it is gone."""
    path = absolute(batch.stored_path) if batch.stored_path else None
    if path is None or not os.path.exists(path):
        raise RegisterError(410, "file_gone", _("The file of this import is no longer kept: upload it again."))
    return open_register(path, batch.filename)


def _shown(value: object) -> str:
    """Show a sample value, short, with ID and phone numbers masked."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = visible(text.strip())
    compact = text.replace(" ", "")
    if _ID_LIKE.fullmatch(compact):
        return mask_id_number(compact)
    if _PHONE_LIKE.fullmatch(compact):
        return mask_phone(compact)
    return text if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + "…"


def waiting_columns(batch: RegisterImport) -> list[dict]:
    """Describe each column of a waiting import's file: number, header, a sample value, the suggested field."""
    with _stored_table(batch) as table:
        headers = table.headers
        samples: list[str | None] = [None] * len(headers)
        for _number, values in islice(table.rows, PREVIEW_ROWS):
            for index, value in enumerate(values[:len(headers)]):
                if samples[index] is None and not is_blank([value]):
                    samples[index] = _shown(value)
            if all(s is not None for s in samples):
                break
    suggested = suggested_columns(batch.kind, headers)
    return [{"index": index, "number": index + 1, "header": header, "sample": samples[index],
             "suggested": suggested.get(index)} for index, header in enumerate(headers)]


def _columns_text(columns: tuple[int, ...]) -> str:
    """Say column numbers: "第2列和第3列", "columns 2 and 3"."""
    if lang() == "zh":
        names = [f"第{n}列" for n in columns]
        return "和".join(["、".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    numbers = [str(n) for n in columns]
    return "columns " + (", ".join(numbers[:-1]) + " and " + numbers[-1] if len(numbers) > 1 else numbers[0])


def describe_problem(kind: str, problem: ChoiceProblem) -> str:
    """Say one problem of a chosen mapping in the page's language."""
    name = field_label(kind, problem.field, lang())
    if problem.code == "required_unmapped":
        return _("Choose a column for the required field “%(field)s”.", field=name)
    if problem.code == "field_twice":
        return _("“%(field)s” is chosen for %(columns)s: each field takes one column only.", field=name,
                 columns=_columns_text(problem.columns))
    return _("“%(value)s” (column %(n)d) is not a field of a %(kind)s list.", value=problem.field[:40],
             n=problem.columns[0], kind=label(REGISTER_KINDS, kind))


def import_mapped(batch: RegisterImport, choice: dict[int, str], *, user=None) -> RegisterImport:
    """Import a waiting file with the columns chosen ({column index: field}); return the import.

    A choice with problems is refused (400 "bad_mapping", the problems in `details`); an import no longer
    waiting (imported by an earlier submit, or dropped) is refused with 409 "not_waiting".
    """
    user = acting_user(user)
    check_importer(user)
    batch_id, kind = batch.id, batch.kind
    if batch.status != WAITING:
        raise _not_waiting()
    with _stored_table(batch) as table:
        index_of, problems = check_choice(kind, table.headers, choice)
        if problems:
            messages = [describe_problem(kind, p) for p in problems]
            described = [{"code": p.code, "field": p.field, "columns": list(p.columns), "message": message}
                         for p, message in zip(problems, messages, strict=True)]
            raise RegisterError(400, "bad_mapping", "；".join(messages), problems=described)
        with db.write_transaction() as session:
            claimed = session.execute(update(RegisterImport).where(
                RegisterImport.id == batch_id, RegisterImport.status == WAITING).values(status="imported"))
            if not claimed.rowcount:
                raise _not_waiting()
            batch = session.get(RegisterImport, batch_id, populate_existing=True)
            earlier = earlier_import(batch.fingerprint, kind, besides=batch_id)
            if earlier is not None and earlier.status != WAITING:
                raise duplicate(earlier)
            read_rows(session, batch, table, index_of, user)
    return batch


def not_waiting_message() -> str:
    """Say that an import no longer waits for its columns."""
    return _("This import is not waiting for its columns any more: it was imported or dropped already.")


def _not_waiting() -> RegisterError:
    """Refuse to map an import that no longer waits for its columns."""
    return RegisterError(409, "not_waiting", not_waiting_message())


def drop_waiting(batch: RegisterImport, *, user=None) -> bool:
    """Drop an import still waiting for its columns and delete its kept file; False when it is not waiting."""
    user = acting_user(user)
    check_importer(user)
    batch_id, path = batch.id, batch.stored_path
    with db.write_transaction() as session:
        dropped = session.execute(update(RegisterImport).where(
            RegisterImport.id == batch_id, RegisterImport.status == WAITING)
            .values(status="cancelled", stored_path=None, purged_at=now()))
        if not dropped.rowcount:
            return False
        if path:
            drop_stored_file(session, path, batch_id)
        auditlog.record("register.cancel", "register_import", batch_id, user=user)
    return True
