"""Settings: defaults < instance config file < environment; secrets."""

import pytest

from config.settings import ConfigError, load_settings


def test_defaults_apply_without_file_or_environment(tmp_path):
    settings = load_settings(str(tmp_path), environ={})
    assert settings["TIMEZONE"] == "Asia/Shanghai"
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path}/spotcheck.sqlite3"
    assert settings["BABEL_DEFAULT_LOCALE"] == "zh_Hans_CN"


def test_file_overrides_defaults_and_environment_overrides_file(tmp_path):
    (tmp_path / "spotcheck.toml").write_text('page_size = 20\nlogin_max_delay_minutes = 30\n')
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_PAGE_SIZE": "75"})
    assert settings["PAGE_SIZE"] == 75 and settings["LOGIN_MAX_DELAY_MINUTES"] == 30


def test_environment_values_keep_their_types(tmp_path):
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_X_FLAG": "true", "SPOTCHECK_X_NAME": "湛江"})
    assert settings["X_FLAG"] is True and settings["X_NAME"] == "湛江"


def test_postgres_urls_use_psycopg3(tmp_path):
    settings = load_settings(str(tmp_path), environ={"DATABASE_URL": "postgresql://u@db/spot"})
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@db/spot"


def test_production_without_secret_key_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(str(tmp_path), environ={"SPOTCHECK_ENV": "production"})


def test_embedded_secret_is_generated_once_and_kept(tmp_path):
    first = load_settings(str(tmp_path), environ={})["SECRET_KEY"]
    second = load_settings(str(tmp_path), environ={})["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_production_cookies_are_secure(tmp_path):
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_ENV": "production", "SECRET_KEY": "x" * 40})
    assert settings["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(("name", "raw"), [
    ("TWILIO_CALLER_ID", "+8675912345678"), ("TWILIO_AUTH_TOKEN", "1234567890"), ("SECRET_KEY", "12345678901234567890"),
    ("PUBLIC_BASE_URL", "https://spotcheck.example.gov.cn"), ("TIMEZONE", "Asia/Shanghai"),
    ("TWILIO_ACCOUNT_SID", "true"), ("IMPORT_WORKERS", "4"),
])
def test_declared_text_settings_stay_text_from_the_environment(tmp_path, name, raw):
    """A setting whose default is text (or None) is text: an E.164 caller ID keeps its "+"."""
    settings = load_settings(str(tmp_path), environ={f"SPOTCHECK_{name}": raw})
    assert settings[name] == raw


def test_other_settings_from_the_environment_are_still_read_as_values(tmp_path):
    environ = {"SPOTCHECK_PAGE_SIZE": "100", "SPOTCHECK_TWILIO_RECORD": "true", "SPOTCHECK_QC_SHARE": "0.1",
               "SPOTCHECK_FOLLOWUP_RULES": '{max_phone_attempts = 4}'}
    settings = load_settings(str(tmp_path), environ=environ)
    assert (settings["PAGE_SIZE"], settings["TWILIO_RECORD"], settings["QC_SHARE"]) == (100, True, 0.1)
    assert settings["FOLLOWUP_RULES"] == {"max_phone_attempts": 4}


def test_production_refuses_a_secret_key_shorter_than_32_bytes(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY.*32"):
        load_settings(str(tmp_path), environ={"SPOTCHECK_ENV": "production", "SECRET_KEY": "x" * 31})
    assert load_settings(str(tmp_path), environ={"SPOTCHECK_ENV": "production", "SECRET_KEY": "x" * 32})


def test_a_short_secret_key_is_still_accepted_outside_production(tmp_path):
    assert load_settings(str(tmp_path), environ={"SECRET_KEY": "short"})["SECRET_KEY"] == "short"
