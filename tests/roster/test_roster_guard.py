"""Imports that cannot wipe a register: confirmation of removals, stray counties, undo, one current roster."""

import io
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.extensions import db
from models import AuditLog, ImportBatch, Person, RosterSnapshot, User
from roster import batches, import_check, import_commit
from roster.guard import removals_to_confirm, suspicious_counties, typed_name_matches
from roster.snapshots import SnapshotError, county_history, restore_snapshot
from support.import_files import csv_file, demo_rows
from support.register import CHIKAN, XUWEN, check_file, on_register, register


@pytest.fixture
def app(make_app):
    return make_app(JOBS_IN_BACKGROUND=False)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def current_ids(county):
    return db.session.scalars(select(RosterSnapshot.id).where(RosterSnapshot.county_code == county,
                                                              RosterSnapshot.is_current)).all()


@pytest.fixture
def two_registers(ctx, tmp_path):
    """赤坎区 with 100 persons, 徐闻县 with 60, and a 徐闻县 file holding one stray 赤坎区 row."""
    chikan = demo_rows(100, seed=1, county=CHIKAN)
    xuwen = demo_rows(60, seed=2, county=XUWEN)
    register(ctx, tmp_path, CHIKAN, chikan)
    register(ctx, tmp_path, XUWEN, xuwen)
    stray = csv_file(tmp_path / "徐闻县名册.csv", xuwen + [chikan[0]])
    return {"chikan": chikan, "xuwen": xuwen, "stray_file": stray}


# --- the rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("before", "removed", "share", "expected"), [
    (100, 5, 0.05, None),  # exactly at the limit: nothing to confirm
    (100, 6, 0.05, "confirm"),
    (100, 50, 0.05, "confirm"),  # half is not more than half
    (100, 51, 0.05, "type the name"),
    (100, 51, 0.9, "type the name"),  # more than half always asks, whatever the setting
    (100, 40, 0.9, None),
    (1, 1, 0.05, "type the name"),  # n = 1: the only person goes
    (0, 0, 0.05, None),  # a first import takes nobody off
    (100, 0, 0.0, None),
])
def test_removals_beyond_the_share_or_over_half_need_confirmation(before, removed, share, expected):
    counts = {CHIKAN: {"before": before, "after": before - removed, "added": 0, "removed": removed}}
    found = removals_to_confirm(counts, share)
    if expected is None:
        assert found == []
    else:
        assert [(c["county"], c["large"]) for c in found] == [(CHIKAN, expected == "type the name")]


def test_a_county_with_a_handful_of_rows_is_suspicious_only_in_a_several_county_file():
    counts = {CHIKAN: {"before": 3040, "after": 1, "first_rows": [497]},
              XUWEN: {"before": 500, "after": 495, "first_rows": [2, 3]}}
    assert [(c["county"], c["first_rows"]) for c in suspicious_counties(counts)] == [(CHIKAN, [497])]
    assert suspicious_counties({CHIKAN: counts[CHIKAN]}) == []  # a one-county file is that county's own
    assert suspicious_counties({CHIKAN: {"before": 100, "after": 10}, XUWEN: counts[XUWEN]}) == []  # 10 %


@pytest.mark.parametrize(("typed", "ok"), [("赤坎区", True), (" 赤坎 区 ", True), ("chikan district", True),
                                           ("赤坎", False), ("", False), ("霞山区", False)])
def test_the_typed_county_name_must_be_the_whole_name(typed, ok):
    assert typed_name_matches(typed, ("赤坎区", "Chikan District")) is ok


# --- the import: preview, refusal, confirmation -------------------------------------------------

def test_a_stray_row_names_its_county_as_suspicious_and_counts_what_it_would_remove(ctx, two_registers):
    batch = check_file(ctx, two_registers["stray_file"])
    counts = batch.county_counts
    assert counts[CHIKAN] | {"first_rows": None} == {"before": 100, "after": 1, "added": 0, "updated": 0,
                                                     "unchanged": 1, "removed": 99, "first_rows": None}
    assert (counts[XUWEN]["before"], counts[XUWEN]["after"], counts[XUWEN]["removed"]) == (60, 60, 0)
    assert counts[CHIKAN]["first_rows"] == [62]  # header, 60 rows of 徐闻县, then the stray one
    [suspicious] = suspicious_counties(counts)
    assert suspicious["county"] == CHIKAN
    [row] = batches.spooled_rows(batch, suspicious["first_rows"])
    assert (row["row"], row["name"], row["id_number"]) == (62, two_registers["chikan"][0]["name"],
                                                           two_registers["chikan"][0]["id_number"])
    assert [(c["county"], c["removed"], c["large"]) for c in import_commit.removals_needing_confirmation(batch)] == [
        (CHIKAN, 99, True)]


def test_without_confirmation_nothing_changes_and_the_batch_waits(ctx, two_registers):
    batch = check_file(ctx, two_registers["stray_file"])
    snapshots_before = db.session.scalar(select(func.count(RosterSnapshot.id)))
    with pytest.raises(import_commit.RemovalsNeedConfirmation) as refusal:
        import_commit.commit_batch(db, batch.id)
    assert refusal.value.as_json()["error"]["code"] == "removals_need_confirmation"
    assert [c["county"] for c in refusal.value.as_json()["error"]["counties"]] == [CHIKAN]
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "previewed"
    assert (on_register(CHIKAN), on_register(XUWEN)) == (100, 60)
    assert db.session.scalar(select(func.count(RosterSnapshot.id))) == snapshots_before
    import_commit.commit_batch(db, batch.id, confirm_removals=True)
    assert (on_register(CHIKAN), on_register(XUWEN)) == (1, 60)
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "import.commit")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.detail["confirmed_removals"] == [CHIKAN]


def test_a_small_update_needs_no_confirmation(ctx, tmp_path):
    rows = demo_rows(100, seed=1, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows)
    batch = check_file(ctx, csv_file(tmp_path / "v2.csv", rows[:95]), CHIKAN)  # 5 % leave: at the limit
    assert import_commit.removals_needing_confirmation(batch) == []
    import_commit.commit_batch(db, batch.id)
    assert on_register(CHIKAN) == 95


def test_the_share_is_a_setting(make_app, tmp_path):
    app = make_app(JOBS_IN_BACKGROUND=False, IMPORT_MAX_REMOVAL_SHARE=0.3)
    with app.app_context():
        rows = demo_rows(100, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, rows)
        batch = check_file(app, csv_file(tmp_path / "v2.csv", rows[:75]), CHIKAN)
        assert import_commit.removals_needing_confirmation(batch) == []


def test_cli_import_refuses_with_a_json_error_until_confirmed(ctx, two_registers):
    runner = ctx.test_cli_runner()
    result = runner.invoke(args=["roster", "import", two_registers["stray_file"], "--json"])
    assert result.exit_code == 3
    body = json.loads(result.output)
    assert body["error"]["code"] == "removals_need_confirmation"
    assert [(c["county"], c["before"], c["after"], c["removed"], c["large"]) for c in body["error"]["counties"]] == [
        (CHIKAN, 100, 1, 99, True)]
    assert on_register(CHIKAN) == 100
    plain = runner.invoke(args=["roster", "import", two_registers["stray_file"]])
    assert plain.exit_code == 3 and "--confirm-removals" in plain.output and "移出 99 人" in plain.output
    result = runner.invoke(args=["roster", "import", two_registers["stray_file"], "--json", "--confirm-removals"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "committed"
    assert on_register(CHIKAN) == 1


def test_api_commit_answers_409_with_the_counties_until_confirmed(app, users, token_client, tmp_path):
    with app.app_context():
        chikan = demo_rows(100, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, chikan)
        register(app, tmp_path, XUWEN, demo_rows(60, seed=2, county=XUWEN))
        data = Path(csv_file(tmp_path / "stray.csv", demo_rows(60, seed=2, county=XUWEN) + [chikan[0]])).read_bytes()
    api = token_client("coordinator")
    uploaded = api.post("/api/v1/imports", data={"file": (io.BytesIO(data), "stray.csv")},
                        content_type="multipart/form-data").get_json()
    assert uploaded["suspicious_counties"] == [CHIKAN]
    assert [c["county"] for c in uploaded["removals_to_confirm"]] == [CHIKAN]
    refused = api.post(f"/api/v1/imports/{uploaded['id']}/commit")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "removals_need_confirmation"
    assert refused.get_json()["error"]["counties"][0]["removed"] == 99
    loose = api.post(f"/api/v1/imports/{uploaded['id']}/commit", json={"confirm_removals": "yes"})
    assert loose.status_code == 400 and "confirm_removals" in loose.get_json()["error"]["problems"]
    done = api.post(f"/api/v1/imports/{uploaded['id']}/commit", json={"confirm_removals": True})
    assert done.status_code == 202
    with app.app_context():
        assert db.session.get(ImportBatch, uploaded["id"]).status == "committed"
        assert on_register(CHIKAN) == 1


def test_page_asks_on_a_separate_step_and_wants_the_county_name_typed(app, login_as, tmp_path):
    with app.app_context():
        chikan = demo_rows(100, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, chikan)
        register(app, tmp_path, XUWEN, demo_rows(60, seed=2, county=XUWEN))
        data = Path(csv_file(tmp_path / "stray.csv", demo_rows(60, seed=2, county=XUWEN) + [chikan[0]])).read_bytes()
    client = login_as("coordinator")
    response = client.post("/roster/imports", data={"file": (io.BytesIO(data), "徐闻县.csv"), "county": ""},
                           content_type="multipart/form-data")
    detail = client.get(response.location).data.decode()
    assert 'data-testid="suspicious"' in detail and "赤坎区" in detail and "第 62 行" in detail
    assert chikan[0]["id_number"] not in detail  # the stray row's ID number is masked
    assert "/confirm" in detail  # the import button leads to the confirmation step
    batch_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    skipped = client.post(f"/roster/imports/{batch_id}/commit")
    assert skipped.status_code in (302, 303) and skipped.location.endswith(f"/imports/{batch_id}/confirm")
    confirm = client.get(skipped.location).data.decode()
    assert 'data-county="440802"' in confirm and 'name="county-name-440802"' in confirm
    assert 'data-county="440825"' not in confirm  # 徐闻县 loses nobody
    wrong = client.post(f"/roster/imports/{batch_id}/commit", data={"confirm_removals": "1",
                                                                    "county-name-440802": "霞山区"})
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.data.decode()
    with app.app_context():
        assert on_register(CHIKAN) == 100 and db.session.get(ImportBatch, batch_id).status == "previewed"
    done = client.post(f"/roster/imports/{batch_id}/commit", data={"confirm_removals": "1",
                                                                   "county-name-440802": "赤坎区"})
    assert done.status_code in (302, 303)
    with app.app_context():
        assert on_register(CHIKAN) == 1 and db.session.get(ImportBatch, batch_id).status == "committed"


# --- undo: an earlier snapshot made current again -------------------------------------------------

def test_restore_brings_the_previous_roster_back_as_a_new_snapshot(ctx, two_registers):
    first = current_ids(CHIKAN)[0]
    import_commit.commit_batch(db, check_file(ctx, two_registers["stray_file"]).id, confirm_removals=True)
    wiped = current_ids(CHIKAN)[0]
    restored = restore_snapshot(db, CHIKAN, reason="误导入徐闻县文件")
    assert restored.restored_from_id == first and restored.id not in (first, wiped)
    assert current_ids(CHIKAN) == [restored.id]
    assert on_register(CHIKAN) == 100 == restored.row_count
    people = select(Person.id_number, Person.name, Person.registered_on).order_by(Person.id_number, Person.name,
                                                                               Person.registered_on)
    assert (db.session.execute(people.where(Person.snapshot_id == restored.id)).all()
            == db.session.execute(people.where(Person.snapshot_id == first)).all())
    # history stays whole: both earlier snapshots are still there with their persons
    assert db.session.scalar(select(func.count()).where(Person.snapshot_id == wiped)) == 1
    assert db.session.scalar(select(func.count()).where(Person.snapshot_id == first)) == 100
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "roster.restore")).one()
    assert entry.detail["reason"] == "误导入徐闻县文件"
    assert (entry.detail["restored_from"], entry.detail["replaced"]) == (first, wiped)


def test_restore_needs_a_reason_and_an_earlier_snapshot(ctx, tmp_path):
    with pytest.raises(SnapshotError) as nothing:
        restore_snapshot(db, CHIKAN, reason="x")
    assert nothing.value.code == "nothing_to_restore"
    register(ctx, tmp_path, CHIKAN, demo_rows(10, seed=1, county=CHIKAN))
    with pytest.raises(SnapshotError) as no_reason:
        restore_snapshot(db, CHIKAN, reason="  ")
    assert no_reason.value.code == "reason_required"
    with pytest.raises(SnapshotError) as current:
        restore_snapshot(db, CHIKAN, current_ids(CHIKAN)[0], reason="x")
    assert current.value.code == "already_current"


def test_restore_leaves_draws_on_the_snapshots_they_were_drawn_from(ctx, tmp_path, users):
    from campaigns import verification
    from support.campaigns_factory import design, draw, make_campaign

    register(ctx, tmp_path, CHIKAN, demo_rows(100, seed=1, county=CHIKAN))
    register(ctx, tmp_path, XUWEN, demo_rows(60, seed=2, county=XUWEN))
    campaign = make_campaign(db.session, counties=[CHIKAN, XUWEN])
    made = draw(db.session, campaign, plan=design([CHIKAN, XUWEN]))
    drawn_from = list(made.snapshot_ids)
    register(ctx, tmp_path, CHIKAN, demo_rows(100, seed=1, county=CHIKAN)[:40], name="v2.csv")
    restore_snapshot(db, CHIKAN, reason="错误文件", user=db.session.get(User, users["coordinator"]))
    db.session.expire_all()
    again = db.session.get(type(made), made.id)
    assert again.snapshot_ids == drawn_from and CHIKAN not in current_ids(CHIKAN)
    assert verification.verify(again).match


def test_cli_restore_and_history(ctx, tmp_path):
    rows = demo_rows(50, seed=1, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows)
    register(ctx, tmp_path, CHIKAN, rows[:10], name="short.csv")
    runner = ctx.test_cli_runner()
    history = json.loads(runner.invoke(args=["roster", "history", "--county", CHIKAN, "--json"]).output)
    assert [(h["persons"], h["current"]) for h in history] == [(10, True), (50, False)]
    refused = runner.invoke(args=["roster", "restore", "--county", CHIKAN, "--snapshot", str(history[0]["id"]),
                                  "--reason", "x", "--json"])
    assert refused.exit_code == 1 and json.loads(refused.output)["error"]["code"] == "already_current"
    result = runner.invoke(args=["roster", "restore", "--county", CHIKAN, "--reason", "上传错了文件", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert (body["persons"], body["current"], body["restored_from"]) == (50, True, history[1]["id"])
    assert on_register(CHIKAN) == 50


def test_county_history_page_restores_with_a_reason(app, login_as, tmp_path):
    with app.app_context():
        rows = demo_rows(50, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, rows)
        register(app, tmp_path, CHIKAN, rows[:10], name="short.csv")
        earlier = db.session.scalar(select(func.min(RosterSnapshot.id)))
    client = login_as("coordinator")
    page = client.get(f"/roster/counties/{CHIKAN}/snapshots").data.decode()
    assert 'data-testid="current"' in page and f"/snapshots/{earlier}/restore" in page
    assert client.post(f"/roster/counties/{CHIKAN}/snapshots/{earlier}/restore", data={"reason": ""}).status_code == 422
    with app.app_context():
        assert on_register(CHIKAN) == 10
    done = client.post(f"/roster/counties/{CHIKAN}/snapshots/{earlier}/restore", data={"reason": "上传错了文件"})
    assert done.status_code in (302, 303)
    with app.app_context():
        assert on_register(CHIKAN) == 50


def test_a_county_scoped_user_can_neither_see_nor_restore_another_county(app, users, tmp_path, token_client,
                                                                          login_as):
    with app.app_context():
        rows = demo_rows(50, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, rows)
        register(app, tmp_path, CHIKAN, rows[:10], name="short.csv")
        liaison = db.session.get(User, users["liaison"])  # a manager of 赤坎区: may read, may not restore
        other = db.session.get(User, users["county_caller"])  # scoped to 廉江市
        with pytest.raises(SnapshotError):
            restore_snapshot(db, CHIKAN, user=other, reason="x")
        assert len(county_history(db.session, CHIKAN, liaison)) == 2
    client = login_as("liaison")
    assert client.get(f"/roster/counties/{CHIKAN}/snapshots").status_code == 200
    assert client.get("/roster/counties/440803/snapshots").status_code == 404
    api = token_client("liaison")
    assert api.post(f"/api/v1/counties/{CHIKAN}/snapshots/restore", json={"reason": "x"}).status_code == 403
    with app.app_context():
        assert on_register(CHIKAN) == 10


def test_api_restore(app, users, token_client, tmp_path):
    with app.app_context():
        rows = demo_rows(50, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, rows)
        register(app, tmp_path, CHIKAN, rows[:10], name="short.csv")
    api = token_client("coordinator")
    listed = api.get(f"/api/v1/counties/{CHIKAN}/snapshots").get_json()
    assert [s["persons"] for s in listed] == [10, 50]
    assert api.post(f"/api/v1/counties/{CHIKAN}/snapshots/restore", json={"reason": ["x"]}).status_code == 400
    assert api.post(f"/api/v1/counties/{CHIKAN}/snapshots/restore", json={"reason": "x", "snapshot": 99999}
                    ).status_code == 404
    made = api.post(f"/api/v1/counties/{CHIKAN}/snapshots/restore", json={"reason": "错误文件"})
    assert made.status_code == 201 and made.get_json()["persons"] == 50


def test_the_counts_and_the_base_come_from_one_snapshot_even_if_another_lands_during_the_check(ctx, tmp_path,
                                                                                              monkeypatch):
    from sqlalchemy import text

    rows = demo_rows(50, seed=1, county=CHIKAN)
    register(ctx, tmp_path, CHIKAN, rows)
    seen = current_ids(CHIKAN)[0]
    load = import_check._snapshot_roster

    def load_then_another_import_lands(session, snapshot_id):
        loaded = load(session, snapshot_id)
        session.commit()  # as a progress step would, so that SQLite lets the other writer in
        with ctx.extensions["database_engine"].begin() as other:  # another import commits meanwhile
            other.execute(text("UPDATE roster_snapshot SET is_current = false WHERE county_code = :c"), {"c": CHIKAN})
            other.execute(text("INSERT INTO roster_snapshot (county_code, source, created_at, row_count, is_current) "
                               "VALUES (:c, 'other', CURRENT_TIMESTAMP, 0, true)"), {"c": CHIKAN})
        return loaded

    monkeypatch.setattr(import_check, "_snapshot_roster", load_then_another_import_lands)
    batch = check_file(ctx, csv_file(tmp_path / "late.csv", rows[:10]), CHIKAN)
    assert batch.base_snapshots == {CHIKAN: seen} and batch.county_counts[CHIKAN]["before"] == 50
    with pytest.raises(import_commit.RosterChanged):
        import_commit.commit_batch(db, batch.id, confirm_removals=True)


def test_a_cancel_that_comes_after_the_import_was_claimed_changes_nothing(ctx, tmp_path):
    batch = check_file(ctx, csv_file(tmp_path / "a.csv", demo_rows(10, seed=1, county=CHIKAN)), CHIKAN)
    stale = db.session.get(ImportBatch, batch.id)  # the cancel page loaded it while previewed
    with ctx.extensions["database_engine"].begin() as other:  # then the import was claimed
        other.execute(ImportBatch.__table__.update().where(ImportBatch.id == batch.id).values(status="importing"))
    assert batches.cancel_batch(db, stale) is False
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "importing"
    assert os.path.exists(batches.spool_path(batch))


def test_a_restore_refuses_when_the_current_roster_changed_since_the_page_was_shown(app, login_as, tmp_path):
    with app.app_context():
        rows = demo_rows(50, seed=1, county=CHIKAN)
        register(app, tmp_path, CHIKAN, rows)
        register(app, tmp_path, CHIKAN, rows[:10], name="short.csv")
        earlier, shown = sorted(db.session.scalars(select(RosterSnapshot.id)))
        register(app, tmp_path, CHIKAN, rows[:20], name="newer.csv")  # lands after the page was shown
    client = login_as("coordinator")
    response = client.post(f"/roster/counties/{CHIKAN}/snapshots/{earlier}/restore",
                           data={"reason": "上传错了文件", "replaces": str(shown)})
    assert response.status_code in (302, 303)
    with app.app_context():
        assert on_register(CHIKAN) == 20  # the newer import stays current
    with app.app_context(), pytest.raises(SnapshotError) as refused:
        restore_snapshot(db, CHIKAN, earlier, reason="x", replaces=shown)
    assert refused.value.code == "roster_changed"
