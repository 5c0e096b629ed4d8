"""What the SMS notices did, read for the notice page, the task page and the dashboard.

The dashboard's comparison: per county, of the phone tasks with at least one attempt, the share whose
person was contacted (any disposition but a non-contact, as in the contact rate), for persons with a
delivered notice and for the others. It describes, it does not prove: who gets a notice is not random.
"""

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, select

from config.dispositions import DISPOSITIONS
from core.extensions import db
from models import Attempt, CallRecord, FollowUpTask, Person, SmsNotice, SmsOptOut

CONTACT_CODES = tuple(d.code for d in DISPOSITIONS if d.category != "non_contact")
NOTICE_STATUSES = ("sending", "sent", "delivered", "undelivered", "failed")


@dataclass
class ContactSplit:
    county: str
    with_attempted: int = 0
    with_contacted: int = 0
    without_attempted: int = 0
    without_contacted: int = 0

    @property
    def with_rate(self) -> float | None:
        return self.with_contacted / self.with_attempted if self.with_attempted else None

    @property
    def without_rate(self) -> float | None:
        return self.without_contacted / self.without_attempted if self.without_attempted else None


def contact_by_notice(campaign_id: int, county: str | None = None) -> list[ContactSplit]:
    """Return per county the contact rate of persons with and without a delivered notice."""
    delivered = exists().where(SmsNotice.task_id == FollowUpTask.id, SmsNotice.status == "delivered")
    attempted = exists().where(Attempt.task_id == FollowUpTask.id)
    contacted = exists().where(Attempt.task_id == FollowUpTask.id, Attempt.disposition.in_(CONTACT_CODES))
    query = (select(FollowUpTask.county_code, case((delivered, True), else_=False).label("delivered"),
                    func.count(), func.count().filter(contacted))
             .where(FollowUpTask.campaign_id == campaign_id, FollowUpTask.start_channel == "phone", attempted)
             .group_by(FollowUpTask.county_code, "delivered").order_by(FollowUpTask.county_code))
    if county is not None:
        query = query.where(FollowUpTask.county_code == county)
    splits: dict[str, ContactSplit] = {}
    for code, has_notice, tried, reached in db.session.execute(query):
        split = splits.setdefault(code, ContactSplit(code))
        if has_notice:
            split.with_attempted, split.with_contacted = tried, reached
        else:
            split.without_attempted, split.without_contacted = tried, reached
    return list(splits.values())


def notice_contact(campaign_id: int, county: str | None = None) -> list[ContactSplit]:
    """Return the comparison for the dashboard, or nothing when the campaign sent no notice."""
    if db.session.scalar(select(SmsNotice.id).where(SmsNotice.campaign_id == campaign_id).limit(1)) is None:
        return []
    return contact_by_notice(campaign_id, county)


def notice_counts(campaign_id: int, county: str | None = None) -> dict[str, dict[str, int]]:
    """Return per county how many notices are in each status."""
    query = (select(SmsNotice.county_code, SmsNotice.status, func.count())
             .where(SmsNotice.campaign_id == campaign_id).group_by(SmsNotice.county_code, SmsNotice.status))
    if county is not None:
        query = query.where(SmsNotice.county_code == county)
    counts: dict[str, dict[str, int]] = {}
    for code, status, count in db.session.execute(query):
        counts.setdefault(code, dict.fromkeys(NOTICE_STATUSES, 0))[status] = count
    return counts


def task_telephony(task: FollowUpTask) -> dict:
    """Return the task's calls (newest first), its notice and whether the person opted out of SMS."""
    calls = db.session.scalars(select(CallRecord).where(CallRecord.task_id == task.id)
                               .order_by(CallRecord.id.desc()).limit(10)).all()
    id_number = select(Person.id_number).where(Person.id == task.person_id).scalar_subquery()
    notice = db.session.scalar(select(SmsNotice).where(
        SmsNotice.campaign_id == task.campaign_id, SmsNotice.id_number == id_number))
    opted_out = db.session.scalar(select(exists().where(and_(SmsOptOut.id_number == id_number))))
    return {"calls": calls, "notice": notice, "opted_out": bool(opted_out)}
