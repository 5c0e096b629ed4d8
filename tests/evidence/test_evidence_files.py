"""Evidence on a rectification item: attached by its county or a coordinator, kept by SHA-256, handed out
only as a download, taken off and put back, and never seen from another county."""

import hashlib
import io
import os
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import Attachment, AuditLog, Campaign, RectificationItem
from reports.rectification import generate_items
from support.reports_factory import add_campaign

A, B = "440802", "440803"
NOW = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def item_ids(app, session):
    app.config["CLOCK"] = lambda: NOW
    with app.app_context():
        campaign_id = add_campaign(session, {A: {"N": 50, "verified": [["not_authentic"]]},
                                             B: {"N": 40, "verified": [["inaccurate_data"]]}})
        generate_items(session, session.get(Campaign, campaign_id), NOW, date(2026, 5, 10))
        session.commit()
        items = session.scalars(select(RectificationItem).order_by(RectificationItem.id)).all()
        return {item.county_code: item.id for item in items}


def upload(client, item_id, data: bytes, name="整改报告.pdf"):
    return client.post(f"/reports/rectification/{item_id}/evidence",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def files(session):
    session.expire_all()
    return session.scalars(select(Attachment).order_by(Attachment.id)).all()


def test_the_county_attaches_a_pdf_and_a_reader_downloads_it_never_inline(app, session, client, login_as, item_ids):
    login_as("liaison")
    assert upload(client, item_ids[A], PDF).status_code == 302
    [kept] = files(session)
    assert (kept.owner_type, kept.owner_id, kept.county_code) == ("rectification_item", item_ids[A], A)
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest() and kept.size == len(PDF)
    assert kept.content_type == "application/pdf" and kept.filename == "整改报告.pdf"
    assert os.path.exists(os.path.join(app.config["STORAGE_DIR"], kept.storage_key))
    page = client.get(f"/reports/rectification/{item_ids[A]}").data.decode()
    assert "整改报告.pdf" in page and kept.sha256[:12] in page
    response = client.get(f"/evidence/{kept.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()
    audit = session.scalars(select(AuditLog).where(AuditLog.action == "evidence.attach")).one()
    assert audit.object_id == str(item_ids[A]) and audit.detail["sha256"] == kept.sha256


def test_refused_files_are_not_kept_and_the_reason_is_shown(app, session, client, login_as, item_ids):
    login_as("liaison")
    page = client.get(f"/reports/rectification/{item_ids[A]}", follow_redirects=True)
    response = upload(client, item_ids[A], b"<html><script>alert(1)</script></html>", "报告.pdf")
    assert "只接受 PDF、PNG、JPEG、XLSX 或 DOCX 文件" in client.get(response.headers["Location"]).data.decode()
    app.config["EVIDENCE_MAX_BYTES"] = 100
    response = upload(client, item_ids[A], PDF + b" " * 100)
    assert "文件超过大小上限" in client.get(response.headers["Location"]).data.decode()
    assert files(session) == [] and page.status_code == 200
    storage = app.config["STORAGE_DIR"]
    assert not [n for _root, _dirs, names in os.walk(storage) for n in names]  # no half-kept upload either


def test_another_county_neither_attaches_nor_downloads(app, session, client, login_as, item_ids):
    login_as("coordinator")
    upload(client, item_ids[B], PDF)
    kept_id = files(session)[0].id
    client.post("/logout")
    login_as("liaison")  # county A
    assert upload(client, item_ids[B], PDF).status_code == 404
    assert client.get(f"/evidence/{kept_id}").status_code == 404
    client.post("/logout")
    login_as("caller")  # callers have no use for evidence
    assert client.get(f"/evidence/{kept_id}").status_code == 404


def test_a_file_taken_off_can_be_put_back(app, session, client, login_as, item_ids):
    login_as("liaison")
    upload(client, item_ids[A], PDF)
    kept = files(session)[0].id
    response = client.post(f"/evidence/{kept}/remove", data={"next": f"/reports/rectification/{item_ids[A]}"})
    assert response.headers["Location"].endswith(f"/reports/rectification/{item_ids[A]}")
    assert files(session)[0].removed_at is not None
    assert client.get(f"/evidence/{kept}").status_code == 404
    assert "整改报告.pdf" not in client.get(f"/reports/rectification/{item_ids[A]}").data.decode()
    client.post(f"/evidence/{kept}/restore", data={"next": "//evil.example/"})
    assert files(session)[0].removed_at is None
    actions = session.scalars(select(AuditLog.action).where(AuditLog.action.like("evidence.%"))
                              .order_by(AuditLog.id)).all()
    assert actions == ["evidence.attach", "evidence.remove", "evidence.restore"]


def test_the_same_file_twice_is_stored_once(app, session, client, login_as, item_ids):
    login_as("coordinator")
    upload(client, item_ids[A], PDF, "a.pdf")
    upload(client, item_ids[B], PDF, "b.pdf")
    first, second = files(session)
    assert first.storage_key == second.storage_key and (first.filename, second.filename) == ("a.pdf", "b.pdf")
