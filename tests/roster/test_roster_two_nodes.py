"""The production layout for real: two app nodes with instance folders of their own, one storage
folder and one database, Redis as the job queue and a `flask jobs worker` process.

A file uploaded through node A is followed and imported through node B; the worker is killed in the
middle of the import: nothing of it lands, the old register stays current, and once a new worker runs
the batch is resumed and imported.
"""

import re
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from core.extensions import db
from models import ImportBatch, Person, RosterSnapshot
from support.accounts import PASSWORD
from support.import_files import csv_file, demo_rows
from support.job_queue import empty_queue, queue_settings
from support.nodes import AppNode, Worker, csrf_token, log_in
from support.register import CHIKAN, on_register, register

pytestmark = pytest.mark.redis


@pytest.fixture
def layout(make_app, database_url, tmp_path):
    """The shared settings, an app of the test's own on the same database and storage, and the processes
    started (all stopped at the end)."""
    shared = {"DATABASE_URL": database_url, "SECRET_KEY": "two-nodes-share-this-secret-key-0123456789",
              "STORAGE_DIR": str(tmp_path / "storage"), "IMPORT_WORKERS": 0, **queue_settings()}
    app = make_app(STORAGE_DIR=shared["STORAGE_DIR"], JOBS_IN_BACKGROUND=False)
    started = []

    def start(kind, name, **settings):
        process = kind(name, shared | {"INSTANCE": str(tmp_path / name)} | settings, tmp_path)
        started.append(process)
        return process

    yield app, start
    for process in started:
        process.stop()
    empty_queue(shared)


def wait_for_status(http, node, batch_id, wanted, timeout=60):
    """Follow a batch through a node's JSON until it reaches one of the wanted statuses; return what was seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = http.get(f"{node.url}/api/v1/imports/{batch_id}", timeout=10).json()
        assert "status" in body, body
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in wanted:
            return seen, body
        time.sleep(0.1)
    raise AssertionError(f"batch {batch_id} never reached {wanted}; seen {seen}")


def test_an_import_across_two_nodes_survives_its_worker_being_killed_half_way(layout, users, tmp_path):
    app, start = layout
    old = demo_rows(60, seed=21, county=CHIKAN)
    with app.app_context():
        register(app, tmp_path, CHIKAN, old[:40])  # the register in place before
        old_snapshot = db.session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.is_current))
    node_a, node_b = start(AppNode, "node-a"), start(AppNode, "node-b")
    slow_worker = start(Worker, "worker-1", IMPORT_COMMIT_PAUSE_SECONDS=120)
    node_a.wait_until_serving(), node_b.wait_until_serving(), slow_worker.wait_until_listening()
    assert node_a.pid != node_b.pid

    http = requests.Session()  # one browser: its session cookie is good on either node
    log_in(http, node_a, "coordinator", PASSWORD)
    form = http.get(f"{node_a.url}/roster/imports", timeout=10).text
    token = csrf_token(form)
    with Path(csv_file(tmp_path / "new.csv", old)).open("rb") as file:
        uploaded = http.post(f"{node_a.url}/roster/imports", data={"county": CHIKAN, "csrf_token": token},
                             files={"file": ("新名册.csv", file, "text/csv")}, allow_redirects=False, timeout=30)
    assert uploaded.status_code in (302, 303), uploaded.text[:500]
    batch_id = int(re.search(r"/roster/imports/(\d+)", uploaded.headers["Location"]).group(1))

    seen, checked = wait_for_status(http, node_b, batch_id, ("previewed", "failed", "interrupted"))
    assert checked["status"] == "previewed", checked
    assert (checked["rows_read"], checked["added"], checked["unchanged"]) == (60, 20, 40)
    assert set(seen) <= {"uploaded", "validating", "previewed"}
    page = http.get(f"{node_b.url}/roster/imports/{batch_id}", timeout=10).text
    assert 'data-status="previewed"' in page

    claimed = http.post(f"{node_b.url}/api/v1/imports/{batch_id}/commit", json={"confirm_removals": True},
                        headers={"X-CSRFToken": token}, timeout=10)
    assert claimed.status_code == 202, claimed.text
    slow_worker.wait_for_output(rf"import batch {batch_id}: persons written, not yet committed")
    page = http.get(f"{node_a.url}/roster/imports/{batch_id}", timeout=10).text
    assert 'data-status="importing"' in page  # any node shows the import in progress
    slow_worker.kill()

    _, stopped = wait_for_status(http, node_b, batch_id, ("interrupted", "committed"), timeout=30)
    assert stopped["status"] == "interrupted"
    with app.app_context():  # all or nothing: nothing of the import landed
        assert db.session.scalar(select(func.count(RosterSnapshot.id)).where(RosterSnapshot.batch_id == batch_id)) == 0
        assert db.session.scalar(select(RosterSnapshot.id).where(RosterSnapshot.is_current)) == old_snapshot
        assert on_register(CHIKAN) == 40
        assert db.session.scalar(select(func.count(Person.id))) == 40

    start(Worker, "worker-2").wait_until_listening()
    page = http.get(f"{node_a.url}/roster/imports/{batch_id}", timeout=10).text
    assert 'data-testid="resume"' in page
    resumed = http.post(f"{node_a.url}/roster/imports/{batch_id}/resume", data={"csrf_token": csrf_token(page)},
                        allow_redirects=False, timeout=10)
    assert resumed.status_code in (302, 303)
    assert http.get(f"{node_b.url}/api/v1/imports/{batch_id}", timeout=10).json()["status"] == "previewed"
    again = http.post(f"{node_b.url}/api/v1/imports/{batch_id}/commit", json={"confirm_removals": True},
                      headers={"X-CSRFToken": token}, timeout=10)
    assert again.status_code == 202, again.text
    _, done = wait_for_status(http, node_a, batch_id, ("committed", "failed", "interrupted", "previewed"))
    assert done["status"] == "committed", done
    with app.app_context():
        assert on_register(CHIKAN) == 60
        assert db.session.get(ImportBatch, batch_id).committed_at is not None
        assert db.session.scalar(select(func.count(RosterSnapshot.id)).where(RosterSnapshot.batch_id == batch_id)) == 1
