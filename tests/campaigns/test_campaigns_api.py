"""Campaigns and samples through /api/v1: same permissions as the pages, JSON errors with stable codes."""

import io

import pytest
from openpyxl import load_workbook

from support.roster_factory import add_roster

DESIGN = {"method": "fixed", "n": 6, "reserve_count": 2, "seed": "11 22 33"}


@pytest.fixture
def token_for(runner, users):
    def make(username):
        return runner.invoke(args=["users", "token", username]).output.strip()

    return make


@pytest.fixture
def api(client, token_for):
    """Call the API as a user: api("coordinator").post(path, json=…)."""

    class Caller:
        def __init__(self, username):
            self.headers = {"Authorization": f"Bearer {token_for(username)}"}

        def get(self, path):
            return client.get("/api/v1" + path, headers=self.headers)

        def post(self, path, json=None):
            return client.post("/api/v1" + path, json=json or {}, headers=self.headers)

    return Caller


@pytest.fixture
def rosters(app, session):
    with app.app_context():
        add_roster(session, "440802", 30)
        add_roster(session, "440803", 20, start=100)


def create(api_user):
    response = api_user.post("/campaigns", {"name": "接口核查", "counties": ["440802", "440803"]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_campaign_preview_draw_units_verify_export(api, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    preview = coordinator.post(f"/campaigns/{cid}/preview", DESIGN).get_json()
    assert [(c["county"], c["N"], c["n"], c["reserves"]) for c in preview["counties"]] == [
        ("440802", 30, 6, 2), ("440803", 20, 6, 2)]
    drawn = coordinator.post(f"/campaigns/{cid}/draws", DESIGN)
    assert drawn.status_code == 201
    body = drawn.get_json()
    assert body["seed"] == "112233" and body["sample"] == 12 and body["reserves"] == 4
    assert coordinator.get(f"/campaigns/{cid}").get_json()["current_draw"] == body["id"]
    units = coordinator.get(f"/draws/{body['id']}/units?county=440803").get_json()["units"]
    assert len(units) == 8 and {u["county_code"] for u in units} == {"440803"}
    assert all("********" in u["id_number"] for u in units) and "frame_key" not in units[0]
    assert coordinator.post(f"/draws/{body['id']}/verify").get_json()["match"] is True
    exported = coordinator.get(f"/draws/{body['id']}/export?format=xlsx")
    assert len(list(load_workbook(io.BytesIO(exported.data)).worksheets[0].iter_rows())) == 1 + 16
    assert exported.headers["Content-Disposition"].startswith(f'attachment; filename="sample-list-draw{body["id"]}-')
    as_csv = coordinator.get(f"/draws/{body['id']}/export?format=csv")
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv.data.startswith("\ufeff".encode()) and as_csv.data.decode("utf-8-sig").count("\r\n") == 1 + 16


def test_sizes_and_allocation_through_the_api(api, users):
    coordinator = api("coordinator")
    assert coordinator.post("/sample/size", {"method": "precision", "population": 1000, "margin": 0.05,
                                             "confidence": 0.95, "rate": 0.5}).get_json() == {"n": 278}
    assert coordinator.post("/sample/size", {"method": "attribute", "confidence": 0.95, "tolerable": 0.05,
                                             "expected": 0}).get_json() == {"n": 59, "allowed_deviations": 0}
    assert coordinator.post("/sample/allocate", {"total": 10, "method": "equal",
                                                 "populations": {"a": 2, "b": 50, "c": 50}}).get_json() == {
        "a": 2, "b": 4, "c": 4}
    refused = coordinator.post("/sample/size", {"method": "attribute", "tolerable": 0.05, "expected": 0.1})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "expected_not_below_tolerable"


def test_redraw_without_reason_is_a_conflict_with_a_code(api, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    coordinator.post(f"/campaigns/{cid}/draws", DESIGN)
    refused = coordinator.post(f"/campaigns/{cid}/draws", DESIGN)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "redraw_needs_reason"
    redone = coordinator.post(f"/campaigns/{cid}/draws", DESIGN | {"reason": "更换公开种子重新抽取"})
    assert redone.status_code == 201 and redone.get_json()["supersedes"] == 1


def test_design_problems_come_back_by_field(api, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    refused = coordinator.post(f"/campaigns/{cid}/draws", {"method": "precision", "counties": ["440881"]})
    error = refused.get_json()["error"]
    assert refused.status_code == 400 and error["code"] == "design_invalid"
    assert set(error["problems"]) == {"margin", "counties"}


def test_replace_refuses_findings_with_a_chinese_message(api, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    draw_id = coordinator.post(f"/campaigns/{cid}/draws", DESIGN).get_json()["id"]
    unit = coordinator.get(f"/draws/{draw_id}/units?county=440802").get_json()["units"][0]
    refused = coordinator.post(f"/units/{unit['unit_id']}/replace", {"reason": "false_registration"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "not_replaceable"
    assert "不是替换理由" in refused.get_json()["error"]["message"]
    done = coordinator.post(f"/units/{unit['unit_id']}/replace", {"reason": "duplicate_record"}).get_json()
    assert done["reserve_rank"] == 7 and done["reason"] == "duplicate_record"


@pytest.mark.parametrize("role", ["caller", "manager"])
def test_callers_and_managers_cannot_draw_through_the_api(api, rosters, role):
    cid = create(api("coordinator"))
    for response in (api(role).post(f"/campaigns/{cid}/draws", DESIGN), api(role).post("/campaigns", {"name": "x"}),
                     api(role).post("/sample/size", {"method": "precision", "margin": 0.05})):
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_liaison_sees_only_their_county_through_the_api(api, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    draw_id = coordinator.post(f"/campaigns/{cid}/draws", DESIGN).get_json()["id"]
    liaison = api("liaison")
    units = liaison.get(f"/draws/{draw_id}/units").get_json()["units"]
    assert {u["county_code"] for u in units} == {"440802"}
    assert liaison.get(f"/draws/{draw_id}/units?county=440803").status_code == 404
    assert [c["id"] for c in liaison.get("/campaigns").get_json()] == [cid]


def test_the_audit_settings_are_set_through_the_api_with_the_same_reading(api, client, token_for, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    headers = {"Authorization": f"Bearer {token_for('coordinator')}"}
    answer = client.put(f"/api/v1/campaigns/{cid}/audit-settings", json={"tolerable": "5 %", "confidence": 90},
                        headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"tolerable": 0.05, "confidence": 0.9, "tolerable_shown": "5%",
                                 "confidence_shown": "90%", "readings": {"tolerable": "5%", "confidence": "90%"}}
    assert coordinator.get(f"/campaigns/{cid}").get_json()["audit_settings"]["confidence"] == 0.9
    refused = client.put(f"/api/v1/campaigns/{cid}/audit-settings", json={"tolerable": 1, "confidence": 0.95},
                         headers=headers)
    assert refused.status_code == 400 and "tolerable" in refused.get_json()["error"]["problems"]


def test_sizes_through_the_api_take_percents(api, users):
    coordinator = api("coordinator")
    assert coordinator.post("/sample/size", {"method": "attribute", "confidence": "95%", "tolerable": 5,
                                             "expected": 0}).get_json() == {"n": 59, "allowed_deviations": 0}
    refused = coordinator.post("/sample/size", {"method": "attribute", "confidence": 1, "tolerable": 0.05})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "rate_ambiguous"


def test_units_come_a_page_at_a_time_with_the_total(api, rosters):
    coordinator = api("coordinator")
    cid = create(coordinator)
    draw_id = coordinator.post(f"/campaigns/{cid}/draws", DESIGN).get_json()["id"]
    whole = coordinator.get(f"/draws/{draw_id}/units").get_json()
    assert whole["total"] == len(whole["units"]) == 16 and (whole["page"], whole["pages"]) == (1, 1)
    pages = [coordinator.get(f"/draws/{draw_id}/units?page={n}&page_size=7").get_json() for n in (1, 2, 3)]
    assert [len(p["units"]) for p in pages] == [7, 7, 2] and {p["pages"] for p in pages} == {3}
    assert [u["unit_id"] for p in pages for u in p["units"]] == [u["unit_id"] for u in whole["units"]]
    assert coordinator.get(f"/draws/{draw_id}/units?page_size=0").status_code == 400
    assert coordinator.get(f"/draws/{draw_id}/units?page_size=5001").status_code == 400
