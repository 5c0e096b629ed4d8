"""The seam between a job and where it runs: this process (a thread, or at once) or the job queue."""

import threading

import pytest
from flask import g

from core import background
from support import background_jobs
from support.job_queue import empty_queue, queue_settings

NOTE = "support.background_jobs:note"
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there


@pytest.fixture(autouse=True)
def forget():
    background_jobs.RAN.clear()


@pytest.fixture
def queued(make_app):
    settings = queue_settings()
    app = make_app(**settings)
    yield app
    empty_queue(settings)


def test_without_a_queue_a_job_runs_in_a_background_thread_in_an_app_context_of_its_own(make_app):
    app = make_app()
    ticket = background.ticket(app)
    assert ticket == background.this_process()
    with app.app_context():
        g.job_was_here = True  # the caller's context is not the job's
        background.submit(app, ticket, NOTE, "threaded").result(timeout=10)
    [ran] = background_jobs.RAN
    assert ran["label"] == "threaded" and ran["fresh"] and ran["thread"] != threading.get_ident()


def test_with_jobs_in_background_off_a_job_runs_at_once_in_the_caller(make_app):
    app = make_app(JOBS_IN_BACKGROUND=False, JOB_QUEUE_URL=CLOSED_PORT)  # the queue is not even asked
    ticket = background.ticket(app)
    assert not background.uses_queue(app) and ticket == background.this_process()
    assert background.submit(app, ticket, NOTE, "at once") is None
    [ran] = background_jobs.RAN
    assert ran["thread"] == threading.get_ident() and ran["fresh"]


def test_a_queue_that_cannot_be_reached_refuses_the_job_and_cannot_say_whether_one_waits(make_app):
    app = make_app(JOB_QUEUE_URL=CLOSED_PORT)
    ticket = background.ticket(app)
    assert ticket.startswith(background.QUEUED) and len(ticket) <= 80
    with pytest.raises(background.QueueUnavailable):
        background.submit(app, ticket, NOTE, "lost")
    with app.app_context():
        assert background.waiting(ticket) is None
    assert background_jobs.RAN == []


@pytest.mark.redis
def test_a_queued_job_waits_until_a_worker_runs_it_in_a_fresh_app_context(queued):
    ticket = background.ticket(queued)
    assert ticket.startswith(background.QUEUED)
    background.submit(queued, ticket, NOTE, "queued")
    with queued.app_context():
        assert background.waiting(ticket) is True
        assert background.status(queued)["waiting"] == 1
        assert background_jobs.RAN == []  # nothing ran in the caller
        g.job_was_here = True
        assert background.work(queued, burst=True)  # the worker runs it here, in this process
        assert background.waiting(ticket) is False  # done
        assert background.waiting(f"{background.QUEUED}never-sent") is False
    [ran] = background_jobs.RAN
    assert ran["label"] == "queued" and ran["fresh"] and ran["app"] == queued.name


@pytest.mark.redis
def test_a_job_that_fails_in_the_worker_does_not_stop_the_worker(queued):
    first, second = background.ticket(queued), background.ticket(queued)
    background.submit(queued, first, "support.background_jobs:fail", "boom")
    background.submit(queued, second, NOTE, "after")
    with queued.app_context():
        background.work(queued, burst=True)
        assert background.status(queued)["failed"] == 1
        assert background.waiting(first) is False and background.waiting(second) is False
    assert [ran["label"] for ran in background_jobs.RAN] == ["after"]


def test_jobs_worker_without_a_queue_says_so(make_app):
    result = make_app().test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1 and "JOB_QUEUE_URL" in result.output


@pytest.mark.redis
def test_jobs_worker_runs_the_queue_and_jobs_status_counts_it(queued):
    runner = queued.test_cli_runner()
    background.submit(queued, background.ticket(queued), NOTE, "cli")
    assert '"waiting": 1' in runner.invoke(args=["jobs", "status", "--json"]).output
    assert runner.invoke(args=["jobs", "worker", "--burst"]).exit_code == 0
    assert [ran["label"] for ran in background_jobs.RAN] == ["cli"]
    assert '"waiting": 0' in runner.invoke(args=["jobs", "status", "--json"]).output
