"""Operator commands: `flask stats estimate` for samples worked outside the app, and
`flask rectification generate` for the rectification lists."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from sampling.audit import audit_conclusion
from sampling.checks import EstimateInputError, check_count, check_rate_counts
from sampling.errors import SamplingInputError
from sampling.estimates import (
    CLOPPER_PEARSON,
    KORN_GRAUBARD,
    LOGIT,
    WILSON,
    rate_estimate,
    stratified_estimate,
)
from sampling.percent import RateReading, parse_rate

stats_cli = AppGroup("stats", help="Statistics: estimates for samples worked outside the app.")
rectification_cli = AppGroup("rectification", help="Rectification (整改) lists.")

COLUMNS = ("stratum", "N", "m", "d")  # required; "open" (unresolved units) is optional


class InputProblem(click.ClickException):
    """A bad input file: the message names the row (the CSV line, or the JSON entry) and the field."""


def _where(row: int, stratum, json_input: bool) -> str:
    name = f" (stratum {stratum})" if stratum not in (None, "") else ""
    return f"{'entry' if json_input else 'row'} {row}{name}"


def read_rows(path: Path) -> tuple[list[dict], bool]:
    """Read a CSV (header row, one row per stratum) or JSON (a list of objects, or {"strata": [...]})."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputProblem(f"{path.name} is not valid JSON: line {error.lineno}: {error.msg}") from None
        entries = data.get("strata") if isinstance(data, dict) else data
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise InputProblem('the JSON must be a list of objects, or {"strata": [objects]}, one per stratum')
        return [{"_row": i, **e} for i, e in enumerate(entries, start=1)], True
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputProblem(f"row 1 (header): missing column(s) {', '.join(missing)}; "
                           f"the columns are {', '.join(COLUMNS)} and optionally open")
    reader.fieldnames = header
    return [{"_row": i, **row} for i, row in enumerate(reader, start=2)], False


def _number(value, field: str, where: str) -> int:
    """Read a count from text or JSON, or raise naming the row and the field."""
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = raw
    try:
        return check_count(value, field)
    except EstimateInputError as error:
        raise InputProblem(f"{where}: {error.message_en} / {error.message_zh}") from None


def parse_strata(rows: list[dict], json_input: bool) -> list[dict]:
    """Check every stratum row and return them as {stratum, N, m, d, open, row}."""
    if not rows:
        raise InputProblem("the file has no strata")
    strata = []
    seen: dict[str, str] = {}  # stratum -> where it was first given
    for row in rows:
        stratum = row.get("stratum")
        where = _where(row["_row"], stratum, json_input)
        absent = [c for c in COLUMNS if row.get(c) in (None, "")]
        if absent:
            raise InputProblem(f"{where}: missing value(s) for {', '.join(absent)}")
        stratum = str(stratum).strip()
        if stratum in seen:
            raise InputProblem(f"{where}: the stratum is repeated (first at {seen[stratum]})")
        seen[stratum] = f"{'entry' if json_input else 'row'} {row['_row']}"
        N, m, d = (_number(row[c], c, where) for c in ("N", "m", "d"))
        o = _number(row.get("open") or 0, "open", where)
        try:
            check_rate_counts(d, m)
            if N == 0:
                raise EstimateInputError("stratum_population_zero")
            if m + o > N:
                raise EstimateInputError("sample_exceeds_population", sample=m + o, population=N)
        except EstimateInputError as error:
            raise InputProblem(f"{where}: {error.message_en} / {error.message_zh}") from None
        strata.append({"row": row["_row"], "stratum": stratum, "N": N, "m": m, "d": d, "open": o})
    return strata


def _audit(s: dict, tolerable: RateReading, confidence: RateReading) -> dict:
    """Return a stratum's exact audit conclusion against the tolerable rate, as the dashboard has it."""
    a = audit_conclusion(s["d"], s["m"], tolerable.value, confidence.value, open_units=s["open"], population=s["N"])
    return {"status": a.status, "upper": a.upper, "lower": a.lower, "n_needed": a.n_needed}


def _reading(r: RateReading | None) -> dict | None:
    return None if r is None else {"text": r.text, "value": float(r.value), "reading": r.reading, "shown": r.shown}


def estimate(strata: list[dict], method: str, overall_method: str, confidence: float | RateReading,
             tolerable: RateReading | None = None) -> dict:
    """Compute per stratum p, interval and weight (and the audit conclusion), and overall p_st, SE, interval."""
    reading = confidence if isinstance(confidence, RateReading) else parse_rate(confidence, "confidence")
    confidence = float(reading.value)
    total = sum(s["N"] for s in strata)
    result = stratified_estimate([s["N"] for s in strata], [s["m"] for s in strata], [s["d"] for s in strata],
                                 confidence, overall_method, open_h=[s["open"] for s in strata])
    per_stratum = []
    for s, used_weight in zip(strata, result.weights, strict=True):
        r = rate_estimate(s["d"], s["m"], s["open"], confidence, method)
        per_stratum.append({**s, "weight": s["N"] / total, "weight_used": used_weight, "p": r.p, "low": r.low,
                            "high": r.high, "worst_case": r.worst_case, "best_case": r.best_case}
                           | ({"audit": _audit(s, tolerable, reading)} if tolerable is not None else {}))
    names = [s["stratum"] for s in strata]
    return {
        "confidence": confidence, "confidence_reading": _reading(reading), "tolerable": _reading(tolerable),
        "interval": method, "overall_interval": overall_method, "strata": per_stratum,
        "overall": {"p": result.p, "se": result.se, "low": result.low, "high": result.high, "df": result.df,
                    "n": result.n, "N": total, "interval_rule": result.interval_rule, "coverage": result.coverage,
                    "complete": result.complete, "open": result.open_units,
                    "strata_excluded": [names[i] for i in result.strata_excluded],
                    "strata_lonely": [names[i] for i in result.strata_lonely],
                    "worst_case": result.worst_case, "best_case": result.best_case},
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def print_text(result: dict) -> None:
    """Print the estimate as a readable table."""
    for name, key in (("confidence", "confidence_reading"), ("tolerable rate", "tolerable")):
        if result[key]:
            click.echo(f"{name} {result[key]['shown']} (read as a {result[key]['reading']})")
    click.echo(f"{'stratum':<16}{'N':>9}{'m':>7}{'d':>6}{'open':>6}{'weight':>9}{'p':>9}  interval ({result['interval']})")
    for s in result["strata"]:
        click.echo(f"{s['stratum']:<16}{s['N']:>9}{s['m']:>7}{s['d']:>6}{s['open']:>6}{s['weight']:>9.4f}"
                   f"{_pct(s['p']):>9}  {_pct(s['low'])}–{_pct(s['high'])}{_audit_text(s.get('audit'))}")
    o = result["overall"]
    se = "—" if o["se"] is None else f"{o['se']:.5f}"
    click.echo(f"overall p_st = {_pct(o['p'])}, SE = {se}, {int(result['confidence'] * 100)}% interval "
               f"{_pct(o['low'])}–{_pct(o['high'])} ({o['interval_rule']}, df = {o['df']})")
    if not o["complete"]:
        click.echo(f"incomplete: no resolved unit in {', '.join(o['strata_excluded'])}; "
                   f"the estimate covers {o['coverage'] * 100:.1f}% of the population")
    click.echo(f"if every open unit were discrepant: {_pct(o['worst_case'])}; if none: {_pct(o['best_case'])}")


def _audit_text(audit: dict | None) -> str:
    if audit is None:
        return ""
    more = f", {audit['n_needed']} more clean to be within" if audit["status"] == "inconclusive" and audit["n_needed"] else ""
    return f"  audit: {audit['status']}{more}"


def _rate_option(value: str | None, option: str, field: str) -> RateReading | None:
    """Read a rate option (95, 95 %, 0.95) or raise naming the option."""
    if value is None:
        return None
    try:
        return parse_rate(value, field)
    except SamplingInputError as error:
        raise InputProblem(f"{option}: {error.message_en} / {error.message_zh}") from None


@stats_cli.command("estimate")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV or JSON, one row per stratum: stratum, N, m (resolved), d (discrepant) [, open].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--ci", "method", type=click.Choice([WILSON, CLOPPER_PEARSON]), default=WILSON, show_default=True,
              help="Interval of each stratum's rate.")
@click.option("--overall", "overall_method", type=click.Choice([LOGIT, KORN_GRAUBARD]), default=LOGIT,
              show_default=True, help="Interval of the stratified overall rate.")
@click.option("--confidence", default="0.95", show_default=True,
              help="Confidence of the intervals and the audit conclusion: 95, 95% or 0.95.")
@click.option("--tolerable", default=None,
              help="Tolerable discrepancy rate (5, 5% or 0.05): adds each stratum's exact audit conclusion.")
def estimate_command(input_path, as_json, method, overall_method, confidence, tolerable):
    """Estimate discrepancy rates of a stratified sample worked outside the app."""
    reading = _rate_option(confidence, "--confidence", "confidence")
    tolerable = _rate_option(tolerable, "--tolerable", "tolerable")
    if tolerable is not None and reading.value < Decimal("0.5"):
        raise InputProblem(f"--confidence: {EstimateInputError('audit_confidence_too_low', confidence=reading.shown).message_en}")
    rows, json_input = read_rows(input_path)
    result = estimate(parse_strata(rows, json_input), method, overall_method, reading, tolerable)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print_text(result)


@rectification_cli.command("generate")
@click.option("--campaign", "campaign_id", required=True, type=int)
@click.option("--due-days", type=click.IntRange(1, 365), default=None,
              help="Days each new item has (default RECTIFICATION_DUE_DAYS, 30).")
def generate_command(campaign_id, due_days):
    """Turn every confirmed discrepancy of a campaign into an item of its county's list (idempotent)."""
    from core.extensions import db
    from models import Campaign
    from reports.rectification import generate

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    days = due_days or int(current_app.config.get("RECTIFICATION_DUE_DAYS", 30))
    now = datetime.now(UTC)
    today = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()
    counts = generate(campaign, now, today, days)
    click.echo(f"rectification items: {counts['created']} new, {counts['withdrawn']} withdrawn, "
               f"{counts['restored']} restored; new items due {(today + timedelta(days=days)).isoformat()}")
