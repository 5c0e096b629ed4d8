"""`flask users …`: accounts, roles, county scope and API tokens from the shell."""

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from auth import accounts, tokens
from auth.accounts import AccountError
from auth.user_list import LOGIN_FILTERS, find_users, user_json
from core.clock import now
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


def _say(as_json: bool, data, text: str) -> None:
    """Print a result as JSON for scripts, or as a line for people."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


@users_cli.command("list")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--county", default=None, help='A 6-digit county code, or "all" for users of every county.')
@click.option("--active/--disabled", "active", default=None, help="Only active, or only disabled users.")
@click.option("--login", type=click.Choice(LOGIN_FILTERS), default=None,
              help="never; recent (last 7 days); stale (not in 30 days, or never).")
@JSON_OPTION
def users_list(role, county, active, login, as_json):
    """List users, filtered by role, county scope, active and last login."""
    rows = [user_json(user) for user in find_users(now(), role=role, county=county, active=active, login=login)]
    lines = [f"{u['username']:<20} {u['role']:<12} {u['county'] or 'all':<7} "
             f"{'active' if u['active'] else 'disabled':<9} {u['last_login_at'] or 'never'}" for u in rows]
    _say(as_json, rows, "\n".join(lines) or "no users")


@users_cli.command("edit")
@click.argument("username")
@click.option("--name", "display_name", default=None, help="New display name.")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--county", default=None, help="Limit the user to this county (6-digit code).")
@click.option("--all-counties", is_flag=True, help="Lift the user's county limit.")
@JSON_OPTION
def users_edit(username, display_name, role, county, all_counties, as_json):
    """Change a user's display name, role or county scope; a role or county change ends their sessions."""
    if county and all_counties:
        raise click.UsageError("give --county or --all-counties, not both")
    changes = {"display_name": display_name} if display_name is not None else {}
    changes |= {"role": role} if role else {}
    changes |= {"county_code": None} if all_counties else ({"county_code": county} if county else {})
    try:
        user = accounts.edit_user(_user_named(username).id, via="cli", **changes)
    except AccountError as error:
        raise click.ClickException(error.message()) from error
    _say(as_json, user_json(user), f"{username}: {user.role}, {user.county_code or 'all counties'}, {user.display_name!r}")


@users_cli.command("disable")
@click.argument("username")
@JSON_OPTION
def users_disable(username, as_json):
    """Disable a user: their sessions end and their API tokens are revoked."""
    user = accounts.switch_active(_user_named(username).id, False, via="cli")
    _say(as_json, user_json(user), f"{username} disabled; their sessions and API tokens no longer work")


@users_cli.command("enable")
@click.argument("username")
@JSON_OPTION
def users_enable(username, as_json):
    """Enable a disabled user again."""
    user = accounts.switch_active(_user_named(username).id, True, via="cli")
    _say(as_json, user_json(user), f"{username} enabled")


@users_cli.command("reset-password")
@click.argument("username")
@JSON_OPTION
def users_reset_password(username, as_json):
    """Give a user a one-time password (printed once) that they must change at their next login."""
    user, password = accounts.reset_to_one_time_password(_user_named(username).id, via="cli")
    _say(as_json, {"user": user_json(user), "one_time_password": password},
         f"one-time password of {username}: {password}\n(they must change it at their next login)")


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
