"""Rectification items from register findings and checklist conclusions, beside the spot check's own."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import AuditLog, Campaign, Person, RectificationItem, User
from reports.listing import rectification_rows
from reports.rectification import RectificationError, generate_items, open_item, withdraw_item
from support.reports_factory import add_campaign

A, B = "440802", "440803"
NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 5, 10)


@pytest.fixture
def campaign_id(app, session):
    with app.app_context():
        return add_campaign(session, {A: {"N": 50, "verified": [["not_authentic"]]}, B: {"N": 40, "verified": [[]]}})


def open_register_item(app, session, username, county=A, ref="death:1", person=True):
    with app.app_context():
        user = session.scalar(select(User).where(User.username == username))
        person_id = session.scalar(select(Person.id).where(Person.county_code == county).limit(1)) if person else None
        campaign = session.scalar(select(Campaign))
        item, new = open_item(session, user=user, campaign_id=campaign.id, county_code=county, source="register",
                              source_ref=ref, summary="死亡后仍在册（民政死亡登记 2026-03-01）",
                              discrepancy_type="should_have_been_cancelled", due_on=date(2026, 6, 9), now=NOW,
                              person_id=person_id, responsible_unit="赤坎区就业服务中心")
        session.commit()
        return item.id, new


def test_an_item_is_opened_once_per_finding_and_audited(app, session, users, campaign_id):
    first, new = open_register_item(app, session, "coordinator")
    again, new_again = open_register_item(app, session, "coordinator")
    assert new and not new_again and first == again
    item = session.get(RectificationItem, first)
    assert (item.source, item.status, item.verification_id, item.task_id) == ("register", "open", None, None)
    assert session.scalars(select(AuditLog.action).where(AuditLog.action == "rectification.open")).all() == [
        "rectification.open"]


def test_a_checklist_item_without_a_person_is_listed(app, session, users, campaign_id):
    item_id, _new = open_register_item(app, session, "coordinator", ref="checklist:7", person=False)
    with app.app_context():
        [row] = rectification_rows(session, session.scalar(select(Campaign.id)), today=TODAY, item_id=item_id)
    assert row["name"] == "" and row["id_number"] == "" and row["source"] == "register"
    assert row["found"][0] == "死亡后仍在册（民政死亡登记 2026-03-01）" and row["responsible_unit"] == "赤坎区就业服务中心"


def test_only_a_coordinator_who_sees_the_county_opens_items(app, session, users, campaign_id):
    for username in ("liaison", "caller", "manager"):
        with pytest.raises(RectificationError):
            open_register_item(app, session, username)
        session.rollback()


def test_the_spot_check_lists_leave_other_sources_alone(app, session, users, campaign_id):
    item_id, _new = open_register_item(app, session, "coordinator")
    with app.app_context():
        campaign = session.get(Campaign, campaign_id)
        counts = generate_items(session, campaign, NOW, TODAY)
        counts_again = generate_items(session, campaign, NOW, TODAY)
        session.commit()
    assert counts["created"] == 1 and counts_again == {"created": 0, "withdrawn": 0, "restored": 0}
    assert session.get(RectificationItem, item_id).status == "open"


def test_a_finding_that_no_longer_holds_withdraws_its_item_and_a_new_one_reopens_it(app, session, users, campaign_id):
    item_id, _new = open_register_item(app, session, "coordinator")
    with app.app_context():
        user = session.scalar(select(User).where(User.username == "coordinator"))
        assert withdraw_item(session, user=user, source="register", source_ref="death:1", now=NOW)
        assert not withdraw_item(session, user=user, source="register", source_ref="death:1", now=NOW)
        session.commit()
    assert session.get(RectificationItem, item_id).status == "withdrawn"
    open_register_item(app, session, "coordinator")
    session.expire_all()
    assert session.get(RectificationItem, item_id).status == "open"
