"""Twilio click-to-call end to end: the real twilio client talks HTTP to a fake Twilio on 127.0.0.1,
which calls the app's webhooks on a live test server with correctly signed requests."""

import pytest
import requests
from sqlalchemy import select

from models import CallRecord, FollowUpTask, Person, User
from support.browser import LiveServer
from support.fake_twilio import SID, TOKEN, US_CALLER, US_PERSON, FakeTwilio
from support.followup_factory import make_tasks


@pytest.fixture
def fake():
    with FakeTwilio(SID, TOKEN) as server:
        yield server


@pytest.fixture
def live(make_app, fake, users):
    app = make_app(TELEPHONY_PROVIDER="twilio", TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN,
                   TWILIO_CALLER_ID="+14155550100", TWILIO_API_BASE=fake.url, TWILIO_TIMEOUT=2,
                   PUBLIC_BASE_URL="http://127.0.0.1")  # the live server's port is known only once it runs
    with LiveServer(app) as server:
        app.config["PUBLIC_BASE_URL"] = server.url
        yield app, server


@pytest.fixture
def task_id(live, session, users):
    app, _server = live
    make_tasks(app, {"440802": 2})
    task = session.scalars(select(FollowUpTask).order_by(FollowUpTask.id)).first()
    session.get(Person, task.person_id).phone = US_PERSON
    session.get(User, users["caller"]).phone = US_CALLER
    session.commit()
    return task.id


@pytest.fixture
def caller(live, users):
    from support.accounts import login

    client = live[0].test_client()
    login(client, "caller")
    return client


def call(caller, task_id):
    response = caller.post(f"/calls/tasks/{task_id}/call")
    assert response.status_code in (200, 201), response.data
    return response.get_json()


def record(session, call_id) -> CallRecord:
    """Read a call record afresh (ending the session's transaction, whose snapshot may be old)."""
    session.rollback()
    session.expire_all()  # rollback alone expires nothing when no transaction is open
    return session.get(CallRecord, call_id)


@pytest.mark.parametrize("outcome, suggested, seconds", [
    ("completed", "completed", 95), ("busy", "busy", 0), ("no-answer", "no_answer", 0), ("failed", None, 0),
])
def test_a_call_ends_up_on_its_record(fake, caller, task_id, session, outcome, suggested, seconds):
    fake.person_outcome = outcome
    placed = call(caller, task_id)
    assert placed["placed"] is True
    sid = record(session, placed["id"]).call_sid
    assert fake.calls[sid]["To"] == US_CALLER and fake.calls[sid]["From"] == "+14155550100"
    fake.wait(sid)
    assert all(status == 200 or status == 204 for _url, _params, status in fake.webhooks)
    done = record(session, placed["id"])
    assert (done.status, done.person_status, done.suggested_disposition) == ("completed", outcome, suggested)
    assert done.person_duration_seconds == seconds and done.duration_seconds == seconds + 12
    assert done.answered_at is not None and done.ended_at >= done.answered_at
    status = caller.get(f"/calls/calls/{done.id}").get_json()
    assert status["suggested_disposition"] == suggested and "phone" not in status


def test_the_twiml_dials_the_person_with_our_caller_id(fake, caller, task_id, session):
    placed = call(caller, task_id)
    fake.wait(record(session, placed["id"]).call_sid)
    voice = [params for url, params, _ in fake.webhooks if "/voice/" in url]
    assert voice  # the fake fetched the TwiML and followed its <Dial> to the person
    assert any("/dial/" in url for url, _p, _s in fake.webhooks)


def test_caller_not_answering_their_phone_never_reaches_the_person(fake, caller, task_id, session):
    fake.caller_answers = False
    placed = call(caller, task_id)
    fake.wait(record(session, placed["id"]).call_sid)
    done = record(session, placed["id"])
    assert done.status == "no-answer" and done.person_status is None and done.suggested_disposition is None


def test_mainland_china_numbers_are_refused_before_twilio_with_the_reason(fake, caller, task_id, session):
    task = session.get(FollowUpTask, task_id)
    session.get(Person, task.person_id).phone = "+8613812345678"
    session.commit()
    result = call(caller, task_id)
    assert result["placed"] is False and result["error_code"] == "21215"
    assert "中国大陆" in result["message"] and "本机拨号" in result["message"]
    assert fake.calls == {}
    assert record(session, result["id"]).status == "not_placed"


@pytest.mark.parametrize("status, code, words", [
    (400, 21211, "被叫号码无效"), (401, 20003, "认证失败"), (500, 20500, "Twilio 拒绝了呼叫"),
])
def test_twilio_errors_leave_a_clear_message_and_a_not_placed_record(fake, caller, task_id, session, status,
                                                                     code, words):
    fake.fail_next = (status, code)
    result = call(caller, task_id)
    assert result["placed"] is False and words in result["message"]
    kept = record(session, result["id"])
    assert kept.status == "not_placed" and kept.error_code == str(code) and kept.call_sid is None


def test_wrong_credentials_are_refused_by_twilio(make_app, fake, users, session):
    from support.accounts import login

    app = make_app(TELEPHONY_PROVIDER="twilio", TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="wrong",
                   TWILIO_CALLER_ID="+14155550100", TWILIO_API_BASE=fake.url, PUBLIC_BASE_URL="http://x")
    make_tasks(app, {"440802": 1})
    task = session.scalars(select(FollowUpTask)).first()
    session.get(Person, task.person_id).phone = US_PERSON
    session.get(User, users["caller"]).phone = US_CALLER
    session.commit()
    task_id = task.id
    client = app.test_client()
    login(client, "caller")
    result = client.post(f"/calls/tasks/{task_id}/call").get_json()
    assert result["placed"] is False and "认证失败" in result["message"]


def test_twilio_not_answering_in_time_is_a_not_placed_call(fake, caller, task_id, session):
    fake.delay = 3  # longer than TWILIO_TIMEOUT
    result = call(caller, task_id)
    assert result["placed"] is False and result["error_code"] == "timeout"
    assert "无法连接 Twilio" in result["message"]


def signed_post(fake, url, params, signature="sign"):
    return fake.post_webhook(url, params, signature=signature)


@pytest.fixture
def finished_call(fake, caller, task_id, session):
    placed = call(caller, task_id)
    sid = record(session, placed["id"]).call_sid
    fake.wait(sid)
    return record(session, placed["id"])


def snapshot(session, call_id):
    r = record(session, call_id)
    return (r.status, r.person_status, r.suggested_disposition, r.duration_seconds, r.recording_url)


@pytest.mark.parametrize("signature", [None, "", "bm90LWEtc2lnbmF0dXJl"])
def test_unsigned_or_forged_webhooks_are_refused_and_change_nothing(live, fake, finished_call, session,
                                                                    signature):
    _app, server = live
    before = snapshot(session, finished_call.id)
    url = f"{server.url}/telephony/twilio/dial/{finished_call.id}"
    params = {"CallSid": finished_call.call_sid, "DialCallStatus": "busy", "DialCallDuration": "0"}
    assert signed_post(fake, url, params, signature=signature).status_code == 403
    assert snapshot(session, finished_call.id) == before


def test_a_signed_request_replayed_to_another_url_is_refused(live, fake, finished_call, session):
    _app, server = live
    before = snapshot(session, finished_call.id)
    params = {"CallSid": finished_call.call_sid, "RecordingUrl": "https://evil.example/r.mp3", "RecordingSid": "RE1"}
    signature = fake.sign(f"{server.url}/telephony/twilio/status/{finished_call.id}", params)
    response = signed_post(fake, f"{server.url}/telephony/twilio/recording/{finished_call.id}", params,
                           signature=signature)
    assert response.status_code == 403 and snapshot(session, finished_call.id) == before


def test_malformed_webhooks_are_refused_and_change_nothing(live, fake, finished_call, session):
    _app, server = live
    before = snapshot(session, finished_call.id)
    url = f"{server.url}/telephony/twilio/status/{finished_call.id}"
    assert signed_post(fake, url, {"CallSid": finished_call.call_sid}).status_code == 400  # no CallStatus
    assert signed_post(fake, url, {"CallSid": "CA" + "f" * 32, "CallStatus": "busy"}).status_code == 400
    assert signed_post(fake, url, {"CallStatus": "busy"}).status_code == 400  # no CallSid
    assert snapshot(session, finished_call.id) == before


def test_signature_is_checked_against_the_public_url_behind_a_proxy(make_app, fake, users, session):
    app = make_app(TELEPHONY_PROVIDER="twilio", TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN,
                   TWILIO_CALLER_ID="+14155550100", PUBLIC_BASE_URL="https://spotcheck.example.gov.cn")
    make_tasks(app, {"440802": 1})
    task = session.scalars(select(FollowUpTask)).first()
    call_record = CallRecord(task_id=task.id, caller_id=users["caller"], provider="twilio", call_sid="CA" + "1" * 32,
                             placed=True, status="queued")
    session.add(call_record)
    session.commit()
    with LiveServer(app) as server:
        path = f"/telephony/twilio/status/{call_record.id}?name=%E5%BC%A0"  # percent-escapes stay as signed
        params = {"CallSid": call_record.call_sid, "CallStatus": "ringing"}
        public = fake.sign("https://spotcheck.example.gov.cn" + path, params)
        internal = fake.sign(server.url + path, params)
        assert requests.post(server.url + path, data=params, headers={"X-Twilio-Signature": internal},
                             timeout=5).status_code == 403
        assert requests.post(server.url + path, data=params, headers={"X-Twilio-Signature": public},
                             timeout=5).status_code == 204
    assert record(session, call_record.id).status == "ringing"


def test_click_to_call_keeps_its_csrf_check(make_app, users, session):
    import re

    app = make_app(WTF_CSRF_ENABLED=True, TELEPHONY_PROVIDER="twilio", TWILIO_ACCOUNT_SID=SID,
                   TWILIO_AUTH_TOKEN=TOKEN, TWILIO_CALLER_ID="+14155550100", PUBLIC_BASE_URL="http://localhost")
    make_tasks(app, {"440802": 1})
    task_id = session.scalars(select(FollowUpTask.id)).first()
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())
    client.post("/login", data={"username": "caller", "password": "correct-horse-9", "csrf_token": token.group(1)})
    assert client.post(f"/calls/tasks/{task_id}/call").status_code == 400


def test_without_twilio_click_to_call_says_to_dial_by_hand(make_app, users, session):
    from support.accounts import login

    app = make_app()
    make_tasks(app, {"440802": 1})
    task_id = session.scalars(select(FollowUpTask.id)).first()
    client = app.test_client()
    login(client, "caller")
    response = client.post(f"/calls/tasks/{task_id}/call")
    assert response.status_code == 409
    assert "请自行拨打" in response.data.decode() or "dial the number yourself" in response.data.decode()


def test_a_caller_cannot_call_another_countys_task_and_a_manager_none(live, task_id, users):
    from support.accounts import login

    county_caller = live[0].test_client()
    login(county_caller, "county_caller")  # scoped to 440881; the task is in 440802
    assert county_caller.post(f"/calls/tasks/{task_id}/call").status_code == 404
    manager = live[0].test_client()
    login(manager, "manager")  # no follow-up rights at all
    assert manager.post(f"/calls/tasks/{task_id}/call").status_code == 403


def test_settings_page_shows_the_mode_and_never_the_secrets(live, users):
    from support.accounts import login

    client = live[0].test_client()
    login(client, "admin")
    page = client.get("/calls/settings").data.decode()
    assert "Twilio 点击拨号" in page and "2023" in page and "中国大陆" in page
    assert TOKEN not in page and SID not in page and f"{SID[:4]}…{SID[-4:]}" in page
    login_caller = live[0].test_client()
    login(login_caller, "caller")
    assert login_caller.get("/calls/settings").status_code == 403


def test_admin_test_call_rings_their_own_phone(live, fake, users, session):
    from support.accounts import login

    session.get(User, users["admin"]).phone = US_CALLER
    session.commit()
    client = live[0].test_client()
    login(client, "admin")
    page = client.post("/calls/settings/test-call", follow_redirects=True).data.decode()
    assert "Twilio 已受理测试电话" in page
    (sid, params), = fake.calls.items()
    assert params["To"] == US_CALLER and params["Url"].endswith("/telephony/twilio/test/voice")
    fake.wait(sid)


def test_recording_url_is_kept_and_shown_only_to_roles_that_may_hear_it(live, fake, finished_call, session, users):
    from support.accounts import login

    _app, server = live
    call_id, call_sid = finished_call.id, finished_call.call_sid
    url = f"{server.url}/telephony/twilio/recording/{call_id}"
    params = {"CallSid": call_sid, "RecordingSid": "RE" + "2" * 32,
              "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE2"}
    assert signed_post(fake, url, params).status_code == 204
    assert record(session, call_id).recording_url == params["RecordingUrl"]
    caller = live[0].test_client()
    login(caller, "caller")
    assert caller.get(f"/calls/calls/{call_id}").get_json()["recording_url"] is None
    coordinator = live[0].test_client()
    login(coordinator, "coordinator")
    assert coordinator.get(f"/calls/calls/{call_id}").get_json()["recording_url"] == params["RecordingUrl"]
