"""Put a worked sample into a test database with plain rows: campaign, draw, units, tasks, attempts,
verification records and snapshots, exactly as the figures read them."""

from datetime import UTC, date, datetime, timedelta
from itertools import count

from sqlalchemy import insert, select

from models import (
    Attempt,
    Campaign,
    Draw,
    FollowUpSnapshot,
    FollowUpTask,
    Person,
    SampleUnit,
    Verification,
    campaign_county,
)
from support.roster_factory import add_roster

AT = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)
_keys = count(1)

# What a record of each confirmed type says, so that rectification items have something to show.
FACTS = {
    "not_authentic": {"registered_by_self": False, "derived": ["never_registered"]},
    "inaccurate_data": {"corrections": {"phone": "+8613900001111", "unemployment_reason": "03"},
                        "derived": ["wrong_core_field"]},
    "should_have_been_cancelled": {"current_status": "employed", "status_since": date(2025, 10, 1),
                                   "derived": ["status_change_not_cancelled"]},
    "assistance_not_delivered": {"services": [], "derived": ["no_services"]},
}


def add_campaign(session, counties: dict[str, dict], name: str = "2026年失业登记专项核查", tolerable: float = 0.05,
                 confidence: float = 0.95, start: int = 0) -> int:
    """Add a campaign whose draw has one stratum per county, worked as each county's spec says.

    A spec: N (frame size), verified (one list of confirmed types per verified unit), services (one list
    per verified unit, default job referral), outcomes (final outcome -> closed units without a record),
    open (units still being worked), replaced (units replaced as out of scope). A key "440802|2" names a
    stratum of county 440802 crossed with gender.
    """
    campaign = Campaign(name=name, tolerable_rate=tolerable, confidence=confidence)
    session.add(campaign)
    session.flush()
    codes = sorted({c.split("|")[0] for c in counties})
    session.execute(insert(campaign_county), [{"campaign_id": campaign.id, "county_code": c} for c in codes])
    strata = {}
    for code, spec in counties.items():
        n = len(spec.get("verified", [])) + sum(spec.get("outcomes", {}).values()) + spec.get("open", 0)
        strata[code] = {"N": spec["N"], "n": n, "reserves": spec.get("replaced", 0)}
    draw = Draw(campaign_id=campaign.id, seed_text="1", seed="1", seed_source="system", algorithm="test",
                code_version="test", frame_fingerprint="x" * 64, frame_size=sum(s["N"] for s in counties.values()),
                snapshot_ids=[], frame_definition={"stratify_by": "gender"} if len(codes) < len(counties) else {},
                design={}, strata=strata)
    session.add(draw)
    session.flush()
    offset = start
    for stratum, spec in counties.items():
        code = stratum.split("|")[0]
        n = strata[stratum]["n"] + strata[stratum]["reserves"]
        add_roster(session, code, n, start=offset)
        offset += n
        persons = session.scalars(select(Person).where(Person.county_code == code).order_by(Person.id.desc())
                                  .limit(n)).all()[::-1]
        plan = [("verified", types) for types in spec.get("verified", [])]
        for outcome, how_many in spec.get("outcomes", {}).items():
            plan += [(outcome, None)] * how_many
        plan += [("open", None)] * spec.get("open", 0)
        plan += [("replaced", None)] * spec.get("replaced", 0)
        services = list(spec.get("services", []))
        for rank, (person, (kind, types)) in enumerate(zip(persons, plan, strict=True), start=1):
            unit = SampleUnit(draw_id=draw.id, person_id=person.id, frame_key=person.id_number, stratum=stratum,
                              county_code=code, rank=rank, role="sample",
                              status="replaced" if kind == "replaced" else "active")
            session.add(unit)
            session.flush()
            task = FollowUpTask(sample_unit_id=unit.id, campaign_id=campaign.id, draw_id=draw.id,
                                person_id=person.id, county_code=code, start_channel="phone", channel="phone",
                                status="open" if kind == "open" else "closed", due_at=AT,
                                final_outcome=None if kind == "open" else
                                ("out_of_scope" if kind == "replaced" else kind),
                                phone_attempts_used=1, closed_at=None if kind == "open" else AT)
            session.add(task)
            session.flush()
            session.add(Attempt(task_id=task.id, channel="phone", at=AT,
                                disposition="completed" if kind == "verified" else "no_answer",
                                submission_key=f"a{next(_keys)}"))
            if kind == "verified":
                session.add(_verification(task, person, types, services.pop(0) if services else ["job_referral"]))
    session.commit()
    return campaign.id


def _verification(task, person, types: list[str], services: list[str]) -> Verification:
    """Build the verification record of a task with the given confirmed types."""
    derived = {t: FACTS[t]["derived"] for t in types}
    record = Verification(task_id=task.id, person_id=person.id, county_code=task.county_code,
                          checked_on=date(2026, 5, 6), identity_confirmed=True, registered_by_self=True,
                          unemployed_at_registration=True, corrections={}, current_status="unemployed_seeking",
                          services=services, derived=derived, discrepancies=list(types),
                          submission_key=f"v{next(_keys)}")
    for t in types:
        for key, value in FACTS[t].items():
            if key != "derived":
                setattr(record, key, value)
    if "assistance_not_delivered" not in types:
        record.services = services
    return record


def add_snapshots(session, campaign_id: int, county: str, days: int = 3, tasks: int = 10) -> None:
    """Add a rising series of daily snapshots for a county."""
    for i in range(days):
        session.add(FollowUpSnapshot(campaign_id=campaign_id, county_code=county, day=date(2026, 5, 1) + timedelta(i),
                                     figures={"tasks": tasks, "open": tasks - 3 * i, "closed": 3 * i,
                                              "awaiting_record": 0, "verified": 2 * i, "with_discrepancy": i,
                                              "attempts": 5 * i, "outcomes": {}, "discrepancies": {}}))
    session.commit()
