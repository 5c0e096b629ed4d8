"""The coordinators' follow-up actions through /api/v1: same services, permissions and refusals as the pages."""

import pytest
from sqlalchemy import select, update

from core.extensions import db
from models import AuditLog, FollowUpTask
from support.followup_factory import FakeClock, add_draw


@pytest.fixture
def api(app, token_client):
    app.config["CLOCK"] = FakeClock()
    return token_client


@pytest.fixture
def draw_id(app):
    with app.app_context():
        made = add_draw(db.session, {"440802": 3, "440881": 2})
        db.session.remove()
    return made


def tasks(app, **where):
    with app.app_context():
        rows = db.session.scalars(select(FollowUpTask).filter_by(**where).order_by(FollowUpTask.id)).all()
        db.session.expunge_all()
        return rows


def test_generate_assign_reassign_and_send_to_visit(api, app, users, draw_id):
    coordinator = api("coordinator")
    made = coordinator.post(f"/api/v1/draws/{draw_id}/tasks", json={})
    assert made.status_code == 200 and made.get_json()["created"] == 5
    assert coordinator.post(f"/api/v1/draws/{draw_id}/tasks", json={}).get_json() == {
        "created": 0, "existing": 5, "do_not_contact": 0, "visit_first": 0}
    given = coordinator.post("/api/v1/followup/assign", json={"county": "440802", "callers": [users["caller"]]})
    assert given.get_json() == {"assigned": {str(users["caller"]): 3}}
    assert [t.assigned_to_id for t in tasks(app, county_code="440802")] == [users["caller"]] * 3
    moved = coordinator.post("/api/v1/followup/reassign", json={"to_caller": None, "from_caller": users["caller"]})
    assert moved.get_json() == {"moved": 3} and {t.assigned_to_id for t in tasks(app)} == {None}
    first = tasks(app)[0].id
    visit = coordinator.post(f"/api/v1/followup/tasks/{first}/send-to-visit")
    assert visit.get_json()["channel"] == "visit" and visit.get_json()["moved"] == 1
    refused = coordinator.post("/api/v1/followup/assign", json={"county": "440802", "callers": ["x"]})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "bad_caller"


def test_refer_and_resolve_a_case(api, app, draw_id):
    api("coordinator").post(f"/api/v1/draws/{draw_id}/tasks", json={})
    task_id = tasks(app)[0].id
    caller = api("caller")
    empty = caller.post(f"/api/v1/followup/tasks/{task_id}/refer", json={"reason": " "})
    assert empty.status_code == 400 and empty.get_json()["error"]["code"] == "reason_required"
    referred = caller.post(f"/api/v1/followup/tasks/{task_id}/refer", json={"reason": "本人说已在外地就业，需核实"})
    assert referred.get_json()["review_kind"] == "referral"
    resolved = api("coordinator").post(f"/api/v1/followup/tasks/{task_id}/review",
                                       json={"resolution": "安排入户走访", "start_visit": True})
    assert resolved.get_json()["review_resolution"] == "安排入户走访" and resolved.get_json()["channel"] == "visit"


def test_reveal_writes_the_audit_log_and_county_scope_holds(api, app, draw_id):
    api("coordinator").post(f"/api/v1/draws/{draw_id}/tasks", json={})
    chikan = tasks(app, county_code="440802")[0].id
    shown = api("caller").post(f"/api/v1/followup/tasks/{chikan}/reveal", json={"field": "phone"}).get_json()
    assert "*" not in shown["phone"] and shown["phone"]
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "person.reveal_phone"))
    other = api("county_caller").post(f"/api/v1/followup/tasks/{chikan}/reveal", json={"field": "phone"})
    assert other.status_code == 404


def test_quality_recheck_and_permissions(api, app, draw_id):
    api("coordinator").post(f"/api/v1/draws/{draw_id}/tasks", json={})
    task_id = tasks(app)[0].id
    with app.app_context():
        db.session.execute(update(FollowUpTask).where(FollowUpTask.id == task_id).values(
            status="closed", final_outcome="verified", qc_selected=True))
        db.session.commit()
    coordinator = api("coordinator")
    assert coordinator.post(f"/api/v1/followup/tasks/{task_id}/qc", json={"result": "maybe"}).status_code == 400
    disputed = coordinator.post(f"/api/v1/followup/tasks/{task_id}/qc", json={"result": "disputed"})
    assert disputed.status_code == 400 and disputed.get_json()["error"]["code"] == "reason_required"
    saved = coordinator.post(f"/api/v1/followup/tasks/{task_id}/qc", json={"result": "confirmed"}).get_json()
    assert saved["qc_result"] == "confirmed"
    caller, manager = api("caller"), api("manager")
    for client in (caller, manager):
        assert client.post("/api/v1/followup/assign", json={"county": "440802", "callers": [1]}).status_code == 403
        assert client.post(f"/api/v1/followup/tasks/{task_id}/qc", json={"result": "confirmed"}).status_code == 403
    call = caller.post(f"/api/v1/followup/tasks/{tasks(app)[1].id}/call")
    assert call.status_code == 409 and call.get_json()["error"]["message"]  # Twilio is not set up here
