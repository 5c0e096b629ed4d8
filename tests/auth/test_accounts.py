"""Account changes from the CLI and the password rules (length, common passwords)."""

import pytest

from support.accounts import PASSWORD, login


def user(session, name):
    from sqlalchemy import select

    from models import User

    session.rollback()
    return session.scalar(select(User).where(User.username == name))


def test_users_password_command_sets_a_new_password_and_ends_sessions(app, runner, client, users, session):
    login(client, "caller")
    result = runner.invoke(args=["users", "password", "caller", "--password", "another-long-secret"])
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code != 200
    assert user(session, "caller").check_password("another-long-secret")


def test_users_disable_and_enable_commands(runner, client, users, session):
    login(client, "caller")
    assert runner.invoke(args=["users", "disable", "caller"]).exit_code == 0
    assert client.get("/").status_code != 200
    assert user(session, "caller").active is False
    assert runner.invoke(args=["users", "enable", "caller"]).exit_code == 0
    assert user(session, "caller").active is True
    assert login(client, "caller").status_code in (302, 303)


def test_users_set_role_command_changes_role_and_county(runner, users, session):
    result = runner.invoke(args=["users", "set-role", "caller", "--role", "manager", "--county", "440802"])
    assert result.exit_code == 0, result.output
    changed = user(session, "caller")
    assert (changed.role, changed.county_code) == ("manager", "440802")


def test_account_commands_are_audited(runner, users, session):
    from sqlalchemy import select

    from models import AuditLog

    runner.invoke(args=["users", "disable", "caller"])
    runner.invoke(args=["users", "set-role", "manager", "--role", "coordinator"])
    actions = set(session.scalars(select(AuditLog.action)))
    assert {"user.disable", "user.role"} <= actions


@pytest.mark.parametrize("password, problem", [
    ("short-pw-11", "short"),  # 11 characters
    ("qwertyuiop123", "common"),
    ("QwertyUiop123", "common"),  # case does not hide a common password
    ("woaini1314520", "common"),
    ("1qaz2wsx3edc", "common"),
    ("password1234", "common"),
    ("correct-horse-9", None),
    ("admin-demo-2026", None),  # the demo accounts keep working
    ("caller-demo-2026", None),
    ("twelve-chars", None),
])
def test_password_rules(password, problem):
    from auth.passwords import password_problem

    assert password_problem(password) == problem


def test_the_shipped_list_holds_the_usual_favourites():
    from auth.passwords import common_passwords

    listed = common_passwords()
    assert len(listed) > 2000
    assert {"123456", "a123456", "woaini1314", "qq123456", "5201314", "password"} <= listed


@pytest.mark.parametrize("password, message", [
    ("short-pw-11", "至少 12 个字符"),
    ("Password2024", "过于常见"),
])
def test_users_create_refuses_weak_passwords_in_chinese(runner, password, message):
    result = runner.invoke(args=["users", "create", "wu", "--role", "caller", "--password", password])
    assert result.exit_code != 0
    assert message in result.output


def test_users_password_refuses_a_common_password(runner, users):
    result = runner.invoke(args=["users", "password", "caller", "--password", "qwertyuiop123"])
    assert result.exit_code != 0 and "过于常见" in result.output


def test_admin_page_refuses_a_common_password(login_as, session):
    from sqlalchemy import select

    from models import User

    client = login_as("admin")
    page = client.post("/admin/users", data={"username": "wu", "role": "caller", "county_code": "",
                                             "password": "1qaz2wsx3edc"}).data.decode()
    assert "过于常见" in page
    assert session.scalar(select(User).where(User.username == "wu")) is None


def change_own(client, current=PASSWORD, new="a-fresh-passphrase", confirm=None):
    return client.post("/account/password", data={"current": current, "password": new,
                                                   "confirm": new if confirm is None else confirm})


def test_a_user_changes_their_own_password_and_other_devices_are_logged_out(app, users, session):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "caller")
    login(elsewhere, "caller")
    response = change_own(here)
    assert response.status_code in (302, 303)
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code != 200
    assert user(session, "caller").check_password("a-fresh-passphrase")


@pytest.mark.parametrize("current, new, confirm, message", [
    ("not-my-password", "a-fresh-passphrase", None, "当前密码不正确"),
    (PASSWORD, "too-short", None, "至少 12 个字符"),
    (PASSWORD, "qwertyuiop123", None, "过于常见"),
    (PASSWORD, "a-fresh-passphrase", "a-fresh-passphrasf", "两次输入的新密码不一致"),
])
def test_a_refused_password_change_says_why_and_changes_nothing(login_as, session, current, new, confirm, message):
    client = login_as("caller")
    page = change_own(client, current, new, confirm).data.decode()
    assert message in page
    assert user(session, "caller").check_password(PASSWORD)
    assert client.get("/").status_code == 200


def test_the_password_page_states_the_rules(login_as):
    page = login_as("caller").get("/account/password").data.decode()
    assert "至少 12 个字符" in page
