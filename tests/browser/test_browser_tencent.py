"""In a real browser, with Tencent Cloud (the fake API): the coordinator sends the SMS notice from its
page, the receipt comes back, the caller places a dual call from the task page on a phone-sized screen,
the call record arrives and the page proposes the result."""

import pytest
from sqlalchemy import select

from support.fake_tencent import (
    AGENT,
    CCC_APP_ID,
    CENTRE_NUMBER,
    SECRET_ID,
    SECRET_KEY,
    SIGN_NAME,
    SMS_APP_ID,
    TEMPLATE_ID,
    FakeTencent,
)
from support.followup_factory import WEDNESDAY_10, FakeClock

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tencent_site(migrated_template, tmp_path_factory):
    from app import create_app
    from auth.accounts import create_user
    from core.extensions import db
    from models import FollowUpTask
    from support.browser import LiveServer, module_database
    from support.database import TEST_DATABASE_URL, reset_postgres
    from support.followup_factory import make_tasks

    url = module_database(migrated_template, tmp_path_factory, TEST_DATABASE_URL, reset_postgres)
    with FakeTencent() as fake:
        app = create_app({
            "DATABASE_URL": url, "SECRET_KEY": "browser-test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "CLOCK": FakeClock(WEDNESDAY_10), "TELEPHONY_PROVIDER": "tencent_ccc", "TENCENT_SECRET_ID": SECRET_ID,
            "TENCENT_SECRET_KEY": SECRET_KEY, "TENCENT_API_BASE": fake.url, "CCC_SDK_APP_ID": str(CCC_APP_ID),
            "CCC_CALLERS": [CENTRE_NUMBER], "SMS_SDK_APP_ID": SMS_APP_ID, "SMS_SIGN_NAME": SIGN_NAME,
            "SMS_TEMPLATE_ID": TEMPLATE_ID, "SMS_CALLBACK_NUMBER": "0759-3333333",
            "SMS_TEMPLATE_TEXT": "您好，我中心将于近日致电您了解失业登记和就业服务情况，来电号码为{1}，请留意接听。"})
        with app.app_context():
            caller = create_user(db.session, "ccccaller", "caller-demo-2026", "caller", None, "双呼回访员")
            caller.ccc_user_id = AGENT
            create_user(db.session, "ccccoord", "coord-demo-2026", "coordinator", None, "协调员")
            create_user(db.session, "cccadmin", "admin-demo-2026", "admin", None, "管理员")
            db.session.commit()
        make_tasks(app, {"440802": 3, "440881": 2})
        with app.app_context():
            task_id = db.session.scalars(select(FollowUpTask.id).order_by(FollowUpTask.id)).first()
            db.session.remove()
        with LiveServer(app) as server:
            yield app, server, fake, task_id
        app.extensions["database_engine"].dispose()


def log_in(page, server, username, password):
    page.goto(server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("input[type=submit]")


def sweep(app, name):
    from callbacks import scheduler
    from core.clock import now
    from core.extensions import db

    with app.app_context():
        result = getattr(scheduler, f"sweep_{name}")(now())
        db.session.remove()
    return result


def test_notice_sent_delivered_and_a_dual_call_recorded(browser, tencent_site, screenshots):
    app, server, fake, task_id = tencent_site
    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(desk, server, "ccccoord", "coord-demo-2026")
    desk.goto(server.url + "/calls/notices")
    assert f"【{SIGN_NAME}】您好" in desk.locator("[data-testid=notice-preview]").inner_text()
    desk.check("#confirm")
    desk.click("[data-testid=send-notices]")
    desk.wait_for_load_state()
    assert "平台已受理短信预告 5 条" in desk.content()
    assert sweep(app, "sms_status") == 5
    desk.reload()
    desk.screenshot(path=screenshots / "telephony-sms-notice.png", full_page=True)
    desk.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    log_in(phone, server, "ccccaller", "caller-demo-2026")
    phone.goto(f"{server.url}/followup/tasks/{task_id}")
    assert "已送达" in phone.locator("[data-testid=notice-status]").inner_text()
    phone.click("[data-testid=click-to-call]")
    phone.wait_for_selector("[data-testid=call-progress]:has-text('已发起')", timeout=15000)
    phone.screenshot(path=screenshots / "telephony-ccc-call-placed.png", full_page=True)
    assert len(fake.actions("CreateCallOutSession")) == 1
    assert sweep(app, "call_records") == 1
    phone.wait_for_selector("[data-testid=disp-completed].border-warning", timeout=15000)
    phone.reload()
    records = phone.locator("[data-testid=call-records]").inner_text()
    assert "正常通话" in records and "95 秒" in records
    assert "完成" in phone.locator("[data-testid=suggested]").inner_text()
    phone.screenshot(path=screenshots / "telephony-ccc-call-record.png", full_page=True)
    phone.close()


def test_the_settings_page_shows_the_contact_centre_without_secrets(browser, tencent_site, screenshots):
    _app, server, _fake, _task_id = tencent_site
    desk = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    log_in(desk, server, "cccadmin", "admin-demo-2026")
    desk.goto(server.url + "/calls/settings")
    assert "腾讯云联络中心双呼" in desk.locator("[data-testid=mode]").inner_text()
    assert SECRET_KEY not in desk.content() and SECRET_ID not in desk.content()
    assert desk.locator("#agents input[value='caller@example.gov.cn']").count() == 1
    desk.screenshot(path=screenshots / "telephony-settings-tencent.png", full_page=True)
    desk.close()
