"""The JSON API: bearer tokens with the user's own permissions, JSON errors with stable codes."""

import pytest

from models import AuditLog
from support.roster_factory import add_roster


@pytest.fixture
def token_for(runner, users):
    def make(username):
        result = runner.invoke(args=["users", "token", username])
        assert result.exit_code == 0, result.output
        return result.output.strip()

    return make


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_token_gives_the_users_identity(client, token_for):
    token = token_for("liaison")
    assert token.startswith("sc_")
    data = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert data == {"username": "liaison", "role": "manager", "county": "440802"}


def test_token_is_stored_hashed(session, token_for):
    from models import ApiToken

    token = token_for("admin")
    row = session.query(ApiToken).one()
    assert row.token_hash != token and token not in row.token_hash and row.prefix == token[:10]


def test_missing_or_wrong_token_gets_json_401_in_chinese(client, users):
    for headers in ({}, bearer("sc_not-a-token")):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == {"code": "not_logged_in", "message": "请先登录。"}


def test_revoked_token_no_longer_works(client, runner, token_for):
    token = token_for("coordinator")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    result = runner.invoke(args=["users", "token", "coordinator", "--revoke"])
    assert "revoked 1" in result.output
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_token_has_exactly_the_users_permissions(client, session, token_for):
    add_roster(session, "440802", 2)
    add_roster(session, "440881", 3, start=50)
    caller = client.get("/api/v1/persons", headers=bearer(token_for("caller")))
    assert caller.status_code == 403
    assert caller.get_json()["error"]["code"] == "forbidden"
    assert "权限" in caller.get_json()["error"]["message"]
    liaison = client.get("/api/v1/persons", headers=bearer(token_for("liaison"))).get_json()
    assert liaison["total"] == 2
    counties = client.get("/api/v1/counties", headers=bearer(token_for("liaison"))).get_json()
    assert [c["code"] for c in counties] == ["440802"]


def test_api_masks_personal_data(client, session, token_for):
    add_roster(session, "440802", 1)
    person = client.get("/api/v1/persons", headers=bearer(token_for("coordinator"))).get_json()["persons"][0]
    assert "*" in person["id_number"] and "*" in person["phone"]


def test_unknown_api_path_answers_json_404(client, token_for):
    response = client.get("/api/v1/nothing-here", headers=bearer(token_for("admin")))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_cookie_session_posting_to_the_api_needs_csrf(make_app, users):
    import re

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    # log in through the form with its token, then post to the API without one
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())
    client.post("/login", data={"username": "admin", "password": "correct-horse-9", "csrf_token": token.group(1)})
    response = client.post("/api/v1/me/tokens/revoke")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def csrf_client_logged_in(make_app, username="admin"):
    """Return a client of a CSRF-protected app, logged in through the form (a browser session)."""
    import re

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").data.decode())
    response = client.post("/login", data={"username": username, "password": "correct-horse-9",
                                           "csrf_token": token.group(1)})
    assert response.status_code in (302, 303)
    return client


@pytest.mark.parametrize("header", ["Bearer bogus", "Bearer ", "Bearer sc_" + "x" * 43])
def test_a_bogus_or_empty_bearer_header_does_not_lift_csrf_from_a_cookie_session(make_app, users, header):
    client = csrf_client_logged_in(make_app)
    response = client.post("/api/v1/me/tokens/revoke", headers={"Authorization": header})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_another_users_valid_token_does_not_lift_csrf_from_a_cookie_session(make_app, users, token_for):
    client = csrf_client_logged_in(make_app, "admin")
    response = client.post("/api/v1/me/tokens/revoke", headers=bearer(token_for("manager")))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


def test_a_valid_token_needs_no_csrf(make_app, users, token_for):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/api/v1/me/tokens/revoke", headers=bearer(token_for("manager")))
    assert response.status_code == 200 and response.get_json() == {"revoked": 1}


def test_users_create_command(runner, session):
    from models import User

    result = runner.invoke(args=["users", "create", "wu", "--role", "caller", "--county", "440883",
                                 "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = session.query(User).filter_by(username="wu").one()
    assert (user.role, user.county_code) == ("caller", "440883")
    entry = session.query(AuditLog).filter_by(action="user.create", object_id=str(user.id)).one()
    assert (entry.detail["role"], entry.detail["county"]) == ("caller", "440883")


def test_users_set_role_changes_role_and_scope_and_logs_both(runner, session):
    from models import User

    runner.invoke(args=["users", "create", "wu", "--role", "caller", "--county", "440883", "--password", "a-longer-pw-2026"])
    result = runner.invoke(args=["users", "set-role", "wu", "--role", "manager", "--county", "440802"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "set-role", "wu", "--role", "coordinator", "--all-counties"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    user = session.query(User).filter_by(username="wu").one()
    assert (user.role, user.county_code) == ("coordinator", None)
    changes = [e.detail for e in session.query(AuditLog).filter_by(action="user.role").order_by(AuditLog.id)]
    assert changes == [
        {"username": "wu", "role": "manager", "county": "440802", "previous_role": "caller",
         "previous_county": "440883"},
        {"username": "wu", "role": "coordinator", "county": None, "previous_role": "manager",
         "previous_county": "440802"},
    ]


def test_users_set_role_keeps_the_scope_unless_told(runner, session):
    from models import User

    runner.invoke(args=["users", "create", "wu", "--role", "caller", "--county", "440883", "--password", "a-longer-pw-2026"])
    assert runner.invoke(args=["users", "set-role", "wu", "--role", "manager"]).exit_code == 0
    assert session.query(User).filter_by(username="wu").one().county_code == "440883"


def test_users_set_role_refuses_unknown_county_and_user(runner, session):
    runner.invoke(args=["users", "create", "wu", "--role", "caller", "--password", "a-longer-pw-2026"])
    result = runner.invoke(args=["users", "set-role", "wu", "--role", "manager", "--county", "999999"])
    assert result.exit_code != 0 and "未知的县（市、区）代码 999999" in result.output
    assert runner.invoke(args=["users", "set-role", "nobody", "--role", "manager"]).exit_code != 0
    assert session.query(AuditLog).filter_by(action="user.role").count() == 0


def test_users_create_refuses_unknown_county_in_chinese(runner):
    result = runner.invoke(args=["users", "create", "li", "--role", "caller", "--county", "999999",
                                 "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "未知的县（市、区）代码 999999" in result.output


def test_a_user_revokes_their_own_tokens_through_the_api(client, token_for, session):
    token = token_for("manager")
    response = client.post("/api/v1/me/tokens/revoke", headers=bearer(token))
    assert response.get_json() == {"revoked": 1}
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert session.query(AuditLog).filter_by(action="token.revoke").count() == 1
