"""The whole verification beside the spot check: each campaign's checklist (核查清单) and its items, the
conclusion per county and item, the meetings held, and the admin's replaceable document templates."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow


class ChecklistItem(Base):
    """One item of a campaign's checklist, copied from the notice's template or added by a coordinator.

    Editable until the first conclusion of the campaign is recorded; each edit raises `version` and the
    audit log keeps the text before it. A retired item stays (with its history) but is no longer checked.
    """

    __tablename__ = "checklist_item"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    key: Mapped[str] = mapped_column(String(16))  # "1.3" = 四（一）3; added items get the next number of their area
    area: Mapped[str] = mapped_column(String(16))  # config.checklist.AREAS
    text: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[list] = mapped_column(JSON, default=list)  # config.checklist.METHODS codes
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChecklistEntry(Base):
    """What the team concluded on one item in one county: conclusion, findings, checker, date, evidence.

    `figures` holds the spot-check (and register) figures as they were when the entry was signed off;
    until then the figures are read live, so that they keep in step with the work.
    """

    __tablename__ = "checklist_entry"
    __table_args__ = (UniqueConstraint("item_id", "county_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    conclusion: Mapped[str | None] = mapped_column(String(24))  # config.checklist.CONCLUSIONS
    findings: Mapped[str] = mapped_column(Text, default="")
    ledger_ref: Mapped[str] = mapped_column(String(255), default="")  # 台账页码 or the like
    responsible_unit: Mapped[str | None] = mapped_column(String(128))
    due_on: Mapped[date | None]
    checker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_on: Mapped[date | None]
    figures: Mapped[list | None] = mapped_column(JSON)
    signed_off_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ChecklistItem] = relationship()
    checker = relationship("User", foreign_keys=[checker_id])
    signed_off_by = relationship("User", foreign_keys=[signed_off_by_id])


class Meeting(Base):
    """A meeting of the verification in one county (座谈会, 听取汇报, 听取意见)."""

    __tablename__ = "verification_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    kind: Mapped[str] = mapped_column(String(16))  # config.checklist.MEETING_KINDS
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(255))
    participants: Mapped[list] = mapped_column(JSON, default=list)  # [{"role": code, "name": text}]
    notes: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")  # one problem raised per line
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentTemplate(Base):
    """An uploaded DOCX with the standard wording of a document kind; the newest active one is used."""

    __tablename__ = "document_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # "feedback" or "summary"
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(255))  # relative to STORAGE_DIR
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
