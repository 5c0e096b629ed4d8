"""The administrator's user management: list filters, edit, disable and re-enable, one-time passwords
and the forced change, each audited with before and after; the same in the API and the CLI."""

import json
from datetime import UTC, datetime

from sqlalchemy import select

from core.extensions import db
from models import ApiToken, AuditLog, User
from support.accounts import PASSWORD, login


def load(session, username):
    session.rollback()
    return session.scalar(select(User).where(User.username == username))


def last_entry(session, action):
    session.rollback()
    return session.scalar(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id.desc()))


def test_login_records_the_last_login(client, users, session):
    assert load(session, "caller").last_login_at is None
    login(client, "caller")
    assert load(session, "caller").last_login_at is not None


def test_user_list_filters_by_role_county_active_and_last_login(login_as, users, session, runner):
    client = login_as("admin")  # the admin has logged in; nobody else has
    runner.invoke(args=["users", "disable", "manager"])

    def names(query):
        page = client.get(f"/admin/users?{query}").get_data(as_text=True)
        return {name for name in ("admin", "coordinator", "caller", "manager", "liaison", "county_caller")
                if f">{name}</a>" in page}

    assert names("role=caller") == {"caller", "county_caller"}
    assert names("county=440802") == {"liaison"}
    assert names("county=all&role=manager") == {"manager"}
    assert names("active=no") == {"manager"}
    assert names("login=recent") == {"admin"}
    assert names("login=never") == {"coordinator", "caller", "manager", "liaison", "county_caller"}


def test_admin_edits_name_role_and_county_with_before_and_after_in_the_audit_log(login_as, users, session):
    client = login_as("admin")
    response = client.post(f"/admin/users/{users['caller']}", data={
        "display_name": "张回访", "role": "manager", "county_code": "440881"})
    assert response.status_code in (302, 303)
    changed = load(session, "caller")
    assert (changed.display_name, changed.role, changed.county_code) == ("张回访", "manager", "440881")
    entry = last_entry(session, "user.edit")
    assert entry.detail["before"]["role"] == "caller" and entry.detail["after"]["role"] == "manager"
    assert entry.detail["before"]["county"] is None and entry.detail["after"]["county"] == "440881"
    page = client.get(f"/admin/users/{users['caller']}").get_data(as_text=True)
    assert "user.edit" in page and "角色：回访员 → 管理人员" in page


def test_a_change_of_role_ends_the_users_sessions(app, login_as, users):
    admin = login_as("admin")
    other = app.test_client()
    login(other, "caller")
    assert other.get("/followup/").status_code == 200
    admin.post(f"/admin/users/{users['caller']}", data={"display_name": "", "role": "manager", "county_code": ""})
    assert other.get("/followup/").status_code in (302, 303)


def test_disable_stops_sessions_and_tokens_at_once_and_enable_lets_the_user_back(app, login_as, users, token_client,
                                                                                 session):
    admin = login_as("admin")
    api = token_client("caller")
    browser = app.test_client()
    login(browser, "caller")
    assert api.get("/api/v1/me").status_code == 200
    assert admin.post(f"/admin/users/{users['caller']}/disable").status_code in (302, 303)
    assert browser.get("/followup/").status_code in (302, 303)
    assert api.get("/api/v1/me").status_code == 401
    session.rollback()
    assert session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == users["caller"])) is not None
    entry = last_entry(session, "user.disable")
    assert entry.detail["before"]["active"] is True and entry.detail["after"]["active"] is False
    assert entry.detail["tokens_revoked"] == 1
    assert login(app.test_client(), "caller").status_code == 200  # refused: the form again
    admin.post(f"/admin/users/{users['caller']}/enable")
    assert login(app.test_client(), "caller").status_code in (302, 303)
    assert api.get("/api/v1/me").status_code == 401  # a revoked token stays revoked


def test_an_admin_cannot_disable_their_own_account(login_as, users, session):
    client = login_as("admin")
    client.post(f"/admin/users/{users['admin']}/disable")
    assert load(session, "admin").active is True


def test_reset_gives_a_one_time_password_that_must_be_changed_before_anything_else(app, login_as, users, session):
    admin = login_as("admin")
    page = admin.post(f"/admin/users/{users['caller']}/reset-password")
    assert page.headers["Cache-Control"] == "no-store"
    password = page.get_data(as_text=True).split('data-testid="one-time-password">')[1].split("<")[0]
    assert len(password) == 19 and load(session, "caller").must_change_password
    assert login(app.test_client(), "caller").status_code == 200  # the old password no longer works
    caller = app.test_client()
    assert login(caller, "caller", password).status_code in (302, 303)
    for path in ("/", "/followup/", "/account/profile"):
        response = caller.get(path)
        assert response.status_code in (302, 303) and response.location.endswith("/account/password"), path
    assert caller.get("/api/v1/me").status_code == 403
    response = caller.post("/account/password", data={"current": password, "password": "my-own-new-secret-7",
                                                      "confirm": "my-own-new-secret-7"})
    assert response.status_code in (302, 303)
    assert caller.get("/followup/").status_code == 200
    assert load(session, "caller").must_change_password is False
    entry = last_entry(session, "user.password_reset")
    assert entry.detail["after"]["must_change_password"] is True and password not in json.dumps(entry.detail)


def test_every_user_changes_their_own_password_in_the_api(token_client, users, session):
    api = token_client("manager")
    wrong = api.post("/api/v1/me/password", json={"current": "nope-nope-nope", "password": "brand-new-secret-1"})
    assert wrong.status_code == 400
    ok = api.post("/api/v1/me/password", json={"current": PASSWORD, "password": "brand-new-secret-1"})
    assert ok.status_code == 200
    assert load(session, "manager").check_password("brand-new-secret-1")


def test_users_api_lists_edits_disables_enables_and_resets(token_client, users, session):
    api = token_client("admin")
    listed = api.get("/api/v1/users?role=caller&county=440881").get_json()["users"]
    assert [u["username"] for u in listed] == ["county_caller"]
    edited = api.patch(f"/api/v1/users/{users['caller']}", json={"display_name": "李四", "county": "440802"})
    assert edited.status_code == 200 and edited.get_json()["county"] == "440802"
    bad = api.patch(f"/api/v1/users/{users['caller']}", json={"county": "999999"})
    assert bad.status_code == 400 and "999999" in bad.get_json()["error"]["message"]
    assert api.patch("/api/v1/users/987654", json={"display_name": "x"}).status_code == 404
    assert api.post(f"/api/v1/users/{users['caller']}/disable").get_json()["active"] is False
    assert api.post(f"/api/v1/users/{users['caller']}/enable").get_json()["active"] is True
    reset = api.post(f"/api/v1/users/{users['caller']}/reset-password").get_json()
    assert reset["user"]["must_change_password"] is True and len(reset["one_time_password"]) == 19
    assert api.post(f"/api/v1/users/{users['admin']}/disable").status_code == 400


def test_users_api_is_for_administrators_only(token_client, users):
    for name in ("coordinator", "caller", "manager", "liaison"):
        api = token_client(name)
        assert api.get("/api/v1/users").status_code == 403
        assert api.post(f"/api/v1/users/{users['caller']}/disable").status_code == 403


def test_users_cli_list_edit_disable_enable_reset_with_json(runner, users, session):
    listed = json.loads(runner.invoke(args=["users", "list", "--role", "manager", "--json"]).output)
    assert {u["username"] for u in listed} == {"manager", "liaison"}
    scoped = json.loads(runner.invoke(args=["users", "list", "--county", "440802", "--json"]).output)
    assert [u["username"] for u in scoped] == ["liaison"]
    edited = runner.invoke(args=["users", "edit", "liaison", "--name", "赤坎联络员", "--all-counties", "--json"])
    assert json.loads(edited.output)["county"] is None and json.loads(edited.output)["display_name"] == "赤坎联络员"
    assert json.loads(runner.invoke(args=["users", "disable", "liaison", "--json"]).output)["active"] is False
    assert [u["username"] for u in json.loads(runner.invoke(args=["users", "list", "--disabled", "--json"]).output)] \
        == ["liaison"]
    assert json.loads(runner.invoke(args=["users", "enable", "liaison", "--json"]).output)["active"] is True
    reset = json.loads(runner.invoke(args=["users", "reset-password", "liaison", "--json"]).output)
    assert load(session, "liaison").check_password(reset["one_time_password"])
    bad = runner.invoke(args=["users", "edit", "liaison", "--county", "123"])
    assert bad.exit_code != 0 and "123" in bad.output
    actions = [e.action for e in session.scalars(select(AuditLog).where(AuditLog.object_id == str(users["liaison"])))]
    assert {"user.edit", "user.disable", "user.enable", "user.password_reset"} <= set(actions)


def test_last_login_filter_reads_the_recorded_time(app, users, runner):
    with app.app_context():
        db.session.get(User, users["caller"]).last_login_at = datetime(2020, 1, 1, tzinfo=UTC)
        db.session.commit()
    stale = json.loads(runner.invoke(args=["users", "list", "--login", "stale", "--json"]).output)
    assert "caller" in {u["username"] for u in stale}
