"""`flask roster import FILE`: the same import as the page, from the command line."""

import json
import os
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from core.extensions import db
from roster import snapshots
from roster.batches import ImportError_
from roster.checking import worker_count
from roster.import_check import validate_batch
from roster.import_commit import RemovalsNeedConfirmation
from roster.import_direct import check_and_import
from roster.uploads import open_batch

roster_cli = AppGroup("roster", help="County rosters of registered unemployed persons.")


@roster_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--county", default=None, help="County code of a one-county file without a county column.")
@click.option("--dry-run", is_flag=True, help="Check and count only; change nothing.")
@click.option("--confirm-removals", is_flag=True,
              help="Import even when it takes many persons off a county's register (see IMPORT_MAX_REMOVAL_SHARE).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def import_command(path, county, dry_run, confirm_removals, as_json):
    """Check a roster file and import it as new snapshots of its counties (all or nothing).

    Exits with 3, changing nothing, when the import would take more persons off a county's register
    than allowed and --confirm-removals is not given; the batch stays checked, to be imported later.
    """
    batch = open_batch(path, os.path.basename(path), default_county=county)
    workers = worker_count(current_app.config.get("IMPORT_WORKERS"))
    if batch.status != "duplicate":
        with click.progressbar(length=0, label="校验中 checking", show_pos=True, file=sys.stderr,
                               hidden=as_json) as bar:
            def progress(rows):
                bar.update(rows - bar.pos)

            try:
                if dry_run:
                    batch = validate_batch(db.session, batch.id, date.today(), progress=progress, workers=workers)
                else:  # nobody looks at a preview: check and write at once
                    batch = check_and_import(db, batch.id, date.today(), progress=progress, workers=workers,
                                             confirm_removals=confirm_removals)
            except RemovalsNeedConfirmation as refusal:
                _refuse(db.session.get(type(batch), batch.id), refusal, as_json)
            except ImportError_ as error:
                click.echo(json.dumps({"error": {"code": error.code, "message": error.message_zh}},
                                      ensure_ascii=False)
                           if as_json else f"{error.message_zh}\n{error.message_en}", err=not as_json)
                sys.exit(1)
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


def _refuse(batch, refusal, as_json):
    """Say which counties would lose persons, and stop with exit code 3; nothing was changed."""
    if as_json:
        click.echo(json.dumps(refusal.as_json() | {"batch": batch.id}, ensure_ascii=False))
    else:
        click.echo(f"{refusal.message_zh}（批次 #{batch.id}，未做任何更改）：", err=True)
        for county in refusal.counties:
            click.echo(f"  {county['county']}: 现有 {county['before']} 人 → 导入后 {county['after']} 人，"
                       f"移出 {county['removed']} 人，新增 {county['added']} 人", err=True)
        click.echo("确认无误后加 --confirm-removals 重新运行 (rerun with --confirm-removals)", err=True)
    sys.exit(3)


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


@roster_cli.command("history")
@click.option("--county", required=True, help="County code.")
@click.option("--json", "as_json", is_flag=True, help="Print the snapshots as JSON.")
def history_command(county, as_json):
    """List a county's roster snapshots, newest first."""
    rows = [snapshots.snapshot_json(s) for s in snapshots.county_history(db.session, county)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"#{row['id']}  {row['created_at']}  {row['persons']:>8} 人  {row['source']}"
                   f"{'  当前 current' if row['current'] else ''}")


@roster_cli.command("restore")
@click.option("--county", required=True, help="County code.")
@click.option("--snapshot", "snapshot_id", type=int, default=None,
              help="Snapshot to bring back (default: the one before the current).")
@click.option("--reason", required=True, help="Why (goes to the audit log).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def restore_command(county, snapshot_id, reason, as_json):
    """Make an earlier snapshot of a county current again, as a new snapshot (undo an import)."""
    try:
        snapshot = snapshots.restore_snapshot(db, county, snapshot_id, reason=reason)
    except snapshots.SnapshotError as error:
        click.echo(json.dumps({"error": {"code": error.code, "message": error.message_zh}}, ensure_ascii=False)
                   if as_json else f"{error.message_zh}\n{error.message_en}", err=not as_json)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(snapshots.snapshot_json(snapshot), ensure_ascii=False))
    else:
        click.echo(f"已恢复 restored: 快照 #{snapshot.restored_from_id} → 新的当前快照 #{snapshot.id}，"
                   f"{snapshot.row_count} 人")

