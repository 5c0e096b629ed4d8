"""The JSON shape of a follow-up task, as the API answers it; ID and phone numbers come masked."""

from datetime import datetime

from core.extensions import db
from core.privacy import mask_id_number, mask_phone
from models import Campaign, Person
from models import FollowUpTask as Task


def iso(moment: datetime | None) -> str | None:
    """Write a moment as ISO 8601, or None."""
    return moment.isoformat() if moment else None


def task_json(task: Task, person: Person | None = None) -> dict:
    """Describe a task; ID and phone numbers come masked."""
    person = person or db.session.get(Person, task.person_id)
    return {
        "id": task.id, "county": task.county_code, "campaign_id": task.campaign_id,
        "campaign": db.session.get(Campaign, task.campaign_id).name,  # one load per campaign: the identity map
        "draw_id": task.draw_id,
        "status": task.status, "channel": task.channel, "start_channel": task.start_channel,
        "due_at": iso(task.due_at), "plan_reason": task.plan_reason, "final_outcome": task.final_outcome,
        "phone_attempts_used": task.phone_attempts_used, "visit_attempts_used": task.visit_attempts_used,
        "assigned_to_id": task.assigned_to_id, "claimed_by_id": task.claimed_by_id,
        "claimed_at": iso(task.claimed_at),
        "person": {"id": person.id, "name": person.name, "id_number": mask_id_number(person.id_number),
                   "phone": mask_phone(person.phone), "residence_address": person.residence_address,
                   "registered_on": person.registered_on.isoformat()},
    }
