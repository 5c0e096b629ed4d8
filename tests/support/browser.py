"""Browser test support: a live Spotcheck server in a thread and headless Debian Chromium."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from demo.accounts import DEMO_ACCOUNTS

DEMO_PASSWORDS = {account["username"]: account["password"] for account in DEMO_ACCOUNTS}

CHROMIUM = os.environ.get("SPOTCHECK_CHROMIUM", "/usr/bin/chromium")
# Chromium's own background connections are refused on a closed network; switch them off.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def skip_browser_tests_without_chromium(items) -> None:
    """Mark the browser tests skipped on a machine without Chromium; in CI they must run.

    CI sets SPOTCHECK_REQUIRE_BROWSER=1 and installs Chromium, so there a missing browser stops the
    run instead of quietly skipping what the browser tests prove.
    """
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("SPOTCHECK_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing but SPOTCHECK_REQUIRE_BROWSER is set")
    reason = f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skipif(True, reason=reason))


def screenshot_dir(tmp_path_factory) -> Path:
    """Return where screenshots go: docs/screenshots with SPOTCHECK_SCREENSHOTS=1, else a temp folder."""
    if os.environ.get("SPOTCHECK_SCREENSHOTS"):
        path = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


class LiveServer:
    """Serve an app on a free local port in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def module_database(migrated_template, tmp_path_factory, test_database_url, reset_postgres) -> str:
    """Give a browser test module its own migrated database."""
    if test_database_url:
        reset_postgres(test_database_url)
        return test_database_url
    path = tmp_path_factory.mktemp("browser-db") / "spotcheck.sqlite3"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


def log_in(page, live_server, username):
    """Log a demo user in through the login page of a live server."""
    page.goto(live_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORDS[username])
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/")
