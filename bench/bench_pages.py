"""Time every GET route of the app, as four users, on a province-sized database (a page budget).

    .venv/bin/python bench/bench_pages.py [--persons 1000000] [--counties 120] [--rounds 5]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages]
        [--only <substring>] [--json out.json] [--profile] [--data-dir /tmp/bench_pages]

The database is built once and reused while its size/version marker matches (the description of the
campaign named "bench_pages"; a reused one is first brought up to the latest migration): on SQLite a file under --data-dir named after the size, on PostgreSQL
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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from province_data import (  # noqa: E402
    EXPORT_BUDGET,
    LIAISON_COUNTY,
    PAGE_BUDGET,
    PASSWORD,
    SKIPPED_RULES,
    USERS,
    VERSION,
    make_app,
    prepare,
)

# ------------------------------------------------------------------------------------------ routes


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
        "<int:person_id>": session.scalar(select(RectificationItem.person_id).where(RectificationItem.county_code == c)
                                          .order_by(RectificationItem.id).limit(1)),
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
    "/followup/assignment": ["", "?caller=pool", "?due=overdue&attempts=3%2B", "?page=300"],
    "/api/v1/followup/tasks": ["", "?county=440802&page=2"],
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
