"""Time the statistics dashboard at a province's size: the whole campaign, and one county's drill-down.

    .venv/bin/python bench/bench_dashboard.py [--persons 1000000] [--counties 120] [--units 20000]
        [--attempts 50000] [--runs 15]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/spotcheck_bench]

Builds a throwaway SQLite database (with --postgres, fills that database instead: its public schema is
DROPPED and recreated, so point it at a scratch database) holding synthetic persons over synthetic
counties, a campaign with one stratum per county, the sample units, their follow-up tasks (70% verified,
the rest unreachable, refused, partial or still open), attempts, verification records with confirmed
discrepancies and services, 30 days of snapshots and the rectification items. Rows go in with Core
executemany (persons: sqlite3 executemany / PostgreSQL COPY), never through the ORM.

Then it times, each over --runs runs, median and spread:
  dashboard: reports.figures.campaign_figures for the whole campaign (every county, the overall
             stratified estimates for every type, outcome rates, services, audit conclusions, progress,
             rectification counts);
  drill-down: reports.figures.county_figures for one county plus the first page of its discrepant cases;
  page:       the rendered dashboard page (GET over the test client), for reference.
"Cold" clears the cache of estimator results (reports.figures.clear_caches) before every run: every
interval and audit conclusion is computed afresh. "Warm" keeps it, as a reloaded dashboard does for
the counties whose counts have not changed since the last load.
"""

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import migrate  # noqa: E402

TYPES = ("not_authentic", "inaccurate_data", "should_have_been_cancelled", "assistance_not_delivered")
SERVICES = ("job_referral", "vocational_guidance", "skills_training", "entrepreneurship_support",
            "employment_assistance", "unemployment_insurance", "certificate_issued", "agency_callback")
AT = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


def sizes_of(total: int, parts: int, rng) -> np.ndarray:
    """Split total into parts of uneven (log-normal) sizes that add up exactly."""
    weights = rng.lognormal(0.0, 0.6, parts)
    sizes = np.floor(weights / weights.sum() * total).astype(int)
    sizes[: total - sizes.sum()] += 1
    return sizes


def load_persons(engine, codes, sizes) -> None:
    """Insert the counties, a snapshot per county and the persons (sqlite3 executemany or COPY)."""
    today = date(2025, 3, 1).isoformat()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        pg = engine.dialect.name == "postgresql"
        mark = "%s" if pg else "?"
        cur.executemany(f"INSERT INTO county (code, name_zh, name_en, official, active) "
                        f"VALUES ({mark}, {mark}, {mark}, {'false' if pg else '0'}, {'true' if pg else '1'})",
                        [(c, f"测试县{i + 1}", f"Test county {i + 1}") for i, c in enumerate(codes)])
        cur.executemany(f"INSERT INTO roster_snapshot (id, county_code, source, created_at, row_count, is_current) "
                        f"VALUES ({mark}, {mark}, 'bench', {mark}, {mark}, {'true' if pg else '1'})",
                        [(i + 1, c, "2026-05-01 00:00:00", int(n)) for i, (c, n) in enumerate(zip(codes, sizes,
                                                                                               strict=True))])
        columns = "snapshot_id, county_code, name, id_number, phone, registered_on"

        def rows():
            serial = 0
            for i, (code, n) in enumerate(zip(codes, sizes, strict=True)):
                for _ in range(int(n)):
                    serial += 1
                    yield (i + 1, code, f"人员{serial}", f"{code}19800101{serial % 10000:04d}"[:18],
                           f"+86138{serial:08d}", today)

        if pg:
            with cur.copy(f"COPY person ({columns}) FROM STDIN") as copy:
                buffer = io.StringIO()
                for count, row in enumerate(rows(), start=1):
                    buffer.write("\t".join(str(v) for v in row) + "\n")
                    if count % 100_000 == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
        else:
            cur.executemany(f"INSERT INTO person ({columns}) VALUES (?, ?, ?, ?, ?, ?)", rows())
        raw.commit()
    finally:
        raw.close()


def load_campaign(engine, codes, sizes, units: int, attempts: int, rng) -> int:
    """Insert a campaign, its draw, units, tasks, attempts, records and snapshots; return the campaign id."""
    from sqlalchemy import func, insert, select

    from models import (
        Attempt,
        Campaign,
        Draw,
        FollowUpSnapshot,
        FollowUpTask,
        Person,
        SampleUnit,
        User,
        Verification,
        campaign_county,
    )

    n_h = np.minimum(sizes_of(units, len(codes), rng), sizes)
    with engine.begin() as conn:
        conn.execute(insert(User), [{"username": "bench", "password_hash": "x", "role": "caller"}])
        user_id = conn.scalar(select(User.id))
        conn.execute(insert(Campaign), [{"name": "bench", "tolerable_rate": 0.05, "confidence": 0.95,
                                         "description": "", "created_at": AT}])
        campaign_id = conn.scalar(select(Campaign.id))
        conn.execute(insert(campaign_county), [{"campaign_id": campaign_id, "county_code": c} for c in codes])
        strata = {c: {"N": int(N), "n": int(n), "reserves": 0} for c, N, n in zip(codes, sizes, n_h, strict=True)}
        conn.execute(insert(Draw), [{
            "campaign_id": campaign_id, "seed_text": "1", "seed": "1", "seed_source": "system", "algorithm": "bench",
            "code_version": "bench", "frame_fingerprint": "x" * 64, "frame_size": int(sizes.sum()),
            "snapshot_ids": list(range(1, len(codes) + 1)), "frame_definition": {}, "design": {}, "strata": strata,
            "excluded_count": 0, "superseded": False, "created_at": AT}])
        draw_id = conn.scalar(select(Draw.id))
        first = dict(conn.execute(select(Person.county_code, func.min(Person.id)).group_by(Person.county_code)).all())
        unit_rows = []
        for code, n in zip(codes, n_h, strict=True):
            for rank in range(1, int(n) + 1):
                pid = first[code] + rank - 1
                unit_rows.append({"draw_id": draw_id, "person_id": pid, "frame_key": str(pid), "stratum": code,
                                  "county_code": code, "rank": rank, "role": "sample", "status": "active"})
        conn.execute(insert(SampleUnit), unit_rows)
        ids = conn.execute(select(SampleUnit.id, SampleUnit.person_id, SampleUnit.county_code)
                           .order_by(SampleUnit.id)).all()
        # Per county a discrepancy level, so that the county table has something to sort.
        level = dict(zip(codes, rng.uniform(0.01, 0.15, len(codes)), strict=True))
        fate = rng.choice(["verified", "unreachable", "refused", "partial", "open"], size=len(ids),
                          p=[0.70, 0.08, 0.04, 0.02, 0.16])
        per_task = rng.multinomial(attempts, np.ones(len(ids)) / len(ids))
        task_rows = []
        for (unit_id, person_id, code), kind, tries in zip(ids, fate, per_task, strict=True):
            task_rows.append({
                "sample_unit_id": unit_id, "campaign_id": campaign_id, "draw_id": draw_id, "person_id": person_id,
                "county_code": code, "start_channel": "phone", "channel": "phone",
                "status": "open" if kind == "open" else "closed", "due_at": AT, "plan_reason": "first_attempt",
                "final_outcome": None if kind == "open" else str(kind), "phone_attempts_used": int(tries),
                "visit_attempts_used": 0, "qc_selected": False, "created_at": AT, "updated_at": AT,
                "closed_at": None if kind == "open" else AT})
        conn.execute(insert(FollowUpTask), task_rows)
        tasks = conn.execute(select(FollowUpTask.id, FollowUpTask.person_id, FollowUpTask.county_code,
                                    FollowUpTask.final_outcome, FollowUpTask.phone_attempts_used)
                             .order_by(FollowUpTask.id)).all()
        attempt_rows, record_rows, key = [], [], 0
        for task_id, person_id, code, outcome, tries in tasks:
            for t in range(tries):
                key += 1
                done = outcome == "verified" and t == tries - 1
                attempt_rows.append({"task_id": task_id, "channel": "phone",
                                     "disposition": "completed" if done else "no_answer",
                                     "at": AT + timedelta(hours=t), "note": "", "caller_id": user_id,
                                     "submission_key": f"a{key}", "created_at": AT})
            if outcome == "verified":
                found = [t for t in TYPES if rng.random() < level[code] / 2]
                got = [s for s in SERVICES if rng.random() < 0.4]
                record_rows.append({
                    "task_id": task_id, "person_id": person_id, "county_code": code, "checked_on": date(2026, 5, 6),
                    "respondent": "self", "identity_confirmed": True, "registered_by_self": True,
                    "unemployed_at_registration": True, "corrections": {}, "current_status": "unemployed_seeking",
                    "services": got, "training_needs": "", "notes": "",
                    "derived": {t: [] for t in found}, "discrepancies": found, "recorded_by_id": user_id,
                    "recorded_at": AT, "submission_key": f"v{task_id}", "version": 1})
        for start in range(0, len(attempt_rows), 20_000):
            conn.execute(insert(Attempt), attempt_rows[start:start + 20_000])
        conn.execute(insert(Verification), record_rows)
        snapshots = []
        for day in range(30):
            for code in codes:
                snapshots.append({"campaign_id": campaign_id, "county_code": code, "day": date(2026, 4, 7) + timedelta(day),
                                  "created_at": AT, "figures": {"tasks": 160, "open": 160 - 5 * day, "closed": 5 * day,
                                                                "awaiting_record": 0, "verified": 4 * day,
                                                                "with_discrepancy": day // 3, "attempts": 12 * day}})
        conn.execute(insert(FollowUpSnapshot), snapshots)
    return campaign_id


def timed(func, runs: int) -> tuple[float, float, float]:
    """Run func runs times (after one warm-up) and return median, min and max in milliseconds."""
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def bench(url: str, label: str, args) -> None:
    """Fill one database and print the timings."""
    from sqlalchemy import func, select, text

    from app import create_app
    from campaigns.service import current_draw
    from core.database import make_engine
    from core.extensions import db
    from models import Campaign, County, Person, RectificationItem
    from reports.cases import CaseFilter, list_cases
    from reports.figures import Options, campaign_figures, clear_caches, county_figures
    from reports.rectification import generate_items

    rng = np.random.default_rng(20260407)
    codes = [f"{449000 + i + 1}" for i in range(args.counties)]
    sizes = sizes_of(args.persons, args.counties, rng)
    engine = make_engine(url)
    start = time.perf_counter()
    load_persons(engine, codes, sizes)
    campaign_id = load_campaign(engine, codes, sizes, args.units, args.attempts, rng)
    loaded = time.perf_counter() - start
    engine.dispose()

    instance = tempfile.mkdtemp(prefix="bench-instance-")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SPOTCHECK_INSTANCE": instance, "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        session = db.session
        if engine.dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()
        campaign = session.get(Campaign, campaign_id)
        today = date(2026, 6, 1)
        start = time.perf_counter()
        made = generate_items(session, campaign, datetime.now(UTC), today, 30)
        session.commit()
        generated = time.perf_counter() - start
        counts = {
            "persons": session.scalar(select(func.count(Person.id))),
            "counties": session.scalar(select(func.count(County.code))),
            "rectification items": session.scalar(select(func.count(RectificationItem.id))),
        }
        draw = current_draw(session.get(Campaign, campaign_id))
        biggest = max(zip(sizes, codes, strict=True))[1]

        def dashboard(cold=True):
            if cold:
                clear_caches()
            session.expire_all()
            return campaign_figures(session, campaign, Options(today=today))

        def drill_down(cold=True):
            if cold:
                clear_caches()
            session.expire_all()
            figures = county_figures(session, campaign, biggest, Options(today=today))
            cases = list_cases(session, draw.id, CaseFilter("discrepant", "any", biggest))
            return figures, cases

        dash = timed(dashboard, args.runs)
        dash_warm = timed(lambda: dashboard(cold=False), args.runs)
        drill = timed(drill_down, args.runs)
        drill_warm = timed(lambda: drill_down(cold=False), args.runs)
        result = dashboard()

    from auth.accounts import create_user

    with app.app_context():
        create_user(db.session, "bench-manager", "bench-password-1", "manager", None)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench-manager", "password": "bench-password-1"})
    page = timed(lambda: client.get(f"/reports/{campaign_id}/"), max(args.runs // 3, 3))

    print(f"\n== {label} ==")
    print(f"loaded {counts} in {loaded:.1f} s; {made['created']} rectification items generated in {generated:.2f} s")
    print(f"sample units {result['overall']['units']}, resolved {result['overall']['resolved']}, "
          f"attempts {result['overall']['attempts']}, counties in the table {len(result['counties'])}")
    for name, (median, low, high) in (("dashboard data, whole campaign, cold", dash),
                                      ("dashboard data, whole campaign, warm", dash_warm),
                                      (f"county drill-down ({biggest}), cold", drill),
                                      (f"county drill-down ({biggest}), warm", drill_warm)):
        print(f"{name:38s}: median {median:7.1f} ms  (min {low:.1f}, max {high:.1f})")
    print(f"{'dashboard page, rendered, warm':38s}: median {page[0]:7.1f} ms  (min {page[1]:.1f}, max {page[2]:.1f})")
    with app.app_context():
        db.session.remove()
    app.extensions["database_engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", help="a scratch PostgreSQL database URL (its schema is dropped)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            migrate.upgrade(url)
            bench(url, "SQLite", args)
    if args.postgres:
        from sqlalchemy import create_engine, text

        engine = create_engine(args.postgres)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(args.postgres)
        bench(args.postgres, "PostgreSQL", args)


if __name__ == "__main__":
    main()
