"""`flask registers import / match / findings / purge`: the cross-register checks from the command line."""

import json
import os
import sys
from datetime import date

import click
from flask.cli import AppGroup

from config.registers import KIND_CODES
from core.clock import now
from core.extensions import db
from models import County
from registers.findings import county_summaries, export_xlsx
from registers.importing import RegisterError, import_register
from registers.matching import run_match
from registers.retention import purge_expired

registers_cli = AppGroup("registers", help="Cross-register checks (数据比对) against reference registers.")


def _fail(error: RegisterError, as_json: bool) -> None:
    """Print a refused command's reason and exit with 1."""
    click.echo(json.dumps({"error": {"code": error.code, "message": error.message}}, ensure_ascii=False)
               if as_json else error.message, err=not as_json)
    sys.exit(1)


@registers_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(KIND_CODES), required=True, help="Which register the file holds.")
@click.option("--label", default=None, help="A generic list's name (shown with its findings).")
@click.option("--map", "mapping", multiple=True, metavar="HEADER=FIELD",
              help="Name the column of a field the headers do not say, e.g. --map 缴费月=period_from.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def import_command(path, kind, label, mapping, as_json):
    """Import a reference register file (CSV in UTF-8 or GBK, or XLSX); invalid rows are reported."""
    overrides = dict(item.split("=", 1) for item in mapping if "=" in item)
    try:
        batch = import_register(path, os.path.basename(path), kind, label=label, mapping=overrides)
    except RegisterError as error:
        _fail(error, as_json)
    outcome = {"import": batch.id, "kind": batch.kind, "rows": batch.rows_total, "stored": batch.rows_valid,
               "rejected": batch.rows_rejected, "problems": batch.problems[:20], "problem_count": batch.problem_count}
    if as_json:
        click.echo(json.dumps(outcome, ensure_ascii=False))
        return
    click.echo(f"导入 {batch.id}: {batch.rows_total} 行，保存 {batch.rows_valid} 行，拒绝 {batch.rows_rejected} 行 "
               f"(import {batch.id}: {batch.rows_total} rows, {batch.rows_valid} stored, {batch.rows_rejected} rejected)")
    for problem in batch.problems[:20]:
        click.echo(f"  第{problem['row']}行 {problem['message_zh']}")


@registers_cli.command("match")
@click.option("--county", default=None, help="Match only this county's registered persons.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def match_command(county, as_json):
    """Match the current rosters against the imported registers; print the persons per county and finding."""
    if county and db.session.get(County, county) is None:
        click.echo(f"县区代码 {county} 不存在 (no county {county})", err=True)
        sys.exit(1)
    try:
        match = run_match(county=county)
    except RegisterError as error:
        _fail(error, as_json)
    outcome = {"match": match.id, "pairs": match.records, "findings": match.findings, "counts": match.counts}
    if as_json:
        click.echo(json.dumps(outcome, ensure_ascii=False))
        return
    click.echo(f"比对 {match.id}: {match.records} 条记录比中，{match.findings} 项发现 "
               f"(match {match.id}: {match.records} matched records, {match.findings} findings)")
    for code, counts in sorted(match.counts.items()):
        click.echo(f"  {code}: " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items())))


@registers_cli.command("findings")
@click.option("--county", required=True, help="County code.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the county's findings (ID numbers masked) to this XLSX file.")
@click.option("--json", "as_json", is_flag=True, help="Print the county's counts and shares as JSON.")
def findings_command(county, output, as_json):
    """Show a county's findings per type, and write their list to an XLSX file."""
    if db.session.get(County, county) is None:
        click.echo(f"县区代码 {county} 不存在 (no county {county})", err=True)
        sys.exit(1)
    summary = county_summaries([county])[0]
    if output:
        data, _headers = export_xlsx(county, date.today())
        with open(output, "wb") as out:
            out.write(data)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(f"{county}: {summary['with_any']} / {summary['registered']} 名登记人员有比对发现")
    for finding_type, figures in summary["types"].items():
        if figures["count"]:
            click.echo(f"  {finding_type}: {figures['count']} ({figures['share']:.2%})")
    if output:
        click.echo(f"已写入 {output} (written)")


@registers_cli.command("purge")
def purge_command():
    """Delete the imported files (and unmatched records) older than REGISTER_RETENTION_DAYS."""
    click.echo(f"purged {purge_expired(now())} imports")
