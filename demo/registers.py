"""Demo reference registers: small synthetic social insurance, market entity, death and pension lists that
contradict a few hundred demo persons (and a few that do not), matched so that the pages have findings.

Only over the demo roster, never over a real one; the same seed gives the same registers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from core.database import bulk_insert
from models import FollowUpTask, Person, RegisterImport, RosterSnapshot
from registers.importing import RECORD_COLUMNS
from registers.matching import run_match

DEMO_FILES = {
    "social_insurance": "演示-社保参保缴费.csv",
    "business": "演示-市场主体登记.csv",
    "death": "演示-死亡人员.csv",
    "pension": "演示-养老金领取.csv",
}
# Share of the registered demo persons each register names (a few hundred of 30,000 in all).
SHARES = {"social_insurance": 0.012, "business": 0.004, "death": 0.0015, "pension": 0.002}
EMPLOYERS = ("湛江港集团", "廉江市某某电器有限公司", "霞山区某某物流公司", "雷州市某某食品厂", "吴川市某某鞋业公司")
ENTITIES = ("赤坎区某某餐饮店", "徐闻县某某水果行", "遂溪县某某五金店", "坡头区某某养殖场")


def _month(day: date, months: int) -> date:
    """The first day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _record(kind: str, registered: date, today: date, rng: random.Random) -> tuple:
    """Make one record of a kind about a person registered on `registered`: mostly contradicting, some not."""
    if kind == "social_insurance":
        if rng.random() < 0.25:  # employed when registered
            return (_month(registered, -6), _month(registered, 2), rng.choice(EMPLOYERS), "养老", False)
        start = _month(registered, rng.randint(2, 4))
        return (start, min(_month(start, rng.randint(0, 6)), _month(today, -1)), rng.choice(EMPLOYERS), "养老",
                rng.random() < 0.15)
    if kind == "business":
        established = registered + timedelta(days=rng.randint(-900, 200))
        closed = registered - timedelta(days=rng.randint(1, 60)) if rng.random() < 0.2 else None
        return (min(established, today), closed, rng.choice(ENTITIES), "个体工商户", False)
    day = registered + timedelta(days=rng.randint(-60, 200))
    if kind == "pension":
        day = day.replace(day=1)
    return (min(day, today), None, None, None, False)


def load_demo_registers(session, seed: int, today: date) -> dict | None:
    """Import the demo registers and run the match; None when they are there or the roster is real."""
    if session.scalar(select(RegisterImport.id).limit(1)) is not None:
        return None
    real = select(RosterSnapshot.id).where(RosterSnapshot.is_current, RosterSnapshot.source != "demo").limit(1)
    if session.scalar(real) is not None:
        return None
    persons = session.execute(
        select(Person.id_number, Person.registered_on)
        .join(RosterSnapshot, (RosterSnapshot.id == Person.snapshot_id) & RosterSnapshot.is_current)
        .where(Person.cancelled_on.is_(None)).order_by(Person.id)).all()
    # A few persons of the demo campaign's sample, so that task pages show findings to ask about.
    sampled = session.execute(
        select(Person.id_number, Person.registered_on).join(FollowUpTask, FollowUpTask.person_id == Person.id)
        .order_by(FollowUpTask.id).limit(40)).all()
    rng = random.Random(seed)
    for number, (kind, filename) in enumerate(DEMO_FILES.items()):
        batch = RegisterImport(kind=kind, filename=filename, fingerprint=f"demo-{kind}-{seed}", size_bytes=0,
                               stored_path=None, problems=[])
        session.add(batch)
        session.flush()
        chosen = rng.sample(persons, max(1, int(len(persons) * SHARES[kind]))) + sampled[number::len(DEMO_FILES)]
        rows = [(batch.id, kind, n + 2, person.id_number, *_record(kind, person.registered_on, today, rng))
                for n, person in enumerate(chosen)]
        bulk_insert(session.connection(), "register_record", RECORD_COLUMNS, rows)
        batch.rows_total = batch.rows_valid = len(rows)
    session.commit()
    match = run_match()
    return {"findings": match.findings, "records": match.records}
