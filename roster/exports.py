"""The roster area's downloads, each recorded in the audit log: the data-quality table and a batch's
error report."""

from sqlalchemy import select

from core import auditlog
from core.extensions import db
from core.i18n import lang
from models import County, ImportBatch, ImportProblem
from roster.quality import FLAGS
from roster.reports import error_report_xlsx, quality_xlsx


def quality_workbook(rows: list[dict], county: str | None) -> bytes:
    """Write the data-quality rows of the user's counties (`county`: their scope) as a spreadsheet."""
    language = lang()
    names = {c.code: c.name(language) for c in db.session.query(County)}
    labels = {name: str(label) for name, (label, _condition) in FLAGS.items()}
    data = quality_xlsx(rows, names, labels)
    with db.write_transaction():
        auditlog.record("roster.quality_export", "roster", "", county=county, rows=len(rows))
    return data


def error_report(batch: ImportBatch) -> bytes:
    """Write every problem of a batch as a spreadsheet."""
    problems = db.session.scalars(select(ImportProblem).where(ImportProblem.batch_id == batch.id)
                                  .order_by(ImportProblem.row, ImportProblem.id)).all()
    data = error_report_xlsx(batch, problems)
    # The report holds the values as given, full ID and phone numbers among them.
    with db.write_transaction():
        auditlog.record("import.errors_export", "import_batch", batch.id, rows=len(problems))
    return data
