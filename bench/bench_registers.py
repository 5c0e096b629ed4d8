"""Cross-register match at province size: 1,000,000 roster persons against 5,000,000 contribution rows and
200,000 market entities (plus deaths and pensions), on SQLite and PostgreSQL; target ≤ 60 s, < 1.5 GiB.

    .venv/bin/python bench/bench_registers.py [--persons 1000000] [--contributions 5000000]
        [--entities 200000] [--postgres postgresql+psycopg://…/scratch] [--skip-sqlite]

The persons come from bench/province_data.py (120 counties of uneven size). Most reference rows belong
to people who are not on any roster, as in a province's social insurance file; a tenth of the registered
persons have contributions (one row per month over up to a year), some entities, deaths and pensions.
The match (registers.matching.run_match: the join, the rules, the findings written, the unmatched records
deleted) runs in a child process whose peak memory is read from the OS. The baseline in the same run is
the bare join counted in the database: what any match must at least pay.
"""

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.province_data import PERSON_COLUMNS, check_digit, county_codes, county_sizes, person_rows  # noqa: E402

TODAY = date(2026, 12, 1)
RECORD_COLUMNS = ("import_id", "kind", "source_row", "id_number", "start_on", "end_on", "organisation", "category",
                  "flexible")


def make_app(url: str):
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-registers", "TESTING": True,
                       "SPOTCHECK_INSTANCE": tempfile.mkdtemp(prefix="bench-registers-")})


def stranger(serial: int) -> str:
    """An ID number of someone on no roster (Beijing area code, never generated for the persons)."""
    first17 = f"110105{date(1960, 1, 1) + timedelta(days=serial % 15000):%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def build(url: str, args) -> dict:
    """Migrate, insert the persons and the reference records; return the counts."""
    from sqlalchemy import create_engine, insert, select, text

    from core import migrate
    from core.database import bulk_insert
    from core.extensions import db
    from models import County, RegisterImport, RosterSnapshot
    from roster.snapshots import make_current

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(url)
    app = make_app(url)
    rng = np.random.default_rng(2026)
    codes = county_codes(args.counties)
    sizes = county_sizes(args.persons, args.counties, rng)
    started = time.perf_counter()
    with app.app_context():
        session = db.session
        known = set(session.scalars(select(County.code)))
        new = [{"code": c, "name_zh": c, "name_en": c, "official": False, "active": True} for c in codes if c not in known]
        if new:
            session.execute(insert(County), new)
        snapshots = {c: RosterSnapshot(county_code=c, source="bench", is_current=False) for c in codes}
        session.add_all(snapshots.values())
        session.flush()
        persons: list[tuple[str, date]] = []

        def rows():
            for row in person_rows(codes, sizes, {c: s.id for c, s in snapshots.items()}, rng, TODAY):
                if row[-1] is None and len(persons) < args.persons:
                    persons.append((row[5], row[10]))
                yield row

        bulk_insert(session.connection(), "person", PERSON_COLUMNS, rows())
        make_current(session, list(snapshots.values()))
        session.commit()
        print(f"  {args.persons:,} persons in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        imports = {}
        for kind in ("social_insurance", "business", "death", "pension"):
            batch = RegisterImport(kind=kind, filename=f"bench-{kind}.csv", fingerprint=kind, size_bytes=0, problems=[])
            session.add(batch)
            session.flush()
            imports[kind] = batch.id
        pick = rng.permutation(len(persons))
        counts = {}

        def contributions():
            """Registered persons: a tenth of them, up to 12 monthly rows each; the rest strangers'."""
            serial, n = 0, 0
            for index in pick[: len(persons) // 10]:
                id_number, registered = persons[int(index)]
                first = month(registered, int(rng.integers(-3, 6)))
                for m in range(int(rng.integers(1, 13))):
                    n += 1
                    yield (imports["social_insurance"], "social_insurance", n, id_number, month(first, m), None,
                           "样例单位", "养老", bool(m == 0 and rng.random() < 0.1))
            while n < args.contributions:
                serial += 1
                start, someone = date(2023, 1, 1) + timedelta(days=int(serial % 1000)), stranger(serial)
                for m in range(12):
                    n += 1
                    yield (imports["social_insurance"], "social_insurance", n, someone, month(start, m), None,
                           "样例单位", "养老", False)
                    if n >= args.contributions:
                        break
            counts["contributions"] = n

        def entities():
            n = 0
            for index in pick[len(persons) // 10: len(persons) // 10 + len(persons) // 40]:
                id_number, registered = persons[int(index)]
                n += 1
                closed = registered - timedelta(days=30) if n % 5 == 0 else None
                yield (imports["business"], "business", n, id_number, registered - timedelta(days=400), closed,
                       "样例个体工商户", "个体工商户", False)
            while n < args.entities:
                n += 1
                yield (imports["business"], "business", n, stranger(10_000_000 + n), date(2020, 1, 1), None,
                       "样例企业", "企业", False)
            counts["entities"] = n

        def events(kind, share, offset):
            n = 0
            for index in pick[-int(len(persons) * share) - offset: len(pick) - offset]:
                id_number, registered = persons[int(index)]
                n += 1
                yield (imports[kind], kind, n, id_number, registered + timedelta(days=int(rng.integers(-60, 200))),
                       None, None, None, False)
            for k in range(n * 4):
                yield (imports[kind], kind, n + k + 1, stranger(20_000_000 + offset + k), date(2025, 1, 1), None,
                       None, None, False)

        connection = session.connection()
        bulk_insert(connection, "register_record", RECORD_COLUMNS, contributions())
        bulk_insert(connection, "register_record", RECORD_COLUMNS, entities())
        bulk_insert(connection, "register_record", RECORD_COLUMNS, events("death", 0.002, 0))
        bulk_insert(connection, "register_record", RECORD_COLUMNS, events("pension", 0.004, 5000))
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        if url.startswith("sqlite"):
            session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        total = session.scalar(text("SELECT count(*) FROM register_record"))
        print(f"  {total:,} reference records ({counts['contributions']:,} contributions, {counts['entities']:,} "
              f"entities) in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
    app.extensions["database_engine"].dispose()
    return {"records": total}


def bare_join(url: str) -> tuple[float, int]:
    """The baseline: count the (person, record) pairs of equal ID number in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        pairs = conn.scalar(text(
            "SELECT count(*) FROM person p JOIN roster_snapshot s ON s.id = p.snapshot_id AND s.is_current "
            "JOIN register_record r ON r.id_number = p.id_number WHERE p.cancelled_on IS NULL"))
    engine.dispose()
    return time.perf_counter() - started, pairs


def _match(url: str, queue) -> None:
    """Run one full match in this (child) process and report its time and counts."""
    from core.extensions import db
    from registers.matching import run_match

    app = make_app(url)
    with app.app_context():
        started = time.perf_counter()
        done = run_match()
        elapsed = time.perf_counter() - started
        queue.put((elapsed, done.records, done.findings))
        db.session.remove()
    app.extensions["database_engine"].dispose()


def timed_match(url: str) -> tuple[float, int, int, float]:
    """Run the match in a fresh process; return seconds, pairs, findings and the child's peak RSS in MiB."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_match, args=(url, queue))
    child.start()
    elapsed, pairs, findings = queue.get()
    child.join()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, pairs, findings, peak


def bench(url: str, label: str, args) -> None:
    print(f"\n== {label}: {args.persons:,} persons, {args.contributions:,} contributions, {args.entities:,} entities ==",
          flush=True)
    build(url, args)
    baseline = [bare_join(url) for _ in range(args.runs)]
    print(f"bare join (baseline): median {statistics.median(b[0] for b in baseline):.1f} s, {baseline[0][1]:,} pairs",
          flush=True)
    # The first match drops the unmatched records (most of them); later matches read what is kept.
    first = timed_match(url)
    print(f"first match:  {first[0]:.1f} s, {first[1]:,} pairs, {first[2]:,} findings, peak {first[3]:.0f} MiB "
          f"(includes deleting the unmatched records)", flush=True)
    again = [timed_match(url) for _ in range(max(0, args.runs - 1))]
    if again:
        print(f"later matches: median {statistics.median(a[0] for a in again):.1f} s over {len(again)}, "
              f"peak {max(a[3] for a in again):.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--contributions", type=int, default=5_000_000)
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
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
