"""`flask reports docx`: a county's feedback or the city-wide report written to a file, as the pages give them."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from core.clock import now
from core.extensions import db
from documents import service
from models import Campaign

reports_cli = AppGroup("reports", help="Verification documents (核查情况反馈意见, 专项核查情况通报) as DOCX.")


@reports_cli.command("docx")
@click.option("--campaign", "campaign_id", type=int, required=True, help="The campaign's id.")
@click.option("--county", "county_code", help="The county's code: its feedback (核查情况反馈意见).")
@click.option("--summary", is_flag=True, help="The city-wide report (专项核查情况通报).")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
              help="The file to write.")
def docx_command(campaign_id: int, county_code: str | None, summary: bool, output: Path) -> None:
    """Write a county's feedback (--county C) or the city-wide report (--summary) as DOCX."""
    if bool(county_code) == summary:
        raise click.UsageError("give either --county CODE or --summary")
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"campaign {campaign_id}: no such campaign")
    today = now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    if county_code:
        if county_code not in {c.code for c in campaign.counties}:
            raise click.ClickException(f"county {county_code}: not in campaign {campaign_id}")
        data, _name = service.feedback_docx(campaign, county_code, today)
    else:
        data, _name = service.summary_docx(campaign, today)
    output.write_bytes(data)
    click.echo(f"{output}: {len(data)} bytes")
