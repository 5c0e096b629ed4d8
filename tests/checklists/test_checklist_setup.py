"""A campaign's checklist: copied from the notice, edited, added to and retired until the work starts."""

import pytest
from sqlalchemy import select

from checklists import entries, setup
from checklists.errors import ChecklistError
from config.checklist import TEMPLATE_ITEMS, item_number
from core.extensions import db
from models import AuditLog, Campaign, ChecklistItem, User
from support.checklist_factory import TODAY, A, worked_campaign


@pytest.fixture
def campaign_id(app):
    return worked_campaign(app)


def _items(app, campaign_id):
    with app.app_context():
        return [(i.key, i.area, i.text, list(i.methods), i.version, i.retired_at is not None)
                for i in setup.items_of(db.session, campaign_id)]


def test_the_template_holds_the_notices_eleven_items_in_its_words_with_their_methods(app, campaign_id):
    items = _items(app, campaign_id)
    assert [key for key, *_ in items] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2"]
    by_key = {key: (area, text, methods) for key, area, text, methods, *_ in items}
    assert by_key["2.3"][1] == ("抽查失业登记注销情况，对已就业、退休、死亡、失联等不符合条件的人员，是否按规定及时规范注销，"
                                "依据充分、程序合规。")
    assert by_key["4.1"][1].endswith("建立一对一帮扶台账。")
    assert by_key["3.1"][0] == "data" and "sampling" in by_key["3.1"][2]
    assert item_number("2.3") == "四（二）3"
    assert all(methods for *_, methods in by_key.values())


def test_copying_twice_adds_nothing(app, campaign_id):
    with app.app_context():
        assert setup.copy_template(db.session.get(Campaign, campaign_id)) == 0
    assert len(_items(app, campaign_id)) == len(TEMPLATE_ITEMS)


def test_an_edit_raises_the_version_and_the_audit_log_keeps_the_old_wording(app, campaign_id):
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == "1.1"))
        old = item.text
        setup.edit_item(campaign, item, "新的表述", "", ["report"])
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "checklist.edit_item")).one()
        assert entry.detail["before"]["text"] == old and entry.detail["version"] == 2
    assert ("1.1", "policy", "新的表述", ["report"], 2, False) in _items(app, campaign_id)


def test_an_added_item_is_numbered_after_its_area_and_a_retired_one_comes_back(app, campaign_id):
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        added = setup.add_item(campaign, "data", "核查数据备份", "Data backups", ["ledger", "site"])
        assert added.key == "3.4"
        setup.retire_item(campaign, added, True)
        setup.retire_item(campaign, added, True)  # a second click changes nothing
        assert db.session.get(ChecklistItem, added.id).version == 2
        setup.retire_item(campaign, added, False)
    keys = [key for key, *_ in _items(app, campaign_id)]
    assert keys.index("3.4") == keys.index("3.3") + 1


@pytest.mark.parametrize("text, methods, area, field", [
    ("", ["ledger"], "data", "text"), ("x", [], "data", "methods"), ("x", ["phone"], "data", "methods"),
    ("x", ["ledger"], "elsewhere", "area")])
def test_an_item_needs_wording_known_methods_and_an_area(app, campaign_id, text, methods, area, field):
    with app.app_context(), pytest.raises(ChecklistError) as refused:
        setup.add_item(db.session.get(Campaign, campaign_id), area, text, "", methods)
    assert field in refused.value.problems


def test_the_checklist_is_fixed_once_a_conclusion_is_recorded(app, campaign_id, users):
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == "1.1"))
        coordinator = db.session.get(User, users["coordinator"])
        entries.record(campaign, A, item, {"conclusion": "compliant", "checked_on": TODAY}, coordinator, TODAY)
        assert setup.is_locked(db.session, campaign_id)
        for step in (lambda: setup.edit_item(campaign, item, "x", "", ["ledger"]),
                     lambda: setup.add_item(campaign, "data", "x", "", ["ledger"]),
                     lambda: setup.retire_item(campaign, item, True)):
            with pytest.raises(ChecklistError) as refused:
                step()
            assert refused.value.status == 409


def test_a_county_user_may_not_change_a_several_county_checklist(app, campaign_id, users):
    from auth.scope import OutOfScope, PartlyOutOfScope

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        liaison = db.session.get(User, users["liaison"])  # of 440802, one of the campaign's two counties
        with pytest.raises((OutOfScope, PartlyOutOfScope)):
            setup.add_item(campaign, "data", "x", "", ["ledger"], liaison)
