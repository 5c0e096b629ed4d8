"""In a real browser: the administrator's user list, a user's page, the settings and the holiday
calendar; a caller's profile at phone width. Chinese and English screenshots of each."""

import pytest

from support.browser import log_in

pytestmark = pytest.mark.browser


def english(page):
    """Switch to English and come back to the same page (the menu is folded away at phone width)."""
    here = page.url
    page.goto(here.split("/", 3)[0] + "//" + here.split("/", 3)[2] + "/lang/en")
    page.goto(here)
    page.wait_for_selector("html[lang=en]")


def test_users_list_filters_and_shows_last_login(page, live_server, screenshots):
    log_in(page, live_server, "admin")
    page.click("nav >> text=用户管理")
    page.wait_for_selector("[data-testid=users]")
    assert "最近登录" in page.content()
    page.select_option("#f-role", "caller")
    page.click("[data-testid=user-filters] button")
    names = page.locator("[data-testid=users] tbody tr td:first-child a").all_inner_texts()
    assert names and all(name.startswith("caller") for name in names)
    page.goto(live_server.url + "/admin/users")
    page.screenshot(path=screenshots / "admin-users.png", full_page=True)
    english(page)
    assert "Last login" in page.content()
    page.screenshot(path=screenshots / "admin-users-en.png", full_page=True)


def test_admin_edits_a_user_and_resets_a_password_with_confirmation(page, live_server, screenshots):
    log_in(page, live_server, "admin")
    page.goto(live_server.url + "/admin/users?role=caller")
    page.click("[data-testid=users] >> text=caller2")
    page.wait_for_selector("[data-testid=user-edit]")
    page.fill("#display_name", "廉江回访员二号")
    page.click("[data-testid=user-edit] input[type=submit]")
    page.wait_for_selector("text=已保存")
    assert "user.edit" in page.locator("[data-testid=user-history]").inner_text()
    page.screenshot(path=screenshots / "admin-user.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=reset]")
    password = page.locator("[data-testid=one-time-password]").inner_text()
    assert len(password) == 19
    page.goto(page.url.replace("/reset-password", ""))
    english(page)
    assert "Changes to this account" in page.content()
    page.screenshot(path=screenshots / "admin-user-en.png", full_page=True)


def test_settings_page_saves_a_change_and_shows_its_history(page, live_server, screenshots):
    log_in(page, live_server, "admin")
    page.click("nav >> text=系统设置")
    page.wait_for_selector("[data-testid=settings-form]")
    assert page.locator("[data-testid=admin-menu] >> text=电话").count() == 1
    page.fill("[id='FOLLOWUP_RULES.claim_timeout_minutes']", "40")
    page.click("[data-testid=save-settings]")
    page.wait_for_selector("text=设置已保存")
    assert "40" in page.locator("[data-testid=settings-history]").inner_text()
    page.screenshot(path=screenshots / "admin-settings.png", full_page=True)
    english(page)
    assert "Claim timeout" in page.content()
    page.screenshot(path=screenshots / "admin-settings-en.png", full_page=True)


def test_holiday_calendar_shows_the_official_2026_year(page, live_server, screenshots):
    log_in(page, live_server, "admin")
    page.goto(live_server.url + "/admin/settings")
    page.click("text=法定节假日和调休")
    page.goto(live_server.url + "/admin/calendar/2026")
    assert page.locator("td.cal-holiday").count() == 33 and page.locator("td.cal-workday").count() == 6
    page.screenshot(path=screenshots / "admin-calendar.png", full_page=True)
    english(page)
    assert "Make-up working days" in page.content()
    page.screenshot(path=screenshots / "admin-calendar-en.png", full_page=True)


def test_a_caller_sets_their_phone_on_the_profile_page_at_phone_width(browser, live_server, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    log_in(page, live_server, "caller")
    page.goto(live_server.url + "/account/profile")
    page.fill("#phone", "12345")
    page.click("[data-testid=profile] input[type=submit]")
    assert "不是有效的电话号码" in page.content()
    page.fill("#phone", "138 0013 8000")
    page.click("[data-testid=profile] input[type=submit]")
    page.wait_for_selector("text=个人资料已保存")
    assert page.input_value("#phone") == "138 0013 8000"
    page.screenshot(path=screenshots / "profile-caller.png", full_page=True)
    english(page)
    assert "My phone number" in page.content()
    page.screenshot(path=screenshots / "profile-caller-en.png", full_page=True)
    context.close()
