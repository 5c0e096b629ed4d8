"""Calls placed through a telephony provider (Twilio click-to-call, Tencent CCC dual call), with what
the provider reported; SMS advance notices and the persons who asked for no more SMS."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.orm import Base, utcnow


class CallRecord(Base):
    """One click-to-call: asked of the provider, then updated by its signed status callbacks.

    `placed` is False when the provider refused or could not be reached: the call attempt is still
    kept, with the reason, so that nothing a caller did is lost.
    """

    __tablename__ = "call_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("followup_task.id"), index=True)
    caller_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempt.id"))  # once the caller records it
    provider: Mapped[str] = mapped_column(String(16))
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)  # Twilio CallSid or CCC SessionId
    placed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # the caller's leg, as reported
    person_status: Mapped[str | None] = mapped_column(String(16))  # the leg to the person (DialCallStatus)
    suggested_disposition: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rang_at: Mapped[datetime | None]  # CCC call records: when the person's phone rang
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    person_duration_seconds: Mapped[int | None]
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    end_status: Mapped[str | None] = mapped_column(String(32))  # CCC EndStatusString (ok, notAnswer, busy …)


class SmsNotice(Base):
    """One SMS advance notice (短信预告) to one person of a campaign: at most one per person and campaign.

    Only the template's parameters taken from the campaign are sent; nothing of the person but the
    number it goes to. `status`: sent (accepted by the platform), failed (refused, with the reason),
    delivered or undelivered (the operator's receipt).
    """

    __tablename__ = "sms_notice"
    __table_args__ = (UniqueConstraint("campaign_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("followup_task.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    id_number: Mapped[str] = mapped_column(String(18))  # "once per person": a person's key across snapshots
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    trigger: Mapped[str] = mapped_column(String(8))  # "manual" (the coordinator) or "auto" (before the first call)
    status: Mapped[str] = mapped_column(String(16))
    serial_no: Mapped[str | None] = mapped_column(String(64), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    delivered_at: Mapped[datetime | None]
    receipt: Mapped[str | None] = mapped_column(String(255))  # the operator's description
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)  # Chinese, newline, English
    reply_text: Mapped[str | None] = mapped_column(String(500))  # the person's last reply, for the caller
    replied_at: Mapped[datetime | None]


class SmsOptOut(Base):
    """A person who replied 退订 / TD: never sent an SMS again, in any campaign."""

    __tablename__ = "sms_opt_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("sms_notice.id"))
    reply_text: Mapped[str] = mapped_column(String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
