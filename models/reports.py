"""Rectification (整改): one item per confirmed discrepancy, tracked per county until accepted."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow

# open: the county must act; rectified: the county says it has, awaiting the coordinator;
# accepted: the coordinator checked and closed it; withdrawn: the record no longer confirms it.
RECTIFICATION_STATUSES = ("open", "rectified", "accepted", "withdrawn")


class RectificationItem(Base):
    """One problem that its county must rectify (整改事项): a spot-check discrepancy, a register finding
    or a checklist conclusion."""

    __tablename__ = "rectification_item"
    __table_args__ = (
        UniqueConstraint("verification_id", "discrepancy_type"),
        UniqueConstraint("source", "source_ref", name="uq_rectification_item_source_ref"),
        Index("ix_rectification_item_campaign_county", "campaign_id", "county_code", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    # Where the item comes from (config.verification.RECTIFICATION_SOURCES) and which finding or entry
    # of that source it is made from (once per source and reference; spot-check items have none).
    source: Mapped[str] = mapped_column(String(16), default="spot_check", server_default="spot_check")
    source_ref: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)  # the problem in words (register and checklist items)
    responsible_unit: Mapped[str | None] = mapped_column(String(128))
    # A spot-check item has all three; a register item a person; a checklist item none.
    verification_id: Mapped[int | None] = mapped_column(ForeignKey("verification_record.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("followup_task.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
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
