"""Rectification (整改): one item per confirmed discrepancy, tracked per county until accepted."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow

# open: the county must act; rectified: the county says it has, awaiting the coordinator;
# accepted: the coordinator checked and closed it; withdrawn: the record no longer confirms it.
RECTIFICATION_STATUSES = ("open", "rectified", "accepted", "withdrawn")


class RectificationItem(Base):
    """One discrepancy of one verification record that its county must rectify (整改事项)."""

    __tablename__ = "rectification_item"
    __table_args__ = (
        UniqueConstraint("verification_id", "discrepancy_type"),
        Index("ix_rectification_item_campaign_county", "campaign_id", "county_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    verification_id: Mapped[int] = mapped_column(ForeignKey("verification_record.id"))
    task_id: Mapped[int] = mapped_column(ForeignKey("followup_task.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    discrepancy_type: Mapped[str] = mapped_column(String(32))  # config.verification.DISCREPANCY_TYPES
    found: Mapped[dict] = mapped_column(JSON, default=dict)  # what the verification established (codes)
    register: Mapped[dict] = mapped_column(JSON, default=dict)  # what the roster says (values)
    status: Mapped[str] = mapped_column(String(12), default="open")
    due_on: Mapped[date]
    rectified_on: Mapped[date | None]  # the date the county gives for its fix
    rectified_note: Mapped[str | None] = mapped_column(Text)
    rectified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rectified_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    reopened_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    person = relationship("Person")
    rectified_by = relationship("User", foreign_keys=[rectified_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
