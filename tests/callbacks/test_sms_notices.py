"""SMS advance notices end to end: the official SMS SDK signs and sends to the fake Tencent Cloud API;
batches, quiet hours, once per person, opt-outs, receipts and replies."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from callbacks.telephony.notice_sweeps import is_opt_out
from callbacks.telephony.notices import in_quiet_hours, quiet_hours_end
from models import Attempt, DoNotContact, FollowUpTask, Person, SmsNotice, SmsOptOut
from support.accounts import login
from support.fake_tencent import SECRET_ID, SECRET_KEY, SIGN_NAME, SMS_APP_ID, TEMPLATE_ID, FakeTencent
from support.followup_factory import WEDNESDAY_10, FakeClock, make_tasks

TEMPLATE = "您好，我中心将于近日致电您了解失业登记和就业服务情况，来电号码为{1}，请留意接听。"


def sms_settings(fake, **overrides):
    return {"TENCENT_SECRET_ID": SECRET_ID, "TENCENT_SECRET_KEY": SECRET_KEY, "TENCENT_API_BASE": fake.url,
            "TENCENT_TIMEOUT": 2, "SMS_SDK_APP_ID": SMS_APP_ID, "SMS_SIGN_NAME": SIGN_NAME,
            "SMS_TEMPLATE_ID": TEMPLATE_ID, "SMS_TEMPLATE_TEXT": TEMPLATE, "SMS_CALLBACK_NUMBER": "0759-3333333",
            "SMS_TEMPLATE_PARAMS": ["callback_number"]} | overrides


@pytest.fixture
def fake():
    with FakeTencent() as server:
        yield server


@pytest.fixture
def clock():
    return FakeClock(WEDNESDAY_10)


@pytest.fixture
def sms_app(make_app, fake, clock, users):
    return make_app(CLOCK=clock, **sms_settings(fake))


@pytest.fixture
def coordinator(sms_app, users):
    client = sms_app.test_client()
    login(client, "coordinator")
    return client


def send(client, draw_id, county="", confirm="yes"):
    return client.post("/calls/notices/send", data={"draw_id": draw_id, "county": county, "confirm": confirm},
                       follow_redirects=True).data.decode()


def notices(session):
    session.rollback()
    session.expire_all()
    return session.scalars(select(SmsNotice).order_by(SmsNotice.id)).all()


def sweep(app, name):
    from callbacks import scheduler
    from core.clock import now

    with app.app_context():
        return getattr(scheduler, f"sweep_{name}")(now())


def test_notices_go_in_batches_of_at_most_200_and_only_with_the_campaigns_facts(sms_app, fake, coordinator, session):
    draw_id = make_tasks(sms_app, {"440802": 230, "440881": 20})
    page = send(coordinator, draw_id)
    assert [len(p["PhoneNumberSet"]) for p in fake.actions("SendSms")] == [200, 50]
    sent = notices(session)
    assert len(sent) == 250 and {n.status for n in sent} == {"sent"} and all(n.serial_no for n in sent)
    assert "250" in page
    names_and_ids = {v for p in session.scalars(select(Person)) for v in (p.name, p.id_number)}
    for request in fake.actions("SendSms"):
        assert request["TemplateParamSet"] == ["0759-3333333"] and request["SignName"] == SIGN_NAME
        assert not names_and_ids & set(request["TemplateParamSet"])  # minimum necessary: nothing of the person


def test_a_person_gets_one_notice_per_campaign_however_often_it_is_sent(sms_app, fake, coordinator, session):
    draw_id = make_tasks(sms_app, {"440802": 3})
    send(coordinator, draw_id)
    send(coordinator, draw_id)
    send(coordinator, draw_id, county="440802")
    assert len(fake.actions("SendSms")) == 1 and len(notices(session)) == 3


def test_one_county_only(sms_app, fake, coordinator, session):
    draw_id = make_tasks(sms_app, {"440802": 2, "440881": 3})
    send(coordinator, draw_id, county="440881")
    assert {n.county_code for n in notices(session)} == {"440881"} and len(notices(session)) == 3


def test_without_the_confirmation_nothing_is_sent(sms_app, fake, coordinator, session):
    draw_id = make_tasks(sms_app, {"440802": 2})
    send(coordinator, draw_id, confirm="")
    assert fake.actions("SendSms") == [] and notices(session) == []


@pytest.mark.parametrize("local_hour, quiet", [(7, True), (8, False), (12, False), (20, False), (21, True), (23, True),
                                               (0, True)])
def test_quiet_hours_are_21_to_8_beijing_time(local_hour, quiet):
    moment = datetime(2026, 5, 6, (local_hour - 8) % 24, 30, tzinfo=UTC)
    assert in_quiet_hours(moment) is quiet
    if quiet:
        end = quiet_hours_end(moment)
        assert end > moment and not in_quiet_hours(end) and end.utcoffset() is not None


def test_nothing_goes_out_in_the_quiet_hours(sms_app, fake, coordinator, session, clock):
    draw_id = make_tasks(sms_app, {"440802": 2})
    clock.now = datetime(2026, 5, 6, 13, 30, tzinfo=UTC)  # 21:30 in Beijing
    login(coordinator, "coordinator")  # the session of 10:00 has lapsed by then
    page = send(coordinator, draw_id)
    assert fake.actions("SendSms") == [] and notices(session) == []
    assert "21:00" in page and "08:00" in page


def test_do_not_contact_and_opted_out_persons_get_no_notice(sms_app, fake, coordinator, session):
    draw_id = make_tasks(sms_app, {"440802": 4})
    persons = [session.get(Person, t.person_id) for t in session.scalars(select(FollowUpTask).order_by(FollowUpTask.id))]
    session.add(DoNotContact(id_number=persons[0].id_number))
    session.add(SmsOptOut(id_number=persons[1].id_number, reply_text="退订"))
    session.commit()
    send(coordinator, draw_id)
    (request,) = fake.actions("SendSms")
    assert sorted(request["PhoneNumberSet"]) == sorted(p.phone for p in persons[2:])


def test_a_number_the_platform_refuses_is_kept_as_failed_with_the_reason(sms_app, fake, coordinator, session):
    draw_id = make_tasks(sms_app, {"440802": 2})
    first = session.get(Person, session.scalars(select(FollowUpTask.person_id).order_by(FollowUpTask.id)).first())
    fake.blacklist.add(first.phone)
    send(coordinator, draw_id)
    by_status = {n.status: n for n in notices(session)}
    assert set(by_status) == {"sent", "failed"}
    assert by_status["failed"].error_code == "FailedOperation.PhoneNumberInBlacklist"
    assert "退订" in by_status["failed"].error_message


@pytest.mark.parametrize("setup, code", [
    ({"SMS_SIGN_NAME": "未审核的签名"}, "FailedOperation.SignatureIncorrectOrUnapproved"),
    ({"TENCENT_SECRET_KEY": "wrong"}, "AuthFailure.SignatureFailure"),
    ({"fail": "LimitExceeded.AppDailyLimit"}, "LimitExceeded.AppDailyLimit"),
    ({"delay": 3}, "ClientNetworkError"),
])
def test_a_failed_request_records_nothing_and_says_what_to_do(make_app, fake, users, session, setup, code):
    app = make_app(CLOCK=FakeClock(WEDNESDAY_10), **sms_settings(
        fake, **{k: v for k, v in setup.items() if k not in ("fail", "delay")}))
    draw_id = make_tasks(app, {"440802": 3})
    fake.fail_next = {"SendSms": setup["fail"]} if "fail" in setup else {}
    fake.delay = setup.get("delay", 0)
    client = app.test_client()
    login(client, "coordinator")
    page = send(client, draw_id)
    assert notices(session) == [] and code in page
    fake.delay = 0
    fake.fail_next = {}


def test_receipts_and_replies_are_polled_and_applied(sms_app, fake, coordinator, session, users):
    draw_id = make_tasks(sms_app, {"440802": 3})
    tasks = session.scalars(select(FollowUpTask).order_by(FollowUpTask.id)).all()
    phones = [session.get(Person, t.person_id).phone for t in tasks]
    task_ids = [t.id for t in tasks]
    fake.undeliverable.add(phones[2])
    send(coordinator, draw_id)
    fake.reply(phones[0], "退订")
    fake.reply(phones[1], "请下午三点后再打")
    assert sweep(sms_app, "sms_status") == 5
    by_task = {n.task_id: n for n in notices(session)}
    assert [by_task[t].status for t in task_ids] == ["delivered", "delivered", "undelivered"]
    assert by_task[task_ids[0]].delivered_at is not None
    assert session.scalar(select(func.count(SmsOptOut.id))) == 1
    assert session.scalar(select(SmsOptOut.id_number)) == by_task[task_ids[0]].id_number
    caller = sms_app.test_client()
    login(caller, "coordinator")
    page = caller.get(f"/followup/tasks/{task_ids[1]}").data.decode()
    assert "请下午三点后再打" in page and 'data-testid="notice-reply"' in page
    assert 'data-testid="opted-out"' in caller.get(f"/followup/tasks/{task_ids[0]}").data.decode()
    assert sweep(sms_app, "sms_status") == 0  # each receipt and reply is handed out once


@pytest.mark.parametrize("text, opt_out", [("退订", True), ("TD", True), ("td", True), (" 退订。", True),
                                           ("T", False), ("不要退订", False), ("好的", False)])
def test_only_unsubscribe_replies_opt_out(text, opt_out):
    assert is_opt_out(text) is opt_out


def test_automatic_notice_before_the_first_call_respects_quiet_hours(make_app, fake, users, session):
    clock = FakeClock(datetime(2026, 5, 5, 14, 0, tzinfo=UTC))  # 22:00 in Beijing, the evening before
    app = make_app(CLOCK=clock, SMS_AUTO_HOURS_BEFORE=24, **sms_settings(fake))
    make_tasks(app, {"440802": 2}, now=WEDNESDAY_10)
    assert sweep(app, "auto_notices") == 0 and fake.actions("SendSms") == []
    clock.now = datetime(2026, 5, 6, 0, 30, tzinfo=UTC)  # 08:30
    assert sweep(app, "auto_notices") == 2
    assert {n.trigger for n in notices(session)} == {"auto"}
    assert sweep(app, "auto_notices") == 0  # once per person


def test_the_dashboard_compares_contact_with_and_without_a_delivered_notice(sms_app, fake, coordinator, session, users):
    draw_id = make_tasks(sms_app, {"440802": 4})
    tasks = session.scalars(select(FollowUpTask).order_by(FollowUpTask.id)).all()
    fake.undeliverable.add(session.get(Person, tasks[3].person_id).phone)
    send(coordinator, draw_id, county="440802")
    sweep(sms_app, "sms_status")
    for task, disposition in zip(tasks, ["completed", "no_answer", "refused", "no_answer"], strict=True):
        session.add(Attempt(task_id=task.id, channel="phone", disposition=disposition, at=WEDNESDAY_10,
                            caller_id=users["caller"], submission_key=f"k{task.id}"))
    session.commit()
    manager = sms_app.test_client()
    login(manager, "manager")
    campaign_id = tasks[0].campaign_id
    page = manager.get(f"/reports/{campaign_id}/").data.decode()
    assert 'data-testid="notice-contact"' in page and "(2/3)" in page and "(0/1)" in page


def test_the_notice_page_previews_the_text_with_the_signature(sms_app, coordinator):
    make_tasks(sms_app, {"440802": 2})
    page = coordinator.get("/calls/notices").data.decode()
    assert f"【{SIGN_NAME}】您好" in page and "0759-3333333" in page


def test_the_api_sends_and_reports_notices_like_the_page(sms_app, fake, session, users):
    def token_client(username):
        token = sms_app.test_cli_runner().invoke(args=["users", "token", username]).output.strip()
        client = sms_app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    draw_id = make_tasks(sms_app, {"440802": 3, "440881": 2})
    api = token_client("coordinator")
    refused = api.post(f"/api/v1/draws/{draw_id}/sms-notices", json={"confirm": False})
    assert refused.status_code == 400 and notices(session) == []
    sent = api.post(f"/api/v1/draws/{draw_id}/sms-notices", json={"confirm": True, "county": "440881"}).get_json()
    assert (sent["sent"], sent["failed"], sent["batches"]) == (2, 0, 1)
    report = api.get(f"/api/v1/draws/{draw_id}/sms-notices").get_json()
    assert report["pending"] == 3 and report["counts"]["440881"]["sent"] == 2 and "0759-3333333" in report["preview"]
    assert token_client("caller").get(f"/api/v1/draws/{draw_id}/sms-notices").status_code == 403
    admin = token_client("admin")
    answer = admin.put(f"/api/v1/users/{users['caller']}/ccc-agent", json={"ccc_user_id": "wang@example.gov.cn"})
    assert answer.get_json()["ccc_user_id"] == "wang@example.gov.cn"
    assert admin.put(f"/api/v1/users/{users['caller']}/ccc-agent", json={"ccc_user_id": "wang"}).status_code == 400


def test_the_pending_count_of_each_county_is_read_at_once_and_is_that_countys_own(sms_app, session, coordinator):
    from callbacks.telephony.notices import pending, pending_counts

    draw_id = make_tasks(sms_app, {"440802": 3, "440881": 2})
    tasks = session.scalars(select(FollowUpTask).where(FollowUpTask.draw_id == draw_id).order_by(FollowUpTask.id)).all()
    first = {task.county_code: task for task in reversed(tasks)}  # the first task of each county
    twice = session.get(Person, first["440881"].person_id)
    twice.id_number = session.get(Person, first["440802"].person_id).id_number  # one person drawn in both counties
    session.commit()
    with sms_app.app_context():
        campaign_id = tasks[0].campaign_id
        each = {code: len(pending(campaign_id, draw_id=draw_id, county=code)) for code in ("440802", "440881")}
        assert each == {"440802": 3, "440881": 2}
        # the whole draw notifies that person once
        assert pending_counts(campaign_id, draw_id) == (len(pending(campaign_id, draw_id=draw_id)), each) == (4, each)
        assert pending_counts(campaign_id, draw_id, "440881") == (2, {"440881": 2})
    page = coordinator.get(f"/calls/notices?draw={draw_id}").data.decode()
    assert '<td class="text-end">3</td>' in page and '<td class="text-end">2</td>' in page
