"""The settings service: stored values over the configuration, the operator's pinned settings winning,
history with before and after, and a change seen by every worker without a restart."""

import json

import pytest
from sqlalchemy import select

from admin import settings_service, settings_store
from callbacks.context import finding_rules, qc_share, retry_rules
from config.settings import load_settings
from core.extensions import db
from models import AuditLog, SettingChange, User


def admin_user(app):
    return db.session.scalar(select(User).where(User.username == "admin"))


def test_load_settings_names_what_the_file_and_the_environment_pinned(tmp_path):
    (tmp_path / "spotcheck.toml").write_text("QC_SHARE = 0.1\n[FOLLOWUP_RULES]\nmax_phone_attempts = 4\n")
    settings = load_settings(str(tmp_path), environ={"SPOTCHECK_FINDING_RULES": "{service_grace_days = 9}"},
                             overrides={"SECRET_KEY": "x" * 40})
    assert settings["PINNED_SETTINGS"]["QC_SHARE"] is True
    assert settings["PINNED_SETTINGS"]["FOLLOWUP_RULES"] == ["max_phone_attempts"]
    assert settings["PINNED_SETTINGS"]["FINDING_RULES"] == ["service_grace_days"]
    assert "SECRET_KEY" not in settings["PINNED_SETTINGS"]  # the factory's overrides are no operator's pin


def test_a_stored_change_is_in_force_at_once_with_its_history_and_audit_entry(app, users):
    with app.app_context():
        assert retry_rules().max_phone_attempts == 3 and qc_share() == 0.05
        problems, changed = settings_service.save(
            {"FOLLOWUP_RULES.max_phone_attempts": "5", "QC_SHARE": "10"}, admin_user(app), via="test")
        assert (problems, changed) == ([], ["FOLLOWUP_RULES", "QC_SHARE"])
        assert retry_rules().max_phone_attempts == 5 and qc_share() == pytest.approx(0.10)
        change = db.session.scalar(select(SettingChange).where(SettingChange.key == "QC_SHARE"))
        assert (change.before, change.after, change.username) == (None, 0.1, "admin")
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "setting.change",
                                                         AuditLog.object_id == "FOLLOWUP_RULES"))
        assert entry.detail["after"]["max_phone_attempts"] == 5


def test_another_worker_sees_the_change_without_a_restart(make_app, users):
    first, second = make_app(), make_app()
    with second.app_context():
        assert retry_rules().claim_timeout_minutes == 30  # read and cached by the second worker
    with first.app_context():
        settings_service.save({"FOLLOWUP_RULES.claim_timeout_minutes": "45"}, admin_user(first), via="test")
    with second.app_context():
        assert retry_rules().claim_timeout_minutes == 45


def test_the_version_check_is_one_cheap_query_when_nothing_changed(app, users):
    from sqlalchemy import event

    with app.app_context():
        retry_rules()
    statements = []
    with app.app_context():  # a new request: the worker's copy is checked once, not reloaded
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        retry_rules(), finding_rules(), qc_share()
        queries = [sql for sql in statements if sql != "BEGIN"]
        assert len(queries) == 1 and "max(setting_change.id)" in queries[0].lower()


def test_invalid_values_are_refused_by_the_rule_objects_and_nothing_is_stored(app, users):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        problems, changed = settings_service.save({
            "FOLLOWUP_RULES.calling_windows": "14:00-20:00, 09:00-15:00",
            "FOLLOWUP_RULES.max_phone_attempts": "-1"}, admin_user(app), via="test")
        assert changed == []
        assert ("拨打时段（北京时间）", "时段须按时间顺序排列且不能重叠") in problems
        assert ("转为走访前的电话拨打次数", "须为不小于 0 的整数") in problems
        assert settings_service.save({"QC_SHARE": "abc"}, admin_user(app), via="test")[0] == [
            ("质量复核比例（%）", "须为数字")]
        assert db.session.scalar(select(SettingChange.id)) is None


def test_pinned_fields_win_and_are_not_changed(make_app, users, monkeypatch):
    monkeypatch.setenv("SPOTCHECK_FOLLOWUP_RULES", "{max_phone_attempts = 4}")
    monkeypatch.setenv("SPOTCHECK_QC_SHARE", "0.2")
    app = make_app()
    with app.app_context():
        settings_service.save({"FOLLOWUP_RULES.max_phone_attempts": "7", "FOLLOWUP_RULES.max_visit_attempts": "3",
                               "QC_SHARE": "50"}, admin_user(app), via="test")
        rules = retry_rules()
        assert (rules.max_phone_attempts, rules.max_visit_attempts, qc_share()) == (4, 3, 0.2)
        shown = settings_service.current()
        assert shown["pinned"]["FOLLOWUP_RULES.max_phone_attempts"] is True
        assert shown["pinned"]["QC_SHARE"] is True and shown["pinned"]["FOLLOWUP_RULES.max_visit_attempts"] is False


def test_finding_rules_are_stored_and_read_by_the_verification(app, users):
    with app.app_context():
        assert finding_rules().service_grace_days == 30
        problems, _ = settings_service.save({"FINDING_RULES.service_grace_days": "60",
                                             "FINDING_RULES.assistance_services": ["job_referral"]},
                                            admin_user(app), via="test")
        assert problems == []
        rules = finding_rules()
        assert rules.service_grace_days == 60 and rules.assistance_services == frozenset({"job_referral"})
        bad, _ = settings_service.save({"FINDING_RULES.cancellation_statuses": ["married"]}, admin_user(app), via="t")
        assert bad and bad[0][0] == "应注销的就业状态"


def test_stored_values_survive_as_plain_json(app, users):
    with app.app_context():
        settings_service.save({"FOLLOWUP_RULES.calling_windows": "08:30-12:00, 13:30-19:00"}, admin_user(app), "t")
        stored = settings_store.stored_values()["FOLLOWUP_RULES"]
        assert json.loads(json.dumps(stored))["calling_windows"] == ["08:30-12:00", "13:30-19:00"]
        assert [str(w[0]) for w in retry_rules().calling_windows] == ["08:30:00", "13:30:00"]
