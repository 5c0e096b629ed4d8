"""Load settings: built-in defaults < the instance config file < environment variables."""

import os
import secrets
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULTS: dict[str, Any] = {
    "ENV": "embedded",  # "embedded" (single machine, SQLite default) or "production"
    "TIMEZONE": "Asia/Shanghai",
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    # Uploaded files and their work files, in a folder every app node and job worker shares (docs/deployment.md).
    "STORAGE_DIR": None,  # None: the instance folder's storage/
    # Heavy jobs (roster checks and imports): None runs them in a thread of the process that took the
    # request; redis://host:6379/0 sends them to a queue that `flask jobs worker` processes run.
    "JOB_QUEUE_URL": None,
    "JOB_QUEUE_NAME": "spotcheck",
    "JOB_TIMEOUT_SECONDS": 6 * 3600,  # a queued job running longer than this is stopped
    "JOBS_IN_BACKGROUND": True,  # False: run each job at once, in the request (tests)
    "SECRET_KEY": None,  # required in production; else generated once into the instance folder
    "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
    "LANGUAGES": ["zh_Hans_CN", "en"],
    # Login throttle (auth/throttle.py): failures allowed before the next try must wait 1 s, 2 s, 4 s …
    "LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS": 5,  # one account from one address
    "LOGIN_FREE_FAILURES_PER_ACCOUNT": 10,  # one account from anywhere
    "LOGIN_FREE_FAILURES_PER_ADDRESS": 100,  # every account from one address (an office behind a proxy)
    "LOGIN_MAX_DELAY_MINUTES": 15,  # the longest wait
    "LOGIN_FAILURE_MEMORY_HOURS": 24,  # failures older than this are forgotten
    "MAX_CONTENT_LENGTH": 200 * 1024 * 1024,  # upload limit; the CLI has none
    "EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,  # one evidence file (PDF, image, XLSX, DOCX)
    "IMPORT_WORKERS": "auto",  # processes that check a large file's rows: "auto" (one per CPU) or a number, 0 = none; 8 at most
    # An import that takes more than this share of a county's persons off its register (and always
    # one that takes more than half) waits for the user's explicit confirmation.
    "IMPORT_MAX_REMOVAL_SHARE": 0.05,
    "IMPORT_COMMIT_PAUSE_SECONDS": 0,  # tests only: a pause inside the import's transaction, to stop it half-way
    # A browser session ends after this long without a request, and in any case this long after login.
    "SESSION_IDLE_MINUTES": 120,
    "SESSION_MAX_HOURS": 12,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PAGE_SIZE": 50,
    # Cross-register checks (docs/registers.md): contributions as an employee for at least this many
    # consecutive months, beginning after the registration date plus the grace days, mean "employed".
    "REGISTER_MIN_MONTHS": 2,
    "REGISTER_GRACE_DAYS": 30,
    "REGISTER_RETENTION_DAYS": 30,  # imported reference files are deleted this many days after import
    "SEARCH_MAX_PER_MINUTE": 30,  # roster searches per user per minute (counted in the database)
    "DEMO_SEED": 20260407,
    "DEMO_PERSONS": 30000,
    # Telephony: "manual" (the caller dials; needs nothing) or "twilio" (click-to-call). See docs/telephony.md.
    "TWILIO_ACCOUNT_SID": None,
    "TWILIO_AUTH_TOKEN": None,
    "TWILIO_CALLER_ID": None,  # the number the person sees, E.164
    "TWILIO_API_BASE": None,  # only to send the client elsewhere (tests, an egress proxy)
    "TWILIO_TIMEOUT": 10,  # seconds to wait for Twilio's API
    "TWILIO_RECORD": False,  # record calls (the person hears an announcement first)
    "TWILIO_ALLOW_CHINA": False,  # Twilio refuses +86 destinations; only for an account that may call them
    # Tencent Cloud (mainland China): TELEPHONY_PROVIDER "tencent_ccc" places dual calls (双呼) through the
    # Contact Center (CCC); SMS advance notices go through Tencent Cloud SMS. See docs/telephony.md.
    "TENCENT_SECRET_ID": None,
    "TENCENT_SECRET_KEY": None,  # never shown back, never logged
    "TENCENT_REGION": "ap-guangzhou",
    "TENCENT_API_BASE": None,  # only to send the SDK elsewhere (tests, an egress proxy), e.g. http://127.0.0.1:9000
    "TENCENT_TIMEOUT": 10,  # seconds to wait for Tencent Cloud's API
    "CCC_SDK_APP_ID": None,  # the contact centre's application id (SdkAppId)
    # The centre's outbound numbers, tried in order: a list, or text with commas (so that an environment
    # value like +8675912345678 stays text), e.g. ["0086075912345678"] or "0086075912345678,0086075912345679".
    "CCC_CALLERS": "",
    "SMS_SDK_APP_ID": None,  # the SMS application's SdkAppId
    "SMS_SIGN_NAME": None,  # the approved signature (签名), e.g. 湛江市就业服务管理中心
    "SMS_TEMPLATE_ID": None,  # the approved template (模板) id
    "SMS_TEMPLATE_TEXT": None,  # the approved template's text with {1}, {2} … for its parameters (for the preview)
    "SMS_TEMPLATE_PARAMS": ["callback_number"],  # what fills {1}, {2} …: names of SMS_CAMPAIGN_PARAMS only
    "SMS_CALLBACK_NUMBER": None,  # the number the person will see calling, as written in the notice
    "SMS_AUTO_HOURS_BEFORE": 0,  # send the notice automatically this many hours before a task's first call; 0: off
    "PUBLIC_BASE_URL": None,  # the URL Twilio reaches this app at, e.g. https://spotcheck.example.gov.cn
    # Host header values the app answers (others get 400). None: PUBLIC_BASE_URL's host, plus
    # localhost and 127.0.0.1 outside production; any host when PUBLIC_BASE_URL is not set either.
    "TRUSTED_HOSTS": None,
    "TRUSTED_PROXIES": 0,  # how many reverse proxies in front set X-Forwarded-* headers we may trust
    # Follow-up (callbacks/): retry rules and finding rules as plain values, see docs/followup.md.
    "FOLLOWUP_RULES": {},  # RetryRules.from_dict: e.g. {"max_phone_attempts": 3, "call_on_weekends": false}
    "FINDING_RULES": {},  # FindingRules.from_dict
    "QC_SHARE": 0.05,
    # Below this many resolved units a county (or a campaign) shows "样本不足，暂不估计" and its counts
    # instead of a rate, an interval and a standard error. See docs/statistics.md.
    "MIN_RESOLVED_FOR_ESTIMATE": 10,  # share of verified records drawn for the coordinators' quality re-check
    # A county liaison (a manager scoped to one county) sees only their county's figures; True also shows
    # them the city-wide aggregates (全市) on the dashboard, in the API and in the exports.
    "LIAISON_SEES_CITY": False,
    "EMBEDDED_SCHEDULER": False,  # run the scheduler inside this process (`make run` sets it)
    "TELEPHONY_PROVIDER": "manual",
    # Verification documents (documents/): who issues them, and the largest wording template an admin may upload.
    "DOCUMENT_ISSUER": "湛江市就业服务管理中心",
    "DOCUMENT_TEMPLATE_MAX_BYTES": 5 * 1024 * 1024,
}

TELEPHONY_PROVIDERS = ("manual", "twilio", "tencent_ccc")
# What an SMS notice's template may be filled with: the campaign's facts, never anything of the person.
SMS_CAMPAIGN_PARAMS = ("campaign_name", "callback_number", "period_end")

# Environment variables read besides SPOTCHECK_*: the conventional names.
PLAIN_ENV = ("DATABASE_URL", "SECRET_KEY")

CONFIG_FILE = "spotcheck.toml"
MIN_SECRET_BYTES = 32
SECRET_FILE = "secret_key"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start."""


def is_text_setting(name: str) -> bool:
    """Tell whether a setting is declared as text: its default is a string or None."""
    return name in DEFAULTS and (DEFAULTS[name] is None or isinstance(DEFAULTS[name], str))


def _parse_env_value(name: str, raw: str):
    """Read an environment value: a text setting as given, any other as TOML when it parses
    (numbers, booleans, lists, tables), else as text.

    Text stays text so that an E.164 caller ID keeps its "+" and a numeric-looking secret its digits.
    """
    if is_text_setting(name):
        return raw
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def load_settings(instance_path: str, environ=None, overrides=None) -> dict:
    """Return the merged settings for an app whose instance folder is instance_path."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    pinned: dict[str, Any] = {}  # what the operator set in the file or the environment
    config_file = Path(instance_path) / CONFIG_FILE
    if config_file.exists():
        with config_file.open("rb") as fh:
            pinned.update({key.upper(): value for key, value in tomllib.load(fh).items()})
    for name in PLAIN_ENV:
        if environ.get(name):
            pinned[name] = environ[name]
    for name, raw in environ.items():
        if name.startswith("SPOTCHECK_"):
            key = name.removeprefix("SPOTCHECK_")
            pinned[key] = _parse_env_value(key, raw)
    settings.update(pinned)
    settings.update(overrides or {})
    # The settings pages show these as pinned and leave them alone (admin/settings_store.py); a table
    # setting (FOLLOWUP_RULES) is pinned field by field.
    settings["PINNED_SETTINGS"] = {key: sorted(value) if isinstance(value, dict) else True
                                   for key, value in pinned.items()} | dict(settings.get("PINNED_SETTINGS") or {})

    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = "sqlite:///" + str(Path(instance_path) / "spotcheck.sqlite3")
    settings["DATABASE_URL"] = normalise_database_url(settings["DATABASE_URL"])
    if not settings["STORAGE_DIR"]:
        settings["STORAGE_DIR"] = str(Path(instance_path) / "storage")
    if not settings.get("SECRET_KEY"):
        if settings["ENV"] == "production":
            raise ConfigError("SECRET_KEY must be set in production (environment variable SECRET_KEY).")
        settings["SECRET_KEY"] = _embedded_secret(Path(instance_path))
    if settings["ENV"] == "production" and len(str(settings["SECRET_KEY"]).encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"生产环境的 SECRET_KEY 至少需要 {MIN_SECRET_BYTES} 字节，请换一个足够长的随机值。 / "
                          f"SECRET_KEY must have at least {MIN_SECRET_BYTES} bytes in production; "
                          "use a long random value (e.g. python -c 'import secrets; print(secrets.token_hex(32))').")
    if settings["TELEPHONY_PROVIDER"] == "twilio" and not settings.get("PUBLIC_BASE_URL"):
        raise ConfigError(
            "TELEPHONY_PROVIDER=twilio 需要设置 PUBLIC_BASE_URL（Twilio 访问本系统的公网地址，如 "
            "https://spotcheck.example.gov.cn）；系统不会用请求的 Host 头拼出交给 Twilio 的地址。 / "
            "TELEPHONY_PROVIDER=twilio needs PUBLIC_BASE_URL (the public URL Twilio reaches this app at); "
            "the URLs handed to Twilio are never built from the request's Host header.")
    check_telephony(settings)
    settings["TRUSTED_HOSTS"] = trusted_hosts(settings)
    # Flask refuses a session cookie signed longer ago than this (a second bound beside auth.sessions).
    settings["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=settings["SESSION_MAX_HOURS"])
    settings["SESSION_COOKIE_SECURE"] = settings.get("SESSION_COOKIE_SECURE", settings["ENV"] == "production")
    return settings


def check_telephony(settings: dict) -> None:
    """Refuse an unknown provider and SMS template parameters that are not the campaign's facts."""
    if settings["TELEPHONY_PROVIDER"] not in TELEPHONY_PROVIDERS:
        raise ConfigError(f"TELEPHONY_PROVIDER 只能是 {', '.join(TELEPHONY_PROVIDERS)} 之一 / "
                          f"TELEPHONY_PROVIDER must be one of {', '.join(TELEPHONY_PROVIDERS)}")
    params = settings["SMS_TEMPLATE_PARAMS"]
    if isinstance(params, str):
        params = settings["SMS_TEMPLATE_PARAMS"] = [p.strip() for p in params.split(",") if p.strip()]
    unknown = [p for p in params if p not in SMS_CAMPAIGN_PARAMS]
    if unknown:
        raise ConfigError(f"SMS_TEMPLATE_PARAMS 只能使用批次信息 {', '.join(SMS_CAMPAIGN_PARAMS)}，不认识：{', '.join(unknown)} / "
                          f"SMS_TEMPLATE_PARAMS may only name {', '.join(SMS_CAMPAIGN_PARAMS)}; unknown: {', '.join(unknown)}")


def trusted_hosts(settings: dict) -> list[str] | None:
    """Return the Host header values to answer: as configured, else derived from PUBLIC_BASE_URL."""
    configured = settings.get("TRUSTED_HOSTS")
    if isinstance(configured, str):  # from the environment: a TOML list or "a.example, .b.example"
        text = configured.strip()
        configured = tomllib.loads(f"v = {text}")["v"] if text.startswith("[") else text.split(",")
        configured = [host.strip() for host in configured if host.strip()]
    if configured is not None:
        return list(configured)
    base = settings.get("PUBLIC_BASE_URL")
    if not base:
        return None
    local = [] if settings["ENV"] == "production" else ["localhost", "127.0.0.1"]
    return [urlsplit(base).hostname] + local


def normalise_database_url(url: str) -> str:
    """Point plain postgres:// URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _embedded_secret(instance: Path) -> str:
    """Generate a secret key once and keep it in the instance folder."""
    path = instance / SECRET_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
