"""A worked campaign for the verification checklist: two counties with enough verified units for rates,
the notice's checklist copied in, and the clock fixed."""

from datetime import UTC, date, datetime

from core.extensions import db
from models import Campaign
from support.reports_factory import add_campaign

A, B = "440802", "440803"
NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 6, 10)


def worked_campaign(app) -> int:
    """Add the campaign (A: 3 of 12 should have been cancelled; B: 1 of 10 inaccurate) and its checklist."""
    from checklists.setup import copy_template

    app.config["CLOCK"] = lambda: NOW
    with app.app_context():
        campaign_id = add_campaign(db.session, {
            A: {"N": 800, "verified": [["should_have_been_cancelled"]] * 3 + [[]] * 9, "open": 2},
            B: {"N": 600, "verified": [["inaccurate_data"]] + [[]] * 9},
        })
        campaign = db.session.get(Campaign, campaign_id)
        campaign.period_start = date(2026, 5, 6)
        db.session.commit()
        copy_template(db.session.get(Campaign, campaign_id))
        db.session.remove()
    return campaign_id


def item_id(app, campaign_id: int, key: str) -> int:
    """Return the id of the campaign's checklist item with this key."""
    from sqlalchemy import select

    from models import ChecklistItem

    with app.app_context():
        return db.session.scalar(select(ChecklistItem.id).where(ChecklistItem.campaign_id == campaign_id,
                                                                ChecklistItem.key == key))
