"""What the caller reads beside a case: the campaign it belongs to, and the registered value of each fact
a verification question checks, so that the caller compares instead of remembering."""

from sqlalchemy import select

from config.verification import CORE_FIELDS
from core.i18n import label
from core.privacy import mask_id_number, mask_phone
from models import Campaign, Person


def campaign_names(session, tasks) -> dict[int, str]:
    """Return the names of the campaigns of the given tasks, by campaign id (one query)."""
    ids = {task.campaign_id for task in tasks}
    if not ids:
        return {}
    return dict(session.execute(select(Campaign.id, Campaign.name).where(Campaign.id.in_(ids))).all())


def registered_values(person: Person) -> dict[str, str]:
    """Return the register's value of each core field, as the person card shows it (ID and phone masked)."""
    values = {
        "name": person.name,
        "gender": label("gender", person.gender) if person.gender else "",
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
        "address": person.residence_address or person.household_address or "",
        "unemployment_reason": label("unemployment_reason", person.unemployment_reason)
        if person.unemployment_reason else "",
        "registered_on": person.registered_on.isoformat() if person.registered_on else "",
        "employment_status": label("employment_status", person.employment_status)
        if person.employment_status else "",
    }
    return {code: values.get(code, "") for code, _zh, _en in CORE_FIELDS}
