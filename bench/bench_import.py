"""Benchmark: import a 1,000,000-row county file with full validation, against a plain bulk load.

    python bench/make_roster_csv.py --rows 1000000 --counties 120 --output bench/data/roster_1m.csv
    python bench/make_roster_xlsx.py --csv bench/data/roster_1m.csv --output bench/data/roster_1m.xlsx
    python bench/bench_import.py --csv bench/data/roster_1m.csv [--xlsx bench/data/roster_1m.xlsx] [--postgres URL]

Baselines, measured in the same run on the same rows:
- SQLite: plain `sqlite3` executemany of the already-parsed rows into the same person table (same
  indexes), one transaction. Parsing is not timed for the baseline.
- PostgreSQL: plain psycopg COPY of the same already-parsed rows.
Ours: the whole import from the file: read, map headers, validate every row (ID check digit, dates,
phones, codes), compare with the current roster, spool, and commit the snapshots in one transaction.
On PostgreSQL twice: as the command line imports (nobody looks at a preview, so the persons are
written while the file is checked: roster/import_direct.py), and as the page does (check, preview,
then commit), with the re-import of the next version.
With --xlsx, the same rows as a workbook: its first import against the CSV's, in the same run.
Each measurement runs in its own process so that peak memory (max RSS) is its own; the memory of the
process tree (the importing process and its row-checking workers) is sampled every 50 ms.
"""

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ("snapshot_id", "county_code", "source_row", "name", "gender", "id_number", "phone",
           "household_address", "residence_address", "unemployment_reason", "registered_on",
           "registering_agency", "certificate_number", "employment_status", "cancelled_on")


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Sample the resident memory of this process and all its descendants (the fork server and the
    row-checking workers) every 50 ms, keeping the largest total seen."""

    def __init__(self):
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        page_kib = os.sysconf("SC_PAGE_SIZE") / 1024
        while not self._stop.wait(0.05):
            parents, rss = {}, {}
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/stat") as handle:
                            fields = handle.read().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    parents[int(entry)], rss[int(entry)] = int(fields[1]), int(fields[21]) * page_kib / 1024
            tree, grew = {os.getpid()}, True
            while grew:
                grew = False
                for pid, parent in parents.items():
                    if parent in tree and pid not in tree:
                        tree.add(pid)
                        grew = True
            self.peak_mib = max(self.peak_mib, sum(rss.get(pid, 0.0) for pid in tree))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mib


def parsed_rows(path):
    """Parse and clean the CSV into tuples in the person table's column order (untimed for the baseline).

    The values are those the import stores (codes, E.164 phones), so that both load the same data.
    """
    from config.codelists import EMPLOYMENT_STATUSES, UNEMPLOYMENT_REASONS, code_for

    rows = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for number, r in enumerate(reader, start=2):
            # 姓名 性别 公民身份号码 联系电话 户籍地址 常住地址 失业原因 失业登记日期 登记机构 就业创业证编号 就业状态 注销日期 县区代码
            rows.append((1, r[12], number, r[0], "1" if r[1] == "男" else "2", r[2], r[3] and "+86" + r[3] or None,
                         r[4], r[5], code_for(UNEMPLOYMENT_REASONS, r[6]), r[7], r[8], r[9],
                         code_for(EMPLOYMENT_STATUSES, r[10]), r[11] or None))
    return rows


def county_codes(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return sorted({r[12] for r in reader})


def migrated(url, codes, baseline_snapshot=False):
    """Create the schema (at --revision) and the file's counties in an empty database (and the baselines'
    snapshot)."""
    from sqlalchemy import create_engine, text

    from core import migrate
    migrate.upgrade(url, os.environ.get("BENCH_REVISION") or "head")
    engine = create_engine(url)
    with engine.begin() as conn:
        known = set(conn.execute(text("SELECT code FROM county")).scalars())
        for code in codes:
            if code not in known:
                conn.execute(text("INSERT INTO county (code, name_zh, name_en, official, active) "
                                  "VALUES (:c, :c, :c, true, true)"), {"c": code})
        if baseline_snapshot:
            conn.execute(text("INSERT INTO roster_snapshot (id, county_code, source, created_at, row_count, "
                              "is_current) VALUES (1, :c, 'bench', CURRENT_TIMESTAMP, 0, false)"), {"c": codes[0]})
    engine.dispose()


def reset_postgres(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def baseline_sqlite(csv_path, codes):
    import sqlite3

    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "baseline.sqlite3")
    migrated(f"sqlite:///{path}", codes, baseline_snapshot=True)
    rows = parsed_rows(csv_path)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    if os.environ.get("BENCH_BASELINE_CACHE_MIB"):  # else SQLite's own page cache: the plain baseline
        connection.execute(f"PRAGMA cache_size={-1024 * int(os.environ['BENCH_BASELINE_CACHE_MIB'])}")
    started = time.perf_counter()
    connection.executemany(f"INSERT INTO person ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                           rows)
    connection.commit()
    return {"seconds": time.perf_counter() - started, "rows": len(rows), "peak_mib": peak_mib()}


def baseline_postgres(csv_path, codes, url):
    import psycopg

    reset_postgres(url)
    migrated(url, codes, baseline_snapshot=True)
    rows = parsed_rows(csv_path)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(f"COPY person ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(rows), "peak_mib": peak_mib()}


def empty_app(url, codes):
    """Return the app on an empty migrated database holding the file's counties, and its instance folder."""
    from app import create_app

    if url.startswith("postgresql"):
        reset_postgres(url)
    migrated(url, codes)
    instance = tempfile.mkdtemp()
    os.environ["SPOTCHECK_INSTANCE"] = instance
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}), instance


def ours_once(path, codes, url, workers):
    """Import a file once into an empty database: the workbook's measurement (no re-import)."""
    from core.extensions import db
    from roster import batches, import_check, import_commit
    from roster.table import ReaderError

    app, instance = empty_app(url, codes)
    memory = TreeMemory()
    with app.app_context():
        started = time.perf_counter()
        batch = batches.create_batch(db.session, path, os.path.basename(path), instance)
        db.session.commit()
        try:
            batch = import_check.validate_batch(db.session, batch.id, date.today(), workers=workers)
        except ReaderError as error:
            return {"refused": error.code, "seconds": time.perf_counter() - started, "tree_peak_mib": memory.stop()}
        if batch.status != "previewed":
            return {"refused": f"{batch.status}: {batch.error_code} {batch.error_message}",
                    "seconds": time.perf_counter() - started, "tree_peak_mib": memory.stop()}
        validated = time.perf_counter()
        batch = import_commit.commit_batch(db, batch.id)
        finished = time.perf_counter()
        return {"seconds": finished - started, "validate_seconds": validated - started,
                "commit_seconds": finished - validated, "rows": batch.rows_read, "added": batch.added,
                "peak_mib": peak_mib(), "tree_peak_mib": memory.stop()}


def direct(csv_path, codes, url, workers):
    """Import a file once into an empty PostgreSQL database as the command line does, nobody looking at a
    preview: checked and written in one pass (roster/import_direct.py)."""
    from core.extensions import db
    from roster import batches
    from roster.import_direct import check_and_import

    app, instance = empty_app(url, codes)
    memory = TreeMemory()
    with app.app_context():
        started = time.perf_counter()
        batch = batches.create_batch(db.session, csv_path, os.path.basename(csv_path), instance)
        db.session.commit()
        batch = check_and_import(db, batch.id, date.today(), workers=workers)
        seconds = time.perf_counter() - started
        assert batch.status == "committed", (batch.status, batch.error_code)
        return {"seconds": seconds, "rows": batch.rows_read, "added": batch.added, "peak_mib": peak_mib(),
                "tree_peak_mib": memory.stop(), "workers": workers}


def ours(csv_path, codes, url, workers):
    from core.extensions import db
    from roster import batches, import_check, import_commit

    app, instance = empty_app(url, codes)
    memory = TreeMemory()
    with app.app_context():
        started = time.perf_counter()
        batch = batches.create_batch(db.session, csv_path, os.path.basename(csv_path), instance)
        db.session.commit()
        batch = import_check.validate_batch(db.session, batch.id, date.today(), workers=workers)
        validated = time.perf_counter()
        batch = import_commit.commit_batch(db, batch.id)
        finished = time.perf_counter()
        result = {"seconds": finished - started, "validate_seconds": validated - started,
                  "commit_seconds": finished - validated, "rows": batch.rows_read, "added": batch.added,
                  "rejected": batch.rows_rejected}
        # A new version of the same register (its last row gone): every row is compared with the
        # current roster, the case of a county's monthly re-import.
        again = os.path.join(instance, "next-version.csv")
        with open(csv_path, "rb") as source, open(again, "wb") as target:
            lines = source.readlines()
            target.writelines(lines[:-1])
        started = time.perf_counter()
        batch = batches.create_batch(db.session, again, "next-version.csv", instance)
        db.session.commit()
        batch = import_check.validate_batch(db.session, batch.id, date.today(), workers=workers)
        batch = import_commit.commit_batch(db, batch.id)
        result.update(reimport_seconds=time.perf_counter() - started, reimport_unchanged=batch.unchanged,
                      reimport_removed=batch.removed, peak_mib=peak_mib(), workers=workers,
                      tree_peak_mib=memory.stop())
        return result


def in_subprocess(mode, args):
    output = subprocess.run([sys.executable, __file__, "--csv", args.csv, "--xlsx", args.xlsx or "",
                             "--postgres", args.postgres or "", "--mode", mode, "--workers", args.workers],
                            check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default="bench/data/roster_1m.csv")
    parser.add_argument("--xlsx", default="", help="the same rows as a workbook (bench/make_roster_xlsx.py)")
    parser.add_argument("--postgres", default="", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--mode", default="all")
    parser.add_argument("--skip-sqlite", action="store_true", help="with --postgres: measure PostgreSQL only")
    parser.add_argument("--rounds", type=int, default=1, help="baseline/import pairs to run (medians reported)")
    parser.add_argument("--one-pass-only", action="store_true",
                        help="on PostgreSQL, time only the baseline and the import in one pass (no preview)")
    parser.add_argument("--workers", default="auto", help='row-checking processes: "auto" (one per CPU), or a number')
    parser.add_argument("--revision", default="", help="migrate the databases to this revision, not the latest: "
                        "the same code on the schema of before an index was added, say 0024")
    parser.add_argument("--baseline-cache-mib", type=int, default=0,
                        help="give the SQLite baseline this page cache (the import's commit uses 64 MiB); "
                             "default SQLite's own")
    args = parser.parse_args()
    if args.revision:
        os.environ["BENCH_REVISION"] = args.revision  # read by migrated(), in this process and the measured ones
    if args.baseline_cache_mib:
        os.environ["BENCH_BASELINE_CACHE_MIB"] = str(args.baseline_cache_mib)
    if args.mode != "all":
        from roster.checking import worker_count

        codes = county_codes(args.csv)
        workers = worker_count(args.workers)
        result = {"baseline-sqlite": lambda: baseline_sqlite(args.csv, codes),
                  "baseline-postgres": lambda: baseline_postgres(args.csv, codes, args.postgres),
                  "ours-sqlite": lambda: ours(args.csv, codes, f"sqlite:///{tempfile.mkdtemp()}/ours.sqlite3", workers),
                  "ours-postgres": lambda: ours(args.csv, codes, args.postgres, workers),
                  "direct-postgres": lambda: direct(args.csv, codes, args.postgres, workers),
                  "xlsx-sqlite": lambda: ours_once(args.xlsx, codes, f"sqlite:///{tempfile.mkdtemp()}/x.sqlite3",
                                                   workers)}[args.mode]()
        print(json.dumps(result))
        return
    for database in (["sqlite"] if not args.skip_sqlite else []) + (["postgres"] if args.postgres else []):
        # Rounds alternate baseline and import, so that a slow spell of the disk falls on both alike;
        # the ratio is that of the medians.
        bases, mines, directs = [], [], []
        for _ in range(args.rounds):
            bases.append(in_subprocess(f"baseline-{database}", args))
            if database == "postgres":  # the command line's import, nobody looking at a preview
                directs.append(in_subprocess("direct-postgres", args))
            base = bases[-1]
            print(f"{database}: baseline {base['seconds']:.1f} s ({base['rows'] / base['seconds']:,.0f} rows/s, "
                  f"peak {base['peak_mib']:.0f} MiB)")
            if directs:
                one = directs[-1]
                print(f"{database}: import in one pass (command line) {one['seconds']:.1f} s, peak "
                      f"{one['tree_peak_mib']:.0f} MiB with the workers; ratio {one['seconds'] / base['seconds']:.2f}",
                      flush=True)
                if args.one_pass_only:
                    continue
            mines.append(in_subprocess(f"ours-{database}", args))
            mine = mines[-1]
            print(f"{database}: import   {mine['seconds']:.1f} s = validate {mine['validate_seconds']:.1f} s + "
                  f"commit {mine['commit_seconds']:.1f} s ({mine['rows'] / mine['seconds']:,.0f} rows/s, peak "
                  f"{mine['peak_mib']:.0f} MiB in the importing process, {mine['tree_peak_mib']:.0f} MiB with its "
                  f"{mine['workers']} row-checking workers, {mine['added']:,} added, {mine['rejected']:,} rejected)")
            print(f"{database}: ratio import / baseline = {mine['seconds'] / base['seconds']:.2f}")
            print(f"{database}: re-import of the next version {mine['reimport_seconds']:.1f} s "
                  f"({mine['reimport_unchanged']:,} unchanged, {mine['reimport_removed']:,} removed), ratio "
                  f"{mine['reimport_seconds'] / base['seconds']:.2f}", flush=True)
        if args.rounds > 1:
            base_s = statistics.median(b["seconds"] for b in bases)
            if not mines:  # --one-pass-only
                one_s = statistics.median(d["seconds"] for d in directs)
                ratios = [f"{d['seconds'] / b['seconds']:.2f}" for b, d in zip(bases, directs, strict=True)]
                print(f"{database}: medians over {args.rounds} rounds: baseline {base_s:.1f} s, import in one pass "
                      f"{one_s:.1f} s (ratio {one_s / base_s:.2f}); ratios per round {', '.join(ratios)}")
                continue
            mine_s = statistics.median(m["seconds"] for m in mines)
            again_s = statistics.median(m["reimport_seconds"] for m in mines)
            per_round = [f"{m['seconds'] / b['seconds']:.2f}" for b, m in zip(bases, mines, strict=True)]
            if directs:
                one_s = statistics.median(d["seconds"] for d in directs)
                ratios = [f"{d['seconds'] / b['seconds']:.2f}" for b, d in zip(bases, directs, strict=True)]
                print(f"{database}: medians over {args.rounds} rounds: import in one pass {one_s:.1f} s (ratio "
                      f"{one_s / base_s:.2f}); ratios per round {', '.join(ratios)}")
            print(f"{database}: medians over {args.rounds} rounds: baseline {base_s:.1f} s, import {mine_s:.1f} s "
                  f"(ratio {mine_s / base_s:.2f}), re-import {again_s:.1f} s (ratio {again_s / base_s:.2f}); "
                  f"ratios per round {', '.join(per_round)}")

        if database == "sqlite" and args.xlsx:
            xlsx_round(args, mines)


def xlsx_round(args, csv_imports):
    """Import the workbook (same rows) once per round and compare it with the CSV's first import."""
    times = []
    for _ in range(args.rounds):
        mine = in_subprocess("xlsx-sqlite", args)
        if "refused" in mine:
            print(f"xlsx: refused after {mine['seconds']:.1f} s ({mine['refused']}), peak "
                  f"{mine['tree_peak_mib']:.0f} MiB", flush=True)
            return
        times.append(mine["seconds"])
        print(f"xlsx: import {mine['seconds']:.1f} s = validate {mine['validate_seconds']:.1f} s + commit "
              f"{mine['commit_seconds']:.1f} s, peak {mine['tree_peak_mib']:.0f} MiB with the workers", flush=True)
    csv_s = statistics.median(m["seconds"] for m in csv_imports)
    print(f"xlsx: median {statistics.median(times):.1f} s against the CSV's {csv_s:.1f} s: ratio "
          f"{statistics.median(times) / csv_s:.2f}", flush=True)


if __name__ == "__main__":
    main()
