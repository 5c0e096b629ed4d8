"""Verification of a stored draw: rebuild its frame from the snapshots, re-derive it from its seed, compare."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from auth import scope
from campaigns import register_strata
from campaigns.design import REGISTER_FINDING
from campaigns.frame import load_frame
from core import auditlog
from core.extensions import db
from core.gcpause import collector_paused
from models import Draw, DrawExclusion, SampleUnit
from sampling.errors import Finding
from sampling.verify import verify_draw


@dataclass
class VerifyReport:
    """The verifier's verdict on a stored draw."""

    draw_id: int
    match: bool
    messages_zh: list[str]
    messages_en: list[str]
    fingerprint: str

    def as_dict(self) -> dict:
        return {"draw": self.draw_id, "match": self.match, "fingerprint": self.fingerprint,
                "reasons": self.messages_en, "reasons_zh": self.messages_zh}


def verify(draw: Draw) -> VerifyReport:
    """Rebuild the frame from the draw's snapshots and definition and re-derive the draw from its seed.

    The verdict is written to the audit log in a short write transaction of its own, after the reading.
    """
    with collector_paused():  # as in make_draw
        report, reasons = _verify(db.session, draw)
    with db.write_transaction():
        auditlog.record("draw.verify", "draw", report.draw_id, match=report.match, reasons=reasons)
    return report


def drawn_frame(session, draw: Draw, findings: list[str] | None = None):
    """Rebuild the frame a draw was made from: its snapshots and definition (with the finding list stored
    with it, unless given), less the persons it left out."""
    if findings is None:
        findings = _findings(session, draw)
    frame = load_frame(session, draw.snapshot_ids, draw.frame_definition, findings)
    excluded = set(session.scalars(select(DrawExclusion.frame_key).where(DrawExclusion.draw_id == draw.id)))
    if excluded:
        frame = frame.without(np.array([i for i, k in enumerate(frame.keys) if k in excluded], dtype=np.int64))
    return frame


def _findings(session, draw: Draw) -> list[str] | None:
    """Return the finding list stored with a draw stratified by register finding (None for other draws)."""
    if (draw.frame_definition or {}).get("stratify_by") != REGISTER_FINDING:
        return None
    return register_strata.stored_persons(session, draw.id)


def _finding_list_findings(draw: Draw, persons: list[str] | None) -> list[Finding]:
    """Check the stored finding list against the count and digest recorded in the frame definition."""
    if persons is None:
        return []
    found = register_strata.check_stored(draw.frame_definition.get("register_findings"), persons)
    return [found] if found else []


def _verify(session, draw: Draw) -> tuple[VerifyReport, list[str]]:
    scope.check_campaign(draw.campaign)
    persons = _findings(session, draw)
    frame = drawn_frame(session, draw, persons)
    recorded: dict[str, list[str]] = {}
    roles: dict[str, list[str]] = {}
    rows = session.execute(select(SampleUnit.stratum, SampleUnit.frame_key, SampleUnit.role)
                           .where(SampleUnit.draw_id == draw.id).order_by(SampleUnit.stratum, SampleUnit.rank))
    for stratum, key, role in rows:
        recorded.setdefault(stratum, []).append(key)
        roles.setdefault(stratum, []).append(role)
    sizes = {h: int(v["n"]) for h, v in draw.strata.items()}
    reserves = {h: int(v["reserves"]) for h, v in draw.strata.items()}
    try:
        seed = int(draw.seed)
    except ValueError:
        seed = -1
    result = verify_draw(frame.keys, frame.strata, sizes, reserves, seed, recorded, draw.frame_fingerprint,
                         recorded_algorithm=draw.algorithm, seed_text=draw.seed_text)
    findings = result.findings + _role_findings(roles, sizes) + _finding_list_findings(draw, persons)
    match = result.match and len(findings) == len(result.findings)
    reasons = result.reasons + [f.message("en") for f in findings[len(result.findings):]]
    return VerifyReport(draw.id, match, [f.message("zh") for f in findings], [f.message("en") for f in findings],
                        draw.frame_fingerprint), reasons


def _role_findings(roles: dict[str, list[str]], sizes: dict[str, int]) -> list[Finding]:
    """Check that in each stratum the first n_h ranks are recorded as the sample and the rest as reserves."""
    found = []
    for stratum in sorted(roles):
        n = sizes.get(stratum, 0)
        wrong = [rank for rank, role in enumerate(roles[stratum], start=1)
                 if role != ("sample" if rank <= n else "reserve")]
        if wrong:
            found.append(Finding("role_mismatch", {"stratum": stratum, "count": len(wrong), "n": n,
                                                   "rank": wrong[0], "role": roles[stratum][wrong[0] - 1]}))
    return found
