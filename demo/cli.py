"""`flask demo`: load the demo into an empty database (`make run` does it on first start)."""

import json
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from core.extensions import db
from models import User


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
    from demo.registers import load_demo_registers

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("demo data already loaded; nothing to do")
        return
    seed = current_app.config["DEMO_SEED"] if seed is None else seed
    persons = current_app.config["DEMO_PERSONS"] if persons is None else persons
    summary = load_demo(db.session, seed=seed, persons=persons)
    if campaign:
        summary["campaign"] = load_demo_campaign(db.session, seed=seed)
    summary["registers"] = load_demo_registers(db.session, seed=seed, today=date.today())
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
    if summary["registers"]:
        click.echo(f"demo registers: {summary['registers']['findings']} findings in the cross-register checks")
    click.echo("demo accounts (username / password):")
    for account in summary["accounts"]:
        click.echo(f"  {account['role']:<12} {account['username']:<12} {account['password']}")
