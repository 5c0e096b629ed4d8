"""The rectification item in the API as on its page: the fields to fix the register (masked) and the
evidence files, attached with the same checks (type by content, county, who may)."""

import hashlib
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import Campaign, RectificationItem
from reports.rectification import generate_items
from support.reports_factory import add_campaign

A, B = "440802", "440803"  # the liaison of the `users` fixture is scoped to 440802
NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def item_ids(app, session):
    app.config["CLOCK"] = lambda: NOW
    with app.app_context():
        cid = add_campaign(session, {A: {"N": 50, "verified": [["inaccurate_data"]]},
                                     B: {"N": 40, "verified": [["inaccurate_data"]]}})
        generate_items(session, session.get(Campaign, cid), NOW, date(2026, 5, 10))
        session.commit()
        return {i.county_code: i.id for i in session.scalars(select(RectificationItem))}


def send(client, item_id, data: bytes, name="整改报告.pdf"):
    return client.post(f"/api/v1/rectification/{item_id}/evidence", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_liaison_attaches_evidence_and_reads_the_item(token_client, item_ids):
    client = token_client("liaison")
    made = send(client, item_ids[A], PDF)
    assert made.status_code == 201
    kept = made.get_json()
    assert kept["sha256"] == hashlib.sha256(PDF).hexdigest() and kept["content_type"] == "application/pdf"
    assert kept["filename"] == "整改报告.pdf" and kept["uploaded_by"] == "liaison"
    item = client.get(f"/api/v1/rectification/{item_ids[A]}").get_json()
    assert [f["id"] for f in item["evidence"]] == [kept["id"]]
    assert item["evidence"][0]["download_url"] == f"/evidence/{kept['id']}"
    phone = next(f for f in item["register_fix"] if f["field"] == "phone")
    assert phone["found"] == "139****1111" and phone["revealable"]


def test_a_file_that_is_not_what_it_says_is_refused_with_a_reason(token_client, item_ids):
    refused = send(token_client("liaison"), item_ids[A], b"MZ\x90\x00 not a pdf", name="scan.pdf")
    assert refused.status_code == 400 and refused.get_json()["error"]["message"]
    none = token_client("liaison").post(f"/api/v1/rectification/{item_ids[A]}/evidence")
    assert none.status_code == 400 and none.get_json()["error"]["code"] == "no_file"


def test_another_countys_item_is_not_found_and_callers_may_not_attach(token_client, item_ids):
    liaison = token_client("liaison")
    assert liaison.get(f"/api/v1/rectification/{item_ids[B]}").status_code == 404
    assert send(liaison, item_ids[B], PDF).status_code == 404
    assert token_client("caller").get(f"/api/v1/rectification/{item_ids[A]}").status_code == 403
    assert send(token_client("caller"), item_ids[A], PDF).status_code == 403
    assert send(token_client("coordinator"), item_ids[B], PDF).status_code == 201
