"""The rectification list in pages: a province lists thousands of items, a page shows a hundred; the pages
together are the whole list, in its order, and the counts above them speak of the whole list."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from models import Campaign, RectificationItem
from reports.listing import rectification_page, rectification_rows
from reports.rectification import generate_items
from support.reports_factory import add_campaign

A, B = "440802", "440803"
NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
TODAY = date(2026, 5, 10)


@pytest.fixture
def campaign_id(app, session):
    """Eleven items: seven in A, four in B; A's due on 2026-04-11 (overdue on TODAY), B's in 30 days."""
    with app.app_context():
        campaign_id = add_campaign(session, {
            A: {"N": 500, "verified": [["not_authentic"]] * 5 + [["inaccurate_data", "should_have_been_cancelled"]]},
            B: {"N": 400, "verified": [["assistance_not_delivered"]] * 4 + [[]] * 2},
        })
        campaign = session.get(Campaign, campaign_id)
        generate_items(session, campaign, NOW, date(2026, 4, 1), 10)
        session.execute(update(RectificationItem).where(RectificationItem.county_code == B)
                        .values(due_on=date(2026, 6, 9)))
        session.commit()
        return campaign_id


@pytest.mark.parametrize("status", [None, "open", "overdue", "withdrawn"])
@pytest.mark.parametrize("size", [1, 3, 4, 11, 100])
def test_the_pages_together_are_the_list(app, session, campaign_id, status, size):
    with app.app_context():
        whole = rectification_rows(session, campaign_id, today=TODAY, status=status)
        first = rectification_page(session, campaign_id, today=TODAY, status=status, page_size=size)
        pages = [rectification_page(session, campaign_id, today=TODAY, status=status, page=n, page_size=size)
                 for n in range(1, first["pages"] + 1)]
    assert first["total"] == len(whole) and first["pages"] == max(1, -(-len(whole) // size))
    assert [row for page in pages for row in page["items"]] == whole
    assert all(page["overdue"] == sum(row["overdue"] for row in whole) for page in pages)


def test_counts_and_a_page_past_the_last(app, session, campaign_id):
    with app.app_context():
        result = rectification_page(session, campaign_id, today=TODAY, page=99, page_size=4)
        one_county = rectification_page(session, campaign_id, today=TODAY, county=B, page_size=4)
    assert (result["total"], result["overdue"], result["pages"], result["page"]) == (11, 7, 3, 3)
    assert len(result["items"]) == 3
    assert (one_county["total"], one_county["overdue"], one_county["pages"]) == (4, 0, 1)
    assert {row["county_code"] for row in one_county["items"]} == {B}


def test_the_page_shows_a_hundred_with_the_pager_and_the_whole_lists_counts(app, campaign_id, login_as, monkeypatch):
    from reports import routes

    app.config["CLOCK"] = lambda: NOW
    monkeypatch.setattr(routes, "RECTIFICATION_PAGE", 4)
    client = login_as("manager")
    page = client.get(f"/reports/{campaign_id}/rectification?page=2").data.decode()
    assert "共 11 项" in page and "逾期 7 项" in page
    assert 'data-testid="pager"' in page and "第 2 / 3 页" in page
    assert page.count("data-item=") == 4
    assert client.get(f"/reports/{campaign_id}/rectification?page=0").status_code == 400


def test_the_api_pages_the_list(app, campaign_id, token_client):
    app.config["CLOCK"] = lambda: NOW
    client = token_client("manager")
    body = client.get(f"/api/v1/campaigns/{campaign_id}/rectification?page_size=5&page=3").get_json()
    assert (body["total"], body["pages"], body["page"], body["page_size"], body["overdue"]) == (11, 3, 3, 5, 7)
    assert len(body["items"]) == 1
    everything = client.get(f"/api/v1/campaigns/{campaign_id}/rectification").get_json()
    assert everything["total"] == len(everything["items"]) == 11
    assert client.get(f"/api/v1/campaigns/{campaign_id}/rectification?page_size=1001").status_code == 400
    liaison = token_client("liaison").get(f"/api/v1/campaigns/{campaign_id}/rectification").get_json()
    assert liaison["total"] == 7 and {row["county_code"] for row in liaison["items"]} == {A}
