"""Verification records: derived discrepancy types, the caller's confirmation, double submits, and
corrections that keep the earlier version in the audit log."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from callbacks.attempts import record_attempt
from callbacks.context import Actor, finding_rules, retry_rules
from callbacks.errors import FollowUpError
from callbacks.verification import correct_verification, record_verification
from core.extensions import db
from models import AuditLog, FollowUpTask, User, Verification
from support.followup_factory import WEDNESDAY_10, make_tasks

ANSWERS = {"identity_confirmed": True, "registered_by_self": True, "unemployed_at_registration": True,
           "corrections": {"address": "赤坎区南桥路 1 号"}, "current_status": "employed",
           "status_since": "2025-06-01", "services": ["job_referral", "agency_callback"],
           "satisfaction": "satisfied", "wish_to_work": "yes", "training_needs": "电工", "notes": ""}


@pytest.fixture
def completed(app, users):
    make_tasks(app, {"440802": 1})
    with app.app_context():
        me = Actor.of(db.session.get(User, users["caller"]))
        task_id = db.session.scalar(select(FollowUpTask.id))
        record_attempt(me, task_id, "completed", WEDNESDAY_10, retry_rules(), submission_key="done")
    return me, task_id


def record(me, task_id, confirmed, key="v-1", answers=ANSWERS, now=WEDNESDAY_10):
    return record_verification(me, task_id, answers, confirmed, now, retry_rules(), finding_rules(),
                               submission_key=key)


def test_a_record_derives_the_types_and_closes_the_case_as_verified(app, completed):
    me, task_id = completed
    with app.app_context():
        result = record(me, task_id, ["inaccurate_data", "should_have_been_cancelled"])
        assert result.record.derived == {"inaccurate_data": ["wrong_core_field"],
                                         "should_have_been_cancelled": ["status_change_not_cancelled"]}
        assert result.record.discrepancies == ["inaccurate_data", "should_have_been_cancelled"]
        task = db.session.get(FollowUpTask, task_id)
        assert (task.status, task.final_outcome, task.claimed_by_id, task.review_kind) == (
            "closed", "verified", None, None)


def test_overriding_the_derived_types_refers_the_case_to_a_coordinator(app, completed):
    me, task_id = completed
    with app.app_context():
        record(me, task_id, ["inaccurate_data"])
        assert db.session.get(FollowUpTask, task_id).review_kind == "referral"


def test_double_submit_stores_one_record(app, completed):
    me, task_id = completed
    with app.app_context():
        first = record(me, task_id, ["inaccurate_data", "should_have_been_cancelled"])
        second = record(me, task_id, ["inaccurate_data", "should_have_been_cancelled"])
        assert first.created and not second.created and first.record.id == second.record.id
        with pytest.raises(FollowUpError) as again:
            record(me, task_id, [], key="v-2")
        assert again.value.code == "already_recorded"
        assert db.session.scalar(select(func.count(Verification.id))) == 1


def test_bad_answers_are_listed_together(app, completed):
    me, task_id = completed
    with app.app_context(), pytest.raises(FollowUpError) as bad:
        record(me, task_id, [], answers={"identity_confirmed": "maybe", "current_status": "astronaut",
                                         "status_since": "yesterday"})
    assert bad.value.params["reasons"] == "identity_confirmed, current_status, status_since"
    with app.test_request_context():
        assert bad.value.message() == "请检查以下答案：身份已确认（不读出身份证号码）、目前状态、起始日期"


def test_no_record_before_a_completed_contact(app, users):
    make_tasks(app, {"440802": 1})
    with app.app_context():
        me = Actor.of(db.session.get(User, users["caller"]))
        task_id = db.session.scalar(select(FollowUpTask.id))
        with pytest.raises(FollowUpError) as early:
            record(me, task_id, [])
        assert early.value.code == "not_awaiting_record"


def test_a_correction_needs_a_reason_and_keeps_the_old_version_in_the_audit_log(app, completed):
    me, task_id = completed
    with app.app_context():
        record(me, task_id, ["inaccurate_data", "should_have_been_cancelled"])
        changed = dict(ANSWERS, corrections={}, current_status="unemployed_seeking", status_since="")
        with pytest.raises(FollowUpError) as no_reason:
            correct_verification(me, task_id, changed, [], " ", WEDNESDAY_10, finding_rules())
        assert no_reason.value.code == "reason_required"
        fixed = correct_verification(me, task_id, changed, [], "听错了：仍在求职", WEDNESDAY_10 + timedelta(hours=1),
                                     finding_rules())
        assert (fixed.version, fixed.derived, fixed.discrepancies) == (2, {}, [])
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "verification.correct")).one()
        assert entry.detail["reason"] == "听错了：仍在求职"
        assert entry.detail["previous"]["current_status"] == "employed"
        assert entry.detail["previous"]["corrections"] == {"address": "赤坎区南桥路 1 号"}
        assert entry.detail["previous"]["version"] == 1


def test_another_caller_cannot_correct_a_record(app, users, completed):
    me, task_id = completed
    with app.app_context():
        record(me, task_id, ["inaccurate_data", "should_have_been_cancelled"])
        other = Actor.of(db.session.get(User, users["county_caller"]))
        with pytest.raises(FollowUpError) as refused:
            correct_verification(other, task_id, ANSWERS, [], "x", WEDNESDAY_10, finding_rules())
        assert refused.value.code == "not_found"


def test_a_record_without_confirmed_identity_resolves_nothing(app, completed):
    from callbacks.scheduler import snapshot_figures
    from models import Campaign, Draw
    from reports.cases import CaseFilter, case_query
    from reports.counts import count_strata

    me, task_id = completed
    unconfirmed = dict(ANSWERS, identity_confirmed=False, registered_by_self=False)
    with app.app_context():
        result = record(me, task_id, [], answers=unconfirmed)
        assert result.record.derived == {} and result.record.discrepancies == []
        task = db.session.get(FollowUpTask, task_id)
        assert (task.status, task.review_kind, task.review_reason) == ("closed", "referral", "identity_unconfirmed")
        draw = db.session.scalar(select(Draw))
        counts = count_strata(db.session, draw)
        assert (counts.units.sum(), counts.resolved.sum(), counts.in_progress.sum()) == (1, 0, 0)
        assert counts.outcomes["other"].sum() == 1 and counts.outcomes["completed"].sum() == 0

        def cases(kind, code=None):
            return db.session.scalars(case_query(draw.id, CaseFilter(kind=kind, code=code).check())).all()

        assert cases("resolved") == [] and len(cases("final_unresolved")) == 1
        assert len(cases("outcome", "other")) == 1 and cases("outcome", "completed") == []
        campaign_id = db.session.scalar(select(Campaign.id))
        assert snapshot_figures(db.session, campaign_id, "440802")["verified"] == 0


def test_types_confirmed_without_identity_make_no_rectification_item(app, completed):
    from models import Campaign
    from reports.rectification import generate_items

    me, task_id = completed
    unconfirmed = dict(ANSWERS, identity_confirmed=False)
    with app.app_context():
        record(me, task_id, ["inaccurate_data"], answers=unconfirmed)
        campaign = db.session.scalar(select(Campaign))
        assert generate_items(db.session, campaign, WEDNESDAY_10, WEDNESDAY_10.date())["created"] == 0
