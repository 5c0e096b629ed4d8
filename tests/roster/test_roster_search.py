"""Searching persons: names by fragment, numbers only by full value (or a name with the last four
digits), every search by number audited, searches throttled per user in the database."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from models import AuditLog, Person
from roster.search import parse_query
from support.roster_factory import add_roster

REFUSED_ZH = "按号码查询须输入完整的身份证号或手机号，或姓名加后四位"
T0 = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("张三", {"name": "张三"}),
    ("张%_", {"name": "张%_"}),
    ("440802197001010011", {"id_number": "440802197001010011"}),
    ("44080219700101001x", {"id_number": "44080219700101001X"}),
    ("440802 19700101 0011", {"id_number": "440802197001010011"}),
    ("４４０８０２１９７００１０１００１１", {"id_number": "440802197001010011"}),
    ("13800000005", {"phone": "+8613800000005"}),
    ("+86 138 0000 0005", {"phone": "+8613800000005"}),
    ("138-0000-0005", {"phone": "+8613800000005"}),
    ("张三 8449", {"name": "张三", "last4": "8449"}),
    ("张三8449", {"name": "张三", "last4": "8449"}),
    ("001x 张三", {"name": "张三", "last4": "001X"}),
    ("8449", {"refused": True}),
    ("440802", {"refused": True}),
    ("44080219700101", {"refused": True}),
    ("4408021970010100111", {"refused": True}),
    ("138000", {"refused": True}),
    ("张三 440802", {"refused": True}),
    ("测试4", {"refused": True}),
])
def test_a_search_is_read_as_a_name_a_full_number_or_a_name_with_the_last_four(text, expected):
    query = parse_query(text)
    got = {k: v for k, v in vars(query).items() if v}
    assert (got if not query.refused else {"refused": True}) == expected


def test_the_audit_form_of_a_search_never_holds_a_full_number():
    assert parse_query("440802197001010011").masked() == "440802********0011"
    assert parse_query("13800000005").masked() == "138****0005"
    assert parse_query("张三 8449").masked() == "张三 8449"
    assert parse_query("44080219700101").masked() == "**************"


@pytest.fixture
def persons(app, session):
    """Two counties' rosters, three of them renamed so that names can be searched."""
    with app.app_context():
        add_roster(session, "440802", 6)
        add_roster(session, "440803", 3, start=50)
        ids = session.scalars(select(Person.id).order_by(Person.id)).all()
        for person_id, name in zip(ids, ["张三", "张三丰", "李四", "王_五", "赵%六"], strict=False):
            session.execute(update(Person).where(Person.id == person_id).values(name=name))
        session.commit()
        return {p.name: (p.id_number, p.phone) for p in session.scalars(select(Person))}


def found(client, q, **params):
    response = client.get("/api/v1/persons", query_string={"q": q, "status": "all", **params})
    assert response.status_code == 200, response.get_json()
    return sorted(p["name"] for p in response.get_json()["persons"])


def test_a_name_fragment_finds_persons_and_wildcards_are_plain_characters(login_as, persons):
    client = login_as("coordinator")
    assert found(client, "张三") == ["张三", "张三丰"]
    assert found(client, "_") == ["王_五"]
    assert found(client, "%") == ["赵%六"]


def test_a_full_id_number_or_phone_finds_exactly_that_person(login_as, persons):
    client = login_as("coordinator")
    id_number, phone = persons["李四"]
    assert found(client, id_number) == ["李四"]
    assert found(client, f"{id_number[:6]} {id_number[6:14]} {id_number[14:]}") == ["李四"]
    assert found(client, phone) == ["李四"]
    assert found(client, phone.removeprefix("+86")) == ["李四"]


def test_the_last_four_digits_find_a_person_only_together_with_a_name(login_as, persons):
    client = login_as("coordinator")
    id_number, phone = persons["张三丰"]
    assert found(client, f"张三 {id_number[-4:]}") == ["张三丰"]
    assert found(client, f"张三{phone[-4:]}") == ["张三丰"]
    response = client.get("/api/v1/persons", query_string={"q": id_number[-4:]})
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "number_search_refused", "message": REFUSED_ZH + "。"}


def test_a_user_who_sees_a_mask_recovers_nothing_by_trying_prefixes(make_app, users, persons, session):
    """The attack of the review: extend the visible prefix one digit at a time and watch the count."""
    from support.accounts import login

    client = make_app(SEARCH_MAX_PER_MINUTE=1000).test_client()  # the throttle aside: the search itself
    login(client, "liaison")  # a county's liaison reads the list of its persons, masked
    page = client.get("/roster/?status=all&q=李四").data.decode()
    id_number, phone = persons["李四"]
    assert id_number[:6] + "********" + id_number[-4:] in page and id_number not in page
    tries = [id_number[:k] + d for k in range(6, 17) for d in "0123456789"]
    tries += [phone[3:3 + k] for k in range(3, 11)] + [id_number[:17], phone[3:13]]
    for q in tries:
        answer = client.get("/roster/", query_string={"q": q, "status": "all"})
        shown = answer.data.decode()
        assert 'data-testid="number-refused"' in shown and REFUSED_ZH in shown, q
        assert 'data-testid="result-count"' not in shown and "李四" not in shown.split('id="q-help"', 1)[1], q
    middle = client.get("/roster/", query_string={"q": f"李四 {id_number[6:10]}", "status": "all"}).data.decode()
    assert "李四" not in middle.split('id="q-help"', 1)[1]  # four digits match the end of a number only
    entries = session.scalars(select(AuditLog).where(AuditLog.action == "person.search")).all()
    assert len(entries) == len(tries) + 1 and {e.username for e in entries} == {"liaison"}
    assert {e.detail["found"] for e in entries} == {0}
    text = json.dumps([e.detail for e in entries], ensure_ascii=False)
    assert id_number[:7] not in text and phone[3:7] not in text


def test_every_search_by_number_is_audited_with_a_masked_query(login_as, persons, session):
    client = login_as("coordinator")
    id_number, phone = persons["李四"]
    for q in (id_number, phone, f"李四 {id_number[-4:]}", "4408021"):
        client.get("/api/v1/persons", query_string={"q": q, "status": "all"})
    client.get("/roster/", query_string={"q": id_number, "status": "all"})
    client.get("/roster/", query_string={"q": "张三"})  # a name alone reveals no number
    entries = session.scalars(select(AuditLog).where(AuditLog.action == "person.search")
                              .order_by(AuditLog.id)).all()
    assert [(e.detail["kind"], e.detail["query"], e.detail["found"]) for e in entries] == [
        ("id_number", id_number[:6] + "********" + id_number[-4:], 1),
        ("phone", "138****" + phone[-4:], 1),
        ("last4", f"李四 {id_number[-4:]}", 1),
        ("refused", "*******", 0),
        ("id_number", id_number[:6] + "********" + id_number[-4:], 1),
    ]
    assert id_number not in json.dumps([e.detail for e in entries]) and phone[3:] not in json.dumps(
        [e.detail for e in entries])


def test_the_31st_search_in_a_minute_is_refused_across_workers(make_app, users, session):
    """Two app instances stand for two web workers: the count lives in the database."""
    from support.accounts import login

    clock = [T0]
    workers = [make_app(CLOCK=lambda: clock[0]).test_client() for _ in range(2)]
    for worker in workers:
        login(worker, "manager")
    for n in range(30):
        worker = workers[n % 2]
        assert worker.get("/roster/", query_string={"q": "张三"}).status_code == 200, n
    refused = workers[0].get("/roster/", query_string={"q": "张三"})
    assert refused.status_code == 429 and "查询过于频繁" in refused.data.decode()
    api = workers[1].get("/api/v1/persons", query_string={"q": "张三"})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "too_many_searches"
    assert workers[0].get("/roster/").status_code == 200  # the list without a search is not counted
    clock[0] = T0 + timedelta(seconds=61)
    assert workers[1].get("/roster/", query_string={"q": "张三"}).status_code == 200


def test_the_search_limit_is_per_user_and_a_setting(make_app, users):
    from support.accounts import login

    app = make_app(CLOCK=lambda: T0, SEARCH_MAX_PER_MINUTE=2)
    manager, coordinator = app.test_client(), app.test_client()
    login(manager, "manager")
    login(coordinator, "coordinator")
    assert [manager.get("/roster/?q=张").status_code for _ in range(3)] == [200, 200, 429]
    assert coordinator.get("/roster/?q=张").status_code == 200
