"""Time every GET route of the app, as four users, on a province-sized database (a page budget).

    .venv/bin/python bench/bench_pages.py [--persons 1000000] [--counties 120] [--rounds 5]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages]
        [--only <substring>] [--json out.json] [--profile] [--data-dir /tmp/bench_pages]

The database is built once and reused while its size/version marker matches (the description of the
campaign named "bench_pages"): on SQLite a file under --data-dir named after the size, on PostgreSQL
the database of --database-url, whose public schema is DROPPED and recreated when the marker does not
match (point it at a scratch database). It holds:

  persons      --persons synthetic persons (valid ID numbers: area code, birth date, sequence, check
               digit) in --counties counties (Zhanjiang's ten, then synthetic codes 449001, …) of
               uneven size; one current roster snapshot per county, and an earlier (non-current) one
               for three counties; a little dirt for the data-quality page (missing phones and
               addresses, IDs repeated in a county and across counties, persons past retirement age,
               cancellations dated in the future);
  campaign     one campaign over every county, one draw with 20,000 sample units (proportional to the
               county sizes) and 20 % reserves, 2 % of the units replaced by a reserve;
  follow-up    one task per active unit, 50,000 attempts, 15,000 verification records (about 8 % with
               confirmed discrepancies), one rectification item per confirmed discrepancy, 30 days of
               follow-up snapshots, an import batch with problems per county.

Rows go in with SQLAlchemy Core `insert()` of lists of dicts (persons: core.database.bulk_insert), never
through the ORM; users are made with auth.accounts.create_user.

Then it logs in through the login form (Flask test client, in-process) as a coordinator (all
counties), a caller, a manager (all counties) and a county liaison (a manager of 440802), and GETs
every GET route of the URL map (parameters filled with real ids; a few routes twice, with a search or
filter query), --rounds times each (rounds outermost), and prints the median and p95 per route and user.
Budget: pages and JSON ≤ 300 ms median and ≤ 500 ms p95; file exports (xlsx/csv) ≤ 3 s median.
Routes whose parameters name nothing that exists are listed as skipped. --profile also prints, per
route and user over budget, the slowest SELECTs of one more request (re-run with their rows fetched) and
their plans.
"""

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VERSION = 1  # change when the data built below changes: an older database is then rebuilt
PASSWORD = "bench-password-2026"
USERS = {  # key: (username, role, county)
    "coordinator": ("bench_coord", "coordinator", None),
    "caller": ("bench_caller", "caller", None),
    "manager": ("bench_manager", "manager", None),
    "liaison": ("bench_liaison", "manager", "440802"),
}
LIAISON_COUNTY = "440802"
CALLERS = 20  # the caller above and 19 colleagues share the tasks
UNITS, ATTEMPTS, RECORDS = 20_000, 50_000, 15_000
PAGE_BUDGET = (300.0, 500.0)  # ms: median, p95
EXPORT_BUDGET = 3000.0  # ms, median and p95
SKIPPED_RULES = {"/static/<path:filename>", "/lang/<code>", "/logout"}
TYPES = ("not_authentic", "inaccurate_data", "should_have_been_cancelled", "assistance_not_delivered")
SERVICES = ("job_referral", "vocational_guidance", "skills_training", "entrepreneurship_support",
            "employment_assistance", "unemployment_insurance", "certificate_issued", "agency_callback")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯许邓曾彭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红建国文"
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character of the first 17 characters of an ID number."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def county_codes(count: int) -> list[str]:
    """Zhanjiang's ten codes (seeded by the migrations), then synthetic ones."""
    from config.counties import ZHANJIANG_COUNTIES

    codes = [c.code for c in ZHANJIANG_COUNTIES][:count]
    return codes + [f"{449000 + i}" for i in range(1, count - len(codes) + 1)]


def county_sizes(total: int, parts: int, rng) -> np.ndarray:
    """Split total into parts of uneven (log-normal) sizes that add up exactly."""
    weights = rng.lognormal(0.0, 0.6, parts)
    sizes = np.floor(weights / weights.sum() * total).astype(int)
    sizes[: total - sizes.sum()] += 1
    return sizes


def marker_of(args) -> str:
    return f"bench_pages v{VERSION} persons={args.persons} counties={args.counties}"


# --------------------------------------------------------------------------------------------- data


def person_rows(codes, sizes, snapshot_of, rng, today: date):
    """Yield person tuples (PERSON_COLUMNS) county by county, with a little dirt for the quality page."""
    n = int(sizes.sum())
    birth = rng.integers(0, 38 * 365, n)  # born 1966-2003
    old = rng.random(n) < 0.003  # past retirement age and still registered
    birth = np.where(old, -rng.integers(365, 9 * 365, n), birth)
    registered = rng.integers(0, 3 * 365, n)
    phone_missing = rng.random(n) < 0.03
    address_missing = rng.random(n) < 0.01
    reason_missing = rng.random(n) < 0.01
    cancelled = rng.random(n) < 0.05
    future = rng.random(n) < 0.001
    repeat_in_county = rng.random(n) < 0.001
    repeat_across = rng.random(n) < 0.0005
    names = rng.integers(0, len(SURNAMES) * len(GIVEN) * len(GIVEN), n)
    epoch, reg0 = date(1966, 1, 1), date(2023, 1, 1)
    serial, previous, ids = 0, None, []
    for code, size in zip(codes, sizes, strict=True):
        for row in range(int(size)):
            born = epoch + timedelta(days=int(birth[serial]))
            seq = serial % 1000
            first17 = f"{code}{born:%Y%m%d}{seq:03d}"
            id_number = first17 + check_digit(first17)
            if repeat_in_county[serial] and previous and previous[0] == code:
                id_number = previous[1]
            elif repeat_across[serial] and len(ids) > 1000:
                id_number = ids[int(rng.integers(0, len(ids) - 500))]
            previous = (code, id_number)
            if serial % 97 == 0:
                ids.append(id_number)
            k = int(names[serial])
            name = (SURNAMES[k % len(SURNAMES)] + GIVEN[(k // len(SURNAMES)) % len(GIVEN)]
                    + GIVEN[k // (len(SURNAMES) * len(GIVEN))])
            reg = reg0 + timedelta(days=int(registered[serial]))
            if future[serial]:
                cancelled_on = today + timedelta(days=30)
            elif cancelled[serial]:
                cancelled_on = reg + timedelta(days=200)
            else:
                cancelled_on = None
            address = None if address_missing[serial] else f"样例市样例县样例街道{row % 500}号"
            yield (snapshot_of[code], code, row + 2, name, "1" if seq % 2 else "2", id_number,
                   None if phone_missing[serial] else f"+86138{serial:08d}", address, address,
                   None if reason_missing[serial] else f"0{1 + serial % 4}", reg,
                   f"样例县{code}公共就业服务中心", f"{code}{serial:010d}", "10", cancelled_on)
            serial += 1


PERSON_COLUMNS = ("snapshot_id", "county_code", "source_row", "name", "gender", "id_number", "phone",
                  "household_address", "residence_address", "unemployment_reason", "registered_on",
                  "registering_agency", "certificate_number", "employment_status", "cancelled_on")


def load(session, args, user_ids: dict) -> None:
    """Fill the (migrated, empty but for the counties and users) database; the marker goes in last."""
    from sqlalchemy import func, insert, select

    from core.database import bulk_insert
    from models import (
        Attempt,
        Campaign,
        County,
        Draw,
        FollowUpSnapshot,
        FollowUpTask,
        ImportBatch,
        ImportProblem,
        Person,
        RectificationItem,
        RosterSnapshot,
        SampleUnit,
        Verification,
        campaign_county,
    )

    rng = np.random.default_rng(20260415)
    today = date.today()
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    codes = county_codes(args.counties)
    sizes = county_sizes(args.persons, len(codes), rng)
    conn = session.connection()
    started = time.perf_counter()
    known = set(conn.scalars(select(County.code)))
    conn.execute(insert(County), [{"code": c, "name_zh": f"样例县{c}", "name_en": f"Sample county {c}",
                                   "official": False, "active": True} for c in codes if c not in known])
    conn.execute(insert(ImportBatch), [{
        "filename": f"{c}.csv", "fingerprint": f"{c:0<64}", "size_bytes": int(n) * 200, "stored_path": f"/nonexistent/{c}",
        "uploaded_by_id": user_ids["coordinator"], "created_at": at, "status": "committed", "default_county": c,
        "headers": [], "header_mapping": {}, "counties": [c], "rows_total": int(n), "rows_read": int(n),
        "rows_valid": int(n), "rows_rejected": 0, "rows_warned": 0, "added": int(n), "updated": 0, "unchanged": 0,
        "removed": 0, "duplicates": 0, "county_counts": {}, "base_snapshots": {}, "finished_at": at,
        "committed_at": at} for c, n in zip(codes, sizes, strict=True)])
    batch_of = dict(conn.execute(select(ImportBatch.default_county, ImportBatch.id)).all())
    conn.execute(insert(ImportProblem), [{
        "batch_id": batch_of[c], "row": r + 2, "field": "phone", "value": "12345", "code": "phone_invalid",
        "severity": "warning", "message_zh": "电话号码无效", "message_en": "Phone number not valid"}
        for c in codes for r in range(50)])
    # Three counties have an earlier snapshot (a third of the rows of today's) for the history pages.
    earlier = codes[:3]
    conn.execute(insert(RosterSnapshot), [{
        "county_code": c, "source": "bench (earlier)", "created_at": at - timedelta(days=60), "row_count": 0,
        "is_current": False} for c in earlier])
    conn.execute(insert(RosterSnapshot), [{
        "county_code": c, "source": f"{c}.csv", "created_at": at, "row_count": int(n), "is_current": True,
        "batch_id": batch_of[c], "created_by_id": user_ids["coordinator"]} for c, n in zip(codes, sizes, strict=True)])
    snapshot_of = dict(conn.execute(select(RosterSnapshot.county_code, RosterSnapshot.id)
                                    .where(RosterSnapshot.is_current)).all())
    bulk_insert(conn, "person", PERSON_COLUMNS, person_rows(codes, sizes, snapshot_of, rng, today))
    old_of = dict(conn.execute(select(RosterSnapshot.county_code, RosterSnapshot.id)
                               .where(~RosterSnapshot.is_current)).all())
    for c in earlier:
        rows = [dict(r._mapping) for r in conn.execute(select(*[Person.__table__.c[name] for name in PERSON_COLUMNS])
                                                        .where(Person.snapshot_id == snapshot_of[c]))][::3]
        conn.execute(insert(Person), [r | {"snapshot_id": old_of[c]} for r in rows])
        conn.execute(RosterSnapshot.__table__.update().where(RosterSnapshot.id == old_of[c]).values(row_count=len(rows)))
    print(f"  persons loaded in {time.perf_counter() - started:.1f} s", flush=True)

    # The campaign, its draw and units: proportional allocation, 20 % reserves, 2 % replaced.
    conn.execute(insert(Campaign), [{
        "name": "bench_pages", "description": "(building)", "period_start": today - timedelta(days=30),
        "period_end": today + timedelta(days=30), "tolerable_rate": 0.05, "confidence": 0.95,
        "created_by_id": user_ids["coordinator"], "created_at": at}])
    campaign_id = conn.scalar(select(Campaign.id).where(Campaign.name == "bench_pages"))
    conn.execute(insert(campaign_county), [{"campaign_id": campaign_id, "county_code": c} for c in codes])
    n_h = np.maximum(np.round(sizes / sizes.sum() * UNITS).astype(int), 2)
    r_h = np.ceil(n_h * 0.2).astype(int)
    strata = {c: {"N": int(N), "n": int(n), "reserves": int(r)} for c, N, n, r in zip(codes, sizes, n_h, r_h, strict=True)}
    design = {"method": "fixed", "n": None, "total": UNITS, "allocation": "proportional", "minimum": 2, "margin": None,
              "confidence": 0.95, "rate": 0.5, "tolerable": 0.05, "expected": 0.0, "rates": {}, "reserve_share": 0.2,
              "reserve_count": None}
    frame = {"counties": codes, "population": "registered", "cancelled_from": None, "cancelled_to": None,
             "stratify_by": None, "exclude_months": None}
    conn.execute(insert(Draw), [{
        "campaign_id": campaign_id, "seed_text": "bench 20260415", "seed": "20260415", "seed_source": "public",
        "algorithm": "stratified-pcg64-min-keys/1", "code_version": "bench", "frame_fingerprint": "0" * 64,
        "frame_size": int(sizes.sum()), "snapshot_ids": [snapshot_of[c] for c in codes], "frame_definition": frame,
        "design": design, "strata": strata, "excluded_count": 0, "superseded": False,
        "created_by_id": user_ids["coordinator"], "created_at": at}])
    draw_id = conn.scalar(select(Draw.id).where(Draw.campaign_id == campaign_id))
    bounds = dict((c, (lo, hi)) for c, lo, hi in conn.execute(
        select(Person.county_code, func.min(Person.id), func.max(Person.id))
        .where(Person.snapshot_id.in_(list(snapshot_of.values()))).group_by(Person.county_code)))
    unit_rows = []
    for c, n, r in zip(codes, n_h, r_h, strict=True):
        lo, hi = bounds[c]
        chosen = rng.choice(np.arange(lo, hi + 1), size=min(int(n + r), hi - lo + 1), replace=False)
        replaced = {rank for rank in range(1, int(n) + 1) if rng.random() < 0.02}
        reserves_used = 0
        for rank, pid in enumerate(chosen.tolist(), start=1):
            role = "sample" if rank <= n else "reserve"
            if role == "sample":
                status = "replaced" if rank in replaced else "active"
            else:
                status = "active" if reserves_used < len(replaced) else "standby"
                reserves_used += status == "active"
            unit_rows.append({"draw_id": draw_id, "person_id": pid, "frame_key": f"{c}:{pid}", "stratum": c,
                              "county_code": c, "rank": rank, "role": role, "status": status,
                              "replacement_reason": "out_of_scope" if status == "replaced" else None,
                              "replaced_at": at if status == "replaced" else None})
    conn.execute(insert(SampleUnit), unit_rows)

    # Tasks of the active units; fates; attempts; verification records; rectification items.
    units = conn.execute(select(SampleUnit.id, SampleUnit.person_id, SampleUnit.county_code)
                         .where(SampleUnit.draw_id == draw_id, SampleUnit.status == "active")
                         .order_by(SampleUnit.id)).all()
    callers = [user_ids["caller"]] + [user_ids[f"caller{i:02d}"] for i in range(2, CALLERS + 1)]
    verified = set(rng.choice(len(units), size=min(RECORDS, len(units)), replace=False).tolist())
    others = rng.choice(["open", "refused", "unreachable", "deceased"], size=len(units), p=[0.7, 0.1, 0.17, 0.03])
    fates = ["verified" if i in verified else str(others[i]) for i in range(len(units))]
    tries = np.ones(len(units), dtype=int)
    tries += rng.multinomial(max(ATTEMPTS - len(units), 0), np.ones(len(units)) / len(units))
    task_rows = []
    for i, ((unit_id, person_id, c), fate) in enumerate(zip(units, fates, strict=True)):
        visit = fate == "unreachable" or (fate != "open" and i % 10 == 0)
        closed = fate != "open"
        task_rows.append({
            "sample_unit_id": unit_id, "campaign_id": campaign_id, "draw_id": draw_id, "person_id": person_id,
            "county_code": c, "start_channel": "phone", "channel": "visit" if visit else "phone",
            "status": "closed" if closed else "open",
            "due_at": None if closed else at + timedelta(days=int(rng.integers(20, 40)), hours=int(rng.integers(0, 10))),
            "plan_reason": ("verified" if fate == "verified" else "ended_by_disposition") if closed else "retry",
            "final_outcome": fate if closed else None, "phone_attempts_used": int(tries[i]), "visit_attempts_used": 0,
            "assigned_to_id": callers[i % CALLERS], "qc_selected": fate == "verified" and i % 50 == 0,
            "created_at": at, "updated_at": at, "closed_at": at + timedelta(days=int(i % 28)) if closed else None})
    for start in range(0, len(task_rows), 5000):
        conn.execute(insert(FollowUpTask), task_rows[start:start + 5000])
    tasks = conn.execute(select(FollowUpTask.id, FollowUpTask.person_id, FollowUpTask.county_code,
                                FollowUpTask.final_outcome, FollowUpTask.assigned_to_id)
                         .where(FollowUpTask.draw_id == draw_id).order_by(FollowUpTask.id)).all()
    last = {"verified": "completed", "refused": "refused", "deceased": "deceased", "unreachable": "number_not_exist",
            None: "no_answer"}
    attempt_rows, record_rows = [], []
    for i, (task_id, person_id, c, outcome, caller) in enumerate(tasks):
        for t in range(int(tries[i])):
            final = t == tries[i] - 1
            attempt_rows.append({"task_id": task_id, "channel": "phone",
                                 "disposition": last[outcome] if final else ("no_answer", "busy")[t % 2],
                                 "at": at + timedelta(days=int(i % 28), hours=t), "note": "", "caller_id": caller,
                                 "submission_key": f"a{task_id}-{t}", "created_at": at})
        if outcome == "verified":
            found = [kind for kind in TYPES if rng.random() < 0.025]
            record_rows.append({
                "task_id": task_id, "person_id": person_id, "county_code": c,
                "checked_on": (at + timedelta(days=int(i % 28))).date(), "respondent": "self",
                "identity_confirmed": True, "registered_by_self": True, "unemployed_at_registration": True,
                "corrections": {}, "current_status": "employed" if found else "unemployed_seeking",
                "services": [s for s in SERVICES if rng.random() < 0.4], "satisfaction": "satisfied",
                "wish_to_work": "yes", "training_needs": "", "notes": "",
                "derived": {kind: ["wrong_core_field"] for kind in found}, "discrepancies": found,
                "recorded_by_id": caller, "recorded_at": at + timedelta(days=int(i % 28)),
                "submission_key": f"v{task_id}", "version": 1})
    for start in range(0, len(attempt_rows), 10_000):
        conn.execute(insert(Attempt), attempt_rows[start:start + 10_000])
    for start in range(0, len(record_rows), 5000):
        conn.execute(insert(Verification), record_rows[start:start + 5000])
    items = []
    for vid, task_id, person_id, c, found in conn.execute(
            select(Verification.id, Verification.task_id, Verification.person_id, Verification.county_code,
                   Verification.discrepancies).join(FollowUpTask, FollowUpTask.id == Verification.task_id)
            .where(FollowUpTask.draw_id == draw_id)):
        for kind in found or []:
            status = ("open", "open", "rectified", "accepted")[vid % 4]
            items.append({"campaign_id": campaign_id, "county_code": c, "verification_id": vid, "task_id": task_id,
                          "person_id": person_id, "discrepancy_type": kind, "found": {"reasons": ["wrong_core_field"]},
                          "register": {"employment_status": "10"}, "status": status, "due_on": today + timedelta(days=20),
                          "rectified_on": today if status != "open" else None, "reopened_count": 0,
                          "created_at": at, "updated_at": at})
    if items:
        conn.execute(insert(RectificationItem), items)
    snapshots = []
    for day in range(30):
        for c, n in zip(codes, n_h, strict=True):
            done = int(n) * day // 30
            snapshots.append({"campaign_id": campaign_id, "county_code": c, "day": today - timedelta(days=30 - day),
                              "created_at": at, "figures": {
                                  "tasks": int(n), "open": int(n) - done, "awaiting_record": 0, "closed": done,
                                  "outcomes": {"verified": done}, "open_by_channel": {"phone": int(n) - done},
                                  "attempts": done * 2, "verified": done, "with_discrepancy": done // 12,
                                  "discrepancies": {}}})
    conn.execute(insert(FollowUpSnapshot), snapshots)
    conn.execute(Campaign.__table__.update().where(Campaign.id == campaign_id).values(description=marker_of(args)))
    session.commit()
    print(f"  loaded in {time.perf_counter() - started:.1f} s: {len(unit_rows)} units, {len(task_rows)} tasks, "
          f"{len(attempt_rows)} attempts, {len(record_rows)} records, {len(items)} rectification items", flush=True)


def prepare(url: str, args) -> None:
    """Build the database at `url` unless it already holds this size and version."""
    from sqlalchemy import create_engine, inspect, text

    from core import migrate

    engine = create_engine(url)
    marker = None
    if "campaign" in inspect(engine).get_table_names():
        with engine.connect() as conn:
            marker = conn.scalar(text("SELECT description FROM campaign WHERE name = 'bench_pages'"))
    if marker == marker_of(args):
        engine.dispose()
        print(f"reusing {url} ({marker})", flush=True)
        return
    print(f"building {url} ({marker_of(args)})", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        engine.dispose()
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine.dispose()
    migrate.upgrade(url)
    app = make_app(url, args)
    from auth.accounts import create_user
    from core.extensions import db

    with app.app_context():
        ids = {key: create_user(db.session, name, PASSWORD, role, county).id for key, (name, role, county) in USERS.items()}
        ids |= {f"caller{i:02d}": create_user(db.session, f"bench_caller{i:02d}", PASSWORD, "caller").id
                for i in range(2, CALLERS + 1)}
        db.session.commit()
        load(db.session, args, ids)
        # Statistics for the planner, as a database that has lived a while has them.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
    app.extensions["database_engine"].dispose()


# ------------------------------------------------------------------------------------------ routes


def make_app(url: str, args):
    from app import create_app

    Path(args.data_dir, "instance").mkdir(parents=True, exist_ok=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-pages", "SPOTCHECK_INSTANCE": str(Path(args.data_dir, "instance")),
                       "TESTING": True, "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "SEARCH_MAX_PER_MINUTE": 1_000_000, "IMPORTS_IN_BACKGROUND": False})


def real_ids(session) -> dict:
    """Find the objects the URL parameters name: all of the liaison's county where they have one."""
    from sqlalchemy import select

    from models import (
        CallRecord,
        Campaign,
        Draw,
        FollowUpTask,
        ImportBatch,
        Person,
        RectificationItem,
        RosterSnapshot,
        Verification,
    )

    c = LIAISON_COUNTY
    campaign = session.scalar(select(Campaign.id).where(Campaign.name == "bench_pages"))
    return {
        "<int:campaign_id>": campaign,
        "<int:draw_id>": session.scalar(select(Draw.id).where(Draw.campaign_id == campaign)),
        "<int:task_id>": session.scalar(select(FollowUpTask.id).join(Verification, Verification.task_id == FollowUpTask.id)
                                        .where(FollowUpTask.county_code == c).order_by(FollowUpTask.id).limit(1)),
        "<int:batch_id>": session.scalar(select(ImportBatch.id).where(ImportBatch.default_county == c)),
        "<int:item_id>": session.scalar(select(RectificationItem.id).where(RectificationItem.county_code == c)
                                        .order_by(RectificationItem.id).limit(1)),
        "<int:snapshot_id>": session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.county_code == c,
                                                                            ~RosterSnapshot.is_current)),
        "<int:call_id>": session.scalar(select(CallRecord.id).limit(1)),
        "<county>": c, "<code>": c, "<channel>": "phone",
        "person": session.execute(select(Person.name, Person.id_number).where(Person.county_code == c)
                                  .order_by(Person.id).limit(1)).one(),
    }


# Routes asked twice or more: with their parameters, and with a query that exercises a search or filter.
VARIANTS = {
    "/roster/": ["", "?q={surname}", "?q={id_number}", "?q={name}{last4}", "?county=440802",
                 "?flag=duplicate_across_counties", "?page=200"],
    "/api/v1/persons": ["", "?q={surname}", "?q={id_number}"],
    "/reports/<int:campaign_id>/cases": ["", "?kind=discrepant&code=any"],
    "/api/v1/campaigns/<int:campaign_id>/statistics/cases": ["", "?kind=discrepant&code=any"],
    "/campaigns/draws/<int:draw_id>/export.<fmt>": {"<fmt>": ["xlsx", "csv"]},
    "/reports/<int:campaign_id>/export/<what>.<fmt>": {"<what>.<fmt>": ["statistics.xlsx", "verifications.xlsx",
                                                                         "verifications.csv", "attempts.csv",
                                                                         "rectification.xlsx"]},
    "/api/v1/draws/<int:draw_id>/export": ["?format=xlsx", "?format=csv"],
}


def urls(app, ids) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return (rule, url) pairs to time, and (rule, reason) pairs skipped."""
    import re

    name, id_number = ids["person"]
    fields = {"surname": name[0], "id_number": id_number, "name": name, "last4": id_number[-4:]}
    out, skipped = [], []
    for rule in sorted({r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}):
        if rule in SKIPPED_RULES:
            skipped.append((rule, "not a page (static file, language switch, logout)"))
            continue
        variants = VARIANTS.get(rule, [""])
        bases = [rule]
        if isinstance(variants, dict):
            (key, values), = variants.items()
            bases, variants = [rule.replace(key, v) for v in values], [""]
        missing = [p for p in re.findall(r"<[^>]+>", bases[0]) if ids.get(p) is None]
        if missing:
            skipped.append((rule, f"nothing exists for {', '.join(missing)}"))
            continue
        for base in bases:
            url = base
            for key, value in ids.items():
                if key.startswith("<"):
                    url = url.replace(key, str(value))
            for query in variants:
                out.append((rule, url + query.format(**fields)))
    return out, skipped


def is_export(response) -> bool:
    kind = response.mimetype or ""
    return "spreadsheet" in kind or "csv" in kind or response.headers.get("Content-Disposition", "").startswith("attachment")


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def run(url: str, label: str, args) -> dict:
    """Time every route as every user; print the table and return it."""
    from core.extensions import db

    app = make_app(url, args)
    with app.app_context():
        ids = real_ids(db.session)
        db.session.remove()
    todo, skipped = urls(app, ids)
    if args.only:
        todo = [(rule, u) for rule, u in todo if args.only in u or args.only in rule]
    clients = {}
    for key, (username, _role, _county) in USERS.items():
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code in (302, 303), f"login of {username} answered {response.status_code}"
        clients[key] = client
    times: dict[tuple[str, str], list[float]] = {}
    meta: dict[tuple[str, str], dict] = {}
    for round_no in range(args.rounds):
        started = time.perf_counter()
        for _rule, u in todo:
            for key, client in clients.items():
                t0 = time.perf_counter()
                try:
                    response = client.get(u)
                    status, export, size = response.status_code, is_export(response), len(response.data)
                except Exception as error:  # noqa: BLE001 - a crashing route is reported, not fatal
                    status, export, size = f"error {type(error).__name__}", False, 0
                times.setdefault((u, key), []).append((time.perf_counter() - t0) * 1000)
                meta[(u, key)] = {"status": status, "export": export, "bytes": size}
        print(f"  round {round_no + 1}/{args.rounds}: {time.perf_counter() - started:.1f} s", flush=True)

    rows = []
    for (u, key), values in times.items():
        m = meta[(u, key)]
        median, high = statistics.median(values), p95(values)
        ok_status = isinstance(m["status"], int) and m["status"] < 400
        limit = (EXPORT_BUDGET, EXPORT_BUDGET) if m["export"] else PAGE_BUDGET
        over = ok_status and (median > limit[0] or high > limit[1])
        rows.append({"url": u, "user": key, "status": m["status"], "export": m["export"], "bytes": m["bytes"],
                     "median_ms": round(median, 1), "p95_ms": round(high, 1), "over_budget": over,
                     "runs_ms": [round(v, 1) for v in values]})
    print(f"\n== {label}: {len(todo)} URLs x {len(clients)} users x {args.rounds} rounds ==")
    print(f"{'route':72s} {'user':12s} {'status':>6s} {'median':>9s} {'p95':>9s}  budget")
    for row in rows:
        flag = "OVER" if row["over_budget"] else ("-" if not (isinstance(row["status"], int) and row["status"] < 400)
                                                    else "ok")
        kind = " (export)" if row["export"] else ""
        print(f"{row['url'][:72]:72s} {row['user']:12s} {row['status']!s:>6s} {row['median_ms']:9.1f} "
              f"{row['p95_ms']:9.1f}  {flag}{kind}")
    over = [r for r in rows if r["over_budget"]]
    print(f"\n{len(over)} of {len(rows)} (route, user) pairs over budget "
          f"(pages/JSON: median ≤ {PAGE_BUDGET[0]:.0f} ms and p95 ≤ {PAGE_BUDGET[1]:.0f} ms; exports ≤ {EXPORT_BUDGET / 1000:.0f} s)")
    for rule, reason in skipped:
        print(f"skipped {rule}: {reason}")

    if args.profile:
        profile(app, clients, sorted(over, key=lambda r: -r["median_ms"]))
    with app.app_context():
        db.session.remove()
    app.extensions["database_engine"].dispose()
    return {"database": label, "url": url.split("@")[-1], "rows": rows, "skipped": skipped}


def profile(app, clients, rows) -> None:
    """For each (route, user) over budget: one more request, then its slowest SELECTs re-run with their rows
    fetched (on SQLite an aggregate does its work in the fetch, not in execute) and their plans."""
    from sqlalchemy import event

    engine = app.extensions["database_engine"]
    postgres = engine.dialect.name == "postgresql"
    print("\n== over budget: the slowest statements of one more request, re-run with fetch, and their plans ==")
    for row in rows:
        recorded: dict[str, object] = {}
        repeats: dict[str, int] = {}

        def record(conn, cursor, statement, parameters, context, executemany, into=recorded, seen=repeats):
            if not executemany:
                into.setdefault(statement, parameters)
                seen[statement] = seen.get(statement, 0) + 1

        event.listen(engine, "before_cursor_execute", record)
        t0 = time.perf_counter()
        try:
            clients[row["user"]].get(row["url"])
        finally:
            event.remove(engine, "before_cursor_execute", record)
        total = (time.perf_counter() - t0) * 1000
        selects = [(s, p) for s, p in recorded.items() if s.lstrip()[:6].upper() in ("SELECT", "WITH")]
        raw = engine.raw_connection()
        try:
            cursor, timed_selects = raw.cursor(), []
            for statement, parameters in selects:
                t0 = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                timed_selects.append(((time.perf_counter() - t0) * 1000, statement, parameters))
            timed_selects.sort(key=lambda x: -x[0])
            sql = sum(ms for ms, _s, _p in timed_selects)
            print(f"\n-- {row['url']} as {row['user']}: {total:.0f} ms; {sum(repeats.values())} statements "
                  f"({len(recorded)} distinct), the distinct SELECTs re-run with fetch {sql:.0f} ms")
            most, times = max(repeats.items(), key=lambda item: item[1])
            if times > 10:
                print(f"   run {times} times (one per row?): {' '.join(most.split())[:300]}")
            for ms, statement, parameters in timed_selects[:2]:
                cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, parameters)
                plan = [r[0] if postgres else r[3] for r in cursor.fetchall()]
                print(f"   {ms:8.1f} ms  {' '.join(statement.split())[:700]}  {str(parameters)[:120]}")
                print("               plan: " + "\n                     ".join(plan[:12]))
            raw.rollback()
        finally:
            raw.close()


def versions(url: str) -> dict:
    import platform
    import sqlite3

    from sqlalchemy import create_engine, text

    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "kernel": platform.release(),
           "date": datetime.now(UTC).isoformat(timespec="seconds")}
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.connect() as conn:
            out["postgresql"] = conn.scalar(text("SHOW server_version"))
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (its schema is dropped when rebuilt); "
                                               "default: an SQLite file under --data-dir")
    parser.add_argument("--data-dir", default="/tmp/bench_pages")
    parser.add_argument("--only", help="time only the URLs containing this substring")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--profile", action="store_true", help="print the slowest SQL of each route over budget")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    if args.counties < 3 or args.persons < 100 * args.counties:
        parser.error("--counties must be at least 3, and --persons at least 100 per county")
    Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{Path(args.data_dir, f'pages-{args.persons}x{args.counties}-v{VERSION}.sqlite3')}"
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    prepare(url, args)
    if args.build_only:
        return
    result = run(url, label, args) | {"machine": versions(url), "persons": args.persons, "counties": args.counties,
                                      "rounds": args.rounds}
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
