"""Tencent CCC call records (话单) onto their CallRecords: a scheduler sweep reads the records of the
calls still open, by time window and page, and stores ring, answer and end time, duration and the
end status, with the disposition that status suggests. The caller still confirms the disposition:
a record never closes a case by itself.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from callbacks.telephony import ccc_client
from callbacks.telephony.tencent_client import explain
from core import auditlog
from core.extensions import db
from models import CallRecord

log = logging.getLogger("spotcheck.telephony")

OPEN_FOR = timedelta(days=1)  # a call without a record after a day is no longer looked for
WINDOW_MARGIN = timedelta(minutes=5)  # the platform's clock and ours may differ a little
SESSIONS_PER_REQUEST = 50

# End status (EndStatusString) -> the disposition it suggests; absent: the caller decides alone.
SUGGESTED = {
    "ok": "completed", "notAnswer": "no_answer", "busy": "busy",
    "powerOff": "switched_off", "notInService": "switched_off", "outOfCredit": "switched_off",
    "numberNotExist": "number_not_exist", "numberInvalid": "number_not_exist",
}
# End status -> how the person's leg ended, in the words the task page's script already knows.
PERSON_STATUS = {"ok": "completed", "notAnswer": "no-answer", "busy": "busy"}


def open_calls(since: datetime) -> list[CallRecord]:
    """Return the placed CCC calls of the last day that have no call record yet."""
    return list(db.session.scalars(select(CallRecord).where(
        CallRecord.provider == "tencent_ccc", CallRecord.placed.is_(True), CallRecord.ended_at.is_(None),
        CallRecord.call_sid.is_not(None), CallRecord.created_at >= since).order_by(CallRecord.id)))


def sweep_call_records(now: datetime) -> int:
    """Fetch the call records of open CCC calls and store them; return how many calls were completed."""
    settings = current_app.config
    if not ccc_client.configured(settings):
        return 0
    calls = open_calls(now - OPEN_FOR)
    if not calls:
        return 0
    start = min(call.created_at for call in calls) - WINDOW_MARGIN
    # Rows are stamped by the database's clock; the window must hold them even if `now` lags it.
    end = max([now, *(call.created_at for call in calls)]) + WINDOW_MARGIN
    sessions = [call.call_sid for call in calls if call.call_sid]
    details: list[ccc_client.CallDetail] = []
    try:
        for offset in range(0, len(sessions), SESSIONS_PER_REQUEST):
            details += ccc_client.call_details(settings, sessions[offset:offset + SESSIONS_PER_REQUEST], start, end)
    except TencentCloudSDKException as error:  # kept open: the next sweep asks again
        log.warning("call records could not be read: %s", explain(error).code)
        return 0
    return store_details(details)


def store_details(details: list[ccc_client.CallDetail]) -> int:
    """Store each record on the open call it belongs to, in one transaction; return how many."""
    by_session = {detail.session_id: detail for detail in details}
    if not by_session:
        return 0
    stored = 0
    with db.write_transaction() as session:
        for record in session.scalars(select(CallRecord).where(
                CallRecord.call_sid.in_(list(by_session)), CallRecord.provider == "tencent_ccc",
                CallRecord.ended_at.is_(None)).with_for_update()):
            apply_detail(record, by_session[record.call_sid])
            auditlog.record("call.record", "call_record", record.id, end_status=record.end_status, via="tencent_ccc")
            stored += 1
    return stored


def apply_detail(record: CallRecord, detail: ccc_client.CallDetail) -> None:
    """Copy what a call record says onto the call, with the disposition it suggests."""
    record.rang_at = detail.rang_at
    record.answered_at = detail.answered_at
    record.ended_at = detail.ended_at or detail.answered_at or detail.rang_at or record.created_at
    record.duration_seconds = detail.duration_seconds
    record.person_duration_seconds = detail.duration_seconds if detail.answered_at else 0
    record.end_status = detail.end_status[:32]
    record.status = "completed"
    record.person_status = PERSON_STATUS.get(detail.end_status, "failed")
    record.suggested_disposition = SUGGESTED.get(detail.end_status)
