"""Recording attempts through the services, end to end with a fake clock: retries inside calling
hours on different days, appointments, escalation to a visit, final outcomes, double submits."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from callbacks.attempts import record_attempt
from callbacks.context import Actor, retry_rules
from callbacks.errors import FollowUpError
from callbacks.queue import claim_next
from core.extensions import db
from models import Attempt, AuditLog, DoNotContact, FollowUpTask, User
from support.followup_factory import WEDNESDAY_10, make_tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def one_task(app, users):
    make_tasks(app, {"440802": 1})
    with app.app_context():
        actor = Actor.of(db.session.get(User, users["caller"]))
        task_id = db.session.scalar(select(FollowUpTask.id))
    return actor, task_id


def attempt(actor, task_id, disposition, now, key=None, **kwargs):
    return record_attempt(actor, task_id, disposition, now, retry_rules(), submission_key=key or f"{disposition}-{now}",
                          **kwargs)


def local(moment):
    return moment.astimezone(SHANGHAI)


def test_generated_task_is_a_phone_task_due_at_once_in_calling_hours(app, one_task):
    with app.app_context():
        task = db.session.scalars(select(FollowUpTask)).one()
        assert (task.status, task.channel, task.due_at, task.plan_reason) == ("open", "phone", WEDNESDAY_10,
                                                                            "first_attempt")


def test_no_answers_retry_on_new_days_and_slots_then_escalate_to_a_visit_then_unreachable(app, one_task):
    actor, task_id = one_task
    with app.app_context():
        now = WEDNESDAY_10
        result = attempt(actor, task_id, "no_answer", now)
        assert local(result.task.due_at) == datetime(2026, 5, 7, 14, 0, tzinfo=SHANGHAI)  # Thursday afternoon
        now = result.task.due_at
        result = attempt(actor, task_id, "busy", now)
        assert local(result.task.due_at) == datetime(2026, 5, 8, 17, 0, tzinfo=SHANGHAI)  # Friday evening
        now = result.task.due_at
        result = attempt(actor, task_id, "switched_off", now)
        assert (result.task.channel, result.task.plan_reason) == ("visit", "escalated_to_visit")
        assert result.task.due_at == now  # the visit team may go at once
        now = result.task.due_at
        result = attempt(actor, task_id, "nobody_home", now)
        assert result.task.status == "open"
        result = attempt(actor, task_id, "nobody_home", result.task.due_at)
        assert (result.task.status, result.task.final_outcome) == ("closed", "unreachable")
        assert db.session.scalar(select(func.count(Attempt.id))) == 5


def test_appointment_wins_and_a_missed_one_falls_back_to_the_rules(app, one_task):
    actor, task_id = one_task
    with app.app_context():
        wanted = datetime(2026, 5, 6, 12, 30, tzinfo=SHANGHAI)  # lunch gap: allowed when the person asks
        result = attempt(actor, task_id, "appointment", WEDNESDAY_10, appointment_at=wanted)
        assert (result.task.due_at, result.task.plan_reason, result.task.phone_attempts_used) == (
            wanted.astimezone(UTC), "appointment", 0)
        with pytest.raises(FollowUpError) as refused:
            attempt(actor, task_id, "appointment", WEDNESDAY_10, key="bad",
                    appointment_at=WEDNESDAY_10 - timedelta(hours=1))
        assert refused.value.code == "bad_appointment"


def test_refusal_closes_at_once_and_is_never_overwritten(app, one_task):
    actor, task_id = one_task
    with app.app_context():
        result = attempt(actor, task_id, "refused", WEDNESDAY_10)
        assert (result.task.status, result.task.final_outcome) == ("closed", "refused")
        with pytest.raises(FollowUpError) as closed:
            attempt(actor, task_id, "no_answer", WEDNESDAY_10 + timedelta(days=1))
        assert closed.value.code == "task_not_open"


def test_do_not_contact_is_listed_and_never_offered_again(app, users, one_task):
    actor, task_id = one_task
    with app.app_context():
        attempt(actor, task_id, "do_not_contact", WEDNESDAY_10)
        person_id = db.session.get(FollowUpTask, task_id).person_id
        assert db.session.scalar(select(DoNotContact.person_id)) == person_id
        assert claim_next(actor, WEDNESDAY_10 + timedelta(days=1), retry_rules()) is None


def test_a_double_submit_records_one_attempt(app, one_task):
    actor, task_id = one_task
    with app.app_context():
        first = attempt(actor, task_id, "no_answer", WEDNESDAY_10, key="k-1")
        second = attempt(actor, task_id, "no_answer", WEDNESDAY_10 + timedelta(seconds=1), key="k-1")
        assert first.created and not second.created and first.attempt.id == second.attempt.id
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "followup.attempt")) == 1


def test_a_completed_call_waits_for_its_record_and_keeps_the_claim(app, one_task):
    actor, task_id = one_task
    with app.app_context():
        result = attempt(actor, task_id, "completed", WEDNESDAY_10)
        assert (result.task.status, result.task.claimed_by_id) == ("awaiting_record", actor.id)


def test_a_disposition_of_the_other_channel_is_refused(app, one_task):
    actor, task_id = one_task
    with app.app_context(), pytest.raises(FollowUpError) as refused:
        attempt(actor, task_id, "nobody_home", WEDNESDAY_10)
    assert refused.value.code == "bad_disposition"


def test_a_task_without_phone_starts_as_a_visit(app, users):
    from callbacks.context import SYSTEM
    from callbacks.tasks import generate_tasks
    from models import Person
    from support.followup_factory import add_draw

    with app.app_context():
        draw_id = add_draw(db.session, {"440803": 2})
        db.session.execute(Person.__table__.update().values(phone=None))
        db.session.commit()
        result = generate_tasks(draw_id, WEDNESDAY_10, retry_rules(), SYSTEM)
        again = generate_tasks(draw_id, WEDNESDAY_10, retry_rules(), SYSTEM)
        assert (result.created, result.visit_first, again.created, again.existing) == (2, 2, 0, 2)
        assert set(db.session.scalars(select(FollowUpTask.channel))) == {"visit"}


def test_a_failed_attempt_before_the_task_is_due_is_refused_but_a_contact_is_not(app, users, one_task):
    actor, task_id = one_task
    with app.app_context():
        other = Actor.of(db.session.get(User, users["coordinator"]))  # coordinators work cases too
        first = attempt(actor, task_id, "no_answer", WEDNESDAY_10)
        due = first.task.due_at
        # A second caller tries the same person a minute later, from a page opened before the first call.
        with pytest.raises(FollowUpError) as early:
            attempt(other, task_id, "busy", WEDNESDAY_10 + timedelta(minutes=1), key="second")
        assert early.value.code == "not_due_yet" and "2026-05-07 14:00" in early.value.message()
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        # An hour before it is due counts; and a person who answers early is always recorded.
        assert attempt(other, task_id, "busy", due - timedelta(hours=1), key="third").created
        result = attempt(other, task_id, "completed", due - timedelta(minutes=30), key="fourth")
        assert result.task.status == "awaiting_record"
