"""The province-sized database of bench/bench_pages.py: a million persons in 120 counties, a campaign
with 20,000 units and its follow-up, built once with plain bulk inserts and reused while its marker
matches (the description there says what it holds)."""

import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VERSION = 3  # change when the data built below changes: an older database is then rebuilt
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
    from sqlalchemy import func, insert, select, text
    from sqlalchemy.orm import Session

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
    from roster.quality_store import (
        ROW_FACT_COLUMNS,
        mark_snapshot_duplicates,
        refresh_cross_county,
        row_facts,
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
    # The data-quality facts an import stores with each person (roster/quality_store.py), the same way.
    rows = (row + row_facts(*row[4:10], row[14]) for row in person_rows(codes, sizes, snapshot_of, rng, today))
    bulk_insert(conn, "person", (*PERSON_COLUMNS, *ROW_FACT_COLUMNS), rows)
    with Session(bind=conn) as session:  # joins the load's transaction
        mark_snapshot_duplicates(session, snapshot_of.values())
        refresh_cross_county(session, list(snapshot_of.values()), [])
    conn.execute(text("UPDATE roster_snapshot SET person_count = (SELECT count(*) FROM person WHERE "
                      "person.snapshot_id = roster_snapshot.id), registered_count = (SELECT count(*) FROM person "
                      "WHERE person.snapshot_id = roster_snapshot.id AND person.cancelled_on IS NULL)"))
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
        # Migrations added since the build (new indexes, say) apply to the data as they would in production.
        migrate.upgrade(url)
        print(f"reusing {url} ({marker}, schema at the latest migration)", flush=True)
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


def make_app(url: str, args):
    from app import create_app

    Path(args.data_dir, "instance").mkdir(parents=True, exist_ok=True)
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-pages", "SPOTCHECK_INSTANCE": str(Path(args.data_dir, "instance")),
                       "TESTING": True, "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "SEARCH_MAX_PER_MINUTE": 1_000_000, "IMPORTS_IN_BACKGROUND": False})
