"""Rectification (整改): items from confirmed discrepancies, the county's fix, the coordinator's check."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import AuditLog, Campaign, RectificationItem, Verification
from reports.rectification import generate_items
from support.reports_factory import add_campaign

A, B = "440802", "440803"
NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 5, 10)


@pytest.fixture
def campaign_id(app, session):
    with app.app_context():
        return add_campaign(session, {
            A: {"N": 500, "verified": [[], ["not_authentic"], ["inaccurate_data", "should_have_been_cancelled"]]},
            B: {"N": 400, "verified": [["assistance_not_delivered"]]},
        })


@pytest.fixture
def clock(app):
    app.config["CLOCK"] = lambda: NOW
    return NOW


def generate(app, session, campaign_id, today=TODAY, days=30):
    with app.app_context():
        counts = generate_items(session, session.get(Campaign, campaign_id), NOW, today, days)
        session.commit()
        return counts


def items(session):
    session.expire_all()
    return session.scalars(select(RectificationItem).order_by(RectificationItem.id)).all()


def test_every_confirmed_discrepancy_becomes_one_item_of_its_county(app, session, campaign_id):
    assert generate(app, session, campaign_id) == {"created": 4, "withdrawn": 0, "restored": 0}
    made = items(session)
    assert [(i.county_code, i.discrepancy_type) for i in made] == [
        (A, "not_authentic"), (A, "inaccurate_data"), (A, "should_have_been_cancelled"), (B, "assistance_not_delivered")]
    assert all(i.status == "open" and i.due_on == date(2026, 6, 9) for i in made)
    wrong = made[1]
    assert wrong.found["corrections"] == {"phone": "+8613900001111", "unemployment_reason": "03"}
    assert wrong.register["fields"]["unemployment_reason"] == "01"  # what the register says


def test_generation_is_idempotent(app, session, campaign_id):
    generate(app, session, campaign_id)
    assert generate(app, session, campaign_id) == {"created": 0, "withdrawn": 0, "restored": 0}
    assert len(items(session)) == 4
    assert session.scalar(select(AuditLog.detail).where(AuditLog.action == "rectification.generate")
                          .order_by(AuditLog.id.desc()).limit(1))["created"] == 0


def test_a_corrected_record_withdraws_and_restores_its_item(app, session, campaign_id):
    generate(app, session, campaign_id)
    with app.app_context():
        record = session.scalars(select(Verification).where(Verification.discrepancies != [])).first()
        kept = list(record.discrepancies)
        record.discrepancies = []
        session.commit()
    assert generate(app, session, campaign_id)["withdrawn"] == 1
    assert [i.status for i in items(session)].count("withdrawn") == 1
    with app.app_context():
        record = session.get(Verification, record.id)
        record.discrepancies = kept
        session.commit()
    assert generate(app, session, campaign_id)["restored"] == 1
    assert all(i.status == "open" for i in items(session))


def test_county_manager_rectifies_and_coordinator_accepts(app, session, campaign_id, client, login_as, clock):
    generate(app, session, campaign_id)
    item_id = items(session)[0].id
    login_as("liaison")
    response = client.post(f"/reports/rectification/{item_id}/rectify",
                           data={"note": "已撤销虚假登记", "rectified_on": "2026-05-09"})
    assert response.status_code in (302, 303)
    item = items(session)[0]
    assert item.status == "rectified" and item.rectified_on == date(2026, 5, 9) and item.rectified_note == "已撤销虚假登记"
    client.post("/logout")
    login_as("coordinator")
    client.post(f"/reports/rectification/{item_id}/accept", data={"note": "核实无误"})
    item = items(session)[0]
    assert item.status == "accepted" and item.review_note == "核实无误"
    actions = session.scalars(select(AuditLog.action).where(AuditLog.object_type == "rectification_item")).all()
    assert actions == ["rectification.rectify", "rectification.accept"]


def test_coordinator_sends_an_item_back_with_a_reason_and_a_new_due_date(app, session, campaign_id, client,
                                                                         login_as, clock):
    generate(app, session, campaign_id, today=date(2026, 4, 1), days=10)  # due 2026-04-11: overdue now
    item_id = items(session)[0].id
    login_as("manager")
    client.post(f"/reports/rectification/{item_id}/rectify", data={"note": "已更正", "rectified_on": "2026-05-10"})
    client.post("/logout")
    login_as("coordinator")
    client.post(f"/reports/rectification/{item_id}/reopen", data={"note": ""})
    assert items(session)[0].status == "rectified"  # a reason is required
    client.post(f"/reports/rectification/{item_id}/reopen", data={"note": "名册仍未更正"})
    item = items(session)[0]
    assert item.status == "open" and item.reopened_count == 1 and item.due_on == date(2026, 6, 9)
    page = client.get(f"/reports/{campaign_id}/rectification").data.decode()
    assert "退回重改" in page


def test_overdue_items_are_counted_on_the_dashboard_and_listed(app, session, campaign_id, login_as, clock):
    generate(app, session, campaign_id, today=date(2026, 4, 1), days=10)
    client = login_as("manager")
    data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").json
    assert data["overall"]["rectification"]["overdue"] == 4
    assert {c["code"]: c["rectification"]["overdue"] for c in data["counties"]} == {A: 3, B: 1}
    listed = client.get(f"/api/v1/campaigns/{campaign_id}/rectification?status=overdue").json
    assert listed["total"] == 4 and all(row["overdue"] for row in listed["items"])
    assert "逾期" in client.get(f"/reports/{campaign_id}/").data.decode()


def test_who_may_take_each_step(app, session, campaign_id, client, login_as, clock):
    generate(app, session, campaign_id)
    chikan, xiashan = items(session)[0].id, items(session)[3].id
    login_as("liaison")
    assert client.post(f"/reports/rectification/{xiashan}/rectify", data={"note": "x"}).status_code == 404
    assert client.post(f"/reports/rectification/{chikan}/accept").status_code == 403
    client.post("/logout")
    login_as("coordinator")
    assert client.post(f"/reports/rectification/{chikan}/rectify",
                       data={"note": "x", "rectified_on": "2026-05-10"}).status_code == 403
    assert client.post(f"/reports/{campaign_id}/rectification/generate").status_code in (302, 303)
    client.post("/logout")
    login_as("caller")
    assert client.get(f"/reports/{campaign_id}/rectification").status_code == 403
    assert client.post(f"/reports/{campaign_id}/rectification/generate").status_code == 403


def test_a_fix_needs_a_note_and_a_date_not_in_the_future(app, session, campaign_id, client, login_as, clock):
    generate(app, session, campaign_id)
    item_id = items(session)[0].id
    login_as("liaison")
    client.post(f"/reports/rectification/{item_id}/rectify", data={"note": "", "rectified_on": "2026-05-09"})
    client.post(f"/reports/rectification/{item_id}/rectify", data={"note": "ok", "rectified_on": "2026-05-11"})
    assert items(session)[0].status == "open"


def bearer(runner, username):
    token = runner.invoke(args=["users", "token", username]).output.strip()
    return {"Authorization": f"Bearer {token}"}


def test_the_api_runs_the_same_workflow(app, session, campaign_id, client, runner, users, clock):
    coordinator, liaison = bearer(runner, "coordinator"), bearer(runner, "liaison")
    made = client.post(f"/api/v1/campaigns/{campaign_id}/rectification/generate", json={"due_days": 15},
                       headers=coordinator)
    assert made.json == {"created": 4, "withdrawn": 0, "restored": 0}
    item_id = items(session)[0].id
    assert client.post(f"/api/v1/rectification/{item_id}/accept", headers=coordinator).status_code == 409
    assert client.post(f"/api/v1/rectification/{item_id}/accept", headers=liaison).status_code == 403
    bad = client.post(f"/api/v1/rectification/{item_id}/rectify", json={"note": "", "rectified_on": "2026-05-10"},
                      headers=liaison)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "note_required"
    done = client.post(f"/api/v1/rectification/{item_id}/rectify", json={"note": "已注销", "rectified_on": "2026-05-10"},
                       headers=liaison)
    assert done.status_code == 200 and done.json["status"] == "rectified" and done.json["due_on"] == "2026-05-25"
    other = items(session)[3].id
    assert client.post(f"/api/v1/rectification/{other}/rectify", json={}, headers=liaison).status_code == 404


def test_the_cli_generates_the_lists(app, session, campaign_id, runner):
    result = runner.invoke(args=["rectification", "generate", "--campaign", str(campaign_id), "--due-days", "20"])
    assert result.exit_code == 0, result.output
    assert "4 new" in result.output and len(items(session)) == 4
    assert runner.invoke(args=["rectification", "generate", "--campaign", "999"]).exit_code != 0
