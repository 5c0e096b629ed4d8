"""In a real browser: a manager reads the dashboard, drills down to the cases, and prints a county report;
a county liaison sees only their county."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from demo.accounts import DEMO_ACCOUNTS
from support.reports_factory import add_campaign, add_snapshots

pytestmark = pytest.mark.browser

ACCOUNTS = {a["username"]: a for a in DEMO_ACCOUNTS}
COUNTIES = ("440802", "440803", "440804", "440811", "440823", "440825", "440881", "440882", "440883")
TYPES = ("not_authentic", "inaccurate_data", "should_have_been_cancelled", "assistance_not_delivered")


@pytest.fixture(scope="module")
def campaign_id(live_server):
    """Add a worked campaign over nine counties, its snapshots and its rectification lists."""
    from core.extensions import db
    from models import Campaign, RectificationItem
    from reports.rectification import generate_items

    rng = random.Random(7)
    spec = {}
    for i, code in enumerate(COUNTIES):
        level = 0.01 + 0.012 * ((i + 5) % len(COUNTIES))
        verified = [[t for t in TYPES if rng.random() < level] for _ in range(rng.randint(22, 34))]
        services = [[s for s in ("job_referral", "vocational_guidance", "skills_training", "unemployment_insurance")
                     if rng.random() < 0.5] for _ in verified]
        spec[code] = {"N": rng.randint(900, 4000), "verified": verified, "services": services,
                      "outcomes": {"unreachable": rng.randint(0, 3), "refused": rng.randint(0, 2)},
                      "open": rng.randint(1, 6)}
    app = live_server.server.app
    with app.app_context():
        cid = add_campaign(db.session, spec, name="2026年失业登记专项核查（抽查）", start=50_000)
        for code in COUNTIES:
            add_snapshots(db.session, cid, code, days=8, tasks=40)
        today = date.today()
        generate_items(db.session, db.session.get(Campaign, cid), datetime.now(UTC), today, 30)
        for item in db.session.scalars(select(RectificationItem).order_by(RectificationItem.id).limit(3)):
            item.due_on = today - timedelta(days=2)  # a few overdue items to show
        db.session.commit()
        db.session.remove()
    return cid


def log_in(page, live_server, username):
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", ACCOUNTS[username]["password"])
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/")


def test_manager_reads_the_dashboard_drills_down_and_prints(page, live_server, campaign_id, screenshots, tmp_path):
    log_in(page, live_server, "manager")
    page.click("nav >> text=统计报告")
    page.goto(f"{live_server.url}/reports/{campaign_id}/")
    page.wait_for_selector("#rates-chart")
    assert "全市不一致率（分层估计）" in page.content()
    rows = page.locator("[data-testid=county-table] tbody tr")
    assert rows.count() == len(COUNTIES) + 1
    assert page.locator("#rates-chart").bounding_box()["height"] > 200
    page.screenshot(path=screenshots / "reports-dashboard.png", full_page=True)

    first = rows.first
    county = first.locator("td").first.inner_text()
    first.locator("td").first.locator("a").click()
    page.wait_for_selector("[data-testid=type-table]")
    assert county in page.locator("h1").inner_text()
    page.screenshot(path=screenshots / "reports-county.png", full_page=True)

    page.locator("[data-testid=type-table] tr").last.locator("a").first.click()
    page.wait_for_selector("[data-testid=cases]")
    assert "存在问题的样本" in page.locator("[data-testid=cases-title]").inner_text()
    masked = page.locator("[data-testid=cases] td.masked").first.inner_text()
    assert "********" in masked
    page.screenshot(path=screenshots / "reports-cases.png", full_page=True)

    page.go_back()
    page.click("[data-testid=print-link]")
    page.wait_for_selector("[data-testid=report]")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert "抽查核查报告" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=print-items] tbody tr").count() >= 1
    page.screenshot(path=screenshots / "reports-print.png", full_page=True)
    page.pdf(path=str(tmp_path / "report.pdf"), format="A4")  # Chromium lays it out on A4 paper
    assert (tmp_path / "report.pdf").stat().st_size > 10_000


def test_liaison_sees_their_county_only(page, live_server, campaign_id, screenshots):
    log_in(page, live_server, "liaison")
    page.goto(f"{live_server.url}/reports/{campaign_id}/")
    page.wait_for_selector("[data-testid=county-table]")
    names = page.locator("[data-testid=county-table] tbody tr td:first-child").all_inner_texts()
    assert [n.strip() for n in names] == ["赤坎区"]  # no city-wide row: LIAISON_SEES_CITY is off by default
    page.screenshot(path=screenshots / "reports-liaison.png", full_page=True)
    page.goto(f"{live_server.url}/reports/{campaign_id}/rectification")
    page.wait_for_selector("[data-testid=rectification]")
    counties = set(page.locator("[data-testid=rectification] tbody tr td:nth-child(2)").all_inner_texts())
    assert counties == {"赤坎区"}
    page.screenshot(path=screenshots / "rectification-liaison.png", full_page=True)


def test_dashboard_reads_in_english_too(page, live_server, campaign_id, screenshots):
    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/lang/en")
    page.goto(f"{live_server.url}/reports/{campaign_id}/")
    page.wait_for_selector("#rates-chart")
    assert page.locator("html").get_attribute("lang") == "en"
    text = page.inner_text("main")
    assert "Discrepancy rate" in text or "discrepancy rate" in text
    # No Chinese interface text is left; only data (county and person names) may be Chinese.
    page.screenshot(path=screenshots / "reports-dashboard-en.png", full_page=True)
