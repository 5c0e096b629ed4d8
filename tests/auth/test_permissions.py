"""Each role reaches only its pages; a county-scoped user sees only that county's people."""

import pytest

from support.roster_factory import add_roster

PAGES = {
    "/roster/": {"admin", "coordinator", "manager", "liaison"},
    "/admin/users": {"admin"},
    "/admin/settings": {"admin"},
    "/admin/counties": {"admin"},
    "/admin/counties/440802": {"admin"},
    "/admin/calendar/2026": {"admin"},
    "/account/profile": {"admin", "coordinator", "caller", "manager", "liaison", "county_caller"},
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("user", ["admin", "coordinator", "caller", "manager", "liaison", "county_caller"])
def test_pages_answer_each_role(login_as, page, user):
    client = login_as(user)
    response = client.get(page)
    if user in PAGES[page]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "您没有执行此操作的权限" in response.data.decode()


@pytest.mark.parametrize("user", ["admin", "coordinator", "caller", "manager", "liaison"])
def test_every_role_has_a_home_page(login_as, user):
    assert login_as(user).get("/").status_code == 200


def test_county_scoped_manager_sees_only_their_county(login_as, session):
    add_roster(session, "440802", 3)
    add_roster(session, "440881", 4, start=100)
    client = login_as("liaison")
    page = client.get("/roster/").data.decode()
    assert "共找到 3 人" in page
    # asking for another county does not widen the scope
    page = client.get("/roster/?county=440881").data.decode()
    assert "共找到 3 人" in page and "廉江市" not in page.split("<tbody>")[1]
    data = client.get("/api/v1/persons?county=440881").get_json()
    assert data["total"] == 3 and {p["county_code"] for p in data["persons"]} == {"440802"}


def test_unscoped_manager_sees_every_county(login_as, session):
    add_roster(session, "440802", 3)
    add_roster(session, "440881", 4, start=100)
    assert login_as("manager").get("/api/v1/persons").get_json()["total"] == 7


def test_roster_list_masks_ids_and_phones(login_as, session):
    add_roster(session, "440802", 1)
    from models import Person

    id_number, phone = session.query(Person.id_number, Person.phone).one()
    page = login_as("coordinator").get("/roster/").data.decode()
    assert id_number not in page and phone not in page
    assert id_number[:6] + "********" + id_number[-4:] in page


def test_roster_search_by_name_and_cancelled_filter(login_as, session):
    from sqlalchemy import update

    from models import Person

    add_roster(session, "440803", 5, cancelled=2)
    session.execute(update(Person).where(Person.name == "测试4").values(name="王小明"))
    session.commit()
    client = login_as("coordinator")
    assert client.get("/api/v1/persons").get_json()["total"] == 3
    assert client.get("/api/v1/persons?status=cancelled").get_json()["total"] == 2
    assert client.get("/api/v1/persons?status=all&q=小明").get_json()["total"] == 1


def test_admin_creates_a_user_from_the_page(login_as, session):
    from models import AuditLog, User

    client = login_as("admin")
    response = client.post("/admin/users", data={"username": "newcaller", "display_name": "新回访员",
                                                 "role": "caller", "county_code": "440823",
                                                 "password": "long-enough-1"})
    assert response.status_code in (302, 303)
    user = session.query(User).filter_by(username="newcaller").one()
    assert user.county_code == "440823" and user.role == "caller"
    entry = session.query(AuditLog).filter_by(action="user.create", object_id=str(user.id)).one()
    assert (entry.detail["role"], entry.detail["county"], entry.username) == ("caller", "440823", "admin")


def test_roster_pages_link_to_each_other(login_as, session):
    add_roster(session, "440802", 120)
    client = login_as("coordinator")
    page = client.get("/roster/?county=440802").data.decode()
    assert "第 1 / 3 页，共 120 条" in page and "page=2" in page
    page = client.get("/roster/?county=440802&page=3").data.decode()
    assert "第 3 / 3 页，共 120 条" in page and "page=2" in page
