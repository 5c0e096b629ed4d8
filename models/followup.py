"""Follow-up work: one task per sample unit, its attempts, its verification record, and what the
supervision and the scheduler keep beside them (do-not-contact list, call script, daily snapshots).

The database is the single source of truth of the queue: every due time, claim and attempt is here.
"""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow

# JSON on SQLite, JSONB on PostgreSQL: reports compare and search the lists of a verification record.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")


_OPEN_CLAIM = "claimed_by_id IS NOT NULL AND status <> 'closed'"


class FollowUpTask(Base):
    """The follow-up of one sample unit: its channel, next due time, claim, assignment and outcome."""

    __tablename__ = "followup_task"
    __table_args__ = (
        # The claim queries walk these in due order and stop after a few rows (callbacks/queue.py).
        Index("ix_followup_task_queue", "status", "channel", "due_at", "id"),
        Index("ix_followup_task_county_queue", "county_code", "status", "channel", "due_at", "id"),
        Index("ix_followup_task_assigned", "assigned_to_id", "status", "channel", "due_at", "id"),
        Index("ix_followup_task_reason", "plan_reason", "status", "due_at"),
        Index("ix_followup_task_claimed", "claimed_by_id"),
        # A caller holds one case at a time, whatever parallel "next" calls may try (callbacks/queue.py).
        Index("uq_followup_task_one_claim", "claimed_by_id", unique=True,
              sqlite_where=text(_OPEN_CLAIM), postgresql_where=text(_OPEN_CLAIM)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_unit_id: Mapped[int] = mapped_column(ForeignKey("sample_unit.id"), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    start_channel: Mapped[str] = mapped_column(String(8))  # as given: phone, or visit when told / no phone
    channel: Mapped[str] = mapped_column(String(8))  # the channel of the next (or last) attempt
    status: Mapped[str] = mapped_column(String(16), default="open")  # config.dispositions.TASK_STATUSES
    due_at: Mapped[datetime | None]
    plan_reason: Mapped[str] = mapped_column(String(24), default="first_attempt")
    final_outcome: Mapped[str | None] = mapped_column(String(16))
    phone_attempts_used: Mapped[int] = mapped_column(default=0)
    visit_attempts_used: Mapped[int] = mapped_column(default=0)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    claimed_at: Mapped[datetime | None]  # refreshed by activity; the claim lapses when idle
    # Supervision: a case referred to the coordinators (or handed back) waits in their review queue.
    review_kind: Mapped[str | None] = mapped_column(String(12))  # "referral" or "hand_back"
    review_reason: Mapped[str | None] = mapped_column(Text)
    review_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_requested_at: Mapped[datetime | None]
    review_resolved_at: Mapped[datetime | None]
    review_resolution: Mapped[str | None] = mapped_column(Text)
    qc_selected: Mapped[bool] = mapped_column(default=False)  # drawn for the quality re-check
    qc_result: Mapped[str | None] = mapped_column(String(12))  # "confirmed" or "disputed"
    qc_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    person = relationship("Person")
    sample_unit = relationship("SampleUnit")
    assigned_to = relationship("User", foreign_keys=[assigned_to_id])
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    attempts: Mapped[list["Attempt"]] = relationship(back_populates="task", order_by="Attempt.at")
    verification: Mapped["Verification | None"] = relationship(back_populates="task", uselist=False)


class Attempt(Base):
    """One call or visit (回访记录) with its disposition; a submission key makes a resubmit harmless."""

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("followup_task.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    disposition: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime]
    appointment_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[FollowUpTask] = relationship(back_populates="attempts")
    caller = relationship("User")


class Verification(Base):
    """The verification record (核查结论) of a completed contact; one per task, corrected in place
    with a reason while the audit log keeps every earlier version."""

    __tablename__ = "verification_record"
    __table_args__ = (UniqueConstraint("task_id"), UniqueConstraint("submission_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("followup_task.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    checked_on: Mapped[date]  # local date of the completed contact
    respondent: Mapped[str] = mapped_column(String(8), default="self")  # "self" or "proxy"
    identity_confirmed: Mapped[bool]
    registered_by_self: Mapped[bool | None]
    unemployed_at_registration: Mapped[bool | None]
    corrections: Mapped[dict] = mapped_column(JSONDoc, default=dict)  # wrong core field -> right value
    current_status: Mapped[str | None] = mapped_column(String(24))
    status_since: Mapped[date | None]
    services: Mapped[list | None] = mapped_column(JSONDoc)
    satisfaction: Mapped[str | None] = mapped_column(String(24))
    wish_to_work: Mapped[str | None] = mapped_column(String(12))
    training_needs: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    derived: Mapped[dict] = mapped_column(JSONDoc, default=dict)  # discrepancy type -> reason codes
    discrepancies: Mapped[list] = mapped_column(JSONDoc, default=list)  # the types the caller confirmed
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    submission_key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    corrected_at: Mapped[datetime | None]
    correction_reason: Mapped[str | None] = mapped_column(Text)

    task: Mapped[FollowUpTask] = relationship(back_populates="verification")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])


class DoNotContact(Base):
    """A person who asked not to be contacted again: never offered in any queue again."""

    __tablename__ = "do_not_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("followup_task.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallScript(Base):
    """The call script (回访话术) of a channel, edited by coordinators."""

    __tablename__ = "call_script"

    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpSnapshot(Base):
    """The daily statistics snapshot of one campaign's follow-up in one county (progress over time)."""

    __tablename__ = "followup_snapshot"
    __table_args__ = (UniqueConstraint("campaign_id", "county_code", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    day: Mapped[date]  # local date (Asia/Shanghai)
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
