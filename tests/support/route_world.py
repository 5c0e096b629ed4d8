"""A worked demo campaign in every county, with users of every kind, and the URL map filled with its
objects: the world the authorization matrix and the hostile-values test walk through."""

import io
import zipfile
from datetime import date

import pytest
from sqlalchemy import select, text

from auth.accounts import create_user
from core.extensions import db
from support.accounts import PASSWORD
from support.database import TEST_DATABASE_URL, reset_postgres

SCOPED = {"liaison": "440802", "caller2": "440881", "coord_chikan": "440802"}
UNSCOPED = ("admin", "coord", "caller", "manager")
OTHER = {"440802": "440803", "440881": "440802"}  # for each scope, a county that is not theirs
SKIPPED = {"/static/<path:filename>", "/lang/<code>", "/logout"}
DEMO_PASSWORDS = {"admin": "admin-demo-2026", "coord": "coord-demo-2026", "caller": "caller-demo-2026",
                  "caller2": "caller-demo-2026", "manager": "manager-demo-2026", "liaison": "liaison-demo-2026",
                  "coord_chikan": PASSWORD}


@pytest.fixture(scope="module")
def world(migrated_template, tmp_path_factory):
    """A worked demo campaign in every county, one import batch and one restorable snapshot per county."""
    from app import create_app
    from demo.accounts import load_demo
    from demo.campaign import load_demo_campaign
    from models import (
        Campaign,
        Draw,
        FollowUpTask,
        ImportBatch,
        RectificationItem,
        RegisterFinding,
        RegisterImport,
        RosterSnapshot,
        User,
    )
    from support.browser import module_database

    url = module_database(migrated_template, tmp_path_factory, TEST_DATABASE_URL, reset_postgres)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "matrix-test", "SPOTCHECK_INSTANCE": str(instance),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "JOBS_IN_BACKGROUND": False})
    with app.app_context():
        load_demo(db.session, seed=11, persons=1500, today=date(2026, 11, 20))
        load_demo_campaign(db.session, seed=11, today=date(2026, 11, 20))
        create_user(db.session, "coord_chikan", PASSWORD, "coordinator", "440802")
        from demo.registers import load_demo_registers

        load_demo_registers(db.session, seed=11, today=date(2026, 11, 20))
        # Every person carries their county in their name, so that a leak is a plain substring.
        db.session.execute(text("UPDATE person SET name = '县' || county_code || '人' || CAST(id AS VARCHAR(12))"))
        for code in ("440802", "440803", "440881"):
            db.session.add(ImportBatch(filename=f"{code}.csv", fingerprint=code * 10, size_bytes=1,
                                       stored_path="/nonexistent", default_county=code, status="failed",
                                       error_message="x\nx"))
        db.session.commit()
        ids = {"campaign": db.session.scalar(select(Campaign.id)), "draw": db.session.scalar(select(Draw.id)),
               "user": db.session.scalar(select(User.id).where(User.username == "caller")),
               "register_import": db.session.scalar(select(RegisterImport.id))}
        ids |= _verification_world(ids["campaign"])
        for code in ("440802", "440803", "440881"):
            ids[f"task:{code}"] = db.session.scalar(select(FollowUpTask.id).where(FollowUpTask.county_code == code)
                                                    .order_by(FollowUpTask.id).limit(1))
            ids[f"batch:{code}"] = db.session.scalar(select(ImportBatch.id).where(ImportBatch.default_county == code))
            ids[f"item:{code}"] = db.session.scalar(select(RectificationItem.id).where(
                RectificationItem.county_code == code).limit(1))
            ids[f"snapshot:{code}"] = db.session.scalar(select(RosterSnapshot.id).where(
                RosterSnapshot.county_code == code))
            ids[f"person:{code}"] = db.session.scalar(select(FollowUpTask.person_id).where(
                FollowUpTask.county_code == code).order_by(FollowUpTask.id).limit(1))
            ids[f"finding:{code}"] = db.session.scalar(select(RegisterFinding.id).where(
                RegisterFinding.county_code == code).limit(1))
        db.session.remove()
    yield app, ids
    db.session.remove()
    app.extensions["database_engine"].dispose()


def _verification_world(campaign_id: int) -> dict:
    """Give the campaign its checklist and each county a meeting; return their ids."""
    from checklists import meetings, setup
    from models import Campaign, ChecklistItem, Meeting

    campaign = db.session.get(Campaign, campaign_id)
    setup.copy_template(campaign)
    for code in ("440802", "440803", "440881"):
        meetings.save(campaign, code, {"kind": "symposium", "held_on": date(2026, 11, 19), "place": f"县{code}会议室",
                                       "participants": [{"role": "team", "name": "核查组"}]}, None, date(2026, 11, 20))
    made = {f"meeting:{m.county_code}": m.id for m in db.session.scalars(select(Meeting))}
    return made | {"check_item": db.session.scalar(select(ChecklistItem.id).order_by(ChecklistItem.id).limit(1))}


def get_routes(app):
    """Return the GET routes of the URL map, but static files, language switch and logout."""
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and rule.rule not in SKIPPED)


def fill(rule: str, ids: dict, county: str) -> tuple[str, bool]:
    """Fill a rule's parameters with objects of `county`; return the URL and whether it is wholly that county's."""
    whole = False
    values = {"<int:campaign_id>": ids["campaign"], "<int:draw_id>": ids["draw"], "<int:call_id>": 999999,
              "<channel>": "phone", "<fmt>": "xlsx", "<what>": "verifications", "<int:year>": 2026,
              "<int:user_id>": ids["user"], "<section>": "due_now", "<int:import_id>": ids.get("register_import"),
              "<int:check_item_id>": ids["check_item"], "<kind>": "feedback"}
    for key, kind in (("<int:task_id>", "task"), ("<int:batch_id>", "batch"), ("<int:item_id>", "item"),
                      ("<int:snapshot_id>", "snapshot"), ("<int:person_id>", "person"), ("<int:finding_id>", "finding"),
                      ("<int:meeting_id>", "meeting")):
        if key in rule:
            values[key] = ids[f"{kind}:{county}"]
            whole = True
    for key in ("<code>", "<county>"):
        if key in rule:
            values[key] = county
            whole = True
    url = rule
    for key, value in values.items():
        url = url.replace(key, str(value))
    return url, whole


def body_text(response) -> str:
    """Return everything a person could read in a response: text, or every cell of an XLSX."""
    data = response.data
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(book.read(name).decode("utf-8", "replace") for name in book.namelist()
                            if name.endswith(".xml"))
    return data.decode("utf-8", "replace")


def client_for(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORDS[username]})
    assert response.status_code in (302, 303), username
    return client
