"""Roster import batches and the problems found in their rows."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow

# A batch moves: uploaded -> validating -> previewed -> importing -> committed; validating may stop at
# needs_mapping until a user maps unrecognised headers. It can end as failed (could not be read or
# written), cancelled, or duplicate (the same file was imported before). A running batch whose
# process died is interrupted, and can be resumed or discarded.
BATCH_STATUSES = ("uploaded", "validating", "needs_mapping", "previewed", "importing", "committed", "failed",
                  "cancelled", "duplicate", "interrupted")
RUNNING_STATUSES = ("uploaded", "validating", "importing")


class ImportBatch(Base):
    __tablename__ = "import_batch"
    __table_args__ = (Index("ix_import_batch_fingerprint", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file's bytes
    size_bytes: Mapped[int]
    stored_path: Mapped[str] = mapped_column(String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="uploaded")
    default_county: Mapped[str | None] = mapped_column(ForeignKey("county.code"))
    headers: Mapped[list] = mapped_column(JSON, default=list)  # the file's header row, as given
    header_mapping: Mapped[dict] = mapped_column(JSON, default=dict)  # user's overrides: column index -> field
    counties: Mapped[list] = mapped_column(JSON, default=list)  # county codes found in the file
    rows_total: Mapped[int | None]  # known once read to the end
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_valid: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    rows_warned: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)  # on the current roster, absent from the file
    duplicates: Mapped[int] = mapped_column(default=0)  # rows whose ID number repeats in the file
    # Per county: {"before", "after", "added", "updated", "unchanged", "removed", "first_rows"}.
    county_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    # The current snapshot id of each county when the file was checked (None: no roster yet); the
    # commit refuses if one has changed since, because the counts would no longer be true.
    base_snapshots: Mapped[dict] = mapped_column(JSON, default=dict)
    runner: Mapped[str | None] = mapped_column(String(80))  # "host:pid" of the process working on it
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]  # a running batch whose heartbeat stops has died
    finished_at: Mapped[datetime | None]
    committed_at: Mapped[datetime | None]

    uploaded_by = relationship("User")
    problems: Mapped[list["ImportProblem"]] = relationship(back_populates="batch", order_by="ImportProblem.id",
                                                           cascade="all, delete-orphan")


class ImportProblem(Base):
    """One error or warning about one field of one row, as the error report lists it."""

    __tablename__ = "import_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id", ondelete="CASCADE"), index=True)
    row: Mapped[int | None]
    field: Mapped[str | None] = mapped_column(String(32))
    value: Mapped[str | None] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))  # "error" rejects the row; "warning" keeps it
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)

    batch: Mapped[ImportBatch] = relationship(back_populates="problems")
