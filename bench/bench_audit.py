"""Time what the audit chain adds to a request, and how fast `flask audit verify` reads a long log.

    .venv/bin/python bench/bench_audit.py [--existing 200000] [--entries 2000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/spotcheck_bench]

Builds a throwaway SQLite database (with --postgres, uses that database instead: its public schema is
DROPPED and recreated, so point it at a scratch database), fills the audit log with --existing chained
entries (Core executemany, through the database's append check), then times, per committed
transaction, median and 90th percentile over --entries transactions:
  baseline: one login-attempt row (an insert of the same size, no chain);
  audit:    one auditlog.record() entry (lock, read the tail, hash, insert; the database's check);
and alone: the hash of one entry's canonical text, and lock + tail read in an open transaction.
Last, `verify`: the whole log checked as `flask audit verify` does, in entries per second.
"""

import argparse
import statistics
import sys
import tempfile
import time
import timeit
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import migrate  # noqa: E402
from core.auditchain import GENESIS, entry_hash  # noqa: E402


def fill_log(url: str, count: int, batch: int = 10_000) -> None:
    """Insert `count` chained entries, as years of requests would leave them."""
    from models import AuditLog

    engine = create_engine(url)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    last = GENESIS
    with engine.begin() as conn:
        for first in range(1, count + 1, batch):
            rows = []
            for n in range(first, min(first + batch, count + 1)):
                row = {"id": n, "at": start + timedelta(seconds=n), "user_id": None, "username": "caller",
                       "action": "person.reveal_phone", "object_type": "person", "object_id": str(n % 50_000),
                       "detail": {"task_id": n, "via": "page"}, "remote_addr": "10.1.2.3", "prev_hash": last}
                row["entry_hash"] = last = entry_hash(row)
                rows.append(row)
            conn.execute(insert(AuditLog.__table__), rows)
    engine.dispose()


def per_commit(work, runs: int) -> list[float]:
    """Time `work` (one committed transaction) `runs` times, in milliseconds."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return times


def summary(name: str, times: list[float]) -> None:
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"{name:<10} median {statistics.median(times):7.3f} ms   p90 {p90:7.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--existing", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=2_000)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        if args.postgres:
            url = args.postgres
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        else:
            url = f"sqlite:///{scratch}/bench.sqlite3"
        migrate.upgrade(url)
        began = time.perf_counter()
        fill_log(url, args.existing)
        print(f"{args.existing} entries written in {time.perf_counter() - began:.1f} s ({url.split(':')[0]})")
        run(url, args, scratch)


def run(url: str, args, scratch: str) -> None:
    from app import create_app
    from core import auditlog
    from core.auditlog import lock_chain_tail
    from core.extensions import db
    from models import LoginAttempt

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SPOTCHECK_INSTANCE": scratch})
    with app.app_context():
        session = db.session

        def baseline():
            session.add(LoginAttempt(username="caller", remote_addr="10.1.2.3", succeeded=True))
            session.commit()

        def audit():
            auditlog.record("person.reveal_phone", "person", 4711, task_id=4711, via="page")
            session.commit()

        per_commit(baseline, 50), per_commit(audit, 50)  # warm up
        base, chained = [], []
        for _ in range(args.entries // 100):  # alternate, so that drift hits both alike
            base += per_commit(baseline, 100)
            chained += per_commit(audit, 100)
        summary("baseline", base)
        summary("audit", chained)
        entry = {"id": 1, "at": datetime.now(UTC), "user_id": 3, "username": "caller", "action": "person.reveal_phone",
                 "object_type": "person", "object_id": "4711", "detail": {"task_id": 4711, "via": "page"},
                 "remote_addr": "10.1.2.3", "prev_hash": GENESIS}
        hashing = min(timeit.repeat(lambda: entry_hash(entry), number=10_000, repeat=5)) / 10_000 * 1e6
        print(f"hash       {hashing:7.2f} µs per entry")

        def tail():
            lock_chain_tail(session.connection())
            session.rollback()

        summary("lock+tail", per_commit(tail, 500))
        began = time.perf_counter()
        report = auditlog.verify_log(session)
        seconds = time.perf_counter() - began
        print(f"verify     {report.entries} entries in {seconds:.1f} s ({report.entries / seconds:,.0f} entries/s),"
              f" ok={report.ok}")
    app.extensions["database_engine"].dispose()


if __name__ == "__main__":
    main()
