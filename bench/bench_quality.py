"""Time the data-quality page, its JSON and one flag's list of persons, stored flags against the old way.

    .venv/bin/python bench/bench_quality.py [--persons 1000000] [--counties 120] [--runs 7] [--baseline-runs 1]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/spotcheck_bench] [--skip-sqlite]

Builds a throwaway SQLite database (with --postgres, fills that database instead: its public schema is
DROPPED and recreated, so point it at a scratch database) holding the demo generator's persons (with
its dirty cases: missing phones, IDs twice in a county or in two counties, persons past retirement
age, future cancellations) over --counties counties, one snapshot each. The rows go in with the
import's bulk insert and row-by-row facts; the snapshot-wide flags and the cross-county flag are then
written the way an import writes them (timed: "flags at commit").

Then, logged in as an all-county coordinator, it times over the test client (median of --runs after
a warm-up): GET /roster/quality, GET /api/v1/quality and GET /roster/?flag=duplicate_across_counties.
The baseline is the same three requests with the old queries swapped in: every flag computed per
person of the current roster with correlated EXISTS subqueries and, for the retirement age, a birth
date cut-off (the code before issue 15, kept here only). Both must give the same numbers.
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_roster_csv import province_counties  # noqa: E402

from core import migrate  # noqa: E402

PAGES = (("quality page", "/roster/quality"), ("quality JSON", "/api/v1/quality"),
         ("flag list page", "/roster/?flag=duplicate_across_counties"))


# --- the old way: flags computed per person at every visit (roster/quality.py before issue 15) ---

def old_flags():
    """Return the old {flag: condition factory} and the old county_quality, built on the app's models."""
    from sqlalchemy import and_, func, or_, select
    from sqlalchemy.orm import aliased

    from models import Person, RosterSnapshot
    from roster.retirement import statutory_retirement_date

    @lru_cache(maxsize=64)
    def retirement_birth_cutoff(gender, today):
        low, high = date(1900, 1, 1), today
        while low < high:
            middle = low + timedelta(days=(high - low).days // 2 + 1)
            if statutory_retirement_date(middle, gender) <= today:
                low = middle
            else:
                high = middle - timedelta(days=1)
        return low

    def current():
        return Person.snapshot_id.in_(select(RosterSnapshot.id).where(RosterSnapshot.is_current))

    def registered():
        return Person.cancelled_on.is_(None)

    def duplicate_in_county():
        other = aliased(Person)
        return select(other.id).where(other.snapshot_id == Person.snapshot_id, other.id_number == Person.id_number,
                                      other.id != Person.id).exists()

    def duplicate_across_counties():
        other, snapshot = aliased(Person), aliased(RosterSnapshot)
        return select(other.id).join(snapshot, other.snapshot_id == snapshot.id).where(
            snapshot.is_current, other.id_number == Person.id_number, other.county_code != Person.county_code,
            other.cancelled_on.is_(None)).exists()

    def past_retirement(today):
        birth = func.substr(Person.id_number, 7, 8)
        return and_(registered(), or_(*(
            and_(Person.gender == gender, birth <= retirement_birth_cutoff(gender, today).strftime("%Y%m%d"))
            for gender in ("1", "2"))))

    def blank(column):
        return or_(column.is_(None), column == "")

    flags = {
        "missing_phone": lambda today: and_(registered(), blank(Person.phone)),
        "missing_address": lambda today: and_(registered(), blank(Person.household_address),
                                              blank(Person.residence_address)),
        "missing_reason": lambda today: and_(registered(), blank(Person.unemployment_reason)),
        "duplicate_in_county": lambda today: duplicate_in_county(),
        "duplicate_across_counties": lambda today: and_(registered(), duplicate_across_counties()),
        "past_retirement": past_retirement,
        "future_cancellation": lambda today: Person.cancelled_on > today,
    }

    def flag_condition(flag, today):
        return flags[flag](today)

    def county_quality(session, today, county_codes=None):
        columns = [func.count(Person.id).label("total"), func.count(Person.id).filter(registered()).label("registered")]
        columns += [func.count(Person.id).filter(flag_condition(name, today)).label(name) for name in flags]
        query = select(Person.county_code, *columns).where(current()).group_by(Person.county_code)
        if county_codes is not None:
            query = query.where(Person.county_code.in_(county_codes))
        return [dict(row._mapping) for row in session.execute(query.order_by(Person.county_code))]

    return flag_condition, county_quality


# --- the database ---

def prepare(url: str, persons: int, counties: int, today: date) -> dict:
    """Migrate an empty database and fill it; return what was loaded and how long the flags took."""
    from sqlalchemy import create_engine, insert, select, text

    from app import create_app
    from core.database import bulk_insert
    from core.extensions import db
    from demo.roster import iter_roster_chunks
    from models import County, RosterSnapshot
    from roster.quality_store import ROW_FACT_COLUMNS, mark_snapshot_duplicates, row_facts
    from roster.snapshots import make_current
    from roster.spool import COLUMNS

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SEARCH_MAX_PER_MINUTE": 10_000, "SPOTCHECK_INSTANCE": tempfile.mkdtemp(prefix="bench-instance-")})
    specs = province_counties(counties, 1)
    with app.app_context():
        session = db.session
        known = set(session.scalars(select(County.code)))
        new = [{"code": s.code, "name_zh": s.place[-20:], "name_en": s.code, "official": False, "active": True}
               for s in specs if s.code not in known]
        if new:
            session.execute(insert(County), new)
        snapshots = {s.code: RosterSnapshot(county_code=s.code, source="bench", is_current=False) for s in specs}
        session.add_all(snapshots.values())
        session.flush()
        started = time.perf_counter()
        per_county = dict.fromkeys(snapshots, 0)

        def rows():
            serial = 0
            for chunk in iter_roster_chunks(1, today, persons, specs):
                for record in chunk.rows:
                    serial += 1
                    per_county[record["county_code"]] += 1
                    values = [serial + 1 if c == "source_row" else record.get(c) for c in COLUMNS]
                    yield (snapshots[record["county_code"]].id, *values, *row_facts(
                        record["gender"], record["id_number"], record["phone"], record["household_address"],
                        record["residence_address"], record["unemployment_reason"], record["cancelled_on"]))

        bulk_insert(session.connection(), "person", ("snapshot_id", *COLUMNS, *ROW_FACT_COLUMNS), rows())
        inserted = time.perf_counter() - started
        for code, snapshot in snapshots.items():
            snapshot.row_count = per_county[code]
        started = time.perf_counter()
        mark_snapshot_duplicates(session, [s.id for s in snapshots.values()])
        marked = time.perf_counter() - started
        started = time.perf_counter()
        make_current(session, list(snapshots.values()))
        current = time.perf_counter() - started
        session.commit()
        if url.startswith("postgresql"):
            session.execute(text("ANALYZE"))
            session.commit()
        else:
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        from auth.accounts import create_user

        create_user(session, "bench-coordinator", "bench-password-1", "coordinator", None)
        session.commit()
        db.session.remove()
    return {"app": app, "inserted": inserted, "marked": marked, "current": current,
            "persons": sum(per_county.values())}


def timed(get, path: str, runs: int) -> tuple[float, float, float, bytes]:
    """GET path runs times after one warm-up; return median, min and max in ms, and the last body."""
    response = get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), min(times), max(times), response.data


def _content(body: bytes) -> str:
    """Return a response without its per-request tokens."""
    return re.sub(r'(csrf[-_]token"?[^>]*?(content|value)=")[^"]*', r"\1", body.decode())


def bench(url: str, label: str, args) -> None:
    """Fill one database, then time the new and the old way in the same run."""
    import roster.access
    import roster.quality

    loaded = prepare(url, args.persons, args.counties, date.today())
    app = loaded["app"]
    client = app.test_client()
    client.post("/login", data={"username": "bench-coordinator", "password": "bench-password-1"})
    print(f"\n== {label}: {loaded['persons']:,} persons in {args.counties} counties ==")
    print(f"insert with row facts {loaded['inserted']:.1f} s; flags at commit: duplicates in a county "
          f"{loaded['marked']:.2f} s, make current + cross-county {loaded['current']:.2f} s")
    if url.startswith("postgresql"):
        # Before autovacuum has visited the new rows, counting the cancelled reads the table too.
        fresh = timed(client.get, "/api/v1/quality", args.runs)
        print(f"quality JSON right after the load (before any VACUUM): {fresh[0]:.1f} ms "
              f"({fresh[1]:.1f}-{fresh[2]:.1f}); then VACUUM, as autovacuum does after a large insert")
        from sqlalchemy import create_engine, text

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE person"))
        engine.dispose()
    new = {name: timed(client.get, path, args.runs) for name, path in PAGES}
    if not args.baseline_runs:
        for name, _path in PAGES:
            median, low, high, _ = new[name]
            print(f"{name:18s} {median:14.1f} ms ({low:.1f}-{high:.1f})  (old way not run)")
        app.extensions["database_engine"].dispose()
        return
    stored_quality, stored_flag = roster.access.county_quality, roster.quality.flag_condition
    old_condition, old_quality = old_flags()
    roster.access.county_quality, roster.quality.flag_condition = old_quality, old_condition
    try:
        old = {name: timed(client.get, path, args.baseline_runs) for name, path in PAGES}
    finally:
        roster.access.county_quality, roster.quality.flag_condition = stored_quality, stored_flag
    for name, _path in PAGES:  # the same numbers and persons (the pages also hold a CSRF token)
        assert _content(new[name][3]) == _content(old[name][3]), f"{name}: the stored flags and the old way disagree"
    print(f"{'':18s} {'stored flags: median (min-max)':>32s} {'old way: median':>18s} {'ratio':>8s}")
    for name, _path in PAGES:
        (median, low, high, _), base = new[name], old[name][0]
        print(f"{name:18s} {median:14.1f} ms ({low:.1f}-{high:.1f}) {base:15.0f} ms {base / median:8.0f}x")
    app.extensions["database_engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline-runs", type=int, default=1,
                        help="0: time the stored flags only (the old way takes minutes per request at 1,000,000)")
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL (its schema is dropped)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            bench(f"sqlite:///{folder}/bench.sqlite3", "SQLite", args)
    if args.postgres:
        bench(args.postgres, "PostgreSQL", args)


if __name__ == "__main__":
    main()
