"""A county's roster snapshots: which one is current, its history, and making an earlier one current again.

There is one current snapshot per county; the database holds that as a partial unique index, and
every change of the current snapshot (an import, a restore) goes through `make_current`, after
`lock_counties`, so that two at once wait for each other instead of racing. Snapshots are never
changed or deleted: a restore copies the earlier snapshot into a new one, so that history stays
append-only and draws keep pointing at the snapshots they were made from.
"""

from sqlalchemy import func, insert, literal, select, update

from auth.permissions import county_scope
from core import auditlog
from models import County, Person, RosterSnapshot
from roster.quality_store import PERSON_FACTS, refresh_cross_county
from roster.spool import COLUMNS


class SnapshotError(RuntimeError):
    """A snapshot change that cannot be made; code is stable, the messages are for the user."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.code, self.message_zh, self.message_en = code, message_zh, message_en


def current_snapshots(session, counties) -> dict[str, int]:
    """Return {county: id of its current snapshot} for the counties that have one."""
    rows = session.execute(select(RosterSnapshot.county_code, RosterSnapshot.id)
                           .where(RosterSnapshot.is_current, RosterSnapshot.county_code.in_(list(counties))))
    return dict(rows.all())


def lock_counties(session, counties) -> None:
    """Lock the counties' rows until the transaction ends, in code order (no deadlock between two).

    On PostgreSQL a second import or restore of the same county waits here until the first has
    committed, then sees its result. SQLite needs nothing: its write transactions begin with
    BEGIN IMMEDIATE and so already run one at a time.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(select(County.code).where(County.code.in_(sorted(counties)))
                    .order_by(County.code).with_for_update())


def make_current(session, snapshots: list[RosterSnapshot], counts: dict | None = None) -> None:
    """Make each snapshot its county's current one, in the caller's transaction (counties locked first),
    with its persons already in; count them for the home page (unless the caller counted them as it wrote
    them: counts = {snapshot id: (persons, registered)}) and bring the cross-county quality flag up to
    date."""
    counties = [s.county_code for s in snapshots]
    replaced = session.scalars(select(RosterSnapshot.id).where(
        RosterSnapshot.county_code.in_(counties), RosterSnapshot.is_current)).all()
    session.execute(update(RosterSnapshot).where(
        RosterSnapshot.county_code.in_(counties), RosterSnapshot.is_current
    ).values(is_current=False))
    session.flush()
    if counts is None:
        counts = {snapshot_id: (persons, registered) for snapshot_id, persons, registered in session.execute(
            select(Person.snapshot_id, func.count(Person.id),
                   func.count(Person.id).filter(Person.cancelled_on.is_(None)))
            .where(Person.snapshot_id.in_([s.id for s in snapshots])).group_by(Person.snapshot_id))}
    for snapshot in snapshots:
        snapshot.is_current = True
        snapshot.person_count, snapshot.registered_count = counts.get(snapshot.id, (0, 0))
    session.flush()
    refresh_cross_county(session, [s.id for s in snapshots], replaced)


def county_history(session, county: str, user=None) -> list[RosterSnapshot]:
    """Return a county's snapshots, newest first (a county-scoped user: only their own county)."""
    _ensure_may_touch(county, user)
    return session.scalars(select(RosterSnapshot).where(RosterSnapshot.county_code == county)
                           .order_by(RosterSnapshot.id.desc())).all()


def snapshot_to_restore(session, county: str, snapshot_id: int | None = None, user=None) -> RosterSnapshot:
    """Return the snapshot a restore would bring back: the one given, else the one before the current."""
    _ensure_may_touch(county, user)
    current = current_snapshots(session, [county]).get(county)
    if snapshot_id is not None:
        target = session.get(RosterSnapshot, snapshot_id)
        if target is None or target.county_code != county:
            raise SnapshotError("no_such_snapshot", "该县（市、区）没有这个名册版本",
                                "This county has no such roster snapshot")
        if target.id == current:
            raise SnapshotError("already_current", "这个名册版本已是当前名册", "This snapshot is already the current one")
        return target
    query = select(RosterSnapshot).where(RosterSnapshot.county_code == county, RosterSnapshot.is_current.is_(False))
    if current is not None:
        query = query.where(RosterSnapshot.id < current)
    target = session.scalar(query.order_by(RosterSnapshot.id.desc()).limit(1))
    if target is None:
        raise SnapshotError("nothing_to_restore", "该县（市、区）没有更早的名册版本可以恢复",
                            "This county has no earlier snapshot to restore")
    return target


def restore_snapshot(db, county: str, snapshot_id: int | None = None, user=None, reason: str = "",
                     replaces: int | None = None) -> RosterSnapshot:
    """Make an earlier snapshot of a county current again, as a new snapshot copied from it.

    The reason goes to the audit log with the snapshots before and after. All in one write
    transaction: the copy, the swap and the log entry land together or not at all. With `replaces`
    (the current snapshot the user saw), refuse when another import or restore came in between.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SnapshotError("reason_required", "请填写恢复原因", "Give the reason for the restore")
    with db.write_transaction() as tx:
        lock_counties(tx, [county])
        target = snapshot_to_restore(tx, county, snapshot_id, user)
        previous = current_snapshots(tx, [county]).get(county)
        if replaces is not None and previous != replaces:
            raise SnapshotError("roster_changed", "该县（市、区）的当前名册刚被另一次导入或恢复更改，请查看后重试",
                                "The county's current roster has just been changed by another import or "
                                "restore; look at it and try again")
        snapshot = RosterSnapshot(county_code=county, source=target.source, batch_id=target.batch_id,
                                  created_by_id=getattr(user, "id", None), is_current=False,
                                  restored_from_id=target.id, row_count=target.row_count)
        tx.add(snapshot)
        tx.flush()
        # The snapshot's own quality and digests come along; make_current adds the rest.
        copied = [*COLUMNS, *PERSON_FACTS, "record_digest"]
        tx.execute(insert(Person).from_select(
            ["snapshot_id", *copied],
            select(literal(snapshot.id), *[getattr(Person, c) for c in copied])
            .where(Person.snapshot_id == target.id).order_by(Person.id),
        ))
        snapshot.row_count = tx.scalar(select(func.count()).select_from(Person)
                                       .where(Person.snapshot_id == snapshot.id))
        make_current(tx, [snapshot])
        auditlog.record("roster.restore", "roster_snapshot", snapshot.id, user=user, county=county,
                        restored_from=target.id, replaced=previous, persons=snapshot.row_count, reason=reason)
    return snapshot


def snapshot_json(snapshot) -> dict:
    """Describe a roster snapshot for scripts."""
    return {"id": snapshot.id, "county": snapshot.county_code, "source": snapshot.source,
            "created_at": snapshot.created_at.isoformat(), "persons": snapshot.row_count,
            "current": snapshot.is_current, "batch": snapshot.batch_id, "restored_from": snapshot.restored_from_id}


def _ensure_may_touch(county: str, user) -> None:
    """Refuse a county-scoped user another county's roster, as if it did not exist."""
    scope = county_scope(user) if user is not None else None
    if scope is not None and scope != county:
        raise SnapshotError("no_such_snapshot", "该县（市、区）没有这个名册版本", "This county has no such roster snapshot")
