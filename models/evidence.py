"""Evidence files (佐证材料) attached to rectification items, checklist entries and the like."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow


class Attachment(Base):
    """One file attached to one thing (owner_type, owner_id), stored by its SHA-256 in the storage folder.

    The county is kept on the file itself so that its visibility is checked without loading the owner.
    Removal is soft (removed_at) so that it can be undone and the history keeps what was shown.
    """

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(32))  # e.g. "rectification_item", "checklist_entry"
    owner_id: Mapped[int]
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(100))  # the type found by reading the content
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, cleaned of path parts
    storage_key: Mapped[str] = mapped_column(String(255))  # relative to STORAGE_DIR
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
