"""Rectification lists as rows for pages, the API and exports: who, what was found, what the register
says, where the item stands. ID numbers are masked."""

from datetime import date
from math import ceil

from sqlalchemy import and_, func, select

from core.i18n import label as code_label
from core.privacy import mask_id_number
from models import Person, RectificationItem
from models.county import county_name
from reports import labels
from reports.rectification import describe, is_overdue

R = RectificationItem


def _conditions(campaign_id: int, today: date, county: str | None, status: str | None, active_only: bool,
                item_id: int | None) -> list:
    conditions = [R.campaign_id == campaign_id]
    if county:
        conditions.append(R.county_code == county)
    if item_id is not None:
        conditions.append(R.id == item_id)
    if status == "overdue":
        conditions += [R.status == "open", R.due_on < today]
    elif status:
        conditions.append(R.status == status)
    elif active_only:
        conditions.append(R.status != "withdrawn")
    return conditions


def _listed(conditions: list):
    # Outer join: a checklist item concerns no person. Oldest due first within each county.
    return (select(R, Person.name, Person.id_number).outerjoin(Person, Person.id == R.person_id)
            .where(*conditions).order_by(R.county_code, R.due_on, R.id))


def rectification_rows(session, campaign_id: int, *, today: date, county: str | None = None,
                       status: str | None = None, active_only: bool = False, item_id: int | None = None) -> list[dict]:
    """Return a campaign's items (one county's, one status, or one item), oldest due first."""
    conditions = _conditions(campaign_id, today, county, status, active_only, item_id)
    return [_row(item, name, id_number, today) for item, name, id_number in session.execute(_listed(conditions))]


def rectification_page(session, campaign_id: int, *, today: date, county: str | None = None,
                       status: str | None = None, page: int = 1, page_size: int = 100) -> dict:
    """Return one page of a campaign's items as rectification_rows lists them, with the list's total, its
    overdue items and the number of pages (a page past the last gives the last)."""
    conditions = _conditions(campaign_id, today, county, status, False, None)
    total, overdue = session.execute(
        select(func.count(), func.count().filter(and_(R.status == "open", R.due_on < today))).where(*conditions)).one()
    pages = max(1, ceil(total / page_size))
    page = min(max(page, 1), pages)
    stmt = _listed(conditions).limit(page_size).offset((page - 1) * page_size)
    return {"items": [_row(item, name, id_number, today) for item, name, id_number in session.execute(stmt)],
            "total": total, "overdue": overdue, "page": page, "pages": pages, "page_size": page_size}


def _row(item: RectificationItem, name: str | None, id_number: str | None, today: date) -> dict:
    found, register = describe(item)
    label = labels.rectification_label(item.status)
    if item.status == "open" and item.reopened_count:
        label = labels.reopened_label()
    return {
        "id": item.id, "county_code": item.county_code, "county": county_name(item.county_code),
        "name": name or "", "id_number": mask_id_number(id_number) if id_number else "",
        "source": item.source, "source_label": code_label("rectification_source", item.source),
        "summary": item.summary or "", "responsible_unit": item.responsible_unit or "",
        "type": item.discrepancy_type, "type_label": labels.type_label(item.discrepancy_type), "found": found,
        "register": register, "status": item.status, "status_label": label, "overdue": is_overdue(item, today),
        "due_on": item.due_on.isoformat(), "rectified_on": item.rectified_on.isoformat() if item.rectified_on else None,
        "rectified_note": item.rectified_note or "", "review_note": item.review_note or "",
        "reopened_count": item.reopened_count, "task_id": item.task_id, "person_id": item.person_id,
    }
