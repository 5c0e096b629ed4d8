"""In a real browser, as the manager: a county whose persons with a register finding were oversampled is
judged on its weighted rate, and its report page says so."""

import pytest

from support.browser import log_in
from support.reports_factory import add_campaign

pytestmark = pytest.mark.browser

CHIKAN = "440802"


def test_an_oversampled_county_is_judged_on_its_weighted_rate(page, live_server, screenshots):
    from core.extensions import db

    with live_server.server.app.app_context():
        # 20 of 100 with a finding (10 not authentic), 20 of 900 without (2): 30 % pooled, 14 % weighted.
        cid = add_campaign(db.session, {
            f"{CHIKAN}|finding": {"N": 100, "verified": [["not_authentic"]] * 10 + [[]] * 10},
            f"{CHIKAN}|none": {"N": 900, "verified": [["not_authentic"]] * 2 + [[]] * 18},
        }, name="2026年比对分层核查", tolerable=0.15, start=80_000)
        db.session.remove()
    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}/reports/{cid}/county/{CHIKAN}")
    body = page.content()
    assert "按加权比率判断：各层抽样比例不同" in body
    assert "超出" not in page.locator(".badge").first.inner_text()
    page.screenshot(path=screenshots / "report-county-weighted-audit.png", full_page=False)
