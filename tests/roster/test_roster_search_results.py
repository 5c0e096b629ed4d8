"""A search finds, counts and orders exactly the persons a plain reading of the roster finds, whichever
index the database reads them through (the search indexes of migration 0025 serve the registered persons
of every county): current snapshots only, the status asked for, a name fragment whose wildcards and
escape character are plain characters, the last four digits of the ID number or of the phone."""

import pytest
from sqlalchemy import select, update

from models import Person, RosterSnapshot
from roster.search import parse_query
from support.accounts import login
from support.roster_factory import add_roster

# (county, persons, of which the last ones cancelled), written in this order, so that ids do not follow the
# list's order (county, id). 440881: persons 0-5; 440802 twice, its first snapshot (6-11) no longer current,
# its current one 12-19 (18, 19 cancelled); 440803: 20-26 (25, 26 cancelled).
ROSTERS = [("440881", 6, 0), ("440802", 6, 1), ("440802", 8, 2), ("440803", 7, 2)]
NAMES = ["张三", "张三丰", "李四", "王_五", "赵%六", "钱/七", "孙//八", "张_三", "周%%", "吴九", "郑三娘", "张三"]
LAST4 = "7531"
ENDS_IN_LAST4 = {"id_number": f"44080219800101{LAST4}"}
PHONE_ENDS_IN_LAST4 = {"phone": f"+861390000{LAST4}"}
X_ID = {"id_number": "44088119800101123X"}
CHANGES = {  # person (in the order written): what differs from the cycle of NAMES
    2: {"name": "李四"} | X_ID,
    8: {"name": "张三"} | ENDS_IN_LAST4 | PHONE_ENDS_IN_LAST4,  # not current: never found
    13: {"name": "张三丰"} | ENDS_IN_LAST4,
    18: {"name": "张三"} | PHONE_ENDS_IN_LAST4,  # cancelled
    19: {"name": "李四"} | X_ID,  # cancelled
    23: {"name": "王张"} | ENDS_IN_LAST4 | PHONE_ENDS_IN_LAST4,
    26: {"name": "三张"} | PHONE_ENDS_IN_LAST4,  # cancelled
}


@pytest.fixture
def roster(app, session):
    """Persons with awkward names spread over the counties, both statuses and an old snapshot: two of
    every three renamed from NAMES in turn, a few without a phone, and the CHANGES above."""
    with app.app_context():
        for start, (county, count, cancelled) in enumerate(ROSTERS):
            add_roster(session, county, count, start=start * 20, cancelled=cancelled)
        ids = session.scalars(select(Person.id).order_by(Person.id)).all()
        for n, person_id in enumerate(ids):
            values = ({"name": NAMES[n % len(NAMES)]} if n % 3 else {}) | ({"phone": None} if n % 11 == 5 else {})
            values |= CHANGES.get(n, {})
            if values:
                session.execute(update(Person).where(Person.id == person_id).values(**values))
        session.commit()
    return app


def reference(session, text: str, status: str, county: str | None) -> list[int]:
    """Find the persons by reading every person of the database, in the list's order (county, id)."""
    query = parse_query(text)
    rows = session.execute(select(Person, RosterSnapshot.is_current).join(RosterSnapshot)).all()

    def matches(person, current):
        if not current or (county and person.county_code != county):
            return False
        if (status == "registered" and person.cancelled_on) or (status == "cancelled" and not person.cancelled_on):
            return False
        if query.id_number:
            return person.id_number == query.id_number
        if query.phone:
            return person.phone == query.phone
        return query.name in person.name and (not query.last4 or person.id_number.endswith(query.last4)
                                              or (person.phone or "").endswith(query.last4))

    return [p.id for p, current in sorted(rows, key=lambda r: (r[0].county_code, r[0].id)) if matches(p, current)]


def searched(client, text: str, status: str, county: str | None) -> tuple[list[int], int]:
    """Read every page of the search (three persons a page); return the ids in order and the total."""
    ids, totals, page, pages = [], set(), 1, 1
    while page <= pages:
        params = {"q": text, "status": status, "page": page, "page_size": 3} | ({"county": county} if county else {})
        body = client.get("/api/v1/persons", query_string=params).get_json()
        ids += [p["id"] for p in body["persons"]]
        totals.add(body["total"])
        page, pages = page + 1, body["pages"]
    assert len(totals) == 1
    return ids, totals.pop()


SEARCHES = ["张", "张三", "三", "_", "%", "/", "//", "%%", "张_", "周%", "赵%六", "测试", "无此人",
            f"张 {LAST4}", f"张三{LAST4}", f"{LAST4} 张", f"三 {LAST4}", "李四 123x", "李四 123X", "张三 0000"]


# A search with few matches is counted from their ids and paged by id, one with more is counted and then
# paged (roster.queries.FEW_MATCHES): 0 reads every search the second way, 1,000 all of these the first,
# 3 some each way.
@pytest.mark.parametrize("few_matches", [0, 3, 1000])
@pytest.mark.parametrize("status", ["registered", "all", "cancelled"])
def test_a_search_finds_counts_and_orders_what_a_reading_of_every_person_finds(make_app, users, roster, session,
                                                                                monkeypatch, status, few_matches):
    monkeypatch.setattr("roster.queries.FEW_MATCHES", few_matches)
    client = make_app(SEARCH_MAX_PER_MINUTE=100_000).test_client()
    login(client, "coordinator")
    found_any = 0
    for text in SEARCHES:
        for county in (None, "440802"):
            expected = reference(session, text, status, county)
            assert searched(client, text, status, county) == (expected, len(expected)), (text, county)
            found_any += bool(expected)
    assert found_any >= 12  # the table searches for something, not only for nothing


@pytest.mark.parametrize("few_matches", [0, 1000])
def test_a_full_number_finds_only_a_current_person(make_app, users, roster, session, monkeypatch, few_matches):
    monkeypatch.setattr("roster.queries.FEW_MATCHES", few_matches)
    client = make_app(SEARCH_MAX_PER_MINUTE=100_000).test_client()
    login(client, "coordinator")
    old, current = (session.execute(select(Person.id_number, Person.phone).join(RosterSnapshot)
                                    .where(RosterSnapshot.is_current.is_(flag), Person.phone.is_not(None))
                                    .order_by(Person.id).limit(1)).one() for flag in (False, True))
    for number in (*old, *current):
        expected = reference(session, number, "all", None)
        assert searched(client, number, "all", None) == (expected, len(expected))
        assert len(expected) == (number in current)


def listed(session, status: str, county: str | None) -> list[int]:
    """The persons the unsearched list shows, read from every person of the database in its order."""
    rows = session.execute(select(Person, RosterSnapshot.is_current).join(RosterSnapshot)).all()
    return [p.id for p, current in sorted(rows, key=lambda r: (r[0].county_code, r[0].id))
            if current and (not county or p.county_code == county)
            and not (status == "registered" and p.cancelled_on) and not (status == "cancelled" and not p.cancelled_on)]


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize("status", ["registered", "all", "cancelled"])
def test_the_unsearched_list_is_counted_from_the_snapshots_counts_and_pages_every_person(
        make_app, users, roster, session, status, stored):
    """The list without a search takes its total from the counts the snapshots stored; a snapshot without
    them (stored=False) is counted from its persons. The scoped liaison's total is their county's only."""
    if not stored:
        session.execute(update(RosterSnapshot).where(RosterSnapshot.county_code == "440803")
                        .values(registered_count=None))
        session.commit()
    client = make_app().test_client()
    login(client, "coordinator")
    for county in (None, "440802", "440803", "440881"):
        expected = listed(session, status, county)
        assert searched(client, "", status, county) == (expected, len(expected)), county
    liaison = make_app().test_client()
    login(liaison, "liaison")
    expected = listed(session, status, "440802")
    assert searched(liaison, "", status, None) == (expected, len(expected))
