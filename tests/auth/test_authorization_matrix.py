"""Every readable route × every role × scoped and unscoped users × objects of the user's county and another's.

Built from the URL map, so that a new route is covered the day it is added. On a worked demo
campaign whose persons are renamed after their county ("县440803人…"), it asserts that no route
answers 5xx, that a county-scoped user never receives another county's person in any body (pages,
JSON, XLSX and CSV exports), and that objects wholly of another county are "not found" to them.
"""

import pytest

from support.route_world import OTHER, SCOPED, UNSCOPED, body_text, client_for, fill, get_routes


@pytest.mark.parametrize("username", [*UNSCOPED, *SCOPED])
def test_every_readable_route_answers_every_user_without_5xx_or_a_leak(world, username):
    app, ids = world
    client = client_for(app, username)
    scope = SCOPED.get(username)
    problems, own_persons_seen = [], 0
    for rule in get_routes(app):
        variants = [(scope or "440802", False)] + ([(OTHER[scope], True)] if scope else [])
        for county, foreign in variants:
            url, whole = fill(rule, ids, county)
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"{url}: {response.status_code}")
                continue
            if scope is None:
                continue
            own_persons_seen += f"县{scope}人" in body_text(response)
            leaked = sorted({code for code in ("440802", "440803", "440881", "440804", "440883")
                             if code != scope and f"县{code}人" in body_text(response)})
            if leaked:
                problems.append(f"{url}: persons of {leaked} shown to a user of {scope}")
            if foreign and whole and response.status_code not in (403, 404):
                problems.append(f"{url}: another county's object answered {response.status_code}")
    assert problems == []
    assert scope is None or own_persons_seen > 0  # the markers are there to be found


@pytest.mark.parametrize("username", list(SCOPED))
def test_no_write_reaches_another_countys_object(world, username):
    app, ids = world
    client = client_for(app, username)
    other = OTHER[SCOPED[username]]
    problems = []
    for rule in sorted(r.rule for r in app.url_map.iter_rules() if "POST" in r.methods):
        url, whole = fill(rule, ids, other)
        if not whole:
            continue
        for send in ({"json": {}}, {"data": {}}):
            response = client.post(url, **send)
            if response.status_code >= 500 or response.status_code < 400:
                problems.append(f"POST {url}: {response.status_code}")
    assert problems == [], "\n".join(problems)
