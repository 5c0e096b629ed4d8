"""Operator commands of the follow-up: `flask tasks …` and `flask scheduler …`."""

import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from callbacks.context import SYSTEM, Actor, retry_rules
from callbacks.errors import FollowUpError
from core.clock import now
from core.extensions import db
from models import User

tasks_cli = AppGroup("tasks", help="Follow-up tasks: generate from a draw, assign to callers.")
scheduler_cli = AppGroup("scheduler", help="The follow-up scheduler (exactly one runs).")


@tasks_cli.command("generate")
@click.argument("draw_id", type=int)
@click.option("--visit-first", is_flag=True, help="Start every task as a home visit.")
def tasks_generate(draw_id, visit_first):
    """Make one follow-up task per active unit of a draw (safe to run again)."""
    from callbacks.tasks import generate_tasks

    try:
        result = generate_tasks(draw_id, now(), retry_rules(), SYSTEM, visit_first=visit_first)
    except FollowUpError as error:
        raise click.ClickException(error.message()) from error
    click.echo(json.dumps(result.__dict__))


@tasks_cli.command("assign")
@click.argument("county")
@click.option("--callers", required=True, help="Comma-separated usernames.")
@click.option("--as", "as_user", required=True, help="The coordinator doing it (for the audit log).")
def tasks_assign(county, callers, as_user):
    """Share a county's unassigned tasks among callers, balanced by count."""
    from callbacks.tasks import assign_balanced

    names = [name.strip() for name in callers.split(",") if name.strip()]
    users = db.session.scalars(select(User).where(User.username.in_(names))).all()
    coordinator = db.session.scalar(select(User).where(User.username == as_user))
    if len(users) != len(names) or coordinator is None:
        raise click.ClickException("unknown username")
    try:
        given = assign_balanced(Actor.of(coordinator), county, [u.id for u in users])
    except FollowUpError as error:
        raise click.ClickException(error.message()) from error
    click.echo(json.dumps({u.username: given.get(u.id, 0) for u in users}))


@scheduler_cli.command("run")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between tries while another holds the lock.")
def scheduler_run(poll):
    """Run the scheduler in the foreground; a second one waits for the lock."""
    from callbacks.scheduler import run_scheduler

    run_scheduler(current_app._get_current_object(), poll_seconds=poll)


@scheduler_cli.command("sweep")
def scheduler_sweep():
    """Run every sweep once now (they are idempotent) and print what changed."""
    from callbacks.scheduler import run_sweeps

    click.echo(json.dumps(run_sweeps()))
