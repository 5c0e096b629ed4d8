"""A county's conclusions: checked field by field, pre-filled with the spot check's figures, frozen at sign-off."""

import pytest
from sqlalchemy import select

from checklists import entries
from checklists.errors import ChecklistError
from checklists.sheet import county_sheet
from core.extensions import db
from models import Campaign, ChecklistItem, User, Verification
from support.checklist_factory import TODAY, A, B, worked_campaign


@pytest.fixture
def campaign_id(app):
    return worked_campaign(app)


def record(app, campaign_id, key, data, county=A, who=None):
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.campaign_id == campaign_id,
                                                             ChecklistItem.key == key))
        user = db.session.get(User, who) if who else None
        return entries.record(campaign, county, item, data, user, TODAY).id


def sheet(app, campaign_id, county=A):
    with app.app_context():
        return {row.item.key: row for row in county_sheet(db.session, db.session.get(Campaign, campaign_id), county,
                                                           TODAY)}


def test_items_the_spot_check_speaks_to_show_its_rates_with_intervals(app, campaign_id):
    rows = sheet(app, campaign_id)
    cancelled = rows["2.3"].figures[0]
    assert (cancelled["code"], cancelled["count"], cancelled["total"]) == ("should_have_been_cancelled", 3, 12)
    assert cancelled["low"] < 0.25 < cancelled["high"] and cancelled["open"] == 2
    assert rows["1.1"].figures == []  # a document check has no figures
    assert [f["code"] for f in rows["4.2"].figures][:2] == ["job_referral", "vocational_guidance"]


@pytest.mark.parametrize("data, field", [
    ({"conclusion": "maybe", "checked_on": TODAY}, "conclusion"),
    ({"conclusion": "compliant"}, "checked_on"),
    ({"conclusion": "compliant", "checked_on": TODAY.replace(year=2027)}, "checked_on"),
    ({"conclusion": "noncompliant", "checked_on": TODAY, "responsible_unit": "u", "due_on": TODAY}, "findings"),
    ({"conclusion": "largely_compliant", "checked_on": TODAY, "findings": "f", "due_on": TODAY}, "responsible_unit"),
    ({"conclusion": "noncompliant", "checked_on": TODAY, "findings": "f", "responsible_unit": "u"}, "due_on"),
    ({"conclusion": "noncompliant", "checked_on": TODAY, "findings": "f", "responsible_unit": "u",
      "due_on": TODAY.replace(month=1)}, "due_on"),
    ({"conclusion": "compliant", "checked_on": TODAY, "ledger_ref": "x" * 256}, "ledger_ref"),
])
def test_an_entry_is_refused_naming_the_field(app, campaign_id, data, field):
    with pytest.raises(ChecklistError) as refused:
        record(app, campaign_id, "1.1", data)
    assert field in refused.value.problems


def test_an_entry_is_stored_with_its_checker_and_figures_follow_the_work_until_sign_off(app, campaign_id, users):
    record(app, campaign_id, "2.3", {"conclusion": "compliant", "checked_on": TODAY, "findings": "注销及时",
                                     "ledger_ref": "注销台账第3页"}, who=users["coordinator"])
    with app.app_context():
        row = {r.item.key: r for r in county_sheet(db.session, db.session.get(Campaign, campaign_id), A, TODAY)}["2.3"]
        assert (row.entry.conclusion, row.entry.ledger_ref, row.entry.checker.username) == (
            "compliant", "注销台账第3页", "coordinator")
        campaign = db.session.get(Campaign, campaign_id)
        item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == "2.3"))
        entries.sign_off(campaign, A, item, None, TODAY)
        # A record corrected afterwards changes the live figures, not the signed-off ones.
        record_ = db.session.scalars(select(Verification).where(Verification.county_code == A)
                                     .where(Verification.discrepancies != [])).first()
        record_.discrepancies = []
        db.session.commit()
    assert sheet(app, campaign_id)["2.3"].figures[0]["count"] == 3
    with pytest.raises(ChecklistError) as refused:
        record(app, campaign_id, "2.3", {"conclusion": "not_applicable", "checked_on": TODAY})
    assert refused.value.status == 409
    with app.app_context():
        entries.reopen(db.session.get(Campaign, campaign_id), A,
                       db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == "2.3")), None)
    assert sheet(app, campaign_id)["2.3"].figures[0]["count"] == 2


def test_sign_off_needs_a_conclusion(app, campaign_id):
    with app.app_context(), pytest.raises(ChecklistError):
        entries.sign_off(db.session.get(Campaign, campaign_id), B,
                         db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == "1.1")), None, TODAY)


def test_a_county_user_cannot_record_for_another_county(app, campaign_id, users):
    from auth.scope import OutOfScope

    with pytest.raises(OutOfScope):
        record(app, campaign_id, "1.1", {"conclusion": "compliant", "checked_on": TODAY}, county=B,
               who=users["liaison"])
