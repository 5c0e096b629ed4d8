"""What people read instead of database ids: a draw's number within its campaign (the first draw is
第 1 次) and a roster snapshot by county and date (赤坎区 2026-11-20 导入)."""

from flask_babel import gettext as _
from sqlalchemy import select

from core.timefmt import local_date
from models import Draw, RosterSnapshot


def draw_number(draw: Draw) -> int:
    """Return the draw's place among its campaign's draws in order of creation, counting from 1."""
    ordered = sorted(draw.campaign.draws, key=lambda d: (d.created_at, d.id))
    return next(i for i, d in enumerate(ordered, start=1) if d.id == draw.id)


def draw_title(draw: Draw) -> str:
    """Return the draw's name for people, e.g. 第 2 次抽样."""
    return _("Draw %(number)d", number=draw_number(draw))


def snapshot_label(snapshot: RosterSnapshot, county_names: dict[str, str]) -> str:
    """Name a roster snapshot by its county and the local date it was imported."""
    return _("%(county)s %(date)s import", county=county_names.get(snapshot.county_code, snapshot.county_code),
             date=local_date(snapshot.created_at).isoformat())


def snapshot_labels(session, snapshot_ids, county_names: dict[str, str], county: str | None = None) -> list[str]:
    """Name the roster snapshots a draw's frame came from, by county (one county's only, if given)."""
    stmt = (select(RosterSnapshot).where(RosterSnapshot.id.in_(list(snapshot_ids)))
            .order_by(RosterSnapshot.county_code, RosterSnapshot.created_at))
    if county:
        stmt = stmt.where(RosterSnapshot.county_code == county)
    snapshots = session.scalars(stmt).all()
    return [snapshot_label(s, county_names) for s in snapshots]
