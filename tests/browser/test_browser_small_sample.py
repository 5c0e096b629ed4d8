"""In a real browser, early in a campaign: one verified case shows counts, not a rate, on the home page and
the dashboard, the empty strata are named, and the design page says how it read the audit settings."""

import pytest

from support.browser import log_in
from support.reports_factory import add_campaign

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def campaign_id(live_server):
    """Add a campaign over 赤坎区 and 霞山区 by gender with a single verified case, which is discrepant."""
    from core.extensions import db

    app = live_server.server.app
    with app.app_context():
        cid = add_campaign(db.session, {
            "440802|1": {"N": 600, "verified": [["not_authentic"]], "open": 14},
            "440802|2": {"N": 600, "open": 15},
            "440803|1": {"N": 400, "open": 15},
            "440803|2": {"N": 400, "open": 14},
        }, name="2026年失业登记专项核查（刚开始）", start=80_000)
        db.session.remove()
    return cid




def test_one_verified_case_shows_counts_not_a_rate(page, live_server, campaign_id, screenshots):
    log_in(page, live_server, "manager")
    row = page.locator("[data-testid=campaign-overview] tr", has_text="刚开始")
    assert "样本不足，暂不估计" in row.inner_text() and "已核实 1 / 抽中 59" in row.inner_text()
    assert "100.0%" not in row.inner_text()
    page.screenshot(path=screenshots / "small-sample-home.png", full_page=True)

    page.goto(f"{live_server.url}/reports/{campaign_id}/")
    page.wait_for_selector("[data-testid=county-table]")
    summary = page.locator("[data-testid=summary]").inner_text()
    assert "样本不足，暂不估计" in summary and "标准误" not in summary and "100.0%" not in summary
    empty = page.locator("[data-testid=empty-strata]").inner_text()
    assert "赤坎区·女" in empty and "霞山区·男" in empty and "赤坎区·男" not in empty
    table = page.locator("[data-testid=county-table]").inner_text()
    assert "增加样本也无法定论" not in table and "超出容忍范围" not in table
    page.screenshot(path=screenshots / "small-sample-dashboard.png", full_page=True)


def test_the_design_page_says_how_it_read_the_audit_settings(page, live_server, campaign_id, screenshots):
    log_in(page, live_server, "coord")
    page.goto(f"{live_server.url}/campaigns/{campaign_id}/design")
    page.select_option("#method", "fixed")
    card = page.locator("[data-testid=audit-settings]")
    assert card.locator("#tolerable").is_visible() and card.locator("#confidence").is_visible()
    page.fill("#tolerable", "5")
    page.fill("#confidence", "９５％")
    page.click("[data-testid=save-audit-settings]")
    page.wait_for_selector("[data-reading-for=confidence]:has-text('已按 95% 理解')")
    assert "已按 5% 理解" in card.inner_text()
    card.screenshot(path=screenshots / "design-audit-settings.png")
