"""A campaign's checklist: copied from the notice's template, then edited, added to or retired by the
coordinators until the first conclusion is recorded (from then on the items are fixed, so that every
county is checked against the same list). Each edit raises the item's version; the audit log keeps the
text it replaced."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from auth.scope import check_campaign_change
from checklists.errors import ChecklistError
from config.checklist import AREAS, METHODS, TEMPLATE_ITEMS
from core import auditlog
from core.clock import now
from core.extensions import db
from models import ChecklistEntry, ChecklistItem

AREA_CODES = tuple(code for code, _zh, _en in AREAS)
METHOD_CODES = tuple(code for code, _zh, _en in METHODS)
MAX_TEXT = 2000


def items_of(session, campaign_id: int, include_retired: bool = True) -> list[ChecklistItem]:
    """Return a campaign's checklist items in the notice's order."""
    query = select(ChecklistItem).where(ChecklistItem.campaign_id == campaign_id)
    if not include_retired:
        query = query.where(ChecklistItem.retired_at.is_(None))
    return list(session.scalars(query.order_by(ChecklistItem.position, ChecklistItem.id)))


def is_locked(session, campaign_id: int) -> bool:
    """Tell whether the campaign's work has started: some county has a conclusion on some item."""
    return bool(session.scalar(select(func.count(ChecklistEntry.id)).where(
        ChecklistEntry.campaign_id == campaign_id, ChecklistEntry.conclusion.is_not(None))))


def copy_template(campaign, user=None) -> int:
    """Give the campaign the notice's checklist, unless it has one; return how many items were added."""
    check_campaign_change(campaign, user)
    with db.write_transaction() as session:
        if items_of(session, campaign.id):
            return 0
        moment = now()
        for position, (key, area, text, text_en, methods) in enumerate(TEMPLATE_ITEMS):
            session.add(ChecklistItem(campaign_id=campaign.id, key=key, area=area, text=text, text_en=text_en,
                                      methods=list(methods), position=position * 10, version=1,
                                      created_at=moment, updated_at=moment))
        auditlog.record("checklist.copy_template", "campaign", campaign.id, user=user, items=len(TEMPLATE_ITEMS))
        return len(TEMPLATE_ITEMS)


def check_item_fields(text: str | None, methods, area: str | None = None) -> dict[str, str]:
    """Return the problems of an item's wording, methods and area, field by field."""
    problems = {}
    if not (text or "").strip():
        problems["text"] = _("Say what the item checks.")
    elif len(text or "") > MAX_TEXT:
        problems["text"] = _("At most %(n)d characters.", n=MAX_TEXT)
    if not methods or any(m not in METHOD_CODES for m in methods):
        problems["methods"] = _("Choose at least one of the five methods.")
    if area is not None and area not in AREA_CODES:
        problems["area"] = _("Choose one of the four areas.")
    return problems


def _refuse_when_locked(session, campaign) -> None:
    if is_locked(session, campaign.id):
        raise ChecklistError({"checklist": _("The work has started: the checklist can no longer change.")}, 409,
                             "locked")


def edit_item(campaign, item: ChecklistItem, text: str, text_en: str, methods: list[str], user=None) -> None:
    """Change an item's wording and methods before the work starts; raise its version."""
    check_campaign_change(campaign, user)
    problems = check_item_fields(text, methods)
    if problems:
        raise ChecklistError(problems)
    with db.write_transaction() as session:
        item = session.merge(item)
        _refuse_when_locked(session, campaign)
        before = {"text": item.text, "text_en": item.text_en, "methods": list(item.methods), "version": item.version}
        item.text, item.text_en, item.methods = text.strip(), (text_en or "").strip(), list(methods)
        item.version += 1
        item.updated_at = now()
        auditlog.record("checklist.edit_item", "checklist_item", item.id, user=user, before=before,
                        version=item.version)


def add_item(campaign, area: str, text: str, text_en: str, methods: list[str], user=None) -> ChecklistItem:
    """Add an item at the end of its area, numbered after the area's last item."""
    check_campaign_change(campaign, user)
    problems = check_item_fields(text, methods, area)
    if problems:
        raise ChecklistError(problems)
    with db.write_transaction() as session:
        _refuse_when_locked(session, campaign)
        items = items_of(session, campaign.id)
        area_number = AREA_CODES.index(area) + 1
        numbers = [int(i.key.split(".")[1]) for i in items if i.area == area and i.key.split(".")[1].isdigit()]
        key = f"{area_number}.{max(numbers, default=0) + 1}"
        in_area = [i.position for i in items if i.area == area]
        position = (max(in_area) + 1) if in_area else area_number * 1000
        moment = now()
        item = ChecklistItem(campaign_id=campaign.id, key=key, area=area, text=text.strip(),
                             text_en=(text_en or "").strip(), methods=list(methods), position=position, version=1,
                             created_at=moment, updated_at=moment)
        session.add(item)
        session.flush()
        auditlog.record("checklist.add_item", "checklist_item", item.id, user=user, key=key, area=area)
        return item


def retire_item(campaign, item: ChecklistItem, retired: bool, user=None) -> None:
    """Retire an item (it is no longer checked) or bring it back, before the work starts."""
    check_campaign_change(campaign, user)
    with db.write_transaction() as session:
        item = session.merge(item)
        _refuse_when_locked(session, campaign)
        if (item.retired_at is not None) == retired:
            return  # already so: a second click changes nothing
        item.retired_at = now() if retired else None
        item.version += 1
        item.updated_at = now()
        auditlog.record("checklist.retire_item" if retired else "checklist.restore_item", "checklist_item",
                        item.id, user=user, version=item.version)
