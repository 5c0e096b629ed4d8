"""Campaigns, their draws and the drawn sample units."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, utcnow

campaign_county = Table(
    "campaign_county",
    Base.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("county_code", ForeignKey("county.code"), primary_key=True),
)


class Campaign(Base):
    """One verification exercise (核查批次) with its counties in scope."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    tolerable_rate: Mapped[float] = mapped_column(default=0.05)  # audit conclusion threshold
    confidence: Mapped[float] = mapped_column(default=0.95)
    # The date by which the counties must have rectified the campaign's items (整改期限); None: each item
    # is due RECTIFICATION_DUE_DAYS after it was listed.
    rectification_deadline: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    counties = relationship("County", secondary=campaign_county, order_by="County.code")
    draws: Mapped[list["Draw"]] = relationship(back_populates="campaign", order_by="Draw.id")


class Draw(Base):
    """A published stratified draw: read-only once made; a redraw is a new draw with a reason.

    The frame is not copied: it is the set of rows of the immutable roster snapshots named in
    `snapshot_ids`, filtered as `frame_definition` says, minus the recorded exclusions.
    """

    __tablename__ = "draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    seed_text: Mapped[str] = mapped_column(String(255))  # as typed or generated
    seed: Mapped[str] = mapped_column(String(80))  # the integer derived from it, in decimal
    seed_source: Mapped[str] = mapped_column(String(16))  # "system" or "public"
    algorithm: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(64))
    frame_fingerprint: Mapped[str] = mapped_column(String(64))
    frame_size: Mapped[int]
    snapshot_ids: Mapped[list] = mapped_column(JSON)
    frame_definition: Mapped[dict] = mapped_column(JSON)  # counties, population, extra stratum field
    design: Mapped[dict] = mapped_column(JSON)  # size method and its parameters
    strata: Mapped[dict] = mapped_column(JSON)  # stratum -> {"N": …, "n": …, "reserves": …}
    excluded_count: Mapped[int] = mapped_column(default=0)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id"))
    redraw_reason: Mapped[str | None] = mapped_column(Text)
    superseded: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="draws")
    created_by = relationship("User")


class DrawExclusion(Base):
    """A frame member left out of a draw (e.g. verified in an earlier campaign), with the reason."""

    __tablename__ = "draw_exclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    frame_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(64))


class DrawFindingPerson(Base):
    """A person (county, ID number) with an active register finding when a draw stratified by register
    finding was made: the list that put each frame row in its with- or without-finding stratum."""

    __tablename__ = "draw_finding_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"), index=True)
    county_code: Mapped[str] = mapped_column(String(6))
    id_number: Mapped[str] = mapped_column(String(18))


class SampleUnit(Base):
    """One drawn person: a sample unit or a reserve, in the draw's random order within its stratum."""

    __tablename__ = "sample_unit"
    __table_args__ = (
        UniqueConstraint("draw_id", "person_id"),
        Index("ix_sample_unit_draw_stratum_rank", "draw_id", "stratum", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draw.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    frame_key: Mapped[str] = mapped_column(String(64))
    stratum: Mapped[str] = mapped_column(String(64))
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    rank: Mapped[int]  # 1-based position in the stratum's random order (reserves continue it)
    role: Mapped[str] = mapped_column(String(8))  # "sample" or "reserve"
    # active: in the sample; replaced: out of scope, replaced by a reserve; standby: unused reserve
    status: Mapped[str] = mapped_column(String(12))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("sample_unit.id"))
    replacement_reason: Mapped[str | None] = mapped_column(String(64))
    replacement_note: Mapped[str | None] = mapped_column(Text)
    replaced_at: Mapped[datetime | None]

    draw: Mapped[Draw] = relationship()
    person = relationship("Person")


class PublishedDrawError(RuntimeError):
    """Someone tried to change a published draw or the identity of a drawn unit."""


# A draw may only be marked superseded; a unit may only change its working status and replacement fields.
_DRAW_MUTABLE = {"superseded"}
_UNIT_MUTABLE = {"status", "replaced_by_id", "replacement_reason", "replacement_note", "replaced_at"}


def _refuse_published_change(target, mutable: set[str]) -> None:
    from sqlalchemy import inspect

    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()} - mutable
    changed -= {rel.key for rel in state.mapper.relationships}
    if changed:
        raise PublishedDrawError(f"a published draw is read-only (tried to change {', '.join(sorted(changed))})")


@event.listens_for(Draw, "before_update")
def _draw_read_only(mapper, connection, target):
    _refuse_published_change(target, _DRAW_MUTABLE)


@event.listens_for(Draw, "before_delete")
@event.listens_for(DrawExclusion, "before_update")
@event.listens_for(DrawExclusion, "before_delete")
@event.listens_for(DrawFindingPerson, "before_update")
@event.listens_for(DrawFindingPerson, "before_delete")
@event.listens_for(SampleUnit, "before_delete")
def _draw_never_deleted(mapper, connection, target):
    raise PublishedDrawError("a published draw, its exclusions, its finding list and its units are never deleted "
                             "or changed")


@event.listens_for(SampleUnit, "before_update")
def _unit_identity_read_only(mapper, connection, target):
    _refuse_published_change(target, _UNIT_MUTABLE)
