"""A county-scoped user reads and changes only their county's part, whichever way they ask (pages, API, exports).

The checks live in the services (auth/scope.py): these tests go through the routes that had none.
"""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from auth.accounts import create_user
from core.extensions import db
from models import Draw, FollowUpTask, SampleUnit
from support.accounts import PASSWORD, login
from support.roster_factory import add_roster

CHIKAN, XIASHAN, LIANJIANG = "440802", "440803", "440881"


@pytest.fixture
def world(app, users):
    """Rosters of 赤坎区 and 霞山区, a campaign over both with a draw, and a 赤坎区 coordinator."""
    from campaigns import drawing, service
    from campaigns.design import parse_design

    with app.app_context():
        add_roster(db.session, CHIKAN, 40)
        add_roster(db.session, XIASHAN, 30, start=1000)
        add_roster(db.session, LIANJIANG, 20, start=2000)
        create_user(db.session, "coord_chikan", PASSWORD, "coordinator", CHIKAN)
        db.session.commit()  # the services write in transactions of their own
        campaign = service.create_campaign("两县核查", [CHIKAN, XIASHAN])
        plan = parse_design({"method": "fixed", "n": "5", "reserve_mode": "count", "reserve_count": "2"},
                            [CHIKAN, XIASHAN])
        draw = drawing.make_draw(campaign, plan, "1 2 3")
        other = service.create_campaign("廉江核查", [LIANJIANG])
        other_draw = drawing.make_draw(other, parse_design({"method": "fixed", "n": "3"}, [LIANJIANG]),
                                       "4 5 6")
        db.session.commit()
        units = {county: db.session.scalar(select(SampleUnit.id).where(
            SampleUnit.draw_id == draw.id, SampleUnit.county_code == county, SampleUnit.status == "active"
        ).order_by(SampleUnit.rank).limit(1)) for county in (CHIKAN, XIASHAN)}
        return {"campaign": campaign.id, "draw": draw.id, "units": units, "other_campaign": other.id,
                "other_draw": other_draw.id}


@pytest.fixture
def api(token_client, world):
    """Call the API as one of the users, the world made first (coord_chikan is one of its users)."""
    return token_client


def test_a_county_coordinator_cannot_redraw_a_campaign_that_reaches_another_county(app, api, world):
    response = api("coord_chikan").post(f"/api/v1/campaigns/{world['campaign']}/draws",
                                        json={"method": "fixed", "n": "3", "reason": "重新抽样，因为……原因写够"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "beyond_your_county"
    with app.app_context():
        assert db.session.scalar(select(func.count(Draw.id)).where(Draw.campaign_id == world["campaign"])) == 1
        assert not db.session.get(Draw, world["draw"]).superseded
    client = app.test_client()
    login(client, "coord_chikan")
    page = client.post(f"/campaigns/{world['campaign']}/design", data={"method": "fixed", "n": "3",
                                                                       "reason": "重新抽样，因为……原因写够"})
    assert page.status_code == 403


def test_a_county_coordinator_cannot_replace_another_countys_unit(app, api, world):
    client = api("coord_chikan")
    refused = client.post(f"/api/v1/units/{world['units'][XIASHAN]}/replace", json={"reason": "not_registered_on_frame_date"})
    assert refused.status_code == 404
    with app.app_context():
        assert db.session.get(SampleUnit, world["units"][XIASHAN]).status == "active"
    own = client.post(f"/api/v1/units/{world['units'][CHIKAN]}/replace", json={"reason": "not_registered_on_frame_date"})
    assert own.status_code == 200, own.get_json()


def test_a_county_coordinator_makes_tasks_for_their_county_only(app, api, world):
    client = api("coord_chikan")
    assert client.post(f"/api/v1/draws/{world['other_draw']}/tasks").status_code == 404
    made = client.post(f"/api/v1/draws/{world['draw']}/tasks")
    assert made.status_code in (200, 201), made.get_json()
    with app.app_context():
        counties = set(db.session.scalars(select(FollowUpTask.county_code).where(FollowUpTask.draw_id == world["draw"])))
    assert counties == {CHIKAN}


@pytest.mark.parametrize(("counties", "status"), [([CHIKAN, XIASHAN], 403), ([XIASHAN], 404), ([CHIKAN], 201),
                                                  ([], 201)])
def test_a_county_coordinator_creates_campaigns_of_their_county_only(api, world, counties, status):
    response = api("coord_chikan").post("/api/v1/campaigns", json={"name": f"新批次{len(counties)}{status}",
                                                                   "counties": counties})
    assert response.status_code == status, response.get_json()
    if status == 201:
        assert response.get_json()["counties"] == [CHIKAN]


@pytest.mark.parametrize("user", ["liaison", "coord_chikan"])
def test_scoped_users_see_only_their_countys_strata_and_frame_size(app, api, world, user):
    body = api(user).get(f"/api/v1/draws/{world['draw']}").get_json()
    assert set(body["strata"]) == {CHIKAN}
    assert body["frame_size"] == 40 and body["sample"] == 5 and body["reserves"] == 2
    whole = api("coordinator").get(f"/api/v1/draws/{world['draw']}").get_json()
    assert set(whole["strata"]) == {CHIKAN, XIASHAN} and whole["frame_size"] == 70
    export = api(user).get(f"/api/v1/draws/{world['draw']}/export?format=xlsx")
    facts = load_workbook(io.BytesIO(export.data)).worksheets[1]
    text = " ".join(str(cell) for row in facts.iter_rows(values_only=True) for cell in row if cell is not None)
    assert XIASHAN not in text and "霞山" not in text and "70" not in text.split()


def test_scoped_users_do_not_see_another_countys_campaign_or_draw(api, world):
    client = api("liaison")
    assert client.get(f"/api/v1/campaigns/{world['other_campaign']}").status_code == 404
    assert client.get(f"/api/v1/draws/{world['other_draw']}").status_code == 404
    assert client.get(f"/api/v1/draws/{world['other_draw']}/export").status_code == 404


def test_the_services_check_the_county_without_any_route(app, world, users):
    from auth.scope import OutOfScope, PartlyOutOfScope
    from campaigns import drawing, replacement, service
    from campaigns.design import parse_design
    from models import Campaign, User

    with app.app_context():
        me = db.session.scalar(select(User).where(User.username == "coord_chikan"))
        campaign = db.session.get(Campaign, world["campaign"])
        with pytest.raises(PartlyOutOfScope):
            drawing.make_draw(campaign, parse_design({"method": "fixed", "n": "2"}, [CHIKAN, XIASHAN]),
                              "9", "一个足够长的重抽理由写在这里", user=me)
        with pytest.raises(OutOfScope):
            replacement.replace_unit(db.session.get(SampleUnit, world["units"][XIASHAN]), "not_registered_on_frame_date",
                                 user=me)
        with pytest.raises(OutOfScope):
            service.draw_summary(db.session.get(Draw, world["other_draw"]), user=me)


def test_a_county_coordinator_cannot_set_the_audit_settings_of_a_campaign_of_several_counties(app, api, world):
    from models import Campaign

    response = api("coord_chikan").put(f"/api/v1/campaigns/{world['campaign']}/audit-settings",
                                       json={"tolerable": "20%", "confidence": "90%"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Campaign, world["campaign"]).tolerable_rate != 0.2
