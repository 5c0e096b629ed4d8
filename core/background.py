"""Heavy work off the web workers: run a job in a thread of this process, or send it to a job queue.

With `JOB_QUEUE_URL` unset (the embedded default, `make run`) a job runs in this process's one
background thread, as soon as the one before it is done. With `JOB_QUEUE_URL=redis://…` it goes to an
RQ queue in Redis, and a `flask jobs worker` process, on any machine, runs it; the web process that
took the request can then stop or restart without taking the job with it. `JOBS_IN_BACKGROUND = False`
runs it at once, in the caller (tests).

A job is a plain function named by where it lives, called with plain arguments (ids, dates, text)
inside a fresh app context: `submit(app, ticket(app), "roster.jobs:run_commit", batch_id, user_id)`.
The ticket names who runs the job before it starts: "host:pid" of this process, or "queue:<job id>"
while it waits in the queue, so that the caller can record it and later ask whether the job is still
waiting (`waiting`). Nothing here knows what the jobs do.
"""

import logging
import os
import signal
import socket
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, current_app
from werkzeug.utils import import_string

log = logging.getLogger(__name__)

QUEUED = "queue:"  # a ticket of a job waiting in the queue: "queue:<job id>"
WAITING_STATES = ("queued", "deferred", "scheduled", "started")  # RQ states of a job not done yet
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background-job")


class QueueUnavailable(RuntimeError):
    """The job queue could not be reached; the job was not sent."""


def this_process() -> str:
    """Name this process as "host:pid" (at most 80 characters)."""
    return f"{socket.gethostname()}:{os.getpid()}"[-80:]


def uses_queue(app: Flask) -> bool:
    """Tell whether this app sends its jobs to the job queue."""
    return bool(app.config.get("JOB_QUEUE_URL")) and app.config.get("JOBS_IN_BACKGROUND", True)


def ticket(app: Flask) -> str:
    """Name who will run the next job submitted: a new place in the queue, or this process."""
    return f"{QUEUED}{uuid.uuid4().hex}" if uses_queue(app) else this_process()


def submit(app: Flask, job_ticket: str, target: str, *args) -> Future | None:
    """Run `target(*args)` in an app context of its own: in the queue when the ticket is a place in
    it, else in this process's background thread, or at once when JOBS_IN_BACKGROUND is off.

    Returns the thread's future (None otherwise). Raises QueueUnavailable when Redis cannot be reached.
    """
    if job_ticket.startswith(QUEUED):
        try:
            queue(app).enqueue(run_job, target, *args, job_id=job_ticket.removeprefix(QUEUED),
                               job_timeout=int(app.config["JOB_TIMEOUT_SECONDS"]),
                               result_ttl=3600, failure_ttl=7 * 86400, description=target)
        except Exception as error:  # noqa: BLE001 (redis raises its own ConnectionError, TimeoutError …)
            raise QueueUnavailable(str(error)) from error
        return None
    if not app.config.get("JOBS_IN_BACKGROUND", True):
        _run_in_context(app, target, args)
        return None
    return _executor.submit(_run_in_context, app, target, args)


def run_job(target: str, *args) -> None:
    """What the queue runs: the target, in a fresh app context of the worker's app."""
    _run_in_context(current_app, target, args)  # the proxy's app_context() is the real app's


def _run_in_context(app: Flask, target: str, args: tuple) -> None:
    with app.app_context():  # its teardown closes the job's database session
        import_string(target)(*args)


def waiting(job_ticket: str) -> bool | None:
    """Tell whether a queued job is still waiting or running; None when the queue cannot say."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_ticket.removeprefix(QUEUED), connection=connection(current_app))
        return job.get_status(refresh=False) in WAITING_STATES
    except NoSuchJobError:
        return False
    except Exception as error:  # noqa: BLE001 (Redis unreachable: the caller falls back on its own rules)
        log.warning("cannot ask the job queue about %s: %s", job_ticket, error)
        return None


def connection(app: Flask):
    """Return the app's Redis connection (one client per app; it pools its sockets)."""
    from redis import Redis

    client = app.extensions.get("job_queue_redis")
    if client is None:
        client = Redis.from_url(app.config["JOB_QUEUE_URL"], socket_connect_timeout=5, socket_timeout=30)
        app.extensions["job_queue_redis"] = client
    return client


def queue(app: Flask):
    """Return the app's RQ queue."""
    from rq import Queue

    return Queue(app.config["JOB_QUEUE_NAME"], connection=connection(app))


def status(app: Flask) -> dict:
    """Count the queue's jobs by state and the workers serving it."""
    from rq import Worker

    if not app.config.get("JOB_QUEUE_URL"):
        raise QueueUnavailable("JOB_QUEUE_URL is not set: jobs run inside the web processes")
    try:
        jobs = queue(app)
        return {"queue": jobs.name, "waiting": jobs.count, "running": jobs.started_job_registry.count,
                "failed": jobs.failed_job_registry.count, "workers": len(Worker.all(queue=jobs))}
    except Exception as error:  # noqa: BLE001 (redis's own connection errors)
        raise QueueUnavailable(str(error)) from error


def work(app: Flask, burst: bool = False, name: str | None = None) -> bool:
    """Run an RQ worker on the app's queue until stopped (or, with burst, until the queue is empty).

    A SimpleWorker: each job runs in this process, not in a forked child. The job's "host:pid" is
    then the worker's own, so a worker that dies takes its job with it and its batch shows as
    interrupted at once, and no database connection is ever shared across a fork. SIGTERM lets the
    running job finish first (systemd's stop); a second one stops it at once.
    """
    from rq import SimpleWorker

    if not app.config.get("JOB_QUEUE_URL"):
        raise QueueUnavailable("JOB_QUEUE_URL is not set: jobs run inside the web processes")
    worker = SimpleWorker([queue(app)], connection=connection(app), name=name)
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        return worker.work(burst=burst, logging_level="INFO")
    finally:  # the worker takes over SIGINT and SIGTERM; a caller that goes on (a test) gets them back
        for number, handler in previous.items():
            signal.signal(number, handler)
