"""In a real browser: a coordinator records a county's checklist and a meeting and reads the overview of all
counties, in Chinese and in English; a county liaison reads their own county's checklist."""

import random
from datetime import date

import pytest

from demo.accounts import DEMO_ACCOUNTS
from support.reports_factory import add_campaign

pytestmark = pytest.mark.browser

ACCOUNTS = {a["username"]: a for a in DEMO_ACCOUNTS}
COUNTIES = ("440802", "440803", "440804", "440811", "440823")


@pytest.fixture(scope="module")
def campaign_id(live_server):
    """Add a worked campaign over five counties with the notice's checklist and a few conclusions."""
    from sqlalchemy import select

    from checklists import entries, setup
    from core.extensions import db
    from models import Campaign, ChecklistItem, User

    rng = random.Random(5)
    spec = {code: {"N": rng.randint(900, 3000), "open": 2,
                   "verified": [[t for t in ("inaccurate_data", "should_have_been_cancelled") if rng.random() < 0.12]
                                for _ in range(rng.randint(20, 30))]} for code in COUNTIES}
    app = live_server.server.app
    with app.app_context():
        cid = add_campaign(db.session, spec, name="2026年失业登记专项核查（全面核查）", start=80_000)
        campaign = db.session.get(Campaign, cid)
        setup.copy_template(campaign)
        coordinator = db.session.scalar(select(User).where(User.username == "coord"))
        today = date.today()
        for n, code in enumerate(COUNTIES[1:]):
            for key in ("1.1", "1.2", "2.1", "3.3")[: n + 1]:
                item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.campaign_id == cid,
                                                                     ChecklistItem.key == key))
                conclusion = "largely_compliant" if key == "2.1" else "compliant"
                entries.record(campaign, code, item, {"conclusion": conclusion, "checked_on": today,
                                                      "findings": "线上平台偶有卡顿" if key == "2.1" else "",
                                                      "responsible_unit": "县就业服务中心", "due_on": today},
                               coordinator, today)
        db.session.remove()
    return cid


def log_in(page, live_server, username):
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", ACCOUNTS[username]["password"])
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_coordinator_records_a_checklist_and_a_meeting_and_reads_the_overview(page, live_server, campaign_id,
                                                                              screenshots):
    log_in(page, live_server, "coord")
    county = f"{live_server.url}/verification/{campaign_id}/county/440802"
    page.goto(county)
    item = page.locator("[data-item='2.3']")
    assert "应注销未注销率" in item.inner_text()
    item.locator("summary").click()
    item.locator("select[name$='-conclusion']").select_option("noncompliant")
    item.locator("input[name$='-checked_on']").fill(date.today().isoformat())
    item.locator("textarea[name$='-findings']").fill("抽查发现3名已就业人员未及时注销")
    item.locator("input[name$='-ledger_ref']").fill("注销台账第12–15页")
    item.locator("input[name$='-responsible_unit']").fill("赤坎区就业服务管理中心")
    item.locator("input[name$='-due_on']").fill(date.today().replace(day=28).isoformat())
    item.locator("input[type=submit]").click()
    page.wait_for_selector("[data-item='2.3'] [data-testid=conclusion]")
    assert page.locator("[data-item='2.3'] [data-testid=conclusion]").inner_text() == "不符合"
    page.locator("[data-item='2.3']").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "verification-checklist-zh.png")

    page.goto(f"{live_server.url}/verification/{campaign_id}/county/440802/meetings")
    page.select_option("#kind", "symposium")
    page.fill("#held_on", date.today().isoformat())
    page.fill("#place", "赤坎区人力资源和社会保障局三楼会议室")
    page.fill("#participants", "核查组成员：张三、李四\n公共就业服务机构人员：王五\n窗口工作人员：赵六")
    page.fill("#notes", "听取了赤坎区失业登记工作情况汇报，查阅了登记台账。")
    page.fill("#problems", "窗口人员不足，高峰期排队较长\n线上平台与社保数据未实时同步")
    page.click("input[type=submit][value='保存会议记录']")
    page.wait_for_selector("[data-testid=meeting]")
    assert "窗口工作人员：赵六" in page.locator("[data-testid=meeting]").inner_text()
    page.screenshot(path=screenshots / "verification-meeting-zh.png")

    page.goto(f"{live_server.url}/verification/{campaign_id}/")
    rows = page.locator("[data-testid=overview] tbody tr")
    assert rows.count() == len(COUNTIES)
    page.screenshot(path=screenshots / "verification-overview-zh.png")

    page.goto(f"{live_server.url}/lang/en")
    for name, url in (("overview", f"/verification/{campaign_id}/"), ("checklist", "/verification/"
                      f"{campaign_id}/county/440802#item-6"), ("meeting", None)):
        if url is None:
            page.goto(f"{live_server.url}/verification/{campaign_id}/county/440802/meetings")
            page.locator("[data-testid=meetings] a").first.click()
            page.wait_for_selector("[data-testid=meeting]")
        else:
            page.goto(live_server.url + url)
        assert "Verification" in page.content()
        page.screenshot(path=screenshots / f"verification-{name}-en.png")


def test_a_county_liaison_reads_their_own_checklist_only(page, live_server, campaign_id):
    log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/verification/{campaign_id}/")
    rows = page.locator("[data-testid=overview] tbody tr")
    assert rows.count() == 1
    response = page.goto(f"{live_server.url}/verification/{campaign_id}/county/440881")
    assert response.status == 404
