"""Roster checks and imports as jobs: sent to the job queue, taken by a worker, and what a node that
sees a batch waiting or stranded in the queue makes of it; the shared storage folder."""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core import background, storage
from core.extensions import db
from models import ImportBatch, Person, utcnow
from roster import batches, jobs
from support.import_files import TODAY, csv_file, demo_rows
from support.job_queue import empty_queue, queue_settings
from support.register import CHIKAN

CLOSED_PORT = "redis://127.0.0.1:1/0"


def upload(api, tmp_path, rows, name="f.csv"):
    data = Path(csv_file(tmp_path / name, rows)).read_bytes()
    response = api.post("/api/v1/imports", data={"file": (io.BytesIO(data), name), "county": CHIKAN},
                        content_type="multipart/form-data")
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()


def batch_of(app, batch_id):
    with app.app_context():
        return db.session.get(ImportBatch, batch_id)


@pytest.fixture
def settings():
    chosen = queue_settings()
    yield chosen
    empty_queue(chosen)


@pytest.fixture
def app(make_app, settings):
    return make_app(IMPORT_WORKERS=0, **settings)


@pytest.mark.redis
def test_a_check_and_an_import_wait_in_the_queue_until_a_worker_runs_them(app, users, token_client, tmp_path):
    api = token_client("coordinator")
    uploaded = upload(api, tmp_path, demo_rows(40, seed=2, county=CHIKAN))
    assert uploaded["status"] == "uploaded"  # nothing ran in the web process
    waiting = batch_of(app, uploaded["id"])
    assert waiting.runner.startswith(background.QUEUED) and waiting.stored_path.startswith("imports/")
    with app.app_context():  # a job waiting long in the queue is not taken for dead
        waiting.heartbeat_at = utcnow() - timedelta(minutes=30)
        db.session.add(waiting)
        db.session.commit()
        assert jobs.mark_interrupted(db.session) == 0
        assert background.work(app, burst=True)
    checked = batch_of(app, uploaded["id"])
    assert checked.status == "previewed" and checked.rows_read == 40
    assert checked.runner == background.this_process()  # the worker (here: this test) took it

    claimed = api.post(f"/api/v1/imports/{checked.id}/commit", json={"confirm_removals": True}).get_json()
    assert claimed["status"] == "importing"
    assert batch_of(app, checked.id).runner.startswith(background.QUEUED)
    with app.app_context():
        background.work(app, burst=True)
        assert db.session.scalar(select(func.count(Person.id))) == checked.rows_valid
    assert api.get(f"/api/v1/imports/{checked.id}").get_json()["status"] == "committed"


@pytest.mark.redis
def test_a_batch_whose_job_the_queue_no_longer_has_shows_as_interrupted_and_resumes(app, users, token_client,
                                                                                   tmp_path, settings):
    api = token_client("coordinator")
    uploaded = upload(api, tmp_path, demo_rows(20, seed=4, county=CHIKAN))
    empty_queue(settings)  # Redis restarted without its data, say
    status = api.get(f"/api/v1/imports/{uploaded['id']}").get_json()
    assert status["status"] == "interrupted"
    assert api.post(f"/api/v1/imports/{uploaded['id']}/resume").get_json()["status"] == "uploaded"
    with app.app_context():
        background.work(app, burst=True)
    assert batch_of(app, uploaded["id"]).status == "previewed"


def test_a_queue_that_cannot_be_reached_leaves_the_upload_interrupted_to_resume_later(make_app, users, tmp_path):
    app = make_app(JOB_QUEUE_URL=CLOSED_PORT)
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + app.test_cli_runner().invoke(
        args=["users", "token", "coordinator"]).output.strip()
    uploaded = upload(client, tmp_path, demo_rows(10, seed=5, county=CHIKAN))
    batch = batch_of(app, uploaded["id"])
    assert batch.status == "interrupted" and "任务队列" in batch.error_message and jobs.may_resume(batch)


def test_a_job_for_a_batch_that_moved_on_does_nothing(make_app, tmp_path):
    app = make_app(JOBS_IN_BACKGROUND=False)
    with app.app_context():
        batch = batches.create_batch(db.session, csv_file(tmp_path / "a.csv", demo_rows(5, seed=6)), "a.csv")
        batch.runner = f"{background.QUEUED}the-job-that-counts"
        db.session.commit()
        jobs.run_validation(batch.id, TODAY, f"{background.QUEUED}an-older-job")  # e.g. resumed since
        db.session.expire_all()
        assert db.session.get(ImportBatch, batch.id).status == "uploaded"
        jobs.run_validation(batch.id, TODAY, f"{background.QUEUED}the-job-that-counts")
        db.session.expire_all()
        assert db.session.get(ImportBatch, batch.id).status == "previewed"


def test_two_nodes_with_their_own_instance_folders_share_the_storage_folder(make_app, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv("SPOTCHECK_INSTANCE", str(tmp_path / "node-a"))
    node_a = make_app(STORAGE_DIR=str(shared), JOBS_IN_BACKGROUND=False)
    monkeypatch.setenv("SPOTCHECK_INSTANCE", str(tmp_path / "node-b"))
    node_b = make_app(STORAGE_DIR=str(shared), JOBS_IN_BACKGROUND=False)
    assert node_a.instance_path != node_b.instance_path
    with node_a.app_context():
        batch = batches.create_batch(db.session, csv_file(tmp_path / "a.csv", demo_rows(8, seed=7)), "a.csv")
        db.session.commit()
        batch_id = batch.id
    os.remove(tmp_path / "a.csv")
    with node_b.app_context():  # node B checks what node A received
        jobs.start_check(node_b, batch_id, TODAY)
        checked = db.session.get(ImportBatch, batch_id)
        assert checked.status == "previewed" and checked.rows_read == 8
        assert os.path.dirname(batches.spool_path(checked)) == str(shared / "imports")


def test_the_storage_folder_defaults_to_the_instance_folder_and_keeps_paths_inside(make_app, tmp_path):
    app = make_app()
    assert app.config["STORAGE_DIR"] == os.path.join(app.instance_path, "storage")
    with app.app_context():
        assert storage.absolute("imports/x.csv") == os.path.join(os.path.realpath(app.instance_path), "storage",
                                                                 "imports", "x.csv")
        assert storage.absolute("/srv/old/imports/x.csv") == "/srv/old/imports/x.csv"  # recorded before
        with pytest.raises(storage.StorageError):
            storage.absolute("../secret_key")


def test_storage_dir_comes_from_the_environment():
    from config.settings import load_settings

    settings = load_settings("/tmp/instance-x", environ={"SPOTCHECK_STORAGE_DIR": "/srv/spotcheck/storage",
                                                         "SPOTCHECK_JOB_QUEUE_URL": "redis://queue:6379/2"})
    assert settings["STORAGE_DIR"] == "/srv/spotcheck/storage"
    assert settings["JOB_QUEUE_URL"] == "redis://queue:6379/2"


@pytest.mark.parametrize(("silent_for", "interrupted"), [(timedelta(seconds=30), False), (timedelta(seconds=61), True)])
def test_a_queued_batch_falls_back_on_its_heartbeat_when_the_queue_cannot_be_asked(make_app, tmp_path, silent_for,
                                                                                  interrupted):
    app = make_app(JOB_QUEUE_URL=CLOSED_PORT)
    with app.app_context():
        batch = batches.create_batch(db.session, csv_file(tmp_path / "q.csv", demo_rows(5, seed=8)), "q.csv")
        batch.runner, batch.heartbeat_at = f"{background.QUEUED}somewhere", utcnow() - silent_for
        db.session.commit()
        assert jobs.mark_interrupted(db.session) == int(interrupted)
        assert db.session.get(ImportBatch, batch.id).status == ("interrupted" if interrupted else "uploaded")
