"""Data quality recomputed from scratch in Python, to hold the stored flags and the counts against."""

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import select

from models import Person, RosterSnapshot
from roster.quality import FLAGS, county_quality
from roster.retirement import statutory_retirement_date

STORED = {"missing_phone": "flag_missing_phone", "missing_address": "flag_missing_address",
          "missing_reason": "flag_missing_reason", "duplicate_in_county": "flag_duplicate_in_county",
          "duplicate_across_counties": "flag_duplicate_across_counties"}


def expected_retirement(person) -> date | None:
    """The retirement day straight from the rule: gender 1 or 2 and a real birth date 1900-2200."""
    digits = (person.id_number or "")[6:14]
    if person.gender not in ("1", "2") or len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
        return None
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    if not 1900 <= birth.year <= 2200:
        return None
    return statutory_retirement_date(birth, person.gender)


def expected_facts(session) -> dict[int, dict]:
    """Return {person id: {stored column: value}} as the rules give them, for every stored person."""
    persons = session.scalars(select(Person).order_by(Person.id)).all()
    current = set(session.scalars(select(RosterSnapshot.id).where(RosterSnapshot.is_current)))
    in_snapshot = Counter((p.snapshot_id, p.id_number) for p in persons)
    counties_of = defaultdict(set)
    for p in persons:
        if p.snapshot_id in current and p.cancelled_on is None:
            counties_of[p.id_number].add(p.county_code)
    facts = {}
    for p in persons:
        registered = p.cancelled_on is None
        facts[p.id] = {
            "flag_missing_phone": registered and not p.phone,
            "flag_missing_address": registered and not p.household_address and not p.residence_address,
            "flag_missing_reason": registered and not p.unemployment_reason,
            "flag_duplicate_in_county": in_snapshot[(p.snapshot_id, p.id_number)] > 1,
            "flag_duplicate_across_counties": (p.snapshot_id in current and registered
                                               and bool(counties_of[p.id_number] - {p.county_code})),
            "retirement_on": expected_retirement(p),
        }
    return facts


def stored_facts(session) -> dict[int, dict]:
    """Return {person id: {stored column: value}} as the database holds them."""
    columns = [getattr(Person, name) for name in (*STORED.values(), "retirement_on")]
    return {row[0]: dict(zip([c.key for c in columns], row[1:], strict=True))
            for row in session.execute(select(Person.id, *columns).order_by(Person.id))}


def expected_counts(session, today: date) -> list[dict]:
    """Return county_quality's rows computed in Python from the expected facts."""
    facts = expected_facts(session)
    rows: dict[str, dict] = {}
    persons = session.scalars(select(Person).join(RosterSnapshot, Person.snapshot_id == RosterSnapshot.id)
                              .where(RosterSnapshot.is_current)).all()
    for p in persons:
        row = rows.setdefault(p.county_code, {"county_code": p.county_code, "total": 0, "registered": 0,
                                              **{name: 0 for name in FLAGS}})
        fact = facts[p.id]
        registered = p.cancelled_on is None
        row["total"] += 1
        row["registered"] += registered
        for name, column in STORED.items():
            row[name] += fact[column]
        row["past_retirement"] += registered and fact["retirement_on"] is not None and fact["retirement_on"] <= today
        row["future_cancellation"] += p.cancelled_on is not None and p.cancelled_on > today
    return [rows[code] for code in sorted(rows)]


def assert_quality_is_exact(session, today: date) -> list[dict]:
    """Assert every stored fact and every count equals the recomputation; return the counts."""
    session.expire_all()
    expected, stored = expected_facts(session), stored_facts(session)
    wrong = {pid: (stored[pid], want) for pid, want in expected.items() if stored[pid] != want}
    assert not wrong, f"{len(wrong)} persons' stored quality differs, e.g. {next(iter(wrong.items()))}"
    counts = county_quality(session, today)
    assert counts == expected_counts(session, today)
    return counts
