"""Simulated callers against gunicorn: claim → attempt → verification in a loop, then a check of the
database for double claims and lost or duplicated records.

    .venv/bin/python bench/bench_callers.py --database-url postgresql://postgres@127.0.0.1:5432/bench_followup
    .venv/bin/python bench/bench_callers.py                     # SQLite in a temporary folder

The database is emptied first (PostgreSQL: its public schema is dropped), so point it at a throwaway
database. The server listens on 127.0.0.1 only. Calling hours are opened round the clock for the run
(SPOTCHECK_FOLLOWUP_RULES) so that tasks are due whatever the hour. About 5% of attempts are sent twice
with the same submission key, as a double click would, to check that they are recorded once.
"""

import argparse
import http.client
import http.cookiejar
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "tests"))  # roster_factory builds valid ID numbers

ANSWERS = {"identity_confirmed": True, "registered_by_self": True, "unemployed_at_registration": True,
           "current_status": "unemployed_seeking", "services": ["job_referral", "agency_callback"],
           "satisfaction": "satisfied", "wish_to_work": "yes"}
PASSWORD = "bench-password"
ALL_HOURS = '{calling_windows = ["00:00-23:59"], slot_boundaries = [], call_on_weekends = true}'


def prepare(url: str, callers: int, tasks: int) -> list[str]:
    """Empty and migrate the database, add callers with tokens and a draw whose units all have tasks."""
    from roster_factory import birth, id_number
    from sqlalchemy import create_engine, insert, text

    from app import create_app
    from auth.accounts import create_user
    from auth.tokens import issue_token
    from callbacks.context import SYSTEM, retry_rules
    from callbacks.tasks import generate_tasks
    from core import migrate
    from core.extensions import db
    from models import Campaign, Draw, Person, RosterSnapshot, SampleUnit

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(url)
    os.environ["SPOTCHECK_FOLLOWUP_RULES"] = ALL_HOURS
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    tokens = []
    with app.app_context():
        session = db.session
        for n in range(callers):
            user = create_user(session, f"bench{n:03d}", PASSWORD, "caller")
            tokens.append(issue_token(session, user.id))
        snapshot = RosterSnapshot(county_code="440802", source="bench", row_count=tasks)
        campaign = Campaign(name="bench")
        session.add_all([snapshot, campaign])
        session.flush()
        session.execute(insert(Person), [
            {"snapshot_id": snapshot.id, "county_code": "440802", "name": f"压测{n}", "gender": "1",
             "id_number": id_number("440802", birth(n), n), "phone": f"+86139{n:08d}",
             "registered_on": date(2025, 3, 1)} for n in range(tasks)])
        draw = Draw(campaign_id=campaign.id, seed_text="1", seed="1", seed_source="system", algorithm="bench",
                    code_version="bench", frame_fingerprint="0" * 64, frame_size=tasks, snapshot_ids=[snapshot.id],
                    frame_definition={}, design={}, strata={})
        session.add(draw)
        session.flush()
        person_ids = session.scalars(text("SELECT id FROM person ORDER BY id")).all()
        session.execute(insert(SampleUnit), [
            {"draw_id": draw.id, "person_id": pid, "frame_key": str(pid), "stratum": "440802",
             "county_code": "440802", "rank": rank, "role": "sample", "status": "active"}
            for rank, pid in enumerate(person_ids, start=1)])
        session.commit()
        generate_tasks(draw.id, datetime.now(UTC), retry_rules(), SYSTEM)
        db.session.remove()
        if url.startswith("postgresql"):  # fresh statistics, as autovacuum would soon give them
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
    app.extensions["database_engine"].dispose()
    return tokens


class Caller(threading.Thread):
    """One simulated caller looping claim → attempt → verification until time is up.

    It logs in through the login form and uses the API with its session cookie and CSRF token, as the
    caller's page does (`--auth token` uses a bearer token instead).
    """

    def __init__(self, port, username, token, deadline, rng, auth):
        super().__init__(daemon=True)
        self.port, self.username, self.token, self.deadline, self.rng = port, username, token, deadline, rng
        self.auth = auth
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None
        self.latency = defaultdict(list)
        self.claimed, self.attempts, self.records, self.errors = [], 0, 0, []
        self.duplicates_sent = 0
        self.login_failures = 0

    def log_in(self):
        base = f"http://127.0.0.1:{self.port}"
        page = self.opener.open(base + "/login", timeout=60).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": self.username, "password": PASSWORD})
        self.opener.open(base + "/login", data=form.encode(), timeout=60).read()
        page = self.opener.open(base + "/followup/", timeout=60).read().decode()
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def call(self, kind, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if self.auth == "token":
            headers["Authorization"] = f"Bearer {self.token}"
        else:
            headers["X-CSRFToken"] = self.csrf
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body or {}).encode(),
                                         headers=headers, method=method)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        self.latency[kind].append(time.perf_counter() - started)
        return status, (json.loads(data) if data else None)

    def run(self):
        if self.auth == "session":
            for _ in range(20):  # POST /login itself can fail on SQLite under a burst of logins; see the report
                try:
                    self.log_in()
                    break
                except urllib.error.HTTPError as error:
                    self.login_failures += 1
                    time.sleep(self.rng.random())
                    last = error
            else:
                self.errors.append(("login", repr(last), None))
                return
        while time.monotonic() < self.deadline:
            try:
                status, task = self.call("next", "POST", "/api/v1/followup/next")
                if status == 204:
                    break
                if status != 200:
                    self.errors.append(("next", status, task))
                    continue
                base = f"/api/v1/followup/tasks/{task['id']}"
                if task["status"] == "awaiting_record":  # held from an earlier loop: finish its record
                    self.errors.append(("held_awaiting_record", task["id"], None))
                    continue
                self.claimed.append(task["id"])
                key = uuid.uuid4().hex
                status, body = self.call("attempt", "POST", base + "/attempts",
                                         {"disposition": "completed", "submission_key": key})
                if status != 201:
                    self.errors.append(("attempt", status, body))
                    continue
                self.attempts += 1
                if self.rng.random() < 0.05:
                    self.duplicates_sent += 1
                    again, body2 = self.call("attempt_resubmit", "POST", base + "/attempts",
                                             {"disposition": "completed", "submission_key": key})
                    if again != 200 or body2["attempt_id"] != body["attempt_id"]:
                        self.errors.append(("resubmit", again, body2))
                status, body = self.call("verification", "POST", base + "/verification",
                                         {"answers": ANSWERS, "confirmed": [], "submission_key": uuid.uuid4().hex})
                if status != 201:
                    self.errors.append(("verification", status, body))
                    continue
                self.records += 1
            except Exception as error:  # noqa: BLE001 (counted and reported)
                self.errors.append(("exception", repr(error), None))


def percentile(values, q):
    """Return the q-th percentile (nearest rank) of a list of seconds, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def check(url: str, callers: list[Caller]) -> dict:
    """Compare what the callers saw with what the database holds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        q = lambda sql: conn.execute(text(sql)).scalar()  # noqa: E731
        stored = {
            "attempts": q("SELECT count(*) FROM attempt"),
            "records": q("SELECT count(*) FROM verification_record"),
            "tasks_with_two_attempts": q("SELECT count(*) FROM (SELECT task_id FROM attempt GROUP BY task_id "
                                         "HAVING count(*) > 1) AS t"),
            "verified": q("SELECT count(*) FROM followup_task WHERE final_outcome = 'verified'"),
            "held_at_end": q("SELECT count(*) FROM followup_task WHERE claimed_by_id IS NOT NULL"),
        }
    engine.dispose()
    claimed = [task for c in callers for task in c.claimed]
    seen = {"claims": len(claimed), "distinct_claimed": len(set(claimed)),
            "attempts": sum(c.attempts for c in callers), "records": sum(c.records for c in callers)}
    return {"client": seen, "database": stored,
            "double_claims": seen["claims"] - seen["distinct_claimed"],
            "lost_attempts": seen["attempts"] - stored["attempts"],
            "lost_records": seen["records"] - stored["records"],
            "duplicated_attempts": stored["tasks_with_two_attempts"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="Default: a SQLite file in a temporary folder.")
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--auth", choices=("session", "token"), default="session")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600 or not 1 <= args.callers <= 500:
        parser.error("keep the run bounded: 1–600 seconds, 1–500 callers")
    folder = Path(tempfile.mkdtemp(prefix="spotcheck-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    from config.settings import normalise_database_url

    url = normalise_database_url(url)
    started = time.perf_counter()
    tokens = prepare(url, args.callers, args.tasks)
    print(f"prepared {args.tasks} tasks and {args.callers} callers in {time.perf_counter() - started:.1f} s",
          flush=True)

    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", SPOTCHECK_INSTANCE=str(folder / "instance"),
               SPOTCHECK_FOLLOWUP_RULES=ALL_HOURS)
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}",
               "--log-level", "warning", "--timeout", "120"]
    if args.threads > 1:
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen([*command, "app:create_app()"], cwd=ROOT, env=env)
    try:
        for _ in range(200):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                connection.request("GET", "/login")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        deadline = time.monotonic() + args.seconds + 2  # the log-ins come first
        callers = [Caller(args.port, f"bench{n:03d}", token, deadline, random.Random(n), args.auth)
                   for n, token in enumerate(tokens)]
        began = time.perf_counter()
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
        elapsed = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    latency = defaultdict(list)
    for caller in callers:
        for kind, values in caller.latency.items():
            latency[kind].extend(values)
    every = [v for values in latency.values() for v in values]
    loops = sum(c.records for c in callers)
    backend = url.split(":", 1)[0]
    print(f"\n{backend}: {args.callers} callers, gunicorn {args.workers} workers × {args.threads} threads, "
          f"{elapsed:.1f} s")
    print(f"  completed loops (claim → attempt → verification): {loops} = {loops / elapsed:.1f}/s")
    print(f"  requests: {len(every)} = {len(every) / elapsed:.1f}/s")
    print(f"  {'request':<18}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind in ("next", "attempt", "attempt_resubmit", "verification"):
        values = latency.get(kind)
        if values:
            print(f"  {kind:<18}{len(values):>8}{percentile(values, 50):>10.1f}{percentile(values, 95):>10.1f}"
                  f"{percentile(values, 99):>10.1f}")
    print(f"  {'all':<18}{len(every):>8}{percentile(every, 50):>10.1f}{percentile(every, 95):>10.1f}"
          f"{percentile(every, 99):>10.1f}")
    result = check(url, callers)
    errors = [e for c in callers for e in c.errors]
    print("  check:", json.dumps(result, ensure_ascii=False))
    print(f"  double-click resubmits: {sum(c.duplicates_sent for c in callers)}; errors: {len(errors)}; "
          f"login retries (POST /login failed): {sum(c.login_failures for c in callers)}")
    for error in errors[:5]:
        print("   ", error)
    ok = (result["double_claims"] == result["lost_attempts"] == result["lost_records"]
          == result["duplicated_attempts"] == 0 and not errors)
    print("  OK" if ok else "  FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
