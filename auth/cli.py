"""`flask users …`: accounts, roles, county scope and API tokens from the shell."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from auth import accounts, tokens
from auth.accounts import AccountError
from core.extensions import db
from models import ROLES, User

users_cli = AppGroup("users", help="User accounts and API tokens.")


def _user_named(username: str) -> User:
    """Load a user by name for a command, or stop with an error."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    return user


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--county", default=None, help="Limit the user to one county (6-digit code).")
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option()
def users_create(username, role, county, display_name, password):
    """Create a user."""
    try:
        accounts.register_user(username, password, role, county, display_name)
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    click.echo(f"created {role} {username}")


@users_cli.command("password")
@click.argument("username")
@click.password_option()
def users_password(username, password):
    """Set a user's password; every browser session of the user ends."""
    try:
        accounts.reset_password(_user_named(username).id, password, via="cli")
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    click.echo(f"password of {username} changed; their sessions have ended")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username):
    """Disable a user: their sessions end and their API tokens stop working."""
    accounts.switch_active(_user_named(username).id, False, via="cli")
    click.echo(f"{username} disabled")


@users_cli.command("enable")
@click.argument("username")
def users_enable(username):
    """Enable a disabled user again."""
    accounts.switch_active(_user_named(username).id, True, via="cli")
    click.echo(f"{username} enabled")


@users_cli.command("set-role")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--county", default=None, help="Limit the user to this county (6-digit code).")
@click.option("--all-counties", is_flag=True, help="Lift the user's county limit.")
def users_set_role(username, role, county, all_counties):
    """Change a user's role, and their county scope if asked (otherwise it stays); their sessions end."""
    user = _user_named(username)
    if county and all_counties:
        raise click.UsageError("give --county or --all-counties, not both")
    scope = None if all_counties else (county or user.county_code)
    try:
        accounts.assign_role(user.id, role, scope)
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    click.echo(f"{username}: {role}, {scope or 'all counties'}")


@users_cli.command("token")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="Revoke every live token of the user instead.")
def users_token(username, revoke):
    """Make an API token for a user (printed once), or revoke the user's tokens."""
    user_id = _user_named(username).id
    if revoke:
        click.echo(f"revoked {tokens.withdraw_tokens(user_id, via='cli')} token(s)")
        return
    click.echo(tokens.hand_out_token(user_id, via="cli"))
