"""Cross-register checks: imported reference registers, their records (only the matched ones are kept
after a match), the match runs and the findings about registered persons (registers/)."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow

# imported: its records wait for a match; matched: the unmatched records are gone; purged: the file too.
REGISTER_IMPORT_STATUSES = ("imported", "matched", "purged")


class RegisterImport(Base):
    """One imported reference file of one kind (social insurance, business, death, pension, other)."""

    __tablename__ = "register_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # config.registers.REGISTER_KINDS
    label: Mapped[str | None] = mapped_column(String(64))  # a generic list's name
    filename: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the file's bytes
    size_bytes: Mapped[int]
    stored_path: Mapped[str | None] = mapped_column(String(500))  # None once purged
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="imported")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_valid: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    # The row-level report, as the roster import's: [{row, field, value, code, message_zh, message_en}].
    problems: Mapped[list] = mapped_column(JSON, default=list)
    problem_count: Mapped[int] = mapped_column(default=0)  # all of them; `problems` keeps the first ones
    records_kept: Mapped[int | None]  # after the match: the records that matched a registered person
    purged_at: Mapped[datetime | None]

    uploaded_by = relationship("User")


class RegisterRecord(Base):
    """One reference record, reduced to what matching needs (registers/rules.py: Fact)."""

    __tablename__ = "register_record"
    __table_args__ = (
        Index("ix_register_record_id_number", "id_number"),
        Index("ix_register_record_import", "import_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("register_import.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    source_row: Mapped[int | None]
    id_number: Mapped[str] = mapped_column(String(18))
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    organisation: Mapped[str | None] = mapped_column(String(128))  # employer, entity or list label
    category: Mapped[str | None] = mapped_column(String(64))  # insurance type, entity type
    flexible: Mapped[bool] = mapped_column(default=False, server_default=false())


class RegisterMatch(Base):
    """One match of the current registers against the imported records, with its settings and counts."""

    __tablename__ = "register_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    min_months: Mapped[int]
    grace_days: Mapped[int]
    records: Mapped[int] = mapped_column(default=0)  # matched record rows read
    findings: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # {county: {finding_type: persons}}


class RegisterFinding(Base):
    """What the reference registers say about one registered person: one row per kind of finding.

    Kept by (county, ID number, finding type) across matches, so that a rectification item made from
    it stays linked; a finding the latest match no longer supports is inactive, not deleted.
    """

    __tablename__ = "register_finding"
    __table_args__ = (
        UniqueConstraint("county_code", "id_number", "finding_type"),
        Index("ix_register_finding_county_active", "county_code", "active", "finding_type"),
        Index("ix_register_finding_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    id_number: Mapped[str] = mapped_column(String(18))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    finding_type: Mapped[str] = mapped_column(String(32))  # config.registers.FINDING_TYPES
    kind: Mapped[str] = mapped_column(String(20))  # the register that shows it
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # dates, employer or entity name, import id
    active: Mapped[bool] = mapped_column(default=True)
    first_found_at: Mapped[datetime] = mapped_column(default=utcnow)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("register_match.id"))  # the latest that changed it

    person = relationship("Person")
