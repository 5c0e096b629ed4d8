"""In a real browser: each role logs in, sees its Chinese home page, and can switch to English."""

import pytest

from demo.accounts import DEMO_ACCOUNTS
from support.browser import log_in

pytestmark = pytest.mark.browser

ACCOUNTS = {a["username"]: a for a in DEMO_ACCOUNTS}


@pytest.mark.parametrize("username, expected", [
    ("admin", "用户账号"),
    ("coord", "您的工作：导入各县（市、区）名册"),
    ("caller", "我的回访任务"),
    ("manager", "各县（市、区）登记在册人数"),
    ("liaison", "限 赤坎区"),
])
def test_each_role_sees_its_chinese_home_page(page, live_server, screenshots, username, expected):
    page.goto(live_server.url + "/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.screenshot(path=screenshots / "login.png")
    log_in(page, live_server, username)
    assert expected in page.content()
    assert "随机抽查回访核查系统" in page.title()
    page.screenshot(path=screenshots / f"home-{username}.png", full_page=True)


def test_navigation_shows_each_role_only_its_areas(page, live_server):
    log_in(page, live_server, "caller")
    nav = page.locator("nav").inner_text()
    assert "失业登记名册" not in nav and "用户管理" not in nav
    page.goto(live_server.url + "/roster/")
    assert "您没有执行此操作的权限" in page.content()


def test_liaison_roster_shows_only_their_county_masked(page, live_server, screenshots):
    log_in(page, live_server, "liaison")
    page.click("text=失业登记名册")
    page.wait_for_selector("[data-testid=persons]")
    counties = set(page.locator("[data-testid=persons] tbody tr td:first-child").all_inner_texts())
    assert counties == {"赤坎区"}
    first_id = page.locator("[data-testid=persons] tbody tr td.masked").first.inner_text()
    assert "********" in first_id
    page.screenshot(path=screenshots / "roster-liaison.png", full_page=False)


def test_switching_to_english_and_back(page, live_server, screenshots):
    log_in(page, live_server, "coord")
    page.click("text=English")
    page.wait_for_selector("html[lang=en]")
    assert "Current rosters by county" in page.content()
    page.screenshot(path=screenshots / "home-coord-en.png", full_page=True)
    page.click("text=中文")
    page.wait_for_selector("html[lang=zh-CN]")
    assert "各县（市、区）当前名册" in page.content()


def test_logout_returns_to_the_login_page(page, live_server):
    log_in(page, live_server, "manager")
    page.click("text=退出")
    page.wait_for_url(live_server.url + "/login")
    assert "您已在所有设备上退出登录" in page.content()


def test_a_common_new_password_is_refused_on_the_password_page(page, live_server, screenshots):
    log_in(page, live_server, "caller")
    page.click("[data-testid=who]")  # the user's name leads to their profile, which links the password page
    page.click("text=修改我的密码")
    page.wait_for_url(live_server.url + "/account/password")
    page.fill("#current", ACCOUNTS["caller"]["password"])
    page.fill("#password", "woaini1314520")
    page.fill("#confirm", "woaini1314520")
    page.click("input[type=submit]")
    assert "该密码过于常见" in page.content()
    page.screenshot(path=screenshots / "password-change.png", full_page=True)


def test_repeated_failures_say_when_to_try_again(page, live_server, screenshots):
    from datetime import UTC, datetime

    config = live_server.server.app.config
    config["CLOCK"] = lambda: datetime(2026, 5, 4, 1, 0, tzinfo=UTC)  # the clock stands still meanwhile
    try:
        for _ in range(6):
            page.goto(live_server.url + "/login")
            page.fill("#username", "no-such-user")
            page.fill("#password", "wrong-password")
            page.click("input[type=submit]")
    finally:
        del config["CLOCK"]
    assert "登录失败次数过多，请 1 秒后（09:00:01 以后）再试" in page.content()
    page.screenshot(path=screenshots / "login-throttled.png")


def test_telephony_page_says_why_twilio_needs_a_public_base_url(page, live_server, screenshots):
    log_in(page, live_server, "admin")
    page.goto(live_server.url + "/calls/settings")
    assert "没有它无法启用 Twilio" in page.content()
    page.screenshot(path=screenshots / "telephony-settings.png", full_page=True)
