"""Rectification lists as rows for pages, the API and exports: who, what was found, what the register
says, where the item stands. ID numbers are masked."""

from datetime import date

from sqlalchemy import select

from core.i18n import label as code_label
from core.privacy import mask_id_number
from models import Person, RectificationItem
from models.county import county_name
from reports import labels
from reports.rectification import describe, is_overdue


def rectification_rows(session, campaign_id: int, *, today: date, county: str | None = None,
                       status: str | None = None, active_only: bool = False, item_id: int | None = None) -> list[dict]:
    """Return a campaign's items (one county's, one status, or one item), oldest due first."""
    R = RectificationItem
    # Outer join: a checklist item concerns no person.
    stmt = (select(R, Person.name, Person.id_number).outerjoin(Person, Person.id == R.person_id)
            .where(R.campaign_id == campaign_id).order_by(R.county_code, R.due_on, R.id))
    if county:
        stmt = stmt.where(R.county_code == county)
    if item_id is not None:
        stmt = stmt.where(R.id == item_id)
    if status == "overdue":
        stmt = stmt.where(R.status == "open", R.due_on < today)
    elif status:
        stmt = stmt.where(R.status == status)
    elif active_only:
        stmt = stmt.where(R.status != "withdrawn")
    rows = []
    for item, name, id_number in session.execute(stmt):
        found, register = describe(item)
        overdue = is_overdue(item, today)
        label = labels.rectification_label(item.status)
        if item.status == "open" and item.reopened_count:
            label = labels.reopened_label()
        rows.append({
            "id": item.id, "county_code": item.county_code, "county": county_name(item.county_code),
            "name": name or "", "id_number": mask_id_number(id_number) if id_number else "",
            "source": item.source, "source_label": code_label("rectification_source", item.source),
            "summary": item.summary or "", "responsible_unit": item.responsible_unit or "",
            "type": item.discrepancy_type, "type_label": labels.type_label(item.discrepancy_type), "found": found, "register": register,
            "status": item.status, "status_label": label, "overdue": overdue,
            "due_on": item.due_on.isoformat(), "rectified_on": item.rectified_on.isoformat() if item.rectified_on else None,
            "rectified_note": item.rectified_note or "", "review_note": item.review_note or "",
            "reopened_count": item.reopened_count, "task_id": item.task_id,
        })
    return rows
