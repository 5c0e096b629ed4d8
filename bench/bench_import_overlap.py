"""Experiment: would writing the persons while they are checked meet PostgreSQL's import target on this machine?

    .venv/bin/python bench/bench_import_overlap.py --csv bench/data/roster_1m.csv \
        --copy-db postgresql+psycopg://postgres@127.0.0.1:5432/bench_import \
        --check-db postgresql+psycopg://postgres@127.0.0.1:5432/bench_import2

Times the baseline COPY of the parsed rows alone, the import's check (upload kept, rows checked by the
workers, spooled) alone, then both at once: the COPY into one scratch database from a thread while the
check runs in the same process against another, as an import that wrote while it checked would share
the CPUs. Both databases' public schemas are dropped and rebuilt.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import  # noqa: E402


def emptied(url: str, codes: list[str], baseline: bool) -> None:
    """Drop and rebuild a scratch database's schema (one at a time: migrations are not thread-safe)."""
    bench_import.reset_postgres(url)
    bench_import.migrated(url, codes, baseline_snapshot=baseline)


def copy_rows(url: str, rows: list) -> float:
    """COPY the parsed rows into an emptied database; return the seconds of the COPY and its commit."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection:
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(
                f"COPY person ({', '.join(bench_import.COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
        return time.perf_counter() - started


def check_file(url: str, path: str) -> float:
    """Open a batch for the file in an emptied database and check it; return the seconds."""
    from app import create_app
    from core.extensions import db
    from roster import batches, import_check

    instance = tempfile.mkdtemp()
    os.environ["SPOTCHECK_INSTANCE"] = instance
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context():
        started = time.perf_counter()
        batch = batches.create_batch(db.session, path, os.path.basename(path), instance)
        db.session.commit()
        batch = import_check.validate_batch(db.session, batch.id, date.today(), workers=2)
        assert batch.status == "previewed", batch.status
        seconds = time.perf_counter() - started
    app.extensions["database_engine"].dispose()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", required=True)
    parser.add_argument("--copy-db", required=True)
    parser.add_argument("--check-db", required=True)
    args = parser.parse_args()
    codes = bench_import.county_codes(args.csv)
    rows = bench_import.parsed_rows(args.csv)
    emptied(args.copy_db, codes, baseline=True)
    print(f"COPY alone  {copy_rows(args.copy_db, rows):.1f} s", flush=True)
    emptied(args.check_db, codes, baseline=False)
    print(f"check alone {check_file(args.check_db, args.csv):.1f} s", flush=True)
    emptied(args.copy_db, codes, baseline=True)
    emptied(args.check_db, codes, baseline=False)
    together: dict[str, float] = {}
    writer = threading.Thread(target=lambda: together.update(copy=copy_rows(args.copy_db, rows)))
    started = time.perf_counter()
    writer.start()
    together["check"] = check_file(args.check_db, args.csv)
    writer.join()
    print(f"together    COPY {together['copy']:.1f} s, check {together['check']:.1f} s, "
          f"both done after {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
