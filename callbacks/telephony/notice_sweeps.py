"""The scheduler's SMS sweeps: send the automatic notices due before a task's first call, and apply
the delivery receipts and the replies the platform hands out (each only once, so they are stored
as soon as they are pulled).

A reply of 退订 or TD puts the person's ID number on the no-SMS list; any other reply is kept on the
notice and shown to the caller on the task page.
"""

import logging
import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from callbacks.telephony import notices, sms_client
from callbacks.telephony.tencent_client import explain
from core import auditlog
from core.extensions import db
from models import Campaign, FollowUpTask, Person, SmsNotice, SmsOptOut

log = logging.getLogger("spotcheck.telephony")

OPT_OUT = re.compile(r"^\W*(退订|TD)\W*$", re.IGNORECASE)
MAX_PULLS = 20  # per sweep and kind: 2,000 receipts a minute is more than a campaign sends in a day


def is_opt_out(text: str) -> bool:
    """Tell whether a reply asks for no more SMS (退订 or TD; case and punctuation aside)."""
    return bool(OPT_OUT.match(text.strip()))


def sweep_auto_notices(now: datetime) -> int:
    """Send the notice to persons whose first call is due within SMS_AUTO_HOURS_BEFORE hours."""
    settings = current_app.config
    hours = float(settings.get("SMS_AUTO_HOURS_BEFORE") or 0)
    if hours <= 0 or not sms_client.configured(settings) or notices.in_quiet_hours(now):
        return 0
    due = select(FollowUpTask.campaign_id, FollowUpTask.id).where(
        FollowUpTask.status == "open", FollowUpTask.channel == "phone", FollowUpTask.phone_attempts_used == 0,
        FollowUpTask.visit_attempts_used == 0, FollowUpTask.due_at <= now + timedelta(hours=hours))
    by_campaign: dict[int, list[int]] = {}
    for campaign_id, task_id in db.session.execute(due):
        by_campaign.setdefault(campaign_id, []).append(task_id)
    sent = 0
    for campaign_id, task_ids in by_campaign.items():
        rows = notices.pending(campaign_id, task_ids=task_ids)
        if rows:
            report = notices.send_notices(db.session.get(Campaign, campaign_id), rows, now, "auto")
            sent += report.sent
            if report.error:
                log.warning("automatic notices of campaign %s not sent: %s", campaign_id, report.error.code)
    return sent


def sweep_sms_status(now: datetime) -> int:
    """Pull delivery receipts and replies and store them; return how many were applied."""
    settings = current_app.config
    if not sms_client.configured(settings):
        return 0
    applied = 0
    try:
        for _ in range(MAX_PULLS):
            receipts = sms_client.pull_receipts(settings)
            applied += apply_receipts(receipts)
            if len(receipts) < sms_client.PULL_LIMIT:
                break
        for _ in range(MAX_PULLS):
            replies = sms_client.pull_replies(settings)
            applied += apply_replies(replies, now)
            if len(replies) < sms_client.PULL_LIMIT:
                break
    except TencentCloudSDKException as error:
        log.warning("SMS receipts or replies could not be pulled: %s", explain(error).code)
    return applied


def apply_receipts(receipts: list[sms_client.Receipt]) -> int:
    """Mark notices delivered or undelivered by their serial numbers."""
    by_serial = {receipt.serial_no: receipt for receipt in receipts if receipt.serial_no}
    if not by_serial:
        return 0
    count = 0
    with db.write_transaction() as session:
        for notice in session.scalars(select(SmsNotice).where(SmsNotice.serial_no.in_(list(by_serial)))):
            receipt = by_serial[notice.serial_no]
            notice.status = "delivered" if receipt.delivered else "undelivered"
            notice.delivered_at = receipt.received_at if receipt.delivered else None
            notice.receipt = receipt.description[:255]
            count += 1
        auditlog.record("sms.receipts", "sms_notice", "", received=len(by_serial), applied=count)
    return count


def apply_replies(replies: list[sms_client.Reply], now: datetime) -> int:
    """Keep each reply on the latest notice to that number; 退订/TD puts the person on the no-SMS list."""
    if not replies:
        return 0
    count = 0
    with db.write_transaction() as session:
        for reply in replies:
            rows = session.execute(select(SmsNotice, Person.id_number).join(Person, Person.id == SmsNotice.person_id)
                                   .where(Person.phone == reply.phone).order_by(SmsNotice.sent_at.desc())).all()
            if not rows:
                continue
            notice = rows[0][0]
            notice.reply_text, notice.replied_at = reply.text[:500], reply.at or now
            if is_opt_out(reply.text):
                for id_number in {id_number for _n, id_number in rows}:
                    if session.scalar(select(SmsOptOut.id).where(SmsOptOut.id_number == id_number)) is None:
                        session.add(SmsOptOut(id_number=id_number, notice_id=notice.id, reply_text=reply.text[:500],
                                              recorded_at=now))
                auditlog.record("sms.opt_out", "sms_notice", notice.id)
            count += 1
        auditlog.record("sms.replies", "sms_notice", "", received=len(replies), applied=count)
    return count
