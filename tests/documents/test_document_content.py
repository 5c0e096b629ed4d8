"""The city-wide report reads every county at once: it must say of each county what that county's own
feedback says."""

from datetime import date

from sqlalchemy import select

from checklists import entries
from checklists.sheet import county_sheet
from core.extensions import db
from documents.content import county_content, every_county_content, every_county_sheet
from models import Campaign, ChecklistItem, User
from reports.rectification import generate_items
from support.checklist_factory import NOW, TODAY, A, B, worked_campaign


def test_every_county_at_once_is_each_county_alone(app, users):
    campaign_id = worked_campaign(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == "2.3"))
        entries.record(campaign, B, item, {"conclusion": "noncompliant", "checked_on": TODAY, "findings": "台账不全",
                                            "responsible_unit": "霞山区人社局", "due_on": date(2026, 7, 10)},
                       db.session.get(User, users["coordinator"]), TODAY)
        generate_items(db.session, campaign, NOW, TODAY)
        db.session.commit()
        together = every_county_content(db.session, campaign, TODAY)
        assert [c["code"] for c in together] == [A, B]
        for content in together:
            alone = county_content(db.session, campaign, content["code"], TODAY)
            assert content == alone
        by_code = {c["code"]: c for c in together}
        assert by_code[A]["rectification"] and by_code[A]["block"]["units"] == 14
        assert [r.item.key for r in by_code[B]["findings"]] == ["2.3"]
        sheets = every_county_sheet(db.session, campaign, [A, B], TODAY)
        assert sheets == {code: county_sheet(db.session, campaign, code, TODAY) for code in (A, B)}
        assert any(row.figures for row in sheets[A])  # the spot check's figures are there to compare
