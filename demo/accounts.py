"""Load the demo: one user per role (plus a county liaison) and a synthetic roster."""

from datetime import date
from typing import Any

from sqlalchemy import insert, select

from auth.accounts import create_user
from demo.roster import generate_roster
from models import County, Person, RosterSnapshot, User
from roster.quality_store import mark_snapshot_duplicates, row_facts_of
from roster.snapshots import make_current

# Demo passwords are printed by `flask demo` and listed in the README; never use them in production.
DEMO_ACCOUNTS: tuple[dict[str, Any], ...] = (
    {"username": "admin", "password": "admin-demo-2026", "role": "admin", "county": None, "name": "系统管理员"},
    {"username": "coord", "password": "coord-demo-2026", "role": "coordinator", "county": None,
     "name": "黄敏"},
    {"username": "caller", "password": "caller-demo-2026", "role": "caller", "county": None, "name": "陈小燕"},
    {"username": "caller2", "password": "caller-demo-2026", "role": "caller", "county": "440881",
     "name": "廉江回访员"},
    {"username": "manager", "password": "manager-demo-2026", "role": "manager", "county": None, "name": "李主任"},
    {"username": "liaison", "password": "liaison-demo-2026", "role": "manager", "county": "440802",
     "name": "赤坎区联络员"},
)


def load_demo(session, seed: int, persons: int, today: date | None = None) -> dict:
    """Add the demo users and, unless a roster is in place already, a roster snapshot per county; return a summary."""
    today = today or date.today()
    accounts = []
    for account in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == account["username"])) is None:
            create_user(session, account["username"], account["password"], account["role"], account["county"],
                        account["name"])
        accounts.append({key: account[key] for key in ("username", "password", "role", "county")})

    if session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.is_current).limit(1)) is not None:
        # A county roster is in place (demo or real): a second one would stand beside it as current.
        session.commit()
        return {"persons": 0, "counties": 0, "dirty": {}, "accounts": accounts, "roster_kept": True}
    roster = generate_roster(seed, today, total=persons)
    counties = {c.code for c in session.scalars(select(County))}
    snapshots = {}
    for code in sorted({row["county_code"] for row in roster.rows}):
        if code not in counties:
            raise ValueError(f"demo county {code} is not in the county table")
        snapshot = RosterSnapshot(county_code=code, source="demo", is_current=False)
        session.add(snapshot)
        snapshots[code] = snapshot
    session.flush()
    rows = [{**row, **row_facts_of(row), "snapshot_id": snapshots[row["county_code"]].id, "source_row": index + 2}
            for index, row in enumerate(roster.rows)]
    for snapshot in snapshots.values():
        snapshot.row_count = sum(1 for row in rows if row["snapshot_id"] == snapshot.id)
    session.execute(insert(Person), rows)
    # As an import does: the snapshots' own quality, then current (with the cross-county flag).
    mark_snapshot_duplicates(session, [s.id for s in snapshots.values()])
    make_current(session, list(snapshots.values()))
    session.commit()
    return {
        "persons": len(rows),
        "counties": len(snapshots),
        "dirty": {kind: len(indexes) for kind, indexes in roster.dirty.items()},
        "accounts": accounts,
    }
