"""The follow-up JSON API: queue, next, claim, attempt, verification, correction; same permissions."""

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import Attempt, FollowUpTask, Verification
from support.followup_factory import FakeClock, make_tasks


@pytest.fixture
def api(app, token_client):
    app.config["CLOCK"] = FakeClock()
    make_tasks(app, {"440802": 2, "440881": 1})
    return token_client


ANSWERS = {"identity_confirmed": True, "registered_by_self": True, "unemployed_at_registration": True,
           "current_status": "unemployed_seeking", "services": ["job_referral", "agency_callback"]}


def test_claim_attempt_and_verification_round_trip(api, app):
    caller = api("caller")
    queue = caller.get("/api/v1/followup/queue").get_json()
    assert queue["counts"]["due_now"] == 3 and "*" in queue["sections"]["due_now"][0]["person"]["phone"]
    task = caller.post("/api/v1/followup/next", json={}).get_json()
    url = f"/api/v1/followup/tasks/{task['id']}"
    first = caller.post(url + "/attempts", json={"disposition": "completed", "submission_key": "k1"})
    again = caller.post(url + "/attempts", json={"disposition": "completed", "submission_key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["task"]["status"] == "awaiting_record"
    preview = caller.post(url + "/verification", json={"answers": ANSWERS}).get_json()
    assert preview == {"derived": {}, "stored": False}
    saved = caller.post(url + "/verification", json={"answers": ANSWERS, "confirmed": [], "submission_key": "v1"})
    assert saved.status_code == 201 and saved.get_json()["version"] == 1
    fixed = caller.put(url + "/verification", json={"answers": dict(ANSWERS, services=[]), "confirmed": [
        "assistance_not_delivered"], "reason": "补充：未获服务"})
    assert fixed.status_code == 200 and fixed.get_json()["version"] == 2
    detail = caller.get(url).get_json()
    assert detail["final_outcome"] == "verified" and len(detail["attempts"]) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        assert db.session.scalar(select(func.count(Verification.id))) == 1


def test_errors_have_stable_codes(api, app):
    caller = api("caller")
    task = caller.post("/api/v1/followup/next", json={}).get_json()
    url = f"/api/v1/followup/tasks/{task['id']}"
    bad = caller.post(url + "/attempts", json={"disposition": "appointment", "submission_key": "a",
                                               "appointment_at": "2020-01-01T10:00:00+08:00"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_appointment"
    assert "appointment_not_after_call" in bad.get_json()["error"]["problems"]
    for given, problem, words in (("2026-11-27T10:00:00", "appointment_no_zone", "缺少时区"),
                                  ("明天上午", "appointment_unreadable", "格式不对")):
        bad = caller.post(url + "/attempts", json={"disposition": "appointment", "submission_key": given,
                                                   "appointment_at": given}).get_json()["error"]
        assert bad["problems"] == [problem] and words in bad["message"] and "appointment_at" not in bad["message"]
    other = api("coordinator").post(url + "/claim")
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "claimed_by_other"
    early = caller.post(url + "/verification", json={"answers": ANSWERS, "confirmed": [], "submission_key": "x"})
    assert early.get_json()["error"]["code"] == "not_awaiting_record"


def test_county_caller_cannot_see_or_write_other_counties(api, app):
    with app.app_context():
        chikan = db.session.scalar(select(FollowUpTask.id).where(FollowUpTask.county_code == "440802"))
    liaison_caller = api("county_caller")
    assert liaison_caller.get(f"/api/v1/followup/tasks/{chikan}").status_code == 404
    assert liaison_caller.post(f"/api/v1/followup/tasks/{chikan}/attempts",
                               json={"disposition": "no_answer", "submission_key": "z"}).status_code == 404
    queue = liaison_caller.get("/api/v1/followup/queue").get_json()
    assert {t["county"] for t in queue["sections"]["due_now"]} == {"440881"}
    assert liaison_caller.post("/api/v1/followup/next", json={}).get_json()["county"] == "440881"
    assert liaison_caller.post("/api/v1/followup/next", json={}).get_json()["county"] == "440881"  # held


def test_managers_cannot_use_the_follow_up_api(api):
    assert api("manager").get("/api/v1/followup/queue").status_code == 403


def test_corrected_phone_and_id_numbers_are_masked_as_everywhere_else(api, app):
    caller = api("caller")
    task = caller.post("/api/v1/followup/next", json={}).get_json()
    url = f"/api/v1/followup/tasks/{task['id']}"
    caller.post(url + "/attempts", json={"disposition": "completed", "submission_key": "k1"})
    answers = dict(ANSWERS, corrections={"phone": "13922003344", "id_number": "440802199001011237",
                                         "address": "赤坎区南桥路 1 号"})
    saved = caller.post(url + "/verification", json={"answers": answers, "confirmed": ["inaccurate_data"],
                                                     "submission_key": "v1"}).get_json()
    assert saved["corrections"] == {"address": "赤坎区南桥路 1 号", "id_number": "440802********1237",
                                    "phone": "139****3344"}
    assert caller.get(url).get_json()["verification"]["corrections"]["phone"] == "139****3344"
    page = caller.get(f"/followup/tasks/{task['id']}/verification").get_data(as_text=True)
    assert "139****3344" in page and "13922003344" not in page and "440802199001011237" not in page
    with app.app_context():  # the record itself keeps what was said
        assert db.session.scalar(select(Verification.corrections))["phone"] == "13922003344"
