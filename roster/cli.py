"""`flask roster import FILE`: the same import as the page, from the command line."""

import json
import os
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from extensions import db
from roster import importer
from roster.checking import worker_count

roster_cli = AppGroup("roster", help="County rosters of registered unemployed persons.")


@roster_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--county", default=None, help="County code of a one-county file without a county column.")
@click.option("--dry-run", is_flag=True, help="Check and count only; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def import_command(path, county, dry_run, as_json):
    """Check a roster file and import it as new snapshots of its counties (all or nothing)."""
    batch = importer.create_batch(db.session, path, os.path.basename(path), current_app.instance_path,
                                  default_county=county)
    db.session.commit()
    if batch.status != "duplicate":
        with click.progressbar(length=0, label="校验中 checking", show_pos=True, file=sys.stderr,
                               hidden=as_json) as bar:
            batch = importer.validate_batch(db.session, batch.id, date.today(),
                                            progress=lambda rows: bar.update(rows - bar.pos),
                                            workers=worker_count(current_app.config.get("IMPORT_WORKERS")))
    if batch.status == "previewed" and not dry_run:
        batch = importer.commit_batch(db, batch.id)
    outcome = {"batch": batch.id, "status": batch.status, "rows_read": batch.rows_read,
               "added": batch.added, "updated": batch.updated, "unchanged": batch.unchanged,
               "removed": batch.removed, "rejected": batch.rows_rejected, "warnings": batch.rows_warned,
               "duplicates": batch.duplicates, "counties": batch.counties, "error_code": batch.error_code}
    if as_json:
        click.echo(json.dumps(outcome, ensure_ascii=False))
    else:
        _print_outcome(batch, outcome)
    if batch.status in ("failed", "needs_mapping"):
        sys.exit(1)


def _print_outcome(batch, outcome):
    """Tell the operator, in Chinese first, what happened."""
    if batch.status == "duplicate":
        click.echo(f"此文件已于批次 #{batch.error_message} 导入，未做任何更改 (already imported)")
    elif batch.status == "failed":
        click.echo(batch.error_message, err=True)
    elif batch.status == "needs_mapping":
        click.echo(f"缺少必需列 missing required columns: {batch.error_message}", err=True)
    else:
        verb = "已导入 imported" if batch.status == "committed" else "已校验 checked (dry run)"
        click.echo(f"{verb}: 批次 batch #{batch.id}, 读取 read {outcome['rows_read']}, 新增 added "
                   f"{outcome['added']}, 更新 updated {outcome['updated']}, 不再在册 removed {outcome['removed']}, "
                   f"拒绝 rejected {outcome['rejected']}, 重复身份证号 duplicates {outcome['duplicates']}")
    if batch.rows_rejected:
        click.echo(f"错误明细见页面 /roster/imports/{batch.id} 或 API /api/v1/imports/{batch.id}/problems")
