"""Shared fixtures: a migrated database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is
set), the app, a client, a CLI runner and ready-made users."""

import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from core import migrate
from support.accounts import PASSWORD, login
from support.database import TEST_DATABASE_URL, reset_postgres

# The worked demo world (a module-scoped fixture) that the authorization matrix and the hostile-values test share.
pytest_plugins = ["support.route_world"]

# Property tests draw the same examples on every run (`make test`, CI), so a clean clone never fails
# by chance; a case they once found stays as an explicit test. HYPOTHESIS_PROFILE=explore searches
# afresh with many more examples, by hand: what it finds becomes such a test.
# No deadline: a busy CI machine is slow now and then, and a timing failure says nothing about the code.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True,
                                     deadline=None)
hypothesis_settings.register_profile("explore", max_examples=5_000, derandomize=False, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests where there is no Chromium, and the job-queue tests where Redis does not
    answer (never in CI, where either fails the run)."""
    from support.browser import skip_browser_tests_without_chromium
    from support.job_queue import skip_redis_tests_without_redis

    skip_browser_tests_without_chromium(items)
    skip_redis_tests_without_redis(items)


def pytest_report_header(config):
    return f"database: {TEST_DATABASE_URL or 'SQLite (per-test file)'}"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """Migrate an empty database once per session: a template file (SQLite) or the test database."""
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(migrated_template, tmp_path):
    """Give each test its own migrated database."""
    if TEST_DATABASE_URL:
        reset_postgres(TEST_DATABASE_URL)
        yield TEST_DATABASE_URL
        return
    path = tmp_path / "spotcheck.sqlite3"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path, monkeypatch):
    """Return a factory of apps bound to this test's database."""
    from app import create_app
    from core.extensions import db

    monkeypatch.setenv("SPOTCHECK_INSTANCE", str(tmp_path / "instance"))
    made = []

    def factory(**overrides):
        settings = {"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                    "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"} | overrides
        made.append(create_app(settings))
        return made[-1]

    yield factory
    db.session.remove()
    for made_app in made:
        made_app.extensions["database_engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The app's database session, used outside any app context.

    Holding an app context open here would make Flask reuse it for the test client's requests, so
    that per-request state (the logged-in user in `g`) leaked from one request into the next.
    """
    from core.extensions import db

    yield db.session
    db.session.remove()


@pytest.fixture
def users(app):
    """Create one user per role, plus a county-scoped manager and caller; return them by key."""
    from auth.accounts import create_user
    from core.extensions import db

    specs = {
        "admin": ("admin", None),
        "coordinator": ("coordinator", None),
        "caller": ("caller", None),
        "manager": ("manager", None),
        "liaison": ("manager", "440802"),
        "county_caller": ("caller", "440881"),
    }
    with app.app_context():
        made = {key: create_user(db.session, key, PASSWORD, role, county) for key, (role, county) in specs.items()}
        db.session.commit()
        ids = {key: user.id for key, user in made.items()}
    return ids


@pytest.fixture
def token_client(app, users, runner):
    """Return a factory of test clients that call the API with one of the `users`' bearer tokens."""

    def client_for(username):
        token = runner.invoke(args=["users", "token", username]).output.strip()
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    return client_for


@pytest.fixture
def login_as(client, users):
    """Log the test client in as one of the `users`."""

    def do(key):
        response = login(client, key)
        assert response.status_code in (302, 303), response.data.decode()[:500]
        return client

    return do


@pytest.fixture(scope="module")
def live_server(migrated_template, tmp_path_factory):
    """Serve a demo-loaded app (small roster) for a whole browser test module."""
    from app import create_app
    from core.extensions import db
    from demo.accounts import load_demo
    from support.browser import LiveServer, module_database

    url = module_database(migrated_template, tmp_path_factory, TEST_DATABASE_URL, reset_postgres)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test", "SPOTCHECK_INSTANCE": str(instance),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        load_demo(db.session, seed=11, persons=2000)
    with LiveServer(app) as server:
        yield server
    db.session.remove()
    app.extensions["database_engine"].dispose()


@pytest.fixture(scope="module")
def browser():
    """Launch headless Debian Chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    from support.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser page with a desktop-sized window; a Content-Security-Policy violation fails the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], "the page broke its Content-Security-Policy:\n" + "\n".join(refused)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    from support.browser import screenshot_dir

    return screenshot_dir(tmp_path_factory)
