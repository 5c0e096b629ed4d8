"""Put a campaign, a draw and its sample units into a test database, and make follow-up tasks."""

from datetime import UTC, datetime

from sqlalchemy import select

from models import Campaign, Draw, Person, SampleUnit
from support.roster_factory import add_roster

# A Wednesday, 10:00 in Shanghai: inside calling hours.
WEDNESDAY_10 = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


def add_draw(session, counties: dict[str, int], reserves: int = 0, name: str = "2026年失业登记专项核查",
             start: int = 0, created_at: datetime | None = None) -> int:
    """Add a campaign and a draw whose units are the first persons of a fresh roster per county."""
    campaign = session.scalar(select(Campaign).where(Campaign.name == name))
    if campaign is None:
        campaign = Campaign(name=name)
        session.add(campaign)
        session.flush()
    draw = Draw(campaign_id=campaign.id, seed_text="1", seed="1", seed_source="system", algorithm="test",
                code_version="test", frame_fingerprint="x" * 64, frame_size=0, snapshot_ids=[],
                frame_definition={}, design={}, strata={})
    if created_at is not None:
        draw.created_at = created_at
    session.add(draw)
    session.flush()
    offset = start
    for county, count in counties.items():
        add_roster(session, county, count + reserves, start=offset)
        offset += count + reserves
        persons = session.scalars(select(Person).where(Person.county_code == county).order_by(Person.id.desc())
                                  .limit(count + reserves)).all()[::-1]
        for rank, person in enumerate(persons, start=1):
            sample = rank <= count
            session.add(SampleUnit(draw_id=draw.id, person_id=person.id, frame_key=person.id_number,
                                   stratum=county, county_code=county, rank=rank,
                                   role="sample" if sample else "reserve", status="active" if sample else "standby"))
    session.commit()
    return draw.id


def make_tasks(app, counties: dict[str, int], now=WEDNESDAY_10, **kwargs) -> int:
    """Add a draw and generate its tasks; return the draw id."""
    from callbacks.context import SYSTEM, retry_rules
    from callbacks.tasks import generate_tasks
    from core.extensions import db

    with app.app_context():
        draw_id = add_draw(db.session, counties, **kwargs)
        generate_tasks(draw_id, now, retry_rules(), SYSTEM)
        db.session.remove()
    return draw_id


class FakeClock:
    """A clock the test moves by hand; `app.config["CLOCK"] = clock` makes pages use it."""

    def __init__(self, start=WEDNESDAY_10):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now
