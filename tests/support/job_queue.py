"""The job queue in tests: Redis on 127.0.0.1:6379, a queue of each test's own, and the skip rule."""

import os
import uuid

import pytest

REDIS_URL = os.environ.get("SPOTCHECK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_answers(url: str = REDIS_URL) -> bool:
    """Tell whether Redis answers a PING at url."""
    from redis import Redis

    client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 (refused, timed out, not Redis)
        return False
    finally:
        client.close()


def skip_redis_tests_without_redis(items) -> None:
    """Mark the tests that need Redis skipped where it does not answer; in CI they must run.

    CI sets SPOTCHECK_REQUIRE_REDIS=1 and starts redis-server, so there a missing Redis stops the run
    instead of quietly skipping what these tests prove.
    """
    wanted = [item for item in items if item.get_closest_marker("redis")]
    if not wanted or redis_answers():
        return
    if os.environ.get("SPOTCHECK_REQUIRE_REDIS"):
        raise pytest.UsageError(f"Redis does not answer at {REDIS_URL} but SPOTCHECK_REQUIRE_REDIS is set")
    for item in wanted:
        item.add_marker(pytest.mark.skipif(True, reason=f"Redis does not answer at {REDIS_URL}"))


def queue_settings() -> dict:
    """Settings that send an app's jobs to a queue of its own (several test runs may share one Redis)."""
    return {"JOB_QUEUE_URL": REDIS_URL, "JOB_QUEUE_NAME": f"test-{uuid.uuid4().hex[:12]}"}


def empty_queue(settings: dict) -> None:
    """Drop a test queue and its registries."""
    from redis import Redis
    from rq import Queue

    client = Redis.from_url(settings["JOB_QUEUE_URL"])
    try:
        queue = Queue(settings["JOB_QUEUE_NAME"], connection=client)
        queue.empty()
        queue.delete(delete_jobs=True)
    finally:
        client.close()
