"""Operator commands: `flask campaign …` and `flask sample size|allocate|draw|verify|export|frame`.

Every command takes --json for scripts. Errors exit with status 1 (with --json: {"error": {...}} on stdout).
"""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from campaigns import drawing, export, service
from campaigns.design import ALLOCATIONS, POPULATIONS, SIZE_METHODS, STRATUM_FIELDS, DesignError, parse_design
from campaigns.verification import drawn_frame, verify
from core.extensions import db
from core.gcpause import collector_paused
from models import Campaign, Draw, User
from sampling.allocation import allocate
from sampling.errors import SamplingInputError
from sampling.percent import rate_value
from sampling.sizes import attribute_sample_size, precision_sample_size

campaign_cli = AppGroup("campaign", help="Verification campaigns (核查批次).")
sample_cli = AppGroup("sample", help="Sample sizes, allocation, draws, their verification and export.")


def _lang() -> str:
    return "zh" if str(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")).startswith("zh") else "en"


def _emit(as_json: bool, data, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False) if as_json else text)


def _fail(as_json: bool, code: str, message: str, **extra):
    """Stop the command with status 1, saying why (as JSON with --json)."""
    db.session.rollback()
    if as_json:
        click.echo(json.dumps({"error": {"code": code, "message": message, **extra}}, ensure_ascii=False))
        raise SystemExit(1)
    raise click.ClickException(message)


def _run(as_json: bool, action):
    """Run an action, turning the known refusals into a clean exit with status 1."""
    try:
        return action()
    except SamplingInputError as error:
        _fail(as_json, error.code, error.message(_lang()))
    except DesignError as error:
        _fail(as_json, "design_invalid", "; ".join(f"{f}: {m}" for f, m in error.problems),
              problems=dict(error.problems))
    except service.ServiceError as error:
        _fail(as_json, error.code, error.message)


def _user(username: str | None):
    if not username:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    return user


def _read_json(path: str | None, as_json: bool, option: str) -> dict | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        _fail(as_json, "file_invalid", f"{option}: {error}")
    if not isinstance(data, dict):
        _fail(as_json, "file_invalid", f"{option}: expected a JSON object stratum -> number")
    return data


@campaign_cli.command("create")
@click.option("--name", required=True)
@click.option("--counties", default="", help="Comma-separated county codes (default: every active county).")
@click.option("--description", default="")
@click.option("--start", "period_start", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--end", "period_end", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--user", "username", default=None, help="Record this user as the creator.")
@click.option("--json", "as_json", is_flag=True)
def campaign_create(name, counties, description, period_start, period_end, username, as_json):
    """Create a campaign; print its id."""
    codes = [c.strip() for c in counties.split(",") if c.strip()]
    campaign = _run(as_json, lambda: service.create_campaign(
        name, codes, description, period_start.date() if period_start else None,
        period_end.date() if period_end else None, user=_user(username)))
    _emit(as_json, {"id": campaign.id}, str(campaign.id))


@campaign_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def campaign_list(as_json):
    """List the campaigns."""
    rows = [service.campaign_summary(c) for c in db.session.scalars(select(Campaign).order_by(Campaign.id))]
    text = "\n".join(f"{c['id']}\t{c['name']}\t{','.join(c['counties'])}\tdraw={c['current_draw']}" for c in rows)
    _emit(as_json, rows, text)


@sample_cli.command("size")
@click.option("--method", type=click.Choice(["precision", "attribute"]), required=True)
@click.option("--population", type=int, default=None, help="N (precision; omit for an unbounded population).")
@click.option("--margin", default=None, help="Margin of error e: 5, 5% or 0.05.")
@click.option("--confidence", default="0.95", show_default=True, help="95, 95% or 0.95.")
@click.option("--rate", default="0.5", show_default=True, help="Anticipated rate p: 50, 50% or 0.5.")
@click.option("--tolerable", default=None, help="Tolerable deviation rate (attribute): 5, 5% or 0.05.")
@click.option("--expected", default="0", show_default=True, help="Expected deviation rate: 1% or 0.01.")
@click.option("--json", "as_json", is_flag=True)
def sample_size(method, population, margin, confidence, rate, tolerable, expected, as_json):
    """Compute a sample size by the precision or the audit attribute rule."""
    margin, confidence, rate, tolerable, expected = _run(as_json, lambda: [
        rate_value(v, f) for v, f in ((margin, "margin"), (confidence, "confidence"), (rate, "rate"),
                                      (tolerable, "tolerable"), (expected, "expected"))])
    if method == "precision":
        n = _run(as_json, lambda: precision_sample_size(margin, confidence, rate, population))
        _emit(as_json, {"n": n}, f"n = {n}")
        return
    plan = _run(as_json, lambda: attribute_sample_size(confidence, tolerable, expected))
    _emit(as_json, {"n": plan.n, "allowed_deviations": plan.allowed_deviations},
          f"n = {plan.n}, allowed deviations = {plan.allowed_deviations}")


@sample_cli.command("allocate")
@click.option("--total", type=int, required=True)
@click.option("--method", type=click.Choice(ALLOCATIONS), required=True)
@click.option("--minimum", type=int, default=0, show_default=True)
@click.option("--populations", "populations_file", required=True, help="JSON file: stratum -> N_h.")
@click.option("--rates", "rates_file", default=None, help="JSON file: stratum -> anticipated rate (Neyman).")
@click.option("--json", "as_json", is_flag=True)
def sample_allocate(total, method, minimum, populations_file, rates_file, as_json):
    """Allocate a total over any strata (not only the database's counties)."""
    populations = _read_json(populations_file, as_json, "--populations")
    rates = _read_json(rates_file, as_json, "--rates")
    sizes = _run(as_json, lambda: allocate(populations, total, method, minimum, rates))
    _emit(as_json, sizes, "\n".join(f"{h}\t{n}" for h, n in sizes.items()))


@sample_cli.command("draw")
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.option("--counties", default="", help="Comma-separated county codes (default: all of the campaign).")
@click.option("--population", type=click.Choice(list(POPULATIONS)), default="registered", show_default=True)
@click.option("--cancelled-from", default=None, help="First day of the cancellation period (YYYY-MM-DD).")
@click.option("--cancelled-to", default=None, help="Last day of the cancellation period (YYYY-MM-DD).")
@click.option("--stratify-by", type=click.Choice([k for k in STRATUM_FIELDS if k]), default=None,
              help="Cross the counties with one roster field, or with the register findings (register_finding).")
@click.option("--oversample", default=None,
              help="With --stratify-by register_finding: the factor (>= 1) by which the strata with a finding "
                   "are oversampled.")
@click.option("--method", type=click.Choice(list(SIZE_METHODS)), default="total", show_default=True)
@click.option("--n", "n", type=int, default=None, help="n per stratum (fixed).")
@click.option("--total", type=int, default=None, help="Total n (total).")
@click.option("--allocation", type=click.Choice(ALLOCATIONS), default="proportional", show_default=True)
@click.option("--minimum", type=int, default=0, show_default=True)
@click.option("--rates", "rates_file", default=None, help="JSON file: stratum or county -> anticipated rate.")
@click.option("--margin", default=None, help="5, 5% or 0.05.")
@click.option("--confidence", default="0.95", show_default=True,
              help="95, 95% or 0.95; also the campaign's confidence for its audit conclusions.")
@click.option("--rate", default="0.5", show_default=True)
@click.option("--tolerable", default=None, help="5, 5% or 0.05; also the campaign's tolerable rate.")
@click.option("--expected", default="0", show_default=True)
@click.option("--reserve-share", type=float, default=None, help="Reserves as a share of n_h (default 0.2).")
@click.option("--reserve-count", type=int, default=None, help="Reserves as a count per stratum.")
@click.option("--exclude-months", type=int, default=None,
              help="Leave out persons verified in another campaign within this many months.")
@click.option("--seed", default=None, help="Public seed as typed (default: system-generated).")
@click.option("--reason", default="", help="Written reason, required to redraw.")
@click.option("--user", "username", default=None, help="Record this user as the one who drew.")
@click.option("--json", "as_json", is_flag=True)
def sample_draw(campaign_id, counties, rates_file, seed, reason, username, as_json, **options):
    """Draw (or redraw, with --reason) a campaign's sample and publish it."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        _fail(as_json, "not_found", f"no campaign {campaign_id}")
    data = {key: value for key, value in options.items() if value is not None}
    data["counties"] = counties
    data["rates"] = _read_json(rates_file, as_json, "--rates")
    if options.get("reserve_count") is not None and options.get("reserve_share") is None:
        data["reserve_mode"] = "count"
    user = _user(username)
    draw = _run(as_json, lambda: drawing.make_draw(
        campaign, parse_design(data, [c.code for c in campaign.counties]), seed, reason, user=user))
    summary = service.draw_summary(draw)
    _emit(as_json, summary, f"draw {draw.id}: {summary['sample']} units + {summary['reserves']} reserves from "
                            f"{draw.frame_size} persons; seed {draw.seed_text}; fingerprint {draw.frame_fingerprint}")


def _draw(draw_id: int, as_json: bool) -> Draw:
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        _fail(as_json, "not_found", f"no draw {draw_id}")
    return draw


@sample_cli.command("verify")
@click.argument("draw_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def sample_verify(draw_id, as_json):
    """Rebuild the frame from the stored snapshots, re-draw from the seed; exit 0 on match, 1 on mismatch."""
    report = verify(_draw(draw_id, as_json))
    messages = report.messages_zh if _lang() == "zh" else report.messages_en
    _emit(as_json, report.as_dict(),
          f"draw {draw_id}: match" if report.match else f"draw {draw_id}: mismatch\n" + "\n".join(messages))
    if not report.match:
        raise SystemExit(1)


@sample_cli.command("export")
@click.argument("draw_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--county", default=None, help="Only this county.")
@click.option("--json", "as_json", is_flag=True)
def sample_export(draw_id, fmt, output, county, as_json):
    """Write a draw's sample list (ID and phone masked) to an XLSX or CSV (UTF-8 with BOM) file."""
    draw = _draw(draw_id, as_json)
    rows = export.unit_rows(db.session, draw, county)
    Path(output).write_bytes(export.to_xlsx(db.session, draw, rows, county) if fmt == "xlsx" else export.to_csv(rows))
    export.record_use("draw.export", draw, format=fmt, county=county, rows=len(rows), via="cli")
    _emit(as_json, {"draw": draw.id, "rows": len(rows), "output": str(output), "format": fmt},
          f"wrote {len(rows)} rows to {output}")


@sample_cli.command("frame")
@click.argument("draw_id", type=int)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--json", "as_json", is_flag=True)
def sample_frame(draw_id, output, as_json):
    """Write the frame a draw was made from (key, stratum; persons it left out removed) for an auditor.

    The keys hold full ID numbers: the file is for the auditor re-deriving the draw (docs/sampling.md),
    given out by an operator; every export is in the audit log. Refused when the rebuilt frame's
    fingerprint differs from the recorded one (the draw then no longer verifies: see `sample verify`).
    """
    from sampling.frame import frame_fingerprint

    draw = _draw(draw_id, as_json)
    with collector_paused():
        frame = drawn_frame(db.session, draw)
        fingerprint = frame_fingerprint(frame.keys, frame.strata)
    if fingerprint != draw.frame_fingerprint:
        _fail(as_json, "frame_changed", f"draw {draw_id}: the rebuilt frame's fingerprint {fingerprint} differs "
              f"from the recorded {draw.frame_fingerprint}; run `flask sample verify {draw_id}`")
    Path(output).write_bytes(export.frame_csv(frame.keys, frame.strata))
    export.record_use("draw.export_frame", draw, rows=len(frame), fingerprint=fingerprint, via="cli")
    _emit(as_json, {"draw": draw.id, "rows": len(frame), "fingerprint": fingerprint, "output": str(output)},
          f"wrote {len(frame)} frame rows to {output} (fingerprint {fingerprint})")
