"""Hosts: TRUSTED_HOSTS answers a forged Host with 400; Twilio needs PUBLIC_BASE_URL and is never
handed a URL built from the request's Host header."""

import pytest

from config.settings import ConfigError, load_settings

PUBLIC = "https://spotcheck.example.gov.cn"
TWILIO = {"TELEPHONY_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32,
          "TWILIO_CALLER_ID": "+14155550100"}


def test_twilio_without_a_public_base_url_refuses_to_start_in_chinese_and_english(tmp_path):
    with pytest.raises(ConfigError) as refused:
        load_settings(str(tmp_path), environ={}, overrides=TWILIO)
    assert "PUBLIC_BASE_URL" in str(refused.value) and "公网地址" in str(refused.value)
    assert "Host" in str(refused.value)


def test_trusted_hosts_default_to_the_public_host_plus_local_names_when_embedded(tmp_path):
    settings = load_settings(str(tmp_path), environ={}, overrides={"PUBLIC_BASE_URL": PUBLIC + "/"})
    assert settings["TRUSTED_HOSTS"] == ["spotcheck.example.gov.cn", "localhost", "127.0.0.1"]


def test_in_production_the_public_host_is_the_only_trusted_host(tmp_path):
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_ENV": "production", "SECRET_KEY": "k" * 40,
                                                     "SPOTCHECK_PUBLIC_BASE_URL": PUBLIC})
    assert settings["TRUSTED_HOSTS"] == ["spotcheck.example.gov.cn"]


def test_trusted_hosts_can_be_set_outright(tmp_path):
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_TRUSTED_HOSTS": '["a.example", ".b.example"]',
                                                     "SPOTCHECK_PUBLIC_BASE_URL": PUBLIC})
    assert settings["TRUSTED_HOSTS"] == ["a.example", ".b.example"]


def test_without_a_public_base_url_any_host_is_answered(tmp_path):
    assert load_settings(str(tmp_path), environ={})["TRUSTED_HOSTS"] is None


def test_a_forged_host_is_answered_400(make_app):
    client = make_app(PUBLIC_BASE_URL=PUBLIC).test_client()
    assert client.get("/login", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "spotcheck.example.gov.cn"}).status_code == 200
    assert client.get("/login").status_code == 200  # localhost, in the embedded mode


def test_webhook_urls_come_from_the_public_base_url_whatever_the_host(make_app):
    from callbacks.telephony.calls import webhook_url

    app = make_app(TRUSTED_HOSTS=["internal.example"], PUBLIC_BASE_URL=PUBLIC, **TWILIO)
    with app.test_request_context("/", headers={"Host": "internal.example"}):
        assert webhook_url("telephony.voice", call_id=7) == PUBLIC + "/telephony/twilio/voice/7"
        app.config["PUBLIC_BASE_URL"] = None
        with pytest.raises(RuntimeError):
            webhook_url("telephony.voice", call_id=7)


def test_click_to_call_is_off_when_the_public_base_url_is_gone(make_app, users):
    """A public base URL removed at run time stops click-to-call; it never falls back to the Host."""
    from support.accounts import login

    app = make_app(PUBLIC_BASE_URL=PUBLIC, **TWILIO)
    app.config["PUBLIC_BASE_URL"] = None
    client = app.test_client()
    login(client, "caller")
    assert client.post("/calls/tasks/1/call").status_code == 409


def test_telephony_page_says_twilio_needs_the_public_base_url(login_as):
    page = login_as("admin").get("/calls/settings").data.decode()
    assert "没有它无法启用 Twilio" in page


@pytest.mark.parametrize("referrer, target", [
    ("http://localhost/roster/?page=2", "/roster/?page=2"),
    ("http://attacker.example/roster/", "/"),
    (None, "/"),
])
def test_language_switch_goes_back_only_within_the_site(client, referrer, target):
    headers = {"Referer": referrer} if referrer else {}
    assert client.get("/lang/en", headers=headers).location == target


def test_trusted_hosts_from_the_environment_may_be_a_plain_list(tmp_path):
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_TRUSTED_HOSTS": "a.example, .b.example"})
    assert settings["TRUSTED_HOSTS"] == ["a.example", ".b.example"]
