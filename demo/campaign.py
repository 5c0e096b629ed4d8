"""A worked demo campaign: drawn, assigned and partly followed up through the app's own services.

`flask demo` loads it after the roster, so that a first look at the app finds a draw, callers'
queues half-way through, a dashboard with figures and intervals, and rectification lists. It goes
through the same functions the pages call (draw, task generation, assignment, attempts,
verification records, replacement by a reserve, daily snapshots, the quality sample,
rectification) with the clock set back to each working day of the last WORK_DAYS; the same seed
and day give the same campaign.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from callbacks.attempts import record_attempt
from callbacks.context import Actor, finding_rules, retry_rules
from callbacks.scheduler import sweep_daily_snapshot, sweep_quality_sample
from callbacks.tasks import assign_balanced, eligible_callers, generate_tasks
from callbacks.verification import derive, parse_answers, record_verification
from campaigns.design import parse_design
from campaigns.drawing import make_draw
from campaigns.replacement import replace_unit
from campaigns.service import create_campaign
from core.extensions import db
from models import Campaign, County, FollowUpTask, Person, RectificationItem, RosterSnapshot, SampleUnit, User
from reports.rectification import accept, generate_items, mark_rectified

CAMPAIGN_NAME = "2026年失业登记抽查回访（演示）"
DESCRIPTION = ("演示用核查批次：按县（市、区）分层随机抽取登记失业人员，电话回访为主、电话不通转入户走访，"
               "核实登记真实性、应注销未注销和就业服务落实情况。数据均为虚构。")
# Audit attribute sampling: 95 % confidence that a county's discrepancy rate is under 10 %.
DESIGN = {"method": "attribute", "confidence": "0.95", "tolerable": "0.10", "expected": "0", "reserve_share": "0.2"}
WORK_DAYS = 8  # working days of follow-up before today
ROUNDS = (time(10), time(15, 30))  # two rounds a working day, inside the default calling windows
PER_ROUND = 18  # contacts a caller makes in a round
PER_ROUND_COUNTY_CALLER = 2  # a caller of one county shares it with the city-wide caller: a light load

# How a person answers the phone: the dispositions of successive calls, with their weights.
PHONE_SCRIPTS = (
    (46, ("completed",)),
    (14, ("no_answer", "completed")),
    (6, ("busy", "no_answer", "completed")),
    (9, ("no_answer", "switched_off", "no_answer")),  # three failed calls: the case goes to a visit
    (8, ("number_not_exist",)),  # a dead number goes to a visit at once
    (5, ("wrong_person",)),
    (4, ("refused",)),
    (1, ("deceased",)),
    (2, ("out_of_scope",)),
)
VISIT_SCRIPTS = (
    (60, ("visit_completed",)),
    (14, ("nobody_home", "visit_completed")),
    (10, ("visit_proxy",)),
    (10, ("moved",)),
    (6, ("nobody_home", "nobody_home")),
)
# Some counties keep their registers better than others: a multiplier of the discrepancy chances.
COUNTY_LAXITY = (0.4, 0.7, 1.0, 1.0, 1.3, 0.6, 1.8, 0.9, 1.2, 0.5)
RECTIFIED = {
    "not_authentic": "经核实本人未办理登记，已注销该条登记并追查经办责任。",
    "inaccurate_data": "已与本人核对，更正登记信息。",
    "should_have_been_cancelled": "已核实就业情况，办理失业登记注销。",
    "assistance_not_delivered": "已安排职业指导和岗位推荐，补录服务记录。",
}
CORRECTIONS = ({"phone": "13922003344"}, {"address": "湛江市赤坎区南桥路 18 号"}, {"unemployment_reason": "03"})


def _weighted(rng: random.Random, table):
    return rng.choices([value for _, value in table], weights=[weight for weight, _ in table])[0]


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, zone).astimezone(UTC)


def working_days_before(today: date, count: int) -> list[date]:
    """Return the last `count` Mondays to Fridays before today, oldest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def answers_for(rng: random.Random, person: Person, checked_on: date, laxity: float) -> dict:
    """Return what a contacted person tells the caller; now and then a discrepancy, more in lax counties."""
    services = ["agency_callback", *rng.sample(["job_referral", "vocational_guidance", "skills_training",
                                                "employment_assistance"], rng.randint(1, 2))]
    answers = {"identity_confirmed": True, "registered_by_self": True, "unemployed_at_registration": True,
               "corrections": {}, "current_status": "unemployed_seeking", "status_since": None,
               "services": sorted(services), "satisfaction": rng.choice(["very_satisfied", "satisfied", "satisfied",
                                                                         "fairly_satisfied", "dissatisfied"]),
               "wish_to_work": "yes", "training_needs": rng.choice(["", "", "电工", "育婴员", "电子商务"]), "notes": ""}
    roll = rng.random() / laxity
    earliest = (person.registered_on or checked_on) + timedelta(days=45)
    if roll < 0.08 and earliest < checked_on - timedelta(days=40):
        # Found work some months ago and is still on the register.
        answers["current_status"] = rng.choice(["employed", "employed", "self_employed"])
        answers["status_since"] = max(earliest, checked_on - timedelta(days=rng.randint(40, 300)))
        answers["wish_to_work"] = "no"
    elif roll < 0.14:
        answers["services"] = []  # nobody has offered any service
        answers["satisfaction"] = "dissatisfied"
    elif roll < 0.19:
        answers["corrections"] = dict(rng.choice(CORRECTIONS))
    elif roll < 0.20:
        answers["registered_by_self"] = False
        answers["notes"] = "本人称从未办理失业登记。"
    return answers


class _Worker:
    """One caller working their queue, attempt by attempt, through the app's services."""

    def __init__(self, user: User, rng: random.Random, laxity: dict[str, float], frame_date: date):
        self.actor, self.rng, self.laxity, self.frame_date = Actor.of(user), rng, laxity, frame_date
        self.scripts: dict[int, dict[str, tuple]] = {}
        self.done: dict[tuple[int, str], int] = {}

    def script(self, task: FollowUpTask) -> tuple:
        if task.id not in self.scripts:
            person = db.session.get(Person, task.person_id)
            if person.registered_on and person.registered_on > self.frame_date:
                # The demo roster is today's: someone registered after the draw was not on the frame then.
                self.scripts[task.id] = {"phone": ("out_of_scope",), "visit": ("visit_out_of_scope",)}
            else:
                self.scripts[task.id] = {"phone": _weighted(self.rng, PHONE_SCRIPTS),
                                         "visit": _weighted(self.rng, VISIT_SCRIPTS)}
        return self.scripts[task.id][task.channel]

    def attempt(self, task: FollowUpTask, now: datetime, rules) -> None:
        """Make the task's next attempt; record the verification when the contact is complete."""
        script, step = self.script(task), self.done.get((task.id, task.channel), 0)
        fallback = "no_answer" if task.channel == "phone" else "nobody_home"
        disposition = script[step] if step < len(script) else fallback
        self.done[(task.id, task.channel)] = step + 1
        result = record_attempt(self.actor, task.id, disposition, now, rules,
                                submission_key=f"demo-{task.id}-{task.channel}-{step}")
        if result.plan is not None and result.plan.status == "awaiting_record":
            person = db.session.get(Person, task.person_id)
            checked_on = now.astimezone(ZoneInfo(rules.timezone)).date()
            answers = answers_for(self.rng, person, checked_on, self.laxity[task.county_code])
            derived = derive(parse_answers(answers)[0], person, checked_on, finding_rules())
            record_verification(self.actor, task.id, answers, list(derived), now + timedelta(minutes=3), rules,
                                finding_rules(), submission_key=f"demo-record-{task.id}")


def load_demo_campaign(session, seed: int, today: date | None = None) -> dict | None:
    """Create, draw and work the demo campaign up to yesterday (local time); return a summary, or None
    when it is there already or a real county roster is in place (never simulate calls to real people)."""
    if session.scalar(select(Campaign.id).where(Campaign.name == CAMPAIGN_NAME)) is not None:
        return None
    real = select(RosterSnapshot.id).where(RosterSnapshot.is_current, RosterSnapshot.source != "demo").limit(1)
    if session.scalar(real) is not None:
        return None
    rng, rules = random.Random(seed), retry_rules()
    zone = ZoneInfo(rules.timezone)
    today = today or datetime.now(zone).date()
    users = {u.username: u for u in session.scalars(select(User))}
    coordinator, liaison = users["coord"], users["liaison"]
    boss = Actor.of(coordinator)
    days = working_days_before(today, WORK_DAYS)
    start = _local(days[0], time(9), zone) - timedelta(days=1)

    codes = sorted(session.scalars(select(County.code).where(County.active)))
    # The demo roster stands for the county files received before the draw.
    session.execute(update(RosterSnapshot).where(RosterSnapshot.source == "demo").values(created_at=start))
    session.commit()  # the services below write in transactions of their own
    campaign = create_campaign(CAMPAIGN_NAME, codes, DESCRIPTION, period_start=days[0],
                               period_end=today + timedelta(days=14), user=coordinator)
    campaign.tolerable_rate, campaign.confidence = float(DESIGN["tolerable"]), float(DESIGN["confidence"])
    campaign.created_at = start
    session.commit()
    frame_date = start.astimezone(zone).date()
    seed_text = f"演示 {frame_date:%Y%m%d}"  # a public seed, as one would announce it
    draw = make_draw(campaign, parse_design(DESIGN, codes), seed_text, user=coordinator, now=start)
    generate_tasks(draw.id, start, rules, boss)
    _assign(session, boss, draw.id, codes)

    laxity = {code: COUNTY_LAXITY[i % len(COUNTY_LAXITY)] for i, code in enumerate(codes)}
    workers = [_Worker(user, rng, laxity, frame_date) for user in eligible_callers(session, None)]
    attempts = 0
    for day in days:
        for at in ROUNDS:
            now = _local(day, at, zone)
            for worker in workers:
                for offset, task in enumerate(_due(session, worker.actor, now)):
                    worker.attempt(task, now + timedelta(minutes=4 * offset), rules)
                    attempts += 1
            _replace_out_of_scope(session, coordinator, draw.id, now + timedelta(hours=1))
            generate_tasks(draw.id, now + timedelta(hours=1), rules, boss)
            _assign(session, boss, draw.id, codes)
        sweep_daily_snapshot(_local(day, time(21), zone))
    evening = _local(days[-1], time(21, 30), zone)
    sweep_quality_sample(evening)
    rectification = generate_items(session, campaign, evening, days[-1], user=coordinator)
    _rectify_a_few(session, campaign.id, liaison, coordinator, days[-1], evening)
    session.commit()
    closed = session.scalar(select(func.count(FollowUpTask.id)).where(
        FollowUpTask.campaign_id == campaign.id, FollowUpTask.status == "closed"))
    tasks = session.scalar(select(func.count(FollowUpTask.id)).where(FollowUpTask.campaign_id == campaign.id))
    return {"campaign": campaign.id, "draw": draw.id, "tasks": tasks, "closed": closed, "attempts": attempts,
            "rectification_items": rectification["created"]}


def _due(session, actor: Actor, now: datetime) -> list[FollowUpTask]:
    """Return the open tasks assigned to a caller and due by now, the earliest first, one round's worth."""
    session.rollback()  # read what the services committed
    return list(session.scalars(
        select(FollowUpTask).where(FollowUpTask.assigned_to_id == actor.id, FollowUpTask.status == "open",
                                   FollowUpTask.due_at <= now)
        .order_by(FollowUpTask.due_at, FollowUpTask.id)
        .limit(PER_ROUND_COUNTY_CALLER if actor.county_code else PER_ROUND)))


def _assign(session, boss: Actor, draw_id: int, codes: list[str]) -> None:
    """Share each county's unassigned tasks among the callers who may work it."""
    for code in codes:
        callers = [user.id for user in eligible_callers(session, code)]
        if callers:
            assign_balanced(boss, code, callers, draw_id)


def _replace_out_of_scope(session, coordinator: User, draw_id: int, now: datetime) -> None:
    """Replace units the callers found out of scope by their stratum's next reserve, as a coordinator would."""
    session.rollback()
    units = session.scalars(
        select(SampleUnit).join(FollowUpTask, FollowUpTask.sample_unit_id == SampleUnit.id)
        .where(SampleUnit.draw_id == draw_id, SampleUnit.status == "active",
               FollowUpTask.final_outcome == "out_of_scope")).all()
    for unit in units:
        replace_unit(unit, "not_registered_on_frame_date", "经核对，抽样框日期时此人不在本县登记失业名单内。",
                     user=coordinator, now=now)


def _rectify_a_few(session, campaign_id: int, liaison: User, coordinator: User, day: date, now: datetime) -> None:
    """Let the liaison's county rectify its first items, and the coordinator accept one of them."""
    items = session.scalars(select(RectificationItem).where(
        RectificationItem.campaign_id == campaign_id, RectificationItem.county_code == liaison.county_code)
        .order_by(RectificationItem.id).limit(2)).all()
    for item in items:
        mark_rectified(item, liaison, RECTIFIED[item.discrepancy_type], day, day, now)
    if items:
        accept(items[0], coordinator, "已抽查核对系统记录，整改属实。", now + timedelta(minutes=30))
