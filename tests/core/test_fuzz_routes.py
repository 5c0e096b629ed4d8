"""Every route of the URL map, as every kind of user, with hostile values: never a 5xx.

Huge and negative numbers, lists and objects where text belongs, nulls, NUL characters, long
strings, numbers where dates belong, bodies that are not objects or not JSON at all. Each answer
must be a clear refusal (4xx) or a normal answer; a server error fails the test with the request
that caused it.
"""

import pytest

from support.route_world import client_for, fill

HUGE = "99999999999999999999"
VALUES = [HUGE, "-1", "0", "\x00", "x" * 5000, "[]", "2026-02-30", "１２", "%", ""]
JSON_VALUES = [["x"], {"a": 1}, None, 10**20, -1, 1.5e308, "\x00", "y" * 5000, True, "2026-13-45", 20260101]
FIELDS = ["answers", "appointment_at", "callers", "channel", "confidence", "confirm_removals", "corrections",
          "counties", "county", "description", "disposition", "due_days", "expected", "field", "from_caller",
          "kind", "margin", "method", "minimum", "n", "name", "note", "period_end", "period_start", "population",
          "populations", "rate", "rates", "reason", "rectified_on", "reserve_count", "reserve_share", "resolution",
          "result", "seed", "services", "snapshot", "start_visit", "status", "status_since", "step", "strata",
          "submission_key", "task_ids", "to_caller", "tolerable", "total", "visit_first", "allocation", "exclude_months",
          "filter", "scope", "ccc_user_id", "draw_id", "confirm",
          "conclusion", "findings", "ledger_ref", "checked_on", "responsible_unit", "due_on", "area", "text", "methods",
          "retired", "held_on", "place", "participants", "notes", "problems"]
QUERY = ["page", "page_size", "offset", "county", "q", "kind", "code", "ci", "overall", "format", "caller", "status",
         "flag", "channel", "next",
         "due", "attempts", "campaign", "shown", "draw"]
USERS = ["coord", "liaison", "caller2", "admin", "manager"]
SKIPPED = {"/static/<path:filename>", "/logout", "/login"}


def rules(app, method):
    return sorted(r.rule for r in app.url_map.iter_rules() if method in r.methods and r.rule not in SKIPPED)


def answer(call, url, **kwargs):
    """Return the status of a request, or why it blew up (the test app lets exceptions through)."""
    try:
        return call(url, **kwargs).status_code
    except Exception as error:  # noqa: BLE001 (each is a finding to list, not a stop)
        return f"500 {type(error).__name__}: {str(error)[:80]}"


def huge_ids(url: str) -> list[str]:
    """The same URL with each numeric path segment replaced by a 20-digit and a 10-digit number."""
    parts = url.split("/")
    variants = []
    for index, part in enumerate(parts):
        if part.isdigit():
            for big in (HUGE, "2147483648"):
                variants.append("/".join(parts[:index] + [big] + parts[index + 1:]))
    return variants


@pytest.mark.parametrize("username", USERS)
def test_no_get_route_answers_5xx_to_hostile_query_values(world, username):  # noqa: F811
    app, ids = world
    client = client_for(app, username)
    failures = []
    for rule in rules(app, "GET"):
        url, _whole = fill(rule, ids, "440802")
        for target in [url, *huge_ids(url)]:
            for value in VALUES:
                status = answer(client.get, target, query_string={name: value for name in QUERY})
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"GET {target} ?…={value[:20]!r}: {status}")
    assert failures == [], "\n".join(failures[:40])


@pytest.mark.parametrize("username", USERS)
def test_no_post_route_answers_5xx_to_hostile_bodies(world, username):  # noqa: F811
    app, ids = world
    client = client_for(app, username)
    failures = []
    for rule in rules(app, "POST"):
        url, _whole = fill(rule, ids, "440802")
        sends = [{"json": [1, 2]}, {"json": "text"}, {"data": b"{not json", "content_type": "application/json"},
                 *({"json": {field: value for field in FIELDS}} for value in JSON_VALUES),
                 *({"data": {field: value for field in FIELDS}} for value in VALUES)]
        for target in [url, *huge_ids(url)[:1]]:
            for send in sends:
                status = answer(client.post, target, **send)
                if not isinstance(status, int) or status >= 500:
                    failures.append(f"POST {target} {str(send)[:60]}: {status}")
    assert failures == [], "\n".join(failures[:40])
