"""`flask users …`: accounts, roles, county scope and API tokens from the shell."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core.extensions import db
from models import User

users_cli = AppGroup("users", help="User accounts and API tokens.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "coordinator", "caller", "manager"]))
@click.option("--county", default=None, help="Limit the user to one county (6-digit code).")
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option()
def users_create(username, role, county, display_name, password):
    """Create a user."""
    from auth.accounts import AccountError, create_user

    try:
        create_user(db.session, username, password, role, county, display_name)
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    db.session.commit()
    click.echo(f"created {role} {username}")


def _user_named(username: str) -> User:
    """Load a user by name for a command, or stop with an error."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    return user


@users_cli.command("password")
@click.argument("username")
@click.password_option()
def users_password(username, password):
    """Set a user's password; every browser session of the user ends."""
    from auth.accounts import AccountError, change_password
    from core import auditlog

    user = _user_named(username)
    try:
        change_password(db.session, user, password)
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    auditlog.record("user.password", "user", user.id, via="cli")
    db.session.commit()
    click.echo(f"password of {username} changed; their sessions have ended")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username):
    """Disable a user: their sessions end and their API tokens stop working."""
    _set_active(username, False)


@users_cli.command("enable")
@click.argument("username")
def users_enable(username):
    """Enable a disabled user again."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from auth.accounts import set_active
    from core import auditlog

    user = _user_named(username)
    set_active(db.session, user, active)
    auditlog.record("user.enable" if active else "user.disable", "user", user.id, via="cli")
    db.session.commit()
    click.echo(f"{username} {'enabled' if active else 'disabled'}")


@users_cli.command("set-role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "coordinator", "caller", "manager"]))
@click.option("--county", default=None, help="Limit the user to this county (6-digit code).")
@click.option("--all-counties", is_flag=True, help="Lift the user's county limit.")
def users_set_role(username, role, county, all_counties):
    """Change a user's role, and their county scope if asked (otherwise it stays); their sessions end."""
    from auth.accounts import AccountError, change_role

    user = _user_named(username)
    if county and all_counties:
        raise click.UsageError("give --county or --all-counties, not both")
    scope = None if all_counties else (county or user.county_code)
    try:
        change_role(db.session, user, role, scope)
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    db.session.commit()
    click.echo(f"{username}: {role}, {scope or 'all counties'}")


@users_cli.command("token")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="Revoke every live token of the user instead.")
def users_token(username, revoke):
    """Make an API token for a user (printed once), or revoke the user's tokens."""
    from auth.tokens import issue_token, revoke_tokens
    from core import auditlog

    user = _user_named(username)
    if revoke:
        count = revoke_tokens(db.session, user)
        auditlog.record("token.revoke", "user", user.id, count=count, via="cli")
        db.session.commit()
        click.echo(f"revoked {count} token(s)")
        return
    token = issue_token(db.session, user)
    auditlog.record("token.issue", "user", user.id, via="cli")
    db.session.commit()
    click.echo(token)
