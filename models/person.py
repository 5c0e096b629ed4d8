"""The roster: registered unemployed persons, held in per-county snapshots.

Each import of a county's register makes a new snapshot; earlier snapshots stay readable so that a
draw made from them can be re-verified. The current roster of a county is its current snapshot.
"""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow


class RosterSnapshot(Base):
    __tablename__ = "roster_snapshot"
    __table_args__ = (
        Index("ix_roster_snapshot_county_current", "county_code", "is_current"),
        # One current snapshot per county, whatever two imports committed at once may try.
        Index("uq_roster_snapshot_one_current", "county_code", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    source: Mapped[str] = mapped_column(String(255))  # file name, or "demo"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    row_count: Mapped[int] = mapped_column(default=0)
    is_current: Mapped[bool] = mapped_column(default=True)
    restored_from_id: Mapped[int | None] = mapped_column(ForeignKey("roster_snapshot.id"))  # an undo copies it

    created_by = relationship("User")


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_snapshot_county", "snapshot_id", "county_code"),
        Index("ix_person_id_number", "id_number"),
        Index("ix_person_county_name", "county_code", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("roster_snapshot.id"))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"))
    source_row: Mapped[int | None]  # row number in the imported file
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(1))
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    household_address: Mapped[str | None] = mapped_column(String(255))
    residence_address: Mapped[str | None] = mapped_column(String(255))
    unemployment_reason: Mapped[str | None] = mapped_column(String(4))
    registered_on: Mapped[date]
    registering_agency: Mapped[str | None] = mapped_column(String(128))
    certificate_number: Mapped[str | None] = mapped_column(String(32))
    employment_status: Mapped[str | None] = mapped_column(String(4))
    cancelled_on: Mapped[date | None]

    snapshot: Mapped[RosterSnapshot] = relationship()
