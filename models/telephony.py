"""Calls placed through a telephony provider (Twilio click-to-call), with what its callbacks reported."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
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
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    placed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # the caller's leg, as reported
    person_status: Mapped[str | None] = mapped_column(String(16))  # the leg to the person (DialCallStatus)
    suggested_disposition: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    person_duration_seconds: Mapped[int | None]
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_url: Mapped[str | None] = mapped_column(String(500))
    error_code: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
