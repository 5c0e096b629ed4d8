"""Tencent CCC dual call end to end: the official SDK signs and sends each request to a fake Tencent
Cloud API on 127.0.0.1 that recomputes the TC3-HMAC-SHA256 signature with the configured secret."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from callbacks.telephony.tencent_client import RateLimiter
from models import AuditLog, CallRecord, FollowUpTask, Person, User
from support.accounts import login
from support.fake_tencent import (
    AGENT,
    AGENT_NOT_ALLOWLISTED,
    CCC_APP_ID,
    CENTRE_NUMBER,
    SECRET_ID,
    SECRET_KEY,
    FakeTencent,
)
from support.followup_factory import make_tasks


def ccc_settings(fake, **overrides):
    return {"TELEPHONY_PROVIDER": "tencent_ccc", "TENCENT_SECRET_ID": SECRET_ID, "TENCENT_SECRET_KEY": SECRET_KEY,
            "TENCENT_API_BASE": fake.url, "TENCENT_TIMEOUT": 2, "CCC_SDK_APP_ID": str(CCC_APP_ID),
            "CCC_CALLERS": [CENTRE_NUMBER, "+8675912345679"]} | overrides


@pytest.fixture
def fake():
    with FakeTencent() as server:
        yield server


@pytest.fixture
def ccc_app(make_app, fake, users, session):
    app = make_app(**ccc_settings(fake))
    make_tasks(app, {"440802": 2})
    session.get(User, users["caller"]).ccc_user_id = AGENT
    session.commit()
    return app


@pytest.fixture
def task_id(ccc_app, session):
    return session.scalars(select(FollowUpTask.id).order_by(FollowUpTask.id)).first()


@pytest.fixture
def caller(ccc_app, users):
    client = ccc_app.test_client()
    login(client, "caller")
    return client


def call(client, task_id):
    response = client.post(f"/calls/tasks/{task_id}/call")
    assert response.status_code in (200, 201), response.data
    return response.get_json()


def fresh(session, model, key):
    session.rollback()
    session.expire_all()
    return session.get(model, key)


def sweep(app):
    from callbacks.scheduler import sweep_call_records
    from core.clock import now

    with app.app_context():
        return sweep_call_records(now())


def test_a_dual_call_is_placed_with_the_documented_parameters(fake, caller, task_id, session):
    placed = call(caller, task_id)
    assert placed["placed"] is True and placed["provider"] == "tencent_ccc"
    (params,) = fake.actions("CreateCallOutSession")
    person = session.get(Person, session.get(FollowUpTask, task_id).person_id)
    assert params == {"SdkAppId": CCC_APP_ID, "UserId": AGENT, "Callee": "0086" + person.phone[3:],
                      "Callers": [CENTRE_NUMBER, "0086075912345679"], "IsForceUseMobile": True,
                      "UUI": f"call:{placed['id']}"}
    kept = fresh(session, CallRecord, placed["id"])
    assert kept.call_sid == fake.cdrs[0]["SessionId"] and kept.status == "queued" and kept.ended_at is None


def test_the_call_record_is_polled_stored_and_proposes_a_disposition(ccc_app, fake, caller, task_id, session):
    placed = call(caller, task_id)
    assert sweep(ccc_app) == 1
    done = fresh(session, CallRecord, placed["id"])
    assert (done.status, done.end_status, done.person_status, done.suggested_disposition) == \
        ("completed", "ok", "completed", "completed")
    assert done.duration_seconds == 95 and (done.answered_at - done.rang_at).total_seconds() == 7
    assert (done.ended_at - done.answered_at).total_seconds() == 95
    assert session.get(FollowUpTask, task_id).status == "open"  # a record never closes a case
    shown = caller.get(f"/calls/calls/{placed['id']}").get_json()
    assert shown["suggested_disposition"] == "completed" and shown["end_status"] == "ok" and shown["rang_at"]
    assert sweep(ccc_app) == 0  # nothing open: the sweep changes nothing the second time
    assert len(fake.actions("DescribeTelCdr")) == 1


@pytest.mark.parametrize("end_status, suggested", [
    ("notAnswer", "no_answer"), ("busy", "busy"), ("powerOff", "switched_off"),
    ("numberNotExist", "number_not_exist"), ("callerCancel", None),
])
def test_each_end_status_suggests_its_disposition(ccc_app, fake, caller, task_id, session, end_status, suggested):
    fake.outcome = {"EndStatusString": end_status, "Duration": 0}
    placed = call(caller, task_id)
    sweep(ccc_app)
    done = fresh(session, CallRecord, placed["id"])
    assert done.end_status == end_status and done.suggested_disposition == suggested and done.answered_at is None


def test_call_records_are_read_page_by_page(ccc_app, fake, session, users):
    from callbacks.telephony import ccc_client

    task = session.scalars(select(FollowUpTask)).first()
    for _ in range(120):  # other calls of the centre in the same window
        ccc_client.place_dual_call(ccc_app.config, AGENT, "+8613900000000", "other")
    ours = ccc_client.place_dual_call(ccc_app.config, AGENT, "+8613900000001", "ours")
    session.add(CallRecord(task_id=task.id, caller_id=users["caller"], provider="tencent_ccc",
                           call_sid=ours.session_id, placed=True, status="queued"))
    session.commit()
    now = datetime.now(UTC)
    found = ccc_client.call_details(ccc_app.config, [], now - timedelta(minutes=5), now + timedelta(minutes=1))
    pages = fake.actions("DescribeTelCdr")
    assert len(found) == 121 and [p["PageNumber"] for p in pages] == [0, 1]
    assert all(p["PageSize"] == 100 for p in pages)
    assert "RequestLimitExceeded" not in {code for _a, code in fake.refused}  # the limiter kept us under 20/s


@pytest.mark.parametrize("setup, code, words", [
    ({"agent": AGENT_NOT_ALLOWLISTED}, "OperationDenied.NotInWhiteList", "外呼白名单"),
    ({"agent": "nobody@example.gov.cn"}, "InvalidParameterValue.AccountNotExist", "未绑定手机号"),
    ({"phone": "+14155550123"}, "NotMainland", "中国大陆号码"),
    ({"fail": "InvalidParameterValue.PhoneNumInvalid"}, "InvalidParameterValue.PhoneNumInvalid", "号码格式不正确"),
    ({"fail": "LimitExceeded.OutOfQuotaMaxCount"}, "LimitExceeded.OutOfQuotaMaxCount", "配额"),
    ({"fail": "RequestLimitExceeded"}, "RequestLimitExceeded", "每秒最多 20 次"),
    ({"fail": "FailedOperation.SeatStatusBusy"}, "FailedOperation.SeatStatusBusy", "座席正忙"),
    ({"fail": "FailedOperation"}, "FailedOperation", "改用本机拨号"),
    ({"secret": "wrong-secret"}, "AuthFailure.SignatureFailure", "密钥"),
    ({"delay": 3}, "ClientNetworkError", "无法连接腾讯云"),
])
def test_every_failure_is_explained_kept_and_leaves_the_tel_link(make_app, fake, users, session, setup, code, words):
    app = make_app(**ccc_settings(fake, TENCENT_SECRET_KEY=setup.get("secret", SECRET_KEY)))
    make_tasks(app, {"440802": 1})
    task = session.scalars(select(FollowUpTask)).first()
    session.get(User, users["caller"]).ccc_user_id = setup.get("agent", AGENT)
    if "phone" in setup:
        session.get(Person, task.person_id).phone = setup["phone"]
    session.commit()
    task_id = task.id
    fake.fail_next = {"CreateCallOutSession": setup["fail"]} if "fail" in setup else {}
    fake.delay = setup.get("delay", 0)
    client = app.test_client()
    login(client, "caller")
    result = call(client, task_id)
    assert result["placed"] is False and result["error_code"] == code[:32] and words in result["message"]
    kept = fresh(session, CallRecord, result["id"])  # the code is kept to the column's 32 characters
    assert kept.status == "not_placed" and kept.call_sid is None and kept.error_code == code[:32]
    assert session.scalar(select(AuditLog).where(AuditLog.action == "call.place")) is not None
    fake.delay = 0
    page = client.post(f"/followup/tasks/{task_id}/reveal", data={"field": "phone"},
                       follow_redirects=True).data.decode()
    assert 'href="tel:+' in page and 'data-testid="click-to-call"' in page  # dialling by hand stays possible


def test_a_wrong_secret_is_refused_by_the_fake_so_the_signature_is_really_computed(fake):
    from callbacks.telephony import ccc_client

    good = ccc_client.place_dual_call(ccc_settings(fake), AGENT, "+8613812345678", "x")
    bad = ccc_client.place_dual_call(ccc_settings(fake, TENCENT_SECRET_KEY="wrong"), AGENT, "+8613812345678", "x")
    assert good.placed and not bad.placed and bad.error_code == "AuthFailure.SignatureFailure"
    assert ("CreateCallOutSession", "AuthFailure.SignatureFailure") in fake.refused


def test_a_caller_without_an_agent_account_is_told_to_ask_the_administrator(ccc_app, users, session, task_id):
    session.get(User, users["caller"]).ccc_user_id = None
    session.commit()
    client = ccc_app.test_client()
    login(client, "caller")
    response = client.post(f"/calls/tasks/{task_id}/call")
    assert response.status_code == 409 and "座席" in response.data.decode()


def test_a_failed_poll_keeps_the_call_open_for_the_next_sweep(ccc_app, fake, caller, task_id, session):
    placed = call(caller, task_id)
    fake.fail_next = {"DescribeTelCdr": "InternalError"}
    assert sweep(ccc_app) == 0
    assert fresh(session, CallRecord, placed["id"]).ended_at is None
    assert sweep(ccc_app) == 1


def test_the_rate_limiter_spaces_requests_to_twenty_a_second():
    clock, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(20, clock=lambda: clock[0], sleep=sleep)
    for _ in range(41):
        limiter.wait()
    assert clock[0] - 100.0 == pytest.approx(2.0)  # 41 requests need two seconds at 20 a second


def test_the_secret_never_reaches_a_page_or_the_audit_log(ccc_app, users, session, fake):
    client = ccc_app.test_client()
    login(client, "admin")
    page = client.get("/calls/settings").data.decode()
    assert SECRET_KEY not in page and "云联络中心" in page
    assert all(SECRET_KEY not in str(entry.detail) for entry in session.scalars(select(AuditLog)))


def test_the_admin_sets_a_callers_agent_account_and_bad_ones_are_refused(ccc_app, users, session):
    admin = ccc_app.test_client()
    login(admin, "admin")
    caller_id = users["caller"]
    page = admin.post(f"/calls/settings/agents/{caller_id}", data={"ccc_user_id": "not an e-mail"},
                      follow_redirects=True).data.decode()
    assert "座席邮箱" in page and fresh(session, User, caller_id).ccc_user_id == AGENT
    admin.post(f"/calls/settings/agents/{caller_id}", data={"ccc_user_id": " li@example.gov.cn "})
    assert fresh(session, User, caller_id).ccc_user_id == "li@example.gov.cn"
    assert session.scalar(select(AuditLog).where(AuditLog.action == "user.ccc_agent")) is not None
    assert admin.post(f"/calls/settings/agents/{users['manager']}", data={"ccc_user_id": "x@y.cn"}).status_code == 404
    caller = ccc_app.test_client()
    login(caller, "caller")
    assert caller.post(f"/calls/settings/agents/{caller_id}", data={"ccc_user_id": "x@y.cn"}).status_code == 403


def test_the_test_call_rings_the_admins_agent_mobile_then_their_phone(ccc_app, fake, users, session):
    admin_user = session.get(User, users["admin"])
    admin_user.ccc_user_id, admin_user.phone = AGENT, "+8613912345678"
    session.commit()
    admin = ccc_app.test_client()
    login(admin, "admin")
    page = admin.post("/calls/settings/test-call", follow_redirects=True).data.decode()
    assert "云联络中心已受理测试电话" in page
    (params,) = fake.actions("CreateCallOutSession")
    assert params["UserId"] == AGENT and params["Callee"] == "008613912345678" and params["UUI"].startswith("test:")


def test_unknown_providers_and_person_data_in_the_sms_template_are_refused_at_start(tmp_path):
    from config.settings import ConfigError, load_settings

    with pytest.raises(ConfigError, match="TELEPHONY_PROVIDER"):
        load_settings(str(tmp_path), environ={}, overrides={"TELEPHONY_PROVIDER": "aliyun"})
    with pytest.raises(ConfigError, match="SMS_TEMPLATE_PARAMS"):
        load_settings(str(tmp_path), environ={}, overrides={"SMS_TEMPLATE_PARAMS": ["callback_number", "name"]})
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_SMS_TEMPLATE_PARAMS": "campaign_name, callback_number",
                                                     "SPOTCHECK_CCC_CALLERS": "+8675912345678,0086075912345679"})
    assert settings["SMS_TEMPLATE_PARAMS"] == ["campaign_name", "callback_number"]
    from callbacks.telephony.ccc_client import callers

    assert callers(settings) == ["0086075912345678", "0086075912345679"]
    single = load_settings(str(tmp_path), environ={"SPOTCHECK_CCC_CALLERS": "+8675912345678"})
    assert callers(single) == ["0086075912345678"]
