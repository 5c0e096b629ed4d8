"""Rectification a county can act on: the registered and found values it needs to fix its register (full
numbers only on demand, POST then redirect, logged), and overdue items by the campaign's deadline."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import AuditLog, Campaign, RectificationItem
from reports.rectification import generate_items
from support.reports_factory import add_campaign

A, B = "440802", "440803"  # the liaison of the `users` fixture is scoped to 440802
NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 5, 10)


@pytest.fixture
def campaign_id(app, session):
    app.config["CLOCK"] = lambda: NOW
    with app.app_context():
        cid = add_campaign(session, {A: {"N": 500, "verified": [["inaccurate_data"], ["not_authentic"]]},
                                     B: {"N": 400, "verified": [["inaccurate_data"]]}})
        generate_items(session, session.get(Campaign, cid), NOW, TODAY, 30)
        session.commit()
        return cid


class Item:
    """What a test needs of an item, read before any request (a request ends the shared session)."""

    def __init__(self, item):
        self.id, self.register = item.id, dict(item.register)


def item_of(session, county, kind="inaccurate_data"):
    session.expire_all()
    return Item(session.scalars(select(RectificationItem).where(RectificationItem.county_code == county,
                                                                RectificationItem.discrepancy_type == kind)).one())


def reveals(session):
    return session.scalars(select(AuditLog).where(AuditLog.action == "rectification.reveal")).all()


def test_the_item_shows_registered_and_found_values_masked(session, login_as, campaign_id):
    item = item_of(session, A)
    page = login_as("liaison").get(f"/reports/rectification/{item.id}").data.decode()
    table = page[page.index('data-testid="register-fix"'):]
    assert "更正名册所需信息" in page and "139****1111" in table and "+8613900001111" not in page
    assert 'data-testid="reveal-phone"' in table and 'data-testid="reveal-unemployment_reason"' not in table
    assert reveals(session) == []


def test_a_reveal_is_a_logged_post_that_redirects_and_shows_the_number_once(session, login_as, campaign_id):
    item = item_of(session, A)
    client = login_as("liaison")
    response = client.post(f"/reports/rectification/{item.id}/reveal", data={"field": "phone"})
    assert response.status_code in (302, 303) and response.headers["Location"].endswith(f"/rectification/{item.id}")
    shown = client.get(f"/reports/rectification/{item.id}").data.decode()
    registered = item.register["fields"]["phone"]
    assert "+8613900001111" in shown and registered in shown and 'data-testid="revealed"' in shown
    again = client.get(f"/reports/rectification/{item.id}").data.decode()  # a reload masks it again
    assert "+8613900001111" not in again
    [entry] = reveals(session)
    assert entry.username == "liaison" and entry.object_id == str(item.id) and entry.detail["field"] == "phone"


def test_no_reveal_of_another_countys_item_nor_of_a_field_not_corrected(session, login_as, campaign_id, client):
    login_as("liaison")
    assert client.post(f"/reports/rectification/{item_of(session, B).id}/reveal",
                       data={"field": "phone"}).status_code == 404
    assert client.post(f"/reports/rectification/{item_of(session, A).id}/reveal",
                       data={"field": "id_number"}).status_code == 404
    assert client.post(f"/reports/rectification/{item_of(session, A, 'not_authentic').id}/reveal",
                       data={"field": "phone"}).status_code == 404
    assert reveals(session) == []


def test_the_api_reveals_with_the_same_rule(session, token_client, campaign_id):
    client = token_client("liaison")
    item = item_of(session, A)
    data = client.post(f"/api/v1/rectification/{item.id}/reveal", json={"field": "phone"}).get_json()
    assert data == {"field": "phone", "registered": item.register["fields"]["phone"], "found": "+8613900001111"}
    bad = client.post(f"/api/v1/rectification/{item.id}/reveal", json={"field": "name"})
    assert bad.status_code == 400
    assert len(reveals(session)) == 1


def test_the_campaign_deadline_sets_due_dates_and_flags_overdue_items(app, session, login_as, token_client,
                                                                      campaign_id):
    client = login_as("coordinator")
    assert {i.due_on for i in session.scalars(select(RectificationItem))} == {date(2026, 6, 9)}
    response = client.post(f"/reports/{campaign_id}/rectification/deadline", data={"deadline": "2026-05-20"})
    assert response.status_code in (302, 303)
    session.expire_all()
    assert session.get(Campaign, campaign_id).rectification_deadline == date(2026, 5, 20)
    assert {i.due_on for i in session.scalars(select(RectificationItem))} == {date(2026, 5, 20)}
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "rectification.deadline")).one()
    assert entry.detail == {"before": None, "after": "2026-05-20", "items": 3}
    page = client.get(f"/reports/{campaign_id}/rectification").data.decode()
    assert "本批次整改期限：2026-05-20" in page and "逾期" not in page.split('data-testid="rectification"')[1]
    later = datetime(2026, 5, 21, 2, 0, tzinfo=UTC)  # the day after the deadline
    app.config["CLOCK"] = lambda: later
    listed = token_client("liaison").get(f"/api/v1/campaigns/{campaign_id}/rectification?status=overdue").get_json()
    assert listed["total"] == 2 and all(row["overdue"] for row in listed["items"])  # the liaison's county: 2


def test_items_listed_after_the_deadline_is_set_take_it(app, session, login_as, campaign_id):
    client = login_as("coordinator")
    client.post(f"/reports/{campaign_id}/rectification/deadline", data={"deadline": "2026-05-31"})
    with app.app_context():
        session.execute(RectificationItem.__table__.delete())
        session.commit()
        generate_items(session, session.get(Campaign, campaign_id), NOW, TODAY, 30)
        session.commit()
    assert {i.due_on for i in session.scalars(select(RectificationItem))} == {date(2026, 5, 31)}


def test_a_deadline_in_the_past_or_not_a_date_is_refused_and_only_coordinators_set_it(session, login_as, token_client,
                                                                                      campaign_id, client):
    login_as("coordinator")
    client.post(f"/reports/{campaign_id}/rectification/deadline", data={"deadline": "2026-05-09"})
    page = client.post(f"/reports/{campaign_id}/rectification/deadline", data={"deadline": "明天"},
                       follow_redirects=True).data.decode()
    assert "整改期限须为日期" in page
    assert session.get(Campaign, campaign_id).rectification_deadline is None
    api = token_client("coordinator").post(f"/api/v1/campaigns/{campaign_id}/rectification/deadline",
                                           json={"deadline": "2026-05-01"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "date_invalid"
    client.post("/logout")
    login_as("liaison")
    assert client.post(f"/reports/{campaign_id}/rectification/deadline",
                       data={"deadline": "2026-06-01"}).status_code == 403


def test_the_api_sets_and_clears_the_deadline(session, token_client, campaign_id):
    client = token_client("coordinator")
    done = client.post(f"/api/v1/campaigns/{campaign_id}/rectification/deadline", json={"deadline": "2026-05-20"})
    assert done.get_json() == {"deadline": "2026-05-20", "items_changed": 3}
    cleared = client.post(f"/api/v1/campaigns/{campaign_id}/rectification/deadline", json={"deadline": None})
    assert cleared.get_json() == {"deadline": None, "items_changed": 0}
    assert session.get(Campaign, campaign_id).rectification_deadline is None
    assert token_client("liaison").post(f"/api/v1/campaigns/{campaign_id}/rectification/deadline",
                                        json={"deadline": "2026-05-20"}).status_code == 403
