"""Operator commands: `flask checklist copy` gives a campaign the notice's checklist, `flask checklist
progress` prints every county's progress."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from checklists.progress import overview
from checklists.setup import copy_template
from core.clock import now
from core.extensions import db
from models import Campaign

checklist_cli = AppGroup("checklist", help="The verification checklist (核查清单) of a campaign.")


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"campaign {campaign_id}: no such campaign")
    return campaign


@checklist_cli.command("copy")
@click.option("--campaign", "campaign_id", type=int, required=True, help="The campaign's id.")
def copy_command(campaign_id: int) -> None:
    """Give the campaign the checklist of the notice (四、核查内容), unless it has one."""
    added = copy_template(_campaign(campaign_id))
    click.echo(f"{added} items copied" if added else "the campaign has its checklist")


@checklist_cli.command("progress")
@click.option("--campaign", "campaign_id", type=int, required=True, help="The campaign's id.")
def progress_command(campaign_id: int) -> None:
    """Print each county's items concluded, conclusions, meetings and open rectification."""
    campaign = _campaign(campaign_id)
    today = now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    click.echo("county\tchecked\titems\tcompliant\tlargely\tnoncompliant\tn/a\tsigned_off\tmeetings\topen_rect")
    for r in overview(db.session, campaign, today):
        c = r["conclusions"]
        click.echo(f"{r['code']}\t{r['checked']}\t{r['items']}\t{c['compliant']}\t{c['largely_compliant']}\t"
                   f"{c['noncompliant']}\t{c['not_applicable']}\t{r['signed_off']}\t{r['meetings']}\t"
                   f"{r['rectification']['open']}")
