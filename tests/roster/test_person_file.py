"""A person's page: roster rows across snapshots, draws, tasks, attempts, verification records and
rectification items — masked, in the user's county scope, with a logged reveal that survives a reload."""

from sqlalchemy import func, insert, select

from core.extensions import db
from core.privacy import mask_id_number
from models import AuditLog, Person, RectificationItem, RosterSnapshot
from support.route_world import client_for


def person_with_everything(app) -> tuple[int, str, str]:
    """Return a person of 赤坎区 with a rectification item (so a verification and attempts too), after giving
    them an older roster row in an earlier snapshot; and their ID number and county."""
    with app.app_context():
        item = db.session.scalar(select(RectificationItem).where(RectificationItem.county_code == "440802")
                                 .order_by(RectificationItem.id).limit(1))
        person = db.session.get(Person, item.person_id)
        if not db.session.scalar(select(func.count(Person.id)).where(Person.id_number == person.id_number,
                                                                     Person.id != person.id)):
            old = RosterSnapshot(county_code="440802", source="old.csv", row_count=1, is_current=False)
            db.session.add(old)
            db.session.flush()
            db.session.execute(insert(Person), [{
                "snapshot_id": old.id, "county_code": "440802", "name": person.name, "gender": person.gender,
                "id_number": person.id_number, "phone": "+8613900000000", "registered_on": person.registered_on,
                "unemployment_reason": person.unemployment_reason}])
            db.session.commit()
        found = person.id, person.id_number, person.phone
        db.session.remove()
        return found


def test_the_page_gathers_every_trace_of_the_person_masked(world):
    app, _ids = world
    person_id, id_number, phone = person_with_everything(app)
    page = client_for(app, "coord").get(f"/roster/persons/{person_id}").get_data(as_text=True)
    rows = page.split('data-testid="person-rows"')[1].split("</table>")[0]
    assert rows.count("<tr") == 3 and "139****0000" in rows  # header, current row, the earlier snapshot's row
    for section in ("person-draws", "person-tasks", "person-attempts", "person-verifications", "person-items"):
        body = page.split(f'data-testid="{section}"')[1].split("</table>")[0]
        assert body.count("<tr") >= 2, section
    assert id_number not in page and phone.removeprefix("+86") not in page
    assert mask_id_number(id_number) in page


def test_a_reveal_is_logged_once_and_shown_again_on_reload_without_a_form_resend(world):
    app, _ids = world
    person_id, id_number, _phone = person_with_everything(app)
    client = client_for(app, "coord")
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "person.reveal_id_number"))
        db.session.remove()
    response = client.post(f"/roster/persons/{person_id}/reveal", data={"field": "id_number"})
    assert response.status_code in (302, 303) and "shown=" in response.location
    for _ in range(2):  # the page and a reload
        assert id_number in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditLog.id)).where(
            AuditLog.action == "person.reveal_id_number")) == before + 1
        db.session.remove()
    # The link is no key: another user following it sees the mask.
    assert id_number not in client_for(app, "manager").get(response.location).get_data(as_text=True)
    assert client.post(f"/roster/persons/{person_id}/reveal", data={"field": "name"}).status_code == 400


def test_a_county_user_never_sees_another_countys_person(world):
    app, _ids = world
    with app.app_context():
        foreign = db.session.scalar(select(Person.id).where(Person.county_code == "440803").limit(1))
        own = db.session.scalar(select(Person.id).where(Person.county_code == "440802").limit(1))
        db.session.remove()
    liaison = client_for(app, "liaison")
    assert liaison.get(f"/roster/persons/{foreign}").status_code == 404
    assert liaison.post(f"/roster/persons/{foreign}/reveal", data={"field": "phone"}).status_code == 404
    assert liaison.get(f"/api/v1/persons/{foreign}").status_code == 404
    assert liaison.get(f"/roster/persons/{own}").status_code == 200
    assert client_for(app, "caller").get(f"/roster/persons/{own}").status_code == 403


def test_the_api_answers_the_file_masked_and_reveals_with_a_log_entry(world):
    app, _ids = world
    person_id, id_number, phone = person_with_everything(app)
    client = client_for(app, "coord")
    body = client.get(f"/api/v1/persons/{person_id}").get_json()
    assert body["id_number"] == mask_id_number(id_number) and len(body["rows"]) == 2
    assert body["rectification_items"] and body["verifications"] and body["tasks"] and body["draws"]
    assert id_number not in str(body)
    token = app.test_cli_runner().invoke(args=["users", "token", "coord"]).output.strip()
    revealed = app.test_client().post(f"/api/v1/persons/{person_id}/reveal", json={"field": "phone"},
                                      headers={"Authorization": f"Bearer {token}"})
    assert revealed.get_json() == {"phone": phone}


def test_the_roster_list_the_task_page_and_the_rectification_item_link_to_the_person(world):
    app, ids = world
    client = client_for(app, "coord")
    assert 'href="/roster/persons/' in client.get("/roster/?county=440802").get_data(as_text=True)
    assert 'data-testid="person-link"' in client.get(f"/followup/tasks/{ids['task:440802']}").get_data(as_text=True)
    item = client.get(f"/reports/rectification/{ids['item:440802']}").get_data(as_text=True)
    assert 'data-testid="person-link"' in item and 'href="/roster/persons/' in item
