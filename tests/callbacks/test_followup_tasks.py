"""Task generation, balanced assignment, bulk reassignment and reserves."""

import pytest
from sqlalchemy import func, select

from auth.accounts import create_user
from callbacks.context import SYSTEM, Actor, retry_rules
from callbacks.errors import FollowUpError
from callbacks.tasks import assign_balanced, generate_tasks, reassign
from core.extensions import db
from models import Draw, FollowUpTask, SampleUnit, User
from support.accounts import PASSWORD
from support.followup_factory import WEDNESDAY_10, add_draw, make_tasks


def coordinator(users):
    return Actor.of(db.session.get(User, users["coordinator"]))


def test_balanced_assignment_evens_out_the_loads(app, users):
    make_tasks(app, {"440881": 7})
    with app.app_context():
        extra = create_user(db.session, "c2", PASSWORD, "caller", "440881").id
        db.session.commit()
        first = assign_balanced(coordinator(users), "440881", [users["county_caller"]])
        assert first == {users["county_caller"]: 7}
        reassign(coordinator(users), None, county_code="440881", task_ids=sorted(
            db.session.scalars(select(FollowUpTask.id)))[:4])
        given = assign_balanced(coordinator(users), "440881", [users["county_caller"], extra])
        loads = dict(db.session.execute(select(FollowUpTask.assigned_to_id, func.count()).group_by(
            FollowUpTask.assigned_to_id)).all())
        assert given == {extra: 3, users["county_caller"]: 1}
        assert sorted(loads.values()) == [3, 4]  # as even as 7 tasks allow


def test_a_caller_of_another_county_cannot_be_given_tasks(app, users):
    make_tasks(app, {"440802": 2})
    with app.app_context():
        with pytest.raises(FollowUpError) as refused:
            assign_balanced(coordinator(users), "440802", [users["county_caller"]])
        assert refused.value.code == "bad_caller"
        with pytest.raises(FollowUpError):
            reassign(coordinator(users), users["county_caller"], county_code="440802")
        assert db.session.scalar(select(func.count(FollowUpTask.id)).where(
            FollowUpTask.assigned_to_id.is_not(None))) == 0


def test_callers_cannot_assign(app, users):
    make_tasks(app, {"440802": 1})
    with app.app_context(), pytest.raises(FollowUpError) as refused:
        assign_balanced(Actor.of(db.session.get(User, users["caller"])), "440802", [users["caller"]])
    assert refused.value.code == "not_permitted"


def test_a_replaced_unit_closes_out_of_scope_and_its_reserve_gets_a_task(app, users):
    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 2}, reserves=1)
        generate_tasks(draw_id, WEDNESDAY_10, retry_rules(), SYSTEM)
        units = db.session.scalars(select(SampleUnit).order_by(SampleUnit.rank)).all()
        units[0].status, units[0].replaced_by_id, units[2].status = "replaced", units[2].id, "active"
        db.session.commit()
        result = generate_tasks(draw_id, WEDNESDAY_10, retry_rules(), SYSTEM)
        assert (result.created, result.existing) == (1, 2)
        closed = db.session.scalar(select(FollowUpTask).where(FollowUpTask.sample_unit_id == units[0].id))
        assert (closed.status, closed.final_outcome) == ("closed", "out_of_scope")


def test_a_superseded_draw_gets_no_tasks(app, users):
    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 1})
        db.session.get(Draw, draw_id).superseded = True
        db.session.commit()
        with pytest.raises(FollowUpError) as refused:
            generate_tasks(draw_id, WEDNESDAY_10, retry_rules(), SYSTEM)
        assert refused.value.code == "draw_superseded"


def test_cli_generates_tasks_idempotently(app, runner):
    with app.app_context():
        draw_id = add_draw(db.session, {"440802": 3})
    first = runner.invoke(args=["tasks", "generate", str(draw_id)])
    second = runner.invoke(args=["tasks", "generate", str(draw_id)])
    assert '"created": 3' in first.output and '"created": 0' in second.output
    sweep = runner.invoke(args=["scheduler", "sweep"])
    assert sweep.exit_code == 0 and '"daily_snapshot": 1' in sweep.output
