"""SMS advance notices (短信预告): tell the persons of a draw, before the first call, that the centre
will call and from which number, so that they do not take it for fraud.

Rules kept here: at most one notice per person (ID number) and campaign; never to a person who asked
not to be contacted or replied 退订/TD; never between 21:00 and 08:00 Beijing time; at most 200 numbers
per request; the template is filled only from the campaign (SMS_TEMPLATE_PARAMS), never with anything
of the person. Each notice is reserved in the database before the request (so that two senders never
send twice) and settled with the platform's answer; when the request itself fails the reservations
are removed, so nothing is half-recorded.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, exists, select
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from callbacks.telephony import sms_client
from callbacks.telephony.tencent_client import ApiError, explain
from core import auditlog
from core.extensions import db
from models import Campaign, DoNotContact, FollowUpTask, Person, SmsNotice, SmsOptOut

BEIJING = ZoneInfo("Asia/Shanghai")
QUIET_FROM, QUIET_UNTIL = 21, 8  # no notice from 21:00 until 08:00 Beijing time
MOBILE_PREFIX = "+861"  # notices go to mainland mobiles only


class NoticeError(Exception):
    """Notices cannot go now; the message (Chinese, English) says why and what to do."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    batches: int = 0
    error: ApiError | None = None
    failures: list[str] = field(default_factory=list)  # the platform's codes of refused numbers


def in_quiet_hours(moment: datetime) -> bool:
    """Tell whether a moment falls between 21:00 and 08:00 Beijing time."""
    hour = moment.astimezone(BEIJING).hour
    return hour >= QUIET_FROM or hour < QUIET_UNTIL


def quiet_hours_end(moment: datetime) -> datetime:
    """Return the next 08:00 Beijing time at or after a moment in the quiet hours (else the moment)."""
    if not in_quiet_hours(moment):
        return moment
    local = moment.astimezone(BEIJING)
    day = local.date() + timedelta(days=1) if local.hour >= QUIET_FROM else local.date()
    return datetime(day.year, day.month, day.day, QUIET_UNTIL, tzinfo=BEIJING)


def template_values(settings, campaign: Campaign) -> list[str]:
    """Return the template's parameters: the campaign's facts that SMS_TEMPLATE_PARAMS names, in order."""
    facts = {
        "campaign_name": campaign.name,
        "callback_number": settings.get("SMS_CALLBACK_NUMBER") or "",
        "period_end": campaign.period_end.isoformat() if campaign.period_end else "",
    }
    return [facts[name] for name in settings.get("SMS_TEMPLATE_PARAMS") or []]


def preview(settings, campaign: Campaign) -> str | None:
    """Return the text a person will read (signature and filled template), or None without a template."""
    text = settings.get("SMS_TEMPLATE_TEXT")
    if not text:
        return None
    for number, value in enumerate(template_values(settings, campaign), start=1):
        text = text.replace("{" + str(number) + "}", value)
    sign = settings.get("SMS_SIGN_NAME") or ""
    return text if not sign or text.startswith(f"【{sign}】") else f"【{sign}】{text}"


def pending(campaign_id: int, *, draw_id: int | None = None, county: str | None = None,
            task_ids: list[int] | None = None) -> list[tuple[FollowUpTask, Person]]:
    """Return the open tasks (and persons) of a campaign that may still get a notice."""
    return _once_per_person(db.session.execute(_pending_query(campaign_id, draw_id, county, task_ids)))


def pending_counts(campaign_id: int, draw_id: int, county: str | None = None) -> tuple[int, dict[str, int]]:
    """Count the persons pending(campaign_id, draw_id=…, county=…) returns, and per county those it returns
    for that county alone, in one read of two columns rather than of every task and person per county."""
    query = _pending_query(campaign_id, draw_id, county).with_only_columns(FollowUpTask.county_code, Person.id_number)
    by_county: dict[str, set[str]] = {}
    everyone: set[str] = set()
    for code, id_number in db.session.execute(query):
        by_county.setdefault(code, set()).add(id_number)
        everyone.add(id_number)
    return len(everyone), {code: len(id_numbers) for code, id_numbers in by_county.items()}


def _pending_query(campaign_id: int, draw_id: int | None = None, county: str | None = None,
                   task_ids: list[int] | None = None):
    """Select the open tasks (and persons) of a campaign whose person may still get a notice, by task."""
    query = (select(FollowUpTask, Person).join(Person, Person.id == FollowUpTask.person_id).where(
        FollowUpTask.campaign_id == campaign_id, FollowUpTask.status != "closed",
        Person.phone.startswith(MOBILE_PREFIX),
        ~exists().where(DoNotContact.id_number == Person.id_number),
        ~exists().where(SmsOptOut.id_number == Person.id_number),
        ~exists().where(SmsNotice.campaign_id == campaign_id, SmsNotice.id_number == Person.id_number),
    ).order_by(FollowUpTask.id))
    if draw_id is not None:
        query = query.where(FollowUpTask.draw_id == draw_id)
    if county is not None:
        query = query.where(FollowUpTask.county_code == county)
    if task_ids is not None:
        query = query.where(FollowUpTask.id.in_(task_ids))
    return query


def _once_per_person(rows) -> list[tuple[FollowUpTask, Person]]:
    """Keep each person's first task: one person drawn twice (two counties) gets one notice."""
    kept, seen = [], set()
    for task, person in rows:
        if person.id_number not in seen:
            seen.add(person.id_number)
            kept.append((task, person))
    return kept


def check_ready(settings, now: datetime) -> None:
    """Refuse when SMS is not set up or it is the quiet hours."""
    if not sms_client.configured(settings):
        raise NoticeError("短信预告尚未设置（密钥、短信应用、签名或模板），请管理员设置后再发送",
                          "SMS notices are not set up (keys, SMS application, signature or template)")
    if in_quiet_hours(now):
        resume = quiet_hours_end(now).astimezone(BEIJING).strftime("%m-%d %H:%M")
        raise NoticeError(f"北京时间 21:00 至次日 08:00 不发送短信，请于 {resume} 之后再发送",
                          f"No SMS between 21:00 and 08:00 Beijing time; send after {resume}")


def send_notices(campaign: Campaign, rows: list[tuple[FollowUpTask, Person]], now: datetime, trigger: str,
                 user=None) -> SendReport:
    """Send the notice to these tasks' persons in batches of at most 200 numbers; return the tally."""
    settings = current_app.config
    check_ready(settings, now)
    campaign_id, params = campaign.id, template_values(settings, campaign)
    report = SendReport()
    for start in range(0, len(rows), sms_client.MAX_NUMBERS):
        batch = rows[start:start + sms_client.MAX_NUMBERS]
        reserved = _reserve(campaign_id, batch, now, trigger, user)
        phones = sorted({phone for phone, _ids in reserved.items()})
        if not phones:
            continue
        try:
            outcomes = sms_client.send_batch(settings, phones, params)
        except TencentCloudSDKException as error:
            report.error = explain(error)
            _release(campaign_id, reserved, report.error, user)
            break
        report.batches += 1
        _settle(campaign_id, reserved, outcomes, report, user)
    return report


def _reserve(campaign_id: int, batch, now: datetime, trigger: str, user) -> dict[str, list[int]]:
    """Write a 'sending' notice per person (the unique key stops a second sender); phone -> notice ids."""
    reserved: dict[str, list[int]] = {}
    with db.write_transaction() as session:
        taken = set(session.scalars(select(SmsNotice.id_number).where(
            SmsNotice.campaign_id == campaign_id, SmsNotice.id_number.in_([p.id_number for _t, p in batch]))))
        notices = []
        for task, person in batch:
            if person.id_number in taken:
                continue
            notice = SmsNotice(campaign_id=campaign_id, task_id=task.id, person_id=person.id,
                               id_number=person.id_number, county_code=task.county_code, trigger=trigger,
                               status="sending", sent_at=now, sent_by_id=getattr(user, "id", None))
            session.add(notice)
            notices.append((person.phone, notice))
        session.flush()
        for phone, notice in notices:
            reserved.setdefault(phone, []).append(notice.id)
        if notices:
            auditlog.record("sms.notice_reserve", "campaign", campaign_id, user=user, count=len(notices), trigger=trigger)
    return reserved


def _release(campaign_id: int, reserved: dict[str, list[int]], error: ApiError, user) -> None:
    """The request failed as a whole: remove its reservations, so that nothing claims to be sent."""
    ids = [i for notice_ids in reserved.values() for i in notice_ids]
    with db.write_transaction() as session:
        session.execute(delete(SmsNotice).where(SmsNotice.id.in_(ids), SmsNotice.status == "sending"))
        auditlog.record("sms.notice_not_sent", "campaign", campaign_id, user=user, count=len(ids), error_code=error.code)


def _settle(campaign_id: int, reserved: dict[str, list[int]], outcomes, report: SendReport, user) -> None:
    """Store the platform's answer per number: sent with its serial number, or failed with the reason."""
    by_phone = {outcome.phone: outcome for outcome in outcomes}
    sent = failed = 0
    with db.write_transaction() as session:
        for phone, ids in reserved.items():
            outcome = by_phone.get(phone)
            for notice in session.scalars(select(SmsNotice).where(SmsNotice.id.in_(ids))):
                if outcome is not None and outcome.code == "Ok":
                    notice.status, notice.serial_no = "sent", outcome.serial_no
                    sent += 1
                else:
                    code = outcome.code if outcome else "NoAnswer"
                    explained = explain(TencentCloudSDKException(code, outcome.message if outcome else ""))
                    notice.status, notice.error_code = "failed", code[:64]
                    notice.error_message = f"{explained.message_zh}\n{explained.message_en}"
                    failed += 1
                    report.failures.append(code)
        auditlog.record("sms.notice_send", "campaign", campaign_id, user=user, sent=sent, failed=failed)
    report.sent += sent
    report.failed += failed
