"""Security headers on every answer; no page needs inline script or style, so the policy can forbid them."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("path", ["/login", "/", "/roster/", "/api/v1/persons", "/no-such-page"])
def test_every_answer_carries_the_security_headers_and_is_not_stored(login_as, path):
    response = login_as("coordinator").get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_exports_and_reveals_are_not_stored_either(login_as, session):
    from support.roster_factory import add_roster

    add_roster(session, "440802", 3)
    response = login_as("coordinator").get("/roster/quality.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_handlers_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            found.append(f"{path.name}: {match.group(0)}")
        found += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+=\"", text)]
        found += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\sstyle=\"|<style", text)]
    assert found == []


@pytest.mark.parametrize("send", [{"query_string": {"county": "44\x0002"}}, {"method": "POST", "data": {"q": "a\x00"}},
                                  {"method": "POST", "json": {"answers": {"note": "a\x00"}}}])
def test_a_nul_character_anywhere_in_a_request_is_a_400(login_as, send):
    method = send.pop("method", "GET")
    response = login_as("coordinator").open("/roster/", method=method, **send)
    assert response.status_code == 400
