"""Verification of a stored draw: rebuild its frame from the snapshots, re-derive it from its seed, compare."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from auth import scope
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


def drawn_frame(session, draw: Draw):
    """Rebuild the frame a draw was made from: its snapshots and definition, less the persons it left out."""
    frame = load_frame(session, draw.snapshot_ids, draw.frame_definition)
    excluded = set(session.scalars(select(DrawExclusion.frame_key).where(DrawExclusion.draw_id == draw.id)))
    if excluded:
        frame = frame.without(np.array([i for i, k in enumerate(frame.keys) if k in excluded], dtype=np.int64))
    return frame


def _verify(session, draw: Draw) -> tuple[VerifyReport, list[str]]:
    scope.check_campaign(draw.campaign)
    frame = drawn_frame(session, draw)
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
    findings = result.findings + _role_findings(roles, sizes)
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
