"""The scheduler: sweeps that do nothing the second time, one scheduler at a time, its time zone."""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from callbacks.attempts import record_attempt
from callbacks.context import Actor, retry_rules
from callbacks.queue import claim_next
from callbacks.scheduler import SWEEPS, SchedulerLock, build_scheduler, run_sweeps, should_embed
from core.extensions import db
from models import FollowUpSnapshot, FollowUpTask, User
from support.followup_factory import WEDNESDAY_10, make_tasks


def test_every_sweep_run_twice_does_nothing_the_second_time(app, users):
    make_tasks(app, {"440802": 3, "440803": 2})
    with app.app_context():
        me = Actor.of(db.session.get(User, users["caller"]))
        rules = retry_rules()
        ids = sorted(db.session.scalars(select(FollowUpTask.id)))
        record_attempt(me, ids[0], "appointment", WEDNESDAY_10, rules, submission_key="a",
                       appointment_at=WEDNESDAY_10 + timedelta(hours=1))
        claim_next(me, WEDNESDAY_10, rules)
        later = WEDNESDAY_10 + timedelta(hours=2)
        first = run_sweeps(later)
        second = run_sweeps(later)
        telephony = {"call_records": 0, "sms_status": 0, "auto_notices": 0,
                     "register_retention": 0}  # no provider set up here
        assert first == {"expired_claims": 1, "interrupted_imports": 0, "due": 1, "quality_sample": 0, "daily_snapshot": 2,
                         **telephony}
        assert second == {"expired_claims": 0, "interrupted_imports": 0, "due": 0, "quality_sample": 0,
                          "daily_snapshot": 0, **telephony}
        assert db.session.get(FollowUpTask, ids[0]).plan_reason == "appointment_missed"
        snapshot = db.session.scalars(select(FollowUpSnapshot).where(FollowUpSnapshot.county_code == "440802")).one()
        assert snapshot.figures["tasks"] == 3 and snapshot.figures["attempts"] == 1
        assert db.session.scalar(select(func.count(FollowUpSnapshot.id))) == 2


def test_the_quality_sample_takes_its_share_once(app, users):
    from callbacks.tasks import draw_qc_sample

    make_tasks(app, {"440802": 30})
    with app.app_context():
        db.session.execute(FollowUpTask.__table__.update().values(status="closed", final_outcome="verified"))
        db.session.commit()
        assert draw_qc_sample(db.session, 0.05) == 2
        assert draw_qc_sample(db.session, 0.05) == 0


def test_two_schedulers_started_only_one_runs_the_other_waits(app):
    engine = app.extensions["database_engine"]
    first, second = SchedulerLock(engine), SchedulerLock(engine)
    assert first.try_acquire()
    assert not second.try_acquire()
    got = threading.Event()
    stop = threading.Event()

    def wait_for_it():
        if second.acquire(poll_seconds=0.05, stop=stop):
            got.set()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    assert not got.wait(0.3)  # still waiting while the first one runs
    first.release()
    assert got.wait(5)
    waiter.join()
    assert not first.try_acquire()
    second.release()
    stop.set()


def test_the_scheduler_runs_in_the_shanghai_time_zone_with_every_sweep(app):
    scheduler = build_scheduler(app)
    assert scheduler.timezone == ZoneInfo("Asia/Shanghai")
    assert {job.id for job in scheduler.get_jobs()} == set(SWEEPS)


def test_no_embedded_scheduler_under_tests_or_unless_asked(make_app):
    app = make_app(EMBEDDED_SCHEDULER=True)
    assert not should_embed(app)  # tests never start it
    app.testing = False
    assert should_embed(app)
    app.config["EMBEDDED_SCHEDULER"] = False
    assert not should_embed(app)
