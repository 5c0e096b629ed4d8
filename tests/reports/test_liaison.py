"""A county liaison reads their county's figures first; the city-wide aggregates (全市) only where the
LIAISON_SEES_CITY setting allows it — on the pages, in the API, in the exports and on the home page."""

import io

import pytest
from openpyxl import load_workbook

from support.reports_factory import add_campaign

A, B = "440802", "440803"  # the liaison of the `users` fixture is scoped to 440802
CITY = "全市（分层估计）"


@pytest.fixture
def campaign_id(app, session):
    with app.app_context():
        return add_campaign(session, {
            A: {"N": 1000, "verified": [[], [], [], ["not_authentic"], ["inaccurate_data"]], "open": 2},
            B: {"N": 800, "verified": [[], ["should_have_been_cancelled"]] * 3, "open": 1},
        })


def exported_county_names(client, campaign_id) -> set:
    response = client.get(f"/reports/{campaign_id}/export/statistics.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["不一致率"]
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_by_default_a_liaison_gets_no_city_wide_figure_anywhere(login_as, campaign_id):
    client = login_as("liaison")
    data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").get_json()
    assert data["overall"] is None and [c["code"] for c in data["counties"]] == [A]
    page = client.get(f"/reports/{campaign_id}/").data.decode()
    assert 'data-county="overall"' not in page and 'data-testid="city-wide"' not in page
    assert 'data-testid="county-only"' in page and "赤坎区" in page
    assert exported_county_names(client, campaign_id) == {"赤坎区"}
    assert 'data-testid="home-city"' not in client.get("/").data.decode()


def test_the_liaisons_dashboard_leads_with_their_county(login_as, campaign_id, app):
    app.config["MIN_RESOLVED_FOR_ESTIMATE"] = 1
    page = login_as("liaison").get(f"/reports/{campaign_id}/").data.decode()
    summary = page[page.index('data-testid="summary"'):page.index('data-testid="county-table"')]
    assert "不一致率 · 赤坎区" in summary and "40.0%" in summary  # 2 of 5 verified in 440802
    assert "1 / 3" not in summary  # not the city's audit summary


def test_where_allowed_a_liaison_sees_the_city_beside_their_county(app, login_as, campaign_id):
    app.config["LIAISON_SEES_CITY"] = True
    client = login_as("liaison")
    data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").get_json()
    assert data["overall"]["units"] == 14 and [c["code"] for c in data["counties"]] == [A]
    page = client.get(f"/reports/{campaign_id}/").data.decode()
    assert 'data-county="overall"' in page and 'data-testid="city-wide"' in page and CITY in page
    assert 'data-county="440803"' not in page and "霞山区" not in page
    assert exported_county_names(client, campaign_id) == {"赤坎区", CITY}
    assert 'data-testid="home-city"' in client.get("/").data.decode()


def test_the_setting_changes_nothing_for_users_of_every_county(app, login_as, campaign_id):
    client = login_as("manager")
    for allowed in (False, True):
        app.config["LIAISON_SEES_CITY"] = allowed
        data = client.get(f"/api/v1/campaigns/{campaign_id}/statistics").get_json()
        assert data["overall"]["units"] == 14 and {c["code"] for c in data["counties"]} == {A, B}
