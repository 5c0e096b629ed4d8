"""Time a whole draw as the app makes it: read the frame, build the keys, draw, write the sample.

    .venv/bin/python bench/bench_draw_full.py [--persons 1000000] [--counties 120] [--total 20000]
        [--draws 5] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/spotcheck_bench]

Builds a throwaway SQLite database (and, with --postgres, fills that database, whose public schema is
DROPPED and recreated: point it at a scratch database) with synthetic persons over synthetic counties,
0.1% of them with an ID number repeated in their county (so the "#2" key suffixes are exercised) and 5%
cancelled. Then it runs campaigns.drawing.make_draw (total n allocated proportionally, 20% reserves) and
commits, --draws times, each for a new campaign; times the verifier after each; reports the first draw of
the process (cold) and the median; and compares the numpy draw with pandas groupby().sample() on the
same frame.
"""

import argparse
import io
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import migrate  # noqa: E402

COLUMNS = ("snapshot_id", "county_code", "source_row", "name", "gender", "id_number", "phone",
           "unemployment_reason", "registered_on", "employment_status", "cancelled_on")


def upgrade(url: str) -> None:
    """Migrate to head; if a later area's migration fails, stop at the sampling schema (0003)."""
    try:
        migrate.upgrade(url)
    except Exception as error:  # noqa: BLE001 - the benchmark only needs the tables up to 0003
        print(f"(migrating to head failed: {type(error).__name__}; using the sampling schema 0003)")
        migrate.upgrade(url, "0003")


def synthetic(persons: int, counties: int, seed: int = 7):
    """Return the county codes and the person rows (as column arrays) of a synthetic roster."""
    rng = np.random.default_rng(seed)
    codes = [f"{449000 + i + 1}" for i in range(counties)]
    weights = rng.lognormal(0.0, 0.6, counties)
    sizes = np.floor(weights / weights.sum() * persons).astype(int)
    sizes[: persons - sizes.sum()] += 1
    county_idx = np.repeat(np.arange(counties), sizes)
    serial = np.arange(persons)
    dup = rng.random(persons) < 0.001
    # A repeated record reuses the ID number of the previous person of the same county.
    source = np.where(dup & (serial > 0) & (np.roll(county_idx, 1) == county_idx), serial - 1, serial)
    ids = [f"{codes[c]}{19600101 + (s % 400000):08d}{s % 1000:03d}{'X' if s % 11 == 0 else s % 10}"
           for c, s in zip(county_idx.tolist(), source.tolist(), strict=True)]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rows = {
        "county_idx": county_idx, "source_row": serial - starts[county_idx] + 2, "id_number": ids,
        "gender": np.where(rng.random(persons) < 0.5, "1", "2"),
        "cancelled": rng.random(persons) < 0.05,
    }
    return codes, sizes, rows


def fill_sqlite(path: Path, codes, sizes, rows) -> float:
    """Insert counties, one snapshot per county and the persons with executemany; return seconds."""
    started = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.executemany("INSERT INTO county (code, name_zh, name_en, official, active) VALUES (?, ?, ?, 0, 1)",
                    [(c, f"样例县{c}", f"Sample county {c}") for c in codes])
    con.executemany("INSERT INTO roster_snapshot (id, county_code, source, created_at, row_count, is_current) "
                    "VALUES (?, ?, 'bench', '2026-01-01 00:00:00', ?, 1)",
                    [(i + 1, c, int(n)) for i, (c, n) in enumerate(zip(codes, sizes, strict=True))])
    con.executemany(f"INSERT INTO person ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                    _person_tuples(codes, rows))
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as above: the load's aftermath is not the draw's
    con.close()
    return time.perf_counter() - started


def _person_tuples(codes, rows):
    registered, cancelled = date(2025, 3, 1).isoformat(), date(2025, 9, 1).isoformat()
    for i, (c, src, idn, g, cx) in enumerate(zip(rows["county_idx"].tolist(), rows["source_row"].tolist(),
                                                   rows["id_number"], rows["gender"].tolist(),
                                                   rows["cancelled"].tolist(), strict=True)):
        yield (c + 1, codes[c], src, f"样例{i}", g, idn, f"+86138{i:08d}", "01", registered, "10",
               cancelled if cx else None)


def fill_postgres(url: str, codes, sizes, rows) -> float:
    """Reset the schema, migrate, and COPY the persons in; return seconds spent loading."""
    import psycopg
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con, con.cursor() as cur:
        cur.executemany("INSERT INTO county (code, name_zh, name_en, official, active) VALUES (%s, %s, %s, false, true)",
                        [(c, f"样例县{c}", f"Sample county {c}") for c in codes])
        cur.executemany("INSERT INTO roster_snapshot (id, county_code, source, created_at, row_count, is_current) "
                        "VALUES (%s, %s, 'bench', now(), %s, true)",
                        [(i + 1, c, int(n)) for i, (c, n) in enumerate(zip(codes, sizes, strict=True))])
        with cur.copy(f"COPY person ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for n, row in enumerate(_person_tuples(codes, rows), start=1):
                buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
                if n % 100_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cur.execute("SELECT setval('roster_snapshot_id_seq', (SELECT max(id) FROM roster_snapshot))")
        cur.execute("ANALYZE person")
    # Write the load out now, as the server would long before anyone draws: otherwise the draw's own
    # commit waits behind the checkpoint of a million freshly copied rows.
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as con:
        con.execute("CHECKPOINT")
    return time.perf_counter() - started


def timed_draw(url: str, codes, total: int, instance: str, draws: int) -> list[dict]:
    """Run make_draw through the app `draws` times (a new campaign each) and return each one's phase timings."""
    import campaigns.drawing as drawing
    import campaigns.service as service
    import campaigns.verification as verification
    from app import create_app
    from campaigns.design import parse_design

    phases = {}

    def timing(name, func):
        def wrapped(*args, **kwargs):
            started = time.perf_counter()
            result = func(*args, **kwargs)
            phases[name] = phases.get(name, 0.0) + time.perf_counter() - started
            return result
        return wrapped

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SPOTCHECK_INSTANCE": instance})
    original_load, original_draw = drawing.load_frame, drawing.draw_stratified
    drawing.load_frame = timing("read frame + build keys", original_load)
    drawing.draw_stratified = timing("draw (numpy)", original_draw)
    results = []
    try:
        with app.app_context():
            for _ in range(draws):
                phases.clear()
                campaign = service.create_campaign(f"bench {time.time()}", codes)
                design = parse_design({"method": "total", "total": str(total), "allocation": "proportional",
                                       "reserve_share": "0.2"}, codes)
                started = time.perf_counter()
                draw = drawing.make_draw(campaign, design, "bench 2026")  # commits
                phases["whole draw"] = time.perf_counter() - started
                phases["write sample + commit"] = (phases["whole draw"] - phases["read frame + build keys"]
                                                   - phases["draw (numpy)"])
                units = sum(s["n"] + s["reserves"] for s in draw.strata.values())
                result = dict(phases)
                started = time.perf_counter()
                report = verification.verify(draw)
                result["verify (rebuild + redraw)"] = time.perf_counter() - started
                result["_units"], result["_frame"], result["_match"] = units, draw.frame_size, report.match
                results.append(result)
    finally:
        drawing.load_frame, drawing.draw_stratified = original_load, original_draw
        app.extensions["database_engine"].dispose()
    return results


def pandas_ratio(url: str, instance: str, total: int, codes) -> tuple[float, float]:
    """Time the numpy draw and pandas groupby().sample() on the same frame and sizes."""
    import pandas as pd

    from app import create_app
    from campaigns.frame import load_frame
    from core.extensions import db
    from roster.snapshots import current_snapshots
    from sampling.allocation import allocate
    from sampling.draw import draw_stratified

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SPOTCHECK_INSTANCE": instance})
    with app.app_context():
        ids = sorted(current_snapshots(db.session, codes).values())
        frame = load_frame(db.session, ids, {"population": "registered", "stratify_by": None})
    app.extensions["database_engine"].dispose()
    pops = {c: 0 for c in codes}
    for c in frame.strata:
        pops[c] += 1
    sizes = allocate(pops, total, "proportional")
    # Both start from the same arrays (turning the loaded lists into arrays is timed for neither), and
    # each time is the median of five runs.
    keys, strata = np.array(frame.keys), np.asarray(frame.strata)
    df = pd.DataFrame({"key": keys, "stratum": strata})

    def numpy_draw():
        draw_stratified(keys, strata, sizes, {}, 12345)

    def pandas_draw():
        groups = df.groupby("stratum", sort=False)
        pd.concat([group.sample(n=sizes[name], random_state=12345) for name, group in groups])

    return median_seconds(numpy_draw), median_seconds(pandas_draw)


def median_seconds(func, runs: int = 5) -> float:
    """Return the median wall time of runs calls of func."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return sorted(times)[runs // 2]


def report(label: str, load_seconds: float, results: list[dict]) -> None:
    """Print the first draw of the process (cold) and the median of all draws, phase by phase."""
    first = results[0]
    print(f"\n== {label}: {first['_frame']:,} persons on the frame, {first['_units']:,} units written per draw "
          f"(load {load_seconds:.1f} s, not part of the draw); verifier match={all(r['_match'] for r in results)}")
    print(f"  {'':<28} {'first':>7}   median of {len(results)}")
    for name in ("read frame + build keys", "draw (numpy)", "write sample + commit", "whole draw",
                 "verify (rebuild + redraw)"):
        median = float(np.median([r[name] for r in results]))
        print(f"  {name:<28} {first[name]:7.2f} s {median:7.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--counties", type=int, default=120)
    parser.add_argument("--total", type=int, default=20_000)
    parser.add_argument("--postgres", default=None, help="a SCRATCH database URL (its schema is dropped)")
    parser.add_argument("--draws", type=int, default=5, help="draws per database, each for a new campaign")
    args = parser.parse_args()
    codes, sizes, rows = synthetic(args.persons, args.counties)
    workdir = Path(tempfile.mkdtemp(prefix="bench-draw-"))
    path = workdir / "bench.sqlite3"
    upgrade(f"sqlite:///{path}")
    load = fill_sqlite(path, codes, sizes, rows)
    url = f"sqlite:///{path}"
    report("SQLite", load, timed_draw(url, codes, args.total, str(workdir / "instance"), args.draws))
    numpy_seconds, pandas_seconds = pandas_ratio(url, str(workdir / "instance"), args.total, codes)
    print(f"\n== the draw alone (median of 5), same frame and sizes: numpy {numpy_seconds:.3f} s, "
          f"pandas groupby().sample(n=n_h) per group {pandas_seconds:.3f} s, "
          f"ratio pandas/numpy {pandas_seconds / numpy_seconds:.1f}x")
    if args.postgres:
        load = fill_postgres(args.postgres, codes, sizes, rows)
        results = timed_draw(args.postgres, codes, args.total, str(workdir / "instance"), args.draws)
        report("PostgreSQL", load, results)


if __name__ == "__main__":
    main()
