"""Put small rosters into a test database."""

from datetime import date, timedelta

from sqlalchemy import insert
from stdnum.cn import ric

from models import Person, RosterSnapshot


def id_number(area: str, birth: str, sequence: int, male: bool = True) -> str:
    """Build a valid 18-character ID number: area code, birth date YYYYMMDD, sequence, check digit."""
    seq = sequence % 1000
    if (seq % 2 == 1) != male:
        seq = (seq + 1) % 1000
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "?")  # it ignores the last character


def birth(n: int) -> str:
    """Give the n-th test person a distinct birth date, so ID numbers never collide."""
    return (date(1970, 1, 1) + timedelta(days=n)).strftime("%Y%m%d")


def add_roster(session, county_code: str, count: int, start: int = 0, cancelled: int = 0) -> list[int]:
    """Add a current snapshot with `count` persons (the last `cancelled` of them cancelled)."""
    from roster.quality_store import mark_snapshot_duplicates, row_facts_of
    from roster.snapshots import make_current

    snapshot = RosterSnapshot(county_code=county_code, source="test", row_count=count, is_current=False)
    session.add(snapshot)
    session.flush()
    rows = []
    for index in range(count):
        n = start + index
        rows.append({
            "snapshot_id": snapshot.id, "county_code": county_code, "source_row": index + 2,
            "name": f"测试{n}", "gender": "1", "id_number": id_number(county_code, birth(n), n),
            "phone": f"+86138{n:08d}", "registered_on": date(2025, 3, 1), "unemployment_reason": "01",
            "employment_status": "10",
            "cancelled_on": date(2025, 9, 1) if index >= count - cancelled else None,
        })
    session.execute(insert(Person), [{**row, **row_facts_of(row)} for row in rows])
    mark_snapshot_duplicates(session, [snapshot.id])
    make_current(session, [snapshot])
    session.commit()
    return [snapshot.id]
