"""Declared JSON bodies: a field of the wrong kind, out of range or missing is a 400 naming it."""

import pytest
from flask import Flask

from core.jsonbody import Field, accepts, identifier


@pytest.fixture
def echo():
    app = Flask(__name__)

    @app.post("/echo")
    @accepts(name=Field("text", required=True, max_length=5), n=Field("integer", low=1, high=10),
             day=Field("date"), at=Field("datetime"), flag=Field("boolean"), ids=Field("integers", low=1),
             rate=Field("scalar"), target=identifier(nullable=True), kind=Field("text", choices=("a", "b")))
    def view(body):
        return {"body": body}

    return app.test_client()


@pytest.mark.parametrize(("sent", "field"), [
    ({"name": ["x"]}, "name"), ({"name": "toolong"}, "name"), ({"name": "a\x00"}, "name"),
    ({"name": "x", "n": "3"}, "n"), ({"name": "x", "n": 11}, "n"), ({"name": "x", "n": True}, "n"),
    ({"name": "x", "n": 10**20}, "n"), ({"name": "x", "day": 20260101}, "day"), ({"name": "x", "day": "2026-02-30"}, "day"),
    ({"name": "x", "at": "yesterday"}, "at"), ({"name": "x", "flag": "true"}, "flag"),
    ({"name": "x", "ids": [1, "2"]}, "ids"), ({"name": "x", "ids": [0]}, "ids"), ({"name": "x", "rate": [95]}, "rate"),
    ({"name": "x", "rate": float("inf")}, "rate"), ({"name": "x", "target": 2**31}, "target"),
    ({"name": "x", "kind": "c"}, "kind"), ({}, "name"), ({"name": None}, "name"),
])
def test_a_field_that_does_not_fit_is_named_in_a_400(echo, sent, field):
    response = echo.post("/echo", json=sent)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "body_invalid" and field in error["problems"]
    assert field in error["message"]


@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"{not json", b"null"])
def test_a_body_that_is_not_an_object_is_refused(echo, raw):
    response = echo.post("/echo", data=raw, content_type="application/json")
    assert response.status_code == 400 and "JSON 对象" in response.get_json()["error"]["message"]


def test_fields_that_fit_reach_the_endpoint_and_others_are_dropped(echo):
    sent = {"name": "张三", "n": 10, "day": "2026-12-02", "at": "2026-12-02T16:16+08:00", "flag": False,
            "ids": [1, 2], "rate": "95 %", "target": None, "kind": "a", "other": "ignored"}
    assert echo.post("/echo", json=sent).get_json()["body"] == {k: v for k, v in sent.items() if k != "other"}
