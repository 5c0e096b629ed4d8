"""The demo campaign: drawn, assigned and partly worked through the app's own services."""

from collections import Counter, defaultdict
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from callbacks.rule_settings import RetryRules
from callbacks.rules import in_calling_hours
from campaigns.verification import verify
from core import migrate
from core.extensions import db
from demo.accounts import load_demo
from demo.campaign import CAMPAIGN_NAME, WORK_DAYS, load_demo_campaign, working_days_before
from models import (
    Attempt,
    AuditLog,
    Campaign,
    Draw,
    FollowUpSnapshot,
    FollowUpTask,
    Person,
    RectificationItem,
    SampleUnit,
    User,
    Verification,
)
from support.database import TEST_DATABASE_URL, reset_postgres

TODAY = date(2026, 11, 25)  # a Wednesday


def load(app, seed: int = 7, persons: int = 3000) -> dict:
    with app.app_context():
        load_demo(db.session, seed=seed, persons=persons, today=TODAY)
        summary = load_demo_campaign(db.session, seed=seed, today=TODAY)
        db.session.remove()
    return summary


def demo_app(url: str, instance) -> object:
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "demo-test", "SPOTCHECK_INSTANCE": str(instance),
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


@pytest.fixture(scope="module")
def loaded(migrated_template, tmp_path_factory):
    """Load the demo once for the module (working it takes hundreds of transactions); tests only read."""
    from support.browser import module_database

    url = module_database(migrated_template, tmp_path_factory, TEST_DATABASE_URL, reset_postgres)
    app = demo_app(url, tmp_path_factory.mktemp("instance"))
    summary = load(app)
    yield app, summary
    app.extensions["database_engine"].dispose()


@pytest.fixture
def worked(loaded):
    return loaded[1]


@pytest.fixture
def session(loaded):
    with loaded[0].app_context():
        yield db.session
        db.session.remove()


def test_working_days_skip_weekends_and_end_yesterday():
    days = working_days_before(TODAY, 8)
    assert days[0] == date(2026, 11, 13) and days[-1] == date(2026, 11, 24)
    assert len(days) == 8 and all(day.weekday() < 5 for day in days)


def test_the_demo_draw_is_published_and_verifies(worked, session):
    campaign = session.scalar(select(Campaign).where(Campaign.name == CAMPAIGN_NAME))
    draw = session.scalar(select(Draw).where(Draw.campaign_id == campaign.id))
    assert (campaign.tolerable_rate, campaign.confidence) == (0.10, 0.95)
    assert draw.seed_source == "public" and draw.design["method"] == "attribute"
    assert verify(draw).match
    sampled = Counter(session.scalars(select(SampleUnit.stratum).where(SampleUnit.draw_id == draw.id,
                                                                       SampleUnit.role == "sample")))
    assert sampled == {h: s["n"] for h, s in draw.strata.items()}
    assert len(sampled) == 10 and all(s["n"] == 29 for s in draw.strata.values())  # 95 %, 10 %, 0 expected


def test_every_attempt_keeps_the_retry_rules(worked, session):
    rules = RetryRules()
    zone = ZoneInfo(rules.timezone)
    attempts = session.scalars(select(Attempt).order_by(Attempt.task_id, Attempt.at)).all()
    assert len(attempts) == worked["attempts"] > 0
    days = defaultdict(list)
    for attempt in attempts:
        local = attempt.at.astimezone(zone)
        assert local.weekday() < 5 and in_calling_hours(attempt.at, rules)
        days[(attempt.task_id, attempt.channel)].append(local.date())
    assert all(len(set(d)) == len(d) for d in days.values())  # one attempt per channel and day
    phone = Counter(a.task_id for a in attempts if a.channel == "phone")
    assert max(phone.values()) <= rules.max_phone_attempts
    assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "followup.attempt")) == len(attempts)


def test_the_campaign_is_half_way_with_findings(worked, session):
    statuses = Counter(session.scalars(select(FollowUpTask.status)))
    assert statuses["open"] > 0 and statuses["closed"] == worked["closed"]
    assert 0.4 < statuses["closed"] / worked["tasks"] < 0.9
    open_by_caller = Counter(session.scalars(select(User.username).join(
        FollowUpTask, FollowUpTask.assigned_to_id == User.id).where(FollowUpTask.status == "open")))
    assert open_by_caller["caller"] > 0 and open_by_caller["caller2"] > 0  # both queues have work left
    verified = session.scalars(select(FollowUpTask.id).where(FollowUpTask.final_outcome == "verified")).all()
    records = session.scalars(select(Verification)).all()
    assert sorted(r.task_id for r in records) == sorted(verified)
    assert all(sorted(r.discrepancies) == sorted(r.derived) for r in records)  # nothing overridden
    found = Counter(kind for r in records for kind in r.discrepancies)
    assert {"should_have_been_cancelled", "assistance_not_delivered", "inaccurate_data"} <= set(found)
    assert 0.05 < sum(1 for r in records if r.discrepancies) / len(records) < 0.5
    visits = session.scalar(select(func.count(Attempt.id)).where(Attempt.channel == "visit"))
    assert visits > 0


def test_out_of_scope_units_are_replaced_by_reserves_that_get_tasks(worked, session):
    replaced = session.scalars(select(SampleUnit).where(SampleUnit.status == "replaced")).all()
    assert replaced
    for unit in replaced:
        task = session.scalar(select(FollowUpTask).where(FollowUpTask.sample_unit_id == unit.id))
        assert task.final_outcome == "out_of_scope"
        reserve = session.get(SampleUnit, unit.replaced_by_id)
        assert reserve.role == "reserve" and reserve.status == "active" and reserve.stratum == unit.stratum
        assert session.scalar(select(FollowUpTask.id).where(FollowUpTask.sample_unit_id == reserve.id))
    # Someone registered after the frame date was not on the frame then: out of scope once reached.
    draw = session.scalar(select(Draw))
    frame_day = draw.created_at.astimezone(ZoneInfo(RetryRules().timezone)).date()
    late = session.execute(select(FollowUpTask.final_outcome).join(Person, Person.id == FollowUpTask.person_id)
                           .where(Person.registered_on > frame_day, FollowUpTask.status == "closed")).scalars().all()
    assert late and set(late) == {"out_of_scope"}


def test_snapshots_quality_sample_and_rectification(worked, session):
    days = Counter(session.scalars(select(FollowUpSnapshot.day)))
    assert sorted(days) == working_days_before(TODAY, WORK_DAYS) and set(days.values()) == {10}
    assert session.scalar(select(func.count(FollowUpTask.id)).where(FollowUpTask.qc_selected.is_(True))) > 0
    pairs = sum(len(r.discrepancies) for r in session.scalars(select(Verification)))
    items = session.scalars(select(RectificationItem)).all()
    assert len(items) == pairs == worked["rectification_items"]
    assert Counter(i.status for i in items if i.county_code == "440802")["accepted"] == 1


def test_loading_it_again_leaves_the_campaign_as_it_is(worked, session):
    assert load_demo_campaign(session, seed=8, today=TODAY) is None
    assert session.scalar(select(func.count(Campaign.id))) == 1
    assert session.scalar(select(func.count(Attempt.id))) == worked["attempts"]


def test_no_demo_campaign_on_real_county_rosters(tmp_path):
    # A database of its own: this module's shared one must stay as loaded (tests here only read it).
    from models import RosterSnapshot

    migrate.upgrade(f"sqlite:///{tmp_path / 'real.sqlite3'}")
    app = demo_app(f"sqlite:///{tmp_path / 'real.sqlite3'}", tmp_path / "instance")
    with app.app_context():
        load_demo(db.session, seed=3, persons=500, today=TODAY)
        db.session.execute(update(RosterSnapshot).values(source="440802_2026.xlsx"))
        assert load_demo_campaign(db.session, seed=3, today=TODAY) is None
        assert db.session.scalar(select(func.count(Campaign.id))) == 0
        db.session.remove()
    app.extensions["database_engine"].dispose()


def test_the_same_seed_and_day_give_the_same_campaign(worked, session, migrated_template, tmp_path):
    # Again in a SQLite file of its own (the module's database may be PostgreSQL): the same everywhere.
    path = tmp_path / "again.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    other = demo_app(f"sqlite:///{path}", tmp_path / "instance")
    again = load(other)
    assert again == worked

    def outcomes(s):
        rows = s.execute(select(Person.id_number, FollowUpTask.status, FollowUpTask.final_outcome,
                                func.count(Attempt.id))
                         .join(Person, Person.id == FollowUpTask.person_id)
                         .outerjoin(Attempt, Attempt.task_id == FollowUpTask.id)
                         .group_by(Person.id_number, FollowUpTask.status, FollowUpTask.final_outcome)).all()
        return sorted((n, st, o or "", k) for n, st, o, k in rows)

    mine = outcomes(session)
    with other.app_context():
        assert outcomes(db.session) == mine
        db.session.remove()
    other.extensions["database_engine"].dispose()
