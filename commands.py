"""Operator commands: `flask db …`, `flask users …`, `flask audit …`, `flask demo`."""

import json

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from core import migrate
from core.extensions import db
from models import User

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
users_cli = AppGroup("users", help="User accounts and API tokens.")
audit_cli = AppGroup("audit", help="The append-only audit log.")


@db_cli.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision):
    """Apply the migrations up to a revision."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.option("--revision", default="-1", show_default=True)
def db_downgrade(revision):
    """Undo migrations down to a revision."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


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


@audit_cli.command("verify")
@click.option("--json", "as_json", is_flag=True)
def audit_verify(as_json):
    """Check the audit log's hash chain: exit 0 when intact, 1 naming the first broken entry."""
    from core.auditlog import verify_log

    report = verify_log(db.session)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    elif report.ok:
        click.echo(f"audit log intact: {report.entries} entries, last hash {report.last_hash}")
    else:
        click.echo(f"audit log broken at entry {report.first_broken} ({report.reason}): "
                   f"{report.as_dict()['message']}")
    if not report.ok:
        raise SystemExit(1)


@click.command("demo")
@click.option("--seed", type=int, default=None, help="Seed of the synthetic roster.")
@click.option("--persons", type=int, default=None, help="How many persons to generate.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--campaign/--no-campaign", default=True,
              help="Also create a demo campaign, drawn and followed up over the last working days (default: yes).")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def demo(seed, persons, if_empty, campaign, as_json):
    """Load the demo: Zhanjiang's counties, one user per role, a synthetic roster, a worked campaign."""
    from demo.accounts import load_demo
    from demo.campaign import load_demo_campaign

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("demo data already loaded; nothing to do")
        return
    seed = current_app.config["DEMO_SEED"] if seed is None else seed
    persons = current_app.config["DEMO_PERSONS"] if persons is None else persons
    summary = load_demo(db.session, seed=seed, persons=persons)
    if campaign:
        summary["campaign"] = load_demo_campaign(db.session, seed=seed)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    if summary.get("roster_kept"):
        click.echo("a roster is in place already; no demo roster added")
    else:
        click.echo(f"loaded {summary['persons']} persons in {summary['counties']} counties")
    worked = summary.get("campaign")
    if worked:
        click.echo(f"demo campaign: {worked['tasks']} follow-up tasks, {worked['closed']} closed after "
                   f"{worked['attempts']} attempts over the last working days")
    elif campaign:
        click.echo("no demo campaign added: it is there already, or real county rosters are in place")
    click.echo("demo accounts (username / password):")
    for account in summary["accounts"]:
        click.echo(f"  {account['role']:<12} {account['username']:<12} {account['password']}")


def init_commands(app) -> None:
    """Attach the command groups to the app's CLI."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo)
    from roster.cli import roster_cli

    app.cli.add_command(roster_cli)
    from campaigns.cli import init_app as init_campaign_commands

    init_campaign_commands(app)
    from callbacks.cli import init_app as init_followup_commands

    init_followup_commands(app)
    from reports.cli import init_app as init_report_commands

    init_report_commands(app)
