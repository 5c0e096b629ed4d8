"""The roster: registered unemployed persons, held in per-county snapshots.

Each import of a county's register makes a new snapshot; earlier snapshots stay readable so that a
draw made from them can be re-verified. The current roster of a county is its current snapshot.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, false, text
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
    # Counted when the snapshot becomes current (its persons never change after): the home page reads these.
    person_count: Mapped[int | None] = mapped_column(default=None)
    registered_count: Mapped[int | None] = mapped_column(default=None)

    created_by = relationship("User")


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_snapshot_county", "snapshot_id", "county_code"),
        # With the county: "another county registers this ID number" (the cross-county flag) is then
        # answered in the index, the same county's earlier snapshots told apart without their rows.
        Index("ix_person_id_number", "id_number", "county_code"),
        Index("ix_person_county_name", "county_code", "name"),
        # Data quality (roster/quality.py): each flag's persons per snapshot, read without a scan.
        *(Index(f"ix_person_{flag}", "snapshot_id", sqlite_where=text(f"{flag} = 1"),
                postgresql_where=text(flag)) for flag in (
            "flag_missing_phone", "flag_missing_address", "flag_missing_reason",
            "flag_duplicate_in_county", "flag_duplicate_across_counties")),
        Index("ix_person_registered_retirement", "snapshot_id", "retirement_on",
              sqlite_where=text("cancelled_on IS NULL"), postgresql_where=text("cancelled_on IS NULL")),
        Index("ix_person_cancelled", "snapshot_id", "cancelled_on",
              sqlite_where=text("cancelled_on IS NOT NULL"), postgresql_where=text("cancelled_on IS NOT NULL")),
        # The roster search (roster/queries.py:search_persons) over every county: a name fragment is
        # LIKE '%…%' and the last four digits LIKE '%…' on id_number or phone, which no index can seek,
        # so finding the matching registered persons reads them all. This index holds every column that
        # reading needs (and the ids: SQLite's entries hold the rowid, which id is; PostgreSQL's include
        # it), so it reads the index alone, never the table (migration 0025). cancelled_on, always NULL
        # here, is listed because SQLite counts an index as covering only when it holds every column the
        # query names, those of the index's own WHERE included.
        Index("ix_person_registered_search", "snapshot_id", "name", "id_number", "phone", "cancelled_on",
              sqlite_where=text("cancelled_on IS NULL"), postgresql_where=text("cancelled_on IS NULL"),
              postgresql_include=["id"]),
        # A search by full phone number (`phone = ?`).
        Index("ix_person_phone", "phone"),
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
    # Data-quality facts, stored when the snapshot is written (roster/quality_store.py): the first four
    # are the snapshot's own, the cross-county flag is kept up to date while the snapshot is current
    # (false once it is not), and the retirement day (None without a gender and birth date) is
    # compared with today.
    flag_missing_phone: Mapped[bool] = mapped_column(default=False, server_default=false())
    flag_missing_address: Mapped[bool] = mapped_column(default=False, server_default=false())
    flag_missing_reason: Mapped[bool] = mapped_column(default=False, server_default=false())
    flag_duplicate_in_county: Mapped[bool] = mapped_column(default=False, server_default=false())
    flag_duplicate_across_counties: Mapped[bool] = mapped_column(default=False, server_default=false())
    retirement_on: Mapped[date | None]
    # A 64-bit digest of the compared fields (roster/checking.py), written by the import, so that the next
    # import compares a county's file with this roster without reading every field (None: computed then).
    record_digest: Mapped[int | None] = mapped_column(BigInteger)

    snapshot: Mapped[RosterSnapshot] = relationship()
