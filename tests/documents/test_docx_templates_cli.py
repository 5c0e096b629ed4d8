"""The wording templates an admin replaces, the download headers, and `flask reports docx`."""

import io
import zipfile

import docx
import pytest

from documents import wording
from support.checklist_factory import A, worked_campaign


@pytest.fixture
def campaign_id(app, users):
    return worked_campaign(app)


def _template(text: str) -> bytes:
    doc = docx.Document()
    doc.add_paragraph("关于{{ county_name }}的整改通知（自定义）")
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _with_macros(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


def upload(client, data: bytes, kind="feedback"):
    return client.post(f"/documents/templates/{kind}", data={"file": (io.BytesIO(data), "模板.docx")},
                       content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize("data, reason", [
    (b"not a zip", "不是 Word 文档"),
    (_with_macros(_template("{{ body }}")), "含有宏"),
    (_template("没有正文占位符"), "{{ body }}"),
    (_template("{% if %}{{ body }}"), "无法识别模板中的占位符"),
])
def test_a_bad_template_is_refused_with_the_reason(client, login_as, campaign_id, data, reason):
    login_as("admin")
    assert reason in upload(client, data).text


def test_an_uploaded_template_gives_the_wording_and_the_standard_layout_stays(app, client, login_as, campaign_id):
    login_as("admin")
    assert "模板已启用" in upload(client, _template("{{ body }}")).text
    login_as("coordinator")
    response = client.get(f"/documents/{campaign_id}/feedback/{A}.docx")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    doc = docx.Document(io.BytesIO(response.data))
    assert doc.paragraphs[0].text == "关于赤坎区的整改通知（自定义）"
    assert "一、核查基本情况" in [p.text for p in doc.paragraphs]
    assert round(doc.sections[0].left_margin.mm) == 28 and round(doc.sections[0].top_margin.mm) == 37
    login_as("admin")
    client.post("/documents/templates/feedback/reset")
    with app.app_context():
        from core.extensions import db

        assert [t.active for t in wording.uploads(db.session)] == [False]  # the upload is kept, not in force
        document, marker = wording.render(wording.current_template(db.session, "feedback"), {"county_name": "甲"})
        assert document.paragraphs[0].text.startswith("关于甲") and marker is not None


def test_only_an_admin_manages_templates(client, login_as, campaign_id):
    login_as("coordinator")
    assert client.get("/documents/templates").status_code == 403
    assert upload(client, _template("{{ body }}")).status_code == 403


def test_the_cli_writes_the_county_feedback_and_the_summary(app, runner, campaign_id, tmp_path):
    county, summary = tmp_path / "f.docx", tmp_path / "s.docx"
    result = runner.invoke(args=["reports", "docx", "--campaign", str(campaign_id), "--county", A, "--output",
                                 str(county)])
    assert result.exit_code == 0, result.output
    assert "赤坎区" in "".join(p.text for p in docx.Document(county).paragraphs)
    result = runner.invoke(args=["reports", "docx", "--campaign", str(campaign_id), "--summary", "--output",
                                 str(summary)])
    assert result.exit_code == 0 and "通报" in docx.Document(summary).paragraphs[0].text
    assert runner.invoke(args=["reports", "docx", "--campaign", str(campaign_id), "--output",
                               str(summary)]).exit_code != 0
    assert "no such campaign" in runner.invoke(args=["reports", "docx", "--campaign", "999", "--summary",
                                                     "--output", str(summary)]).output


def test_the_checklist_cli_copies_and_reports_progress(runner, campaign_id):
    assert "has its checklist" in runner.invoke(args=["checklist", "copy", "--campaign", str(campaign_id)]).output
    lines = runner.invoke(args=["checklist", "progress", "--campaign", str(campaign_id)]).output.splitlines()
    assert lines[1].startswith(f"{A}\t0\t11")
