"""Claiming: one task at a time, atomic under real concurrency on both databases, idle claims expire."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from auth.accounts import create_user
from callbacks.attempts import record_attempt
from callbacks.context import Actor, retry_rules
from callbacks.errors import FollowUpError
from callbacks.queue import build_queue, claim, claim_next, release
from callbacks.scheduler import sweep_expired_claims
from core.extensions import db
from models import FollowUpTask, User
from support.accounts import PASSWORD
from support.followup_factory import WEDNESDAY_10, make_tasks


def actor(app, user_id):
    with app.app_context():
        return Actor.of(db.session.get(User, user_id))


def test_next_claims_one_task_and_returns_the_same_until_it_is_worked(app, users):
    make_tasks(app, {"440802": 3})
    me = actor(app, users["caller"])
    with app.app_context():
        first = claim_next(me, WEDNESDAY_10, retry_rules())
        again = claim_next(me, WEDNESDAY_10, retry_rules())
        assert first.id == again.id and first.claimed_by_id == me.id
        held = db.session.scalars(select(FollowUpTask).where(FollowUpTask.claimed_by_id == me.id)).all()
        assert len(held) == 1


def test_two_callers_never_get_the_same_task(app, users):
    make_tasks(app, {"440802": 2})
    a, b = actor(app, users["caller"]), actor(app, users["coordinator"])
    with app.app_context():
        first = claim_next(a, WEDNESDAY_10, retry_rules())
        second = claim_next(b, WEDNESDAY_10, retry_rules())
        assert first.id != second.id
        with pytest.raises(FollowUpError) as taken:
            claim(b, first.id, WEDNESDAY_10, retry_rules())
        assert taken.value.code == "claimed_by_other"


def test_an_idle_claim_expires_and_the_sweep_releases_it_once(app, users):
    make_tasks(app, {"440802": 1})
    a, b = actor(app, users["caller"]), actor(app, users["coordinator"])
    rules_timeout = timedelta(minutes=31)
    with app.app_context():
        task = claim_next(a, WEDNESDAY_10, retry_rules())
        assert claim_next(b, WEDNESDAY_10 + timedelta(minutes=29), retry_rules()) is None
        later = WEDNESDAY_10 + rules_timeout
        assert sweep_expired_claims(later) == 1
        assert sweep_expired_claims(later) == 0
        assert claim_next(b, later, retry_rules()).id == task.id


def test_an_expired_claim_can_be_taken_even_before_the_sweep(app, users):
    make_tasks(app, {"440802": 1})
    a, b = actor(app, users["caller"]), actor(app, users["coordinator"])
    with app.app_context():
        task = claim_next(a, WEDNESDAY_10, retry_rules())
        assert claim(b, task.id, WEDNESDAY_10 + timedelta(minutes=31), retry_rules()).claimed_by_id == b.id
        with pytest.raises(FollowUpError):
            record_attempt(a, task.id, "no_answer", WEDNESDAY_10 + timedelta(minutes=32), retry_rules(),
                           submission_key="late")


def test_release_returns_the_task_to_the_queue(app, users):
    make_tasks(app, {"440802": 1})
    a, b = actor(app, users["caller"]), actor(app, users["coordinator"])
    with app.app_context():
        task = claim_next(a, WEDNESDAY_10, retry_rules())
        release(a, task.id)
        assert claim_next(b, WEDNESDAY_10, retry_rules()).id == task.id


def test_queue_sections(app, users):
    make_tasks(app, {"440802": 3})
    me = actor(app, users["caller"])
    with app.app_context():
        rules = retry_rules()
        ids = sorted(db.session.scalars(select(FollowUpTask.id)))
        record_attempt(me, ids[0], "appointment", WEDNESDAY_10, rules, submission_key="a",
                       appointment_at=WEDNESDAY_10 + timedelta(hours=3))
        record_attempt(me, ids[1], "completed", WEDNESDAY_10, rules, submission_key="b")
        queue = build_queue(db.session, me, WEDNESDAY_10 + timedelta(minutes=1), rules)
        assert [t.id for t in queue["appointments"]] == [ids[0]]
        assert [t.id for t in queue["to_record"]] == [ids[1]]
        assert [t.id for t in queue["due_now"]] == [ids[2]]
        later = build_queue(db.session, me, WEDNESDAY_10 + timedelta(hours=4), rules)
        assert [t.id for t in later["missed_appointments"]] == [ids[0]]


def test_concurrent_next_with_real_threads_never_double_claims(make_app, users, app):
    """Twelve callers press "next" at once, over and over, on one engine per thread pool."""
    with app.app_context():
        callers = [create_user(db.session, f"c{n}", PASSWORD, "caller").id for n in range(12)]
        db.session.commit()
    make_tasks(app, {"440802": 40, "440803": 20})
    claimed, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(len(callers))

    def work(user_id):
        try:
            with app.app_context():
                me = Actor.of(db.session.get(User, user_id))
                start.wait()
                n = 0
                while True:
                    task = claim_next(me, WEDNESDAY_10, retry_rules())
                    if task is None:
                        break
                    with lock:
                        claimed.append((task.id, user_id))
                    n += 1
                    record_attempt(me, task.id, "no_answer", WEDNESDAY_10, retry_rules(),
                                   submission_key=f"{user_id}-{n}")
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(c,)) for c in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    ids = [task_id for task_id, _ in claimed]
    # Every task claimed exactly once. (How the 60 spread over the callers is up to the scheduler of
    # the threads: with SQLite's single writer one thread may well take them all.)
    assert len(ids) == len(set(ids)) == 60


def held_by(app, user_id) -> list[int]:
    with app.app_context():
        held = db.session.scalars(select(FollowUpTask.id).where(FollowUpTask.claimed_by_id == user_id,
                                                                 FollowUpTask.status != "closed")).all()
        db.session.remove()
        return sorted(held)


def test_eight_parallel_next_calls_by_one_caller_leave_them_holding_one_task(make_app, users, app):
    """A double-click, or eight browser tabs: one caller presses "next" eight times at once."""
    make_tasks(app, {"440802": 20})
    me = actor(app, users["caller"])
    got, errors = [], []
    start = threading.Barrier(8)

    def press_next():
        try:
            with app.app_context():
                start.wait()
                task = claim_next(me, WEDNESDAY_10, retry_rules())
                got.append(task.id)
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=press_next) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(got) == 8 and len(set(got)) == 1
    assert held_by(app, me.id) == [got[0]]


def test_claiming_another_task_gives_up_a_lapsed_claim_on_the_first(app, users):
    make_tasks(app, {"440802": 2})
    me = actor(app, users["caller"])
    with app.app_context():
        first = claim_next(me, WEDNESDAY_10, retry_rules()).id
        other = next(i for i in db.session.scalars(select(FollowUpTask.id)) if i != first)
        claim(me, other, WEDNESDAY_10 + timedelta(minutes=45), retry_rules())  # the first claim lapsed, unswept
        db.session.remove()
    assert held_by(app, me.id) == [other]


def test_recording_a_contact_on_another_task_gives_up_the_task_held(app, users):
    make_tasks(app, {"440802": 2})
    me = actor(app, users["caller"])
    with app.app_context():
        first = claim_next(me, WEDNESDAY_10, retry_rules()).id
        other = next(i for i in db.session.scalars(select(FollowUpTask.id)) if i != first)
        record_attempt(me, other, "completed", WEDNESDAY_10, retry_rules(), submission_key="other")
        db.session.remove()
    assert held_by(app, me.id) == [other]  # kept to fill in the verification record


def test_the_database_refuses_a_second_open_claim_for_one_caller(app, users):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    make_tasks(app, {"440802": 2})
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(FollowUpTask).values(claimed_by_id=users["caller"], claimed_at=WEDNESDAY_10))
            db.session.flush()
        db.session.rollback()
        db.session.execute(update(FollowUpTask).values(claimed_by_id=users["caller"], claimed_at=WEDNESDAY_10,
                                                       status="closed"))
        db.session.commit()  # closed cases may keep whoever last held them
