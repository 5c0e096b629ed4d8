"""In a real browser, in Twilio mode: a caller presses "call", the fake Twilio rings and bridges, the
page follows the call and suggests the result, and the caller records it."""

import pytest
from sqlalchemy import select

from support.fake_twilio import SID, TOKEN, US_CALLER, US_PERSON, FakeTwilio

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def twilio_site(migrated_template, tmp_path_factory):
    from app import create_app
    from auth.accounts import create_user
    from core.extensions import db
    from models import FollowUpTask, Person
    from support.browser import LiveServer, module_database
    from support.database import TEST_DATABASE_URL, reset_postgres
    from support.followup_factory import make_tasks

    url = module_database(migrated_template, tmp_path_factory, TEST_DATABASE_URL, reset_postgres)
    with FakeTwilio(SID, TOKEN) as fake:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "TELEPHONY_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN,
                          "TWILIO_CALLER_ID": "+14155550100", "TWILIO_API_BASE": fake.url,
                          "PUBLIC_BASE_URL": "http://127.0.0.1"})  # the port is set once the server runs
        with app.app_context():
            caller = create_user(db.session, "twcaller", "caller-demo-2026", "caller", None, "点击拨号回访员")
            caller.phone = US_CALLER
            db.session.commit()
        make_tasks(app, {"440802": 1})
        with app.app_context():
            task = db.session.scalars(select(FollowUpTask)).first()
            db.session.get(Person, task.person_id).phone = US_PERSON
            task_id = task.id
            db.session.commit()
            db.session.remove()
        with LiveServer(app) as server:
            app.config["PUBLIC_BASE_URL"] = server.url
            yield server, fake, task_id
        app.extensions["database_engine"].dispose()


def test_caller_clicks_call_and_records_the_suggested_result(page, twilio_site, screenshots):
    server, fake, task_id = twilio_site
    fake.person_outcome = "busy"
    page.goto(server.url + "/login")
    page.fill("#username", "twcaller")
    page.fill("#password", "caller-demo-2026")
    page.click("input[type=submit]")
    page.goto(f"{server.url}/followup/tasks/{task_id}")
    page.click("[data-testid=click-to-call]")
    page.wait_for_selector("[data-testid=disp-busy].border-warning", timeout=15000)
    progress = page.locator("[data-testid=call-progress]").inner_text()
    assert "对方占线" in progress and progress.endswith("建议结果（请在下方确认）： 占线")
    page.screenshot(path=screenshots / "telephony-click-to-call.png", full_page=True)
    assert page.locator("#call-id").input_value() != ""
    page.click("[data-testid=disp-busy]")
    page.wait_for_load_state()
    assert "已记录" in page.content()
