"""The settings, calendar and county pages and their API, as the administrator uses them."""

from sqlalchemy import select

from models import AuditLog, County, SettingChange


def test_settings_page_shows_the_rules_in_force_and_saves_a_change(login_as, users, session):
    client = login_as("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "拨打时段（北京时间）" in page and "09:00-12:00, 14:00-20:00" in page and "电话设置" in page
    form = {"_page": "1", "FOLLOWUP_RULES.calling_windows": "09:00-12:00, 14:30-19:30",
            "FOLLOWUP_RULES.max_phone_attempts": "4", "FOLLOWUP_RULES.call_on_weekdays": "1", "QC_SHARE": "5"}
    response = client.post("/admin/settings", data=form)
    assert response.status_code in (302, 303)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "09:00-12:00, 14:30-19:30" in page and 'data-testid="settings-history"' in page
    assert "14:30-19:30" in page.split('data-testid="settings-history"')[1]


def test_settings_page_names_the_field_and_reason_and_stores_nothing(login_as, users, session):
    client = login_as("admin")
    page = client.post("/admin/settings", data={"_page": "1", "FOLLOWUP_RULES.call_on_weekdays": "",
                                                "FOLLOWUP_RULES.claim_timeout_minutes": "0"}).get_data(as_text=True)
    assert "未保存" in page and "领取超时（闲置分钟数）" in page and "须为不小于 1 的整数" in page
    assert "工作日和周末至少有一个允许拨打" in page
    assert session.scalar(select(SettingChange.id)) is None


def test_pinned_settings_are_shown_and_cannot_be_edited(make_app, users, monkeypatch):
    monkeypatch.setenv("SPOTCHECK_QC_SHARE", "0.2")
    app = make_app()
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "correct-horse-9"})
    page = client.get("/admin/settings").get_data(as_text=True)
    qc_input = page.split('id="QC_SHARE"')[1].split(">")[0]
    assert "disabled" in qc_input and 'data-testid="pinned"' in page
    token = app.test_cli_runner().invoke(args=["users", "token", "admin"]).output.strip()
    api = app.test_client().patch("/api/v1/settings", json={"values": {"QC_SHARE": 50}},
                                  headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 409, api.get_json()


def test_calendar_page_shows_the_preloaded_year_and_saves_an_edit(login_as, users, session):
    client = login_as("admin")
    page = client.get("/admin/calendar/2026").get_data(as_text=True)
    assert "已预置国务院办公厅" in page and "2026-10-01 至 2026-10-07" in page and "共 33 天法定节假日、6 天调休上班日" in page
    bad = client.post("/admin/calendar/2026", data={"closed": "2026-10-01\n2026-10-99", "open": "2026-10-09"})
    text = bad.get_data(as_text=True)
    assert "法定节假日第 2 行" in text and "2026-10-09" in text and "是工作日" not in text  # lines first
    ok = client.post("/admin/calendar/2026", data={"closed": "2026-10-01 至 2026-10-08", "open": "2026-10-10"})
    assert ok.status_code in (302, 303)
    page = client.get("/admin/calendar/2026").get_data(as_text=True)
    assert "已由管理员修改" in page and "共 8 天法定节假日、1 天调休上班日" in page
    assert client.post("/admin/calendar/2026", data={"official": "1"}).status_code in (302, 303)
    assert "共 33 天" in client.get("/admin/calendar/2026").get_data(as_text=True)


def test_counties_page_adds_and_edits_a_county_with_the_audit_log(login_as, users, session):
    client = login_as("admin")
    page = client.get("/admin/counties").get_data(as_text=True)
    assert "440871" in page and "本地代码" in page
    bad = client.post("/admin/counties", data={"code": "4408", "name_zh": "", "name_en": "X"})
    assert "4408 不是6位行政区划代码" in bad.get_data(as_text=True)
    client.post("/admin/counties", data={"code": "440899", "name_zh": "测试区", "name_en": "Test", "active": "1"})
    response = client.post("/admin/counties/440871", data={
        "name_zh": "湛江经济技术开发区", "name_en": "Zhanjiang ETDZ", "local_code": "ZJKFQ", "active": "1"})
    assert response.status_code in (302, 303)
    session.rollback()
    county = session.get(County, "440871")
    assert (county.local_code, county.name_en, county.official) == ("ZJKFQ", "Zhanjiang ETDZ", False)
    assert session.get(County, "440899").official is False
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "county.change"))
    assert entry.detail["before"]["local_code"] is None and entry.detail["after"]["local_code"] == "ZJKFQ"


def test_settings_calendar_and_counties_api(token_client, users, session):
    api = token_client("admin")
    shown = api.get("/api/v1/settings").get_json()
    assert shown["values"]["FOLLOWUP_RULES.max_phone_attempts"] == 3
    changed = api.patch("/api/v1/settings", json={"values": {"FOLLOWUP_RULES.max_phone_attempts": 5, "QC_SHARE": 8}})
    assert changed.status_code == 200 and changed.get_json()["values"]["QC_SHARE"] == 0.08
    bad = api.patch("/api/v1/settings", json={"values": {"FOLLOWUP_RULES.min_hours_between": -2, "nope": 1}})
    assert bad.status_code == 400 and "nope" in bad.get_json()["error"]["message"]
    assert api.get("/api/v1/settings/history").get_json()["changes"][0]["key"] in ("FOLLOWUP_RULES", "QC_SHARE")
    assert api.get("/api/v1/calendar/2026").get_json()["source"] == "official"
    put = api.put("/api/v1/calendar/2027", json={"closed": ["2027-01-01"], "open": []})
    assert put.status_code == 200 and put.get_json()["closed"] == ["2027-01-01"]
    assert api.put("/api/v1/calendar/2027", json={"closed": [], "open": ["2027-01-04"]}).status_code == 400
    assert api.patch("/api/v1/counties/440802", json={"local_code": "CK"}).get_json()["local_code"] == "CK"
    assert api.patch("/api/v1/counties/999999", json={"local_code": "x"}).status_code == 404
    assert api.post("/api/v1/counties", json={"code": "440898", "name_zh": "新区", "name_en": "New"}).status_code == 201


def test_only_administrators_change_settings(token_client, users):
    for name in ("coordinator", "caller", "manager", "liaison"):
        api = token_client(name)
        assert api.get("/api/v1/settings").status_code == 403
        assert api.patch("/api/v1/settings", json={"values": {"QC_SHARE": 9}}).status_code == 403
        assert api.put("/api/v1/calendar/2026", json={"closed": [], "open": []}).status_code == 403
