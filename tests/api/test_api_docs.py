"""docs/api.md lists every /api/v1 route as the app has it (regenerate with tools/api_docs.py)."""

from pathlib import Path

from tools.api_docs import render, routes


def test_api_document_is_up_to_date(app):
    document = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    assert document == render(app), "run: .venv/bin/python tools/api_docs.py"


def test_every_api_route_says_what_it_does(app):
    assert [path for _m, path, doc in routes(app) if not doc] == []
