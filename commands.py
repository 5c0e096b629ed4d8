"""The plumbing's operator commands: `flask db …` (migrations), `flask audit …` (the audit log) and
`flask jobs …` (the workers that run heavy jobs off the web processes).

Each area adds its own commands in its init_app (`flask users`, `flask roster`, …)."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from core import background, migrate
from core.extensions import db

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
audit_cli = AppGroup("audit", help="The append-only audit log.")
jobs_cli = AppGroup("jobs", help="Heavy jobs (roster checks and imports) in the job queue (JOB_QUEUE_URL).")


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


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--name", default=None, help="The worker's name in the queue (default: a random one).")
def jobs_worker(burst, name):
    """Run queued jobs, one at a time in this process, until stopped (SIGTERM lets the running job finish)."""
    try:
        background.work(current_app._get_current_object(), burst=burst, name=name)
    except background.QueueUnavailable as error:
        click.echo(f"任务队列不可用 job queue unavailable: {error}", err=True)
        raise SystemExit(1) from error


@jobs_cli.command("status")
@click.option("--json", "as_json", is_flag=True)
def jobs_status(as_json):
    """Count the jobs waiting, running and failed in the queue, and the workers serving it."""
    try:
        report = background.status(current_app._get_current_object())
    except background.QueueUnavailable as error:
        click.echo(f"任务队列不可用 job queue unavailable: {error}", err=True)
        raise SystemExit(1) from error
    if as_json:
        click.echo(json.dumps(report))
    else:
        click.echo(" ".join(f"{key}={value}" for key, value in report.items()))


def init_commands(app) -> None:
    """Attach the plumbing's command groups (schema, audit log, jobs) to the app's CLI; areas add their own."""
    app.cli.add_command(db_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(jobs_cli)
