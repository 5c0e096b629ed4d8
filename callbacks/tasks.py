"""Follow-up tasks: generate them from a draw, store a plan, assign, reassign, hand back, supervise."""

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true, update

from callbacks.access import supervises
from callbacks.context import Actor
from callbacks.errors import FollowUpError
from callbacks.rule_settings import RetryRules
from callbacks.rules import AttemptFact, TaskPlan, plan_next
from config.dispositions import PHONE, VISIT
from core import auditlog
from core.extensions import db
from models import Attempt, DoNotContact, Draw, Person, SampleUnit, User, Verification
from models import FollowUpTask as Task

REVIEW_KINDS = ("referral", "hand_back")


def apply_plan(task: Task, plan: TaskPlan, now: datetime) -> None:
    """Store a plan of `callbacks.rules.plan_next` on its task (the only place a plan is stored)."""
    task.status, task.channel, task.due_at = plan.status, plan.channel, plan.due_at
    task.final_outcome, task.plan_reason = plan.final_outcome, plan.reason
    task.phone_attempts_used, task.visit_attempts_used = plan.phone_attempts_used, plan.visit_attempts_used
    task.updated_at = now
    if plan.status == "closed":
        task.closed_at = task.closed_at or now
        task.claimed_by_id, task.claimed_at = None, None


def replan(session, task: Task, now: datetime, rules: RetryRules) -> TaskPlan:
    """Recompute a task's plan from all its attempts and store it."""
    attempts = session.scalars(select(Attempt).where(Attempt.task_id == task.id).order_by(Attempt.at, Attempt.id))
    facts = [AttemptFact(a.at, a.channel, a.disposition, a.appointment_at) for a in attempts]
    has_record = session.scalar(select(Verification.id).where(Verification.task_id == task.id)) is not None
    plan = plan_next(task.start_channel, facts, now, rules, has_verification=has_record)
    apply_plan(task, plan, now)
    return plan


@dataclass
class GenerateResult:
    created: int
    existing: int
    do_not_contact: int
    visit_first: int


def generate_tasks(draw_id: int, now: datetime, rules: RetryRules, actor: Actor, visit_first: bool = False
                   ) -> GenerateResult:
    """Make one task per active unit of a draw (idempotent: units that have a task are skipped).

    A county-scoped coordinator makes the tasks of their county's units only.
    """
    with db.write_transaction() as session:
        draw = session.get(Draw, draw_id)
        own = actor.county_code
        if draw is None or (own and own not in {c.code for c in draw.campaign.counties}):
            raise FollowUpError("draw_not_found")
        if draw.superseded:
            raise FollowUpError("draw_superseded")
        in_scope = SampleUnit.county_code == own if own else true()
        # A unit replaced by a reserve (out of scope) is no longer worked; its reserve gets a task below.
        replaced = select(SampleUnit.id).where(SampleUnit.draw_id == draw_id, SampleUnit.status == "replaced",
                                               in_scope)
        session.execute(
            update(Task).where(Task.sample_unit_id.in_(replaced), Task.status != "closed")
            .values(status="closed", final_outcome="out_of_scope", plan_reason="ended_by_disposition", due_at=None,
                    claimed_by_id=None, claimed_at=None, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False))
        rows = session.execute(
            select(SampleUnit, Person).join(Person, Person.id == SampleUnit.person_id)
            .outerjoin(Task, Task.sample_unit_id == SampleUnit.id)
            .where(SampleUnit.draw_id == draw_id, SampleUnit.status == "active", Task.id.is_(None), in_scope)
            .order_by(SampleUnit.county_code, SampleUnit.stratum, SampleUnit.rank)
        ).all()
        existing = session.scalar(select(func.count(Task.id)).where(
            Task.draw_id == draw_id, Task.county_code == own if own else true()))
        blocked = set(session.scalars(select(DoNotContact.id_number).where(
            DoNotContact.id_number.in_([p.id_number for _, p in rows]))))
        first_plans = {channel: plan_next(channel, [], now, rules) for channel in (PHONE, VISIT)}
        counts: Counter[str] = Counter()
        for unit, person in rows:
            channel = VISIT if visit_first or not person.phone else PHONE
            task = Task(sample_unit_id=unit.id, campaign_id=draw.campaign_id, draw_id=draw.id,
                        person_id=person.id, county_code=unit.county_code, start_channel=channel, channel=channel,
                        created_at=now)
            if person.id_number in blocked:
                # Asked not to be contacted in an earlier case: never offered again.
                apply_plan(task, TaskPlan("closed", channel, None, "do_not_contact", "ended_by_disposition", 0, 0),
                           now)
                counts["do_not_contact"] += 1
            else:
                apply_plan(task, first_plans[channel], now)
            counts[channel] += 1
            session.add(task)
        result = GenerateResult(len(rows), existing, counts["do_not_contact"], counts[VISIT])
        if rows:
            auditlog.record("followup.generate", "draw", draw_id, user=actor, created=len(rows),
                            visit_first=counts[VISIT], do_not_contact=counts["do_not_contact"])
        return result


def eligible_callers(session, county_code: str | None) -> list[User]:
    """List the active callers who may work a county (scoped to it, or to no county)."""
    query = select(User).where(User.role == "caller", User.active)
    if county_code:
        query = query.where((User.county_code.is_(None)) | (User.county_code == county_code))
    return list(session.scalars(query.order_by(User.username)))


def _check_caller(session, caller_id: int, county_code: str) -> None:
    """Refuse a target caller who is not an active caller allowed in the county."""
    user = session.get(User, caller_id)
    if user is None or not user.active or user.role != "caller" or user.county_code not in (None, county_code):
        raise FollowUpError("bad_caller")


def assign_balanced(actor: Actor, county_code: str, caller_ids: list[int], draw_id: int | None = None) -> dict:
    """Share a county's unassigned open tasks among callers so that their open loads end up even."""
    if not supervises(actor):
        raise FollowUpError("not_permitted")
    if actor.county_code and county_code != actor.county_code:
        raise FollowUpError("not_found")
    with db.write_transaction() as session:
        for caller_id in caller_ids:
            _check_caller(session, caller_id, county_code)
        if not caller_ids:
            raise FollowUpError("bad_caller")
        query = select(Task.id).where(Task.county_code == county_code, Task.status != "closed",
                                      Task.assigned_to_id.is_(None))
        if draw_id:
            query = query.where(Task.draw_id == draw_id)
        pool = list(session.scalars(query.order_by(Task.due_at, Task.id)))
        load = dict.fromkeys(caller_ids, 0)
        load.update(dict(session.execute(
            select(Task.assigned_to_id, func.count(Task.id)).where(
                Task.assigned_to_id.in_(caller_ids), Task.status != "closed").group_by(Task.assigned_to_id)).all()))
        given: Counter[int] = Counter()
        for task_id in pool:
            caller_id = min(caller_ids, key=lambda c: (load[c], c))
            load[caller_id] += 1
            given[caller_id] += 1
            session.execute(update(Task).where(Task.id == task_id).values(assigned_to_id=caller_id))
        auditlog.record("followup.assign", "county", county_code, user=actor, draw_id=draw_id,
                        assigned={str(k): v for k, v in given.items()})
        return dict(given)


def reassign(actor: Actor, to_caller_id: int | None, *, county_code: str | None = None,
             from_caller_id: int | None = None, from_pool: bool = False, status: str | None = None,
             channel: str | None = None, task_ids: list[int] | None = None) -> int:
    """Move every task matching the filter to another caller (None: back to the county pool)."""
    if not supervises(actor):
        raise FollowUpError("not_permitted")
    county_code = actor.county_code or county_code
    with db.write_transaction() as session:
        query = select(Task).where(Task.status != "closed")
        if county_code:
            query = query.where(Task.county_code == county_code)
        if from_pool:
            query = query.where(Task.assigned_to_id.is_(None))
        elif from_caller_id:
            query = query.where(Task.assigned_to_id == from_caller_id)
        if status:
            query = query.where(Task.status == status)
        if channel:
            query = query.where(Task.channel == channel)
        if task_ids is not None:
            query = query.where(Task.id.in_(task_ids))
        tasks = list(session.scalars(query.with_for_update()))
        if to_caller_id is not None:
            for county in {t.county_code for t in tasks}:
                _check_caller(session, to_caller_id, county)
        for task in tasks:
            task.assigned_to_id = to_caller_id
            task.claimed_by_id, task.claimed_at = None, None
        auditlog.record("followup.reassign", "followup_task", "", user=actor, count=len(tasks),
                        to_caller_id=to_caller_id, county=county_code, from_caller_id=from_caller_id,
                        status=status, channel=channel)
        return len(tasks)


def request_review(actor: Actor, task_id: int, kind: str, reason: str, now: datetime, rules: RetryRules) -> Task:
    """Refer a case to the coordinators, or hand it back (also returning it to the county pool)."""
    from callbacks.access import ensure_workable

    if kind not in REVIEW_KINDS:
        raise ValueError(kind)
    if not (reason or "").strip():
        raise FollowUpError("reason_required")
    with db.write_transaction() as session:
        task = ensure_workable(actor, session.get(Task, task_id), now, rules)
        task.review_kind, task.review_reason = kind, reason.strip()
        task.review_requested_by_id, task.review_requested_at = actor.id, now
        task.review_resolved_at, task.review_resolution = None, None
        task.claimed_by_id, task.claimed_at = None, None
        if kind == "hand_back":
            task.assigned_to_id = None
        auditlog.record(f"followup.{kind}", "followup_task", task.id, user=actor, reason=reason.strip())
        return task


def resolve_review(actor: Actor, task_id: int, resolution: str, now: datetime, to_caller_id: int | None = None,
                   start_visit: bool = False, *, rules: RetryRules) -> Task:
    """Close a review request with what the coordinator decided (optionally reassign or send a visit)."""
    if not supervises(actor):
        raise FollowUpError("not_permitted")
    if not (resolution or "").strip():
        raise FollowUpError("reason_required")
    with db.write_transaction() as session:
        task = session.get(Task, task_id)
        if task is None or (actor.county_code and task.county_code != actor.county_code):
            raise FollowUpError("not_found")
        if to_caller_id:
            _check_caller(session, to_caller_id, task.county_code)
            task.assigned_to_id = to_caller_id
        if start_visit and task.status == "open" and task.start_channel == PHONE:
            task.start_channel = VISIT
            replan(session, task, now, rules)
        task.review_resolved_at, task.review_resolution = now, resolution.strip()
        auditlog.record("followup.review_resolved", "followup_task", task.id, user=actor,
                        resolution=resolution.strip(), to_caller_id=to_caller_id, start_visit=start_visit)
        return task


def send_to_visit(actor: Actor, task_ids: list[int], now: datetime, rules: RetryRules) -> int:
    """Make open phone tasks visit tasks, as a coordinator decides."""
    if not supervises(actor):
        raise FollowUpError("not_permitted")
    with db.write_transaction() as session:
        query = select(Task).where(Task.id.in_(task_ids), Task.status == "open", Task.start_channel == PHONE)
        if actor.county_code:
            query = query.where(Task.county_code == actor.county_code)
        tasks = list(session.scalars(query.with_for_update()))
        for task in tasks:
            task.start_channel = VISIT
            replan(session, task, now, rules)
        auditlog.record("followup.send_to_visit", "followup_task", "", user=actor, ids=[t.id for t in tasks])
        return len(tasks)


def draw_qc_sample(session, share: float, rng: random.Random | None = None) -> int:
    """Top up each campaign's quality re-check sample to `share` of its verified cases; return how many
    were added (none when the share is already met, so running it twice changes nothing)."""
    rng = rng or random.SystemRandom()
    added = 0
    campaigns = session.execute(
        select(Task.campaign_id, func.count(Task.id), func.count(Task.id).filter(Task.qc_selected))
        .where(Task.final_outcome == "verified").group_by(Task.campaign_id)).all()
    for campaign_id, verified, selected in campaigns:
        wanted = math.ceil(verified * share) - selected
        if wanted <= 0:
            continue
        candidates = list(session.scalars(select(Task.id).where(
            Task.campaign_id == campaign_id, Task.final_outcome == "verified", Task.qc_selected.is_(False))
            .order_by(Task.id)))
        chosen = rng.sample(candidates, min(wanted, len(candidates)))
        session.execute(update(Task).where(Task.id.in_(chosen)).values(qc_selected=True))
        added += len(chosen)
    return added


def record_qc(actor: Actor, task_id: int, result: str, note: str) -> Task:
    """Store a coordinator's quality re-check of a verified case."""
    if not supervises(actor):
        raise FollowUpError("not_permitted")
    if result not in ("confirmed", "disputed"):
        raise FollowUpError("bad_qc_result")
    if result == "disputed" and not (note or "").strip():
        raise FollowUpError("reason_required")
    with db.write_transaction() as session:
        task = session.get(Task, task_id)
        if task is None or not task.qc_selected or (actor.county_code and task.county_code != actor.county_code):
            raise FollowUpError("not_found")
        task.qc_result, task.qc_note = result, (note or "").strip()
        auditlog.record("followup.qc", "followup_task", task.id, user=actor, result=result, note=task.qc_note)
        return task
