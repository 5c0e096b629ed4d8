"""Account changes from the CLI and the password rules (length, common passwords)."""

from conftest import login


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


def test_users_role_command_changes_role_and_county(runner, users, session):
    result = runner.invoke(args=["users", "role", "caller", "--role", "manager", "--county", "440802"])
    assert result.exit_code == 0, result.output
    changed = user(session, "caller")
    assert (changed.role, changed.county_code) == ("manager", "440802")


def test_account_commands_are_audited(runner, users, session):
    from sqlalchemy import select

    from models import AuditLog

    runner.invoke(args=["users", "disable", "caller"])
    runner.invoke(args=["users", "role", "manager", "--role", "coordinator"])
    actions = set(session.scalars(select(AuditLog.action)))
    assert {"user.disable", "user.role"} <= actions
