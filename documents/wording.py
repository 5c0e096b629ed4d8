"""The standard wording of the documents, from DOCX templates an admin can replace.

A template is a Word document with placeholders ({{ county_name }}, {{ campaign_name }}, {{ issuer }},
{{ issued_on }}, {{ period }}, {{ reply_by }}) and one paragraph holding {{ body }} alone, where the
figures, tables and findings are put. Spotcheck ships one of each kind, made by `default_template`; an
admin downloads it, changes the wording in Word or WPS and uploads it back. Templates are rendered with
docxtpl in Jinja's sandbox, and checked on upload (a DOCX, no macros, renders, has {{ body }}).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docxtpl import DocxTemplate
from flask import current_app
from flask_babel import gettext as _
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from core import auditlog
from core.clock import now
from core.extensions import db
from core.storage import absolute, storage_dir
from documents import layout
from models import DocumentTemplate

KINDS = ("feedback", "summary")
BODY_MARKER = "[[SPOTCHECK-BODY]]"
PLACEHOLDERS = ("county_name", "campaign_name", "issuer", "issued_on", "period", "reply_by", "body")
MACRO_PARTS = ("word/vbaProject.bin", "word/vbaData.xml")


def default_template(kind: str) -> bytes:
    """Make the shipped template of a kind: the GB/T 9704 layout and the standard wording."""
    doc = docx.Document()
    if kind == "feedback":
        layout.add_title(doc, "关于{{ county_name }}{{ campaign_name }}情况的反馈意见")
        layout.add_text(doc, "{{ county_name }}公共就业服务机构：", indent=0)
        layout.add_text(doc, "根据《关于开展{{ campaign_name }}的通知》安排，核查组于{{ period }}对你单位失业登记工作"
                             "开展了专项核查，通过听取工作汇报、查阅资料台账、开展实地核查、进行随机抽查、广泛听取意见"
                             "等方式，全面了解了工作情况。现将核查情况反馈如下：")
        layout.add_text(doc, "{{ body }}")
        layout.add_text(doc, "请你单位对照反馈问题，坚持边查边改、立行立改，压实整改责任，逐项整改落实，于{{ reply_by }}"
                             "前将整改情况书面报送{{ issuer }}。")
    else:
        layout.add_title(doc, "关于{{ campaign_name }}情况的通报")
        layout.add_text(doc, "各县（市、区）公共就业服务机构：", indent=0)
        layout.add_text(doc, "为规范全市失业登记管理，确保失业登记数据真实、准确、完整，{{ issuer }}于{{ period }}在全市"
                             "范围内开展了失业登记工作专项核查。现将核查情况通报如下：")
        layout.add_text(doc, "{{ body }}")
        layout.add_text(doc, "各县（市、区）要以本次核查为契机，总结推广好经验好做法，针对共性问题完善制度、优化流程，"
                             "全面提升失业登记规范化水平，于{{ reply_by }}前将整改情况书面报送{{ issuer }}。")
    closing = [doc.paragraphs[-1], layout.add_text(doc, "", indent=0),
               layout.add_text(doc, "{{ issuer }}", indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT),
               layout.add_text(doc, "{{ issued_on }}", indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT)]
    for paragraph in closing[:-1]:  # the closing words, the issuer and the date stay on one page
        paragraph.paragraph_format.keep_with_next = True
    for paragraph in closing[2:]:  # 成文日期 right-aligned four characters in from the edge
        paragraph.paragraph_format.right_indent = layout.Pt(layout.SIZE_3 * 4)
    layout.apply_page_setup(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def current_template(session, kind: str) -> bytes:
    """Return the template in force: the newest active upload of the kind, else the shipped one."""
    row = session.scalar(select(DocumentTemplate).where(DocumentTemplate.kind == kind, DocumentTemplate.active)
                         .order_by(DocumentTemplate.uploaded_at.desc(), DocumentTemplate.id.desc()).limit(1))
    if row is not None:
        with open(absolute(row.storage_key), "rb") as stored:
            return stored.read()
    return default_template(kind)


def render(template: bytes, context: dict):
    """Fill a template's placeholders; return the python-docx document and its {{ body }} paragraph."""
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(dict(context, body=BODY_MARKER), jinja_env=SandboxedEnvironment(), autoescape=True)
    document = tpl.docx
    marker = next((p for p in document.paragraphs if BODY_MARKER in p.text), None)
    return document, marker


def check_template(data: bytes) -> list[str]:
    """Return why an uploaded file cannot be a template (in the reader's language), or nothing."""
    limit = int(current_app.config["DOCUMENT_TEMPLATE_MAX_BYTES"])
    if len(data) > limit:
        return [_("The file is larger than %(n)d MB.", n=limit // (1024 * 1024))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace") if "[Content_Types].xml" in names \
                else ""
    except zipfile.BadZipFile:
        return [_("The file is not a Word document (DOCX).")]
    if "word/document.xml" not in names:
        return [_("The file is not a Word document (DOCX).")]
    if any(part in names for part in MACRO_PARTS) or "macroEnabled" in types:
        return [_("The document contains macros; save it as a plain .docx without macros.")]
    try:
        _document, marker = render(data, {name: name for name in PLACEHOLDERS})
    except (TemplateError, ValueError, KeyError) as error:
        return [_("The placeholders cannot be read: %(reason)s", reason=str(error)[:200])]
    if marker is None:
        return [_("The template needs one paragraph holding {{ body }}, where the figures go.")]
    return []


def store(kind: str, filename: str, data: bytes, user) -> DocumentTemplate:
    """Keep an uploaded template (checked first) and make it the one in force for its kind."""
    digest = hashlib.sha256(data).hexdigest()
    key = os.path.join("document-templates", f"{digest}.docx")
    target = os.path.join(storage_dir(), key)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if not os.path.exists(target):
        with open(target + ".part", "wb") as part:
            part.write(data)
        os.replace(target + ".part", target)
    with db.write_transaction() as session:
        row = DocumentTemplate(kind=kind, filename=os.path.basename(filename or "template.docx")[:255],
                               storage_key=key, sha256=digest, size=len(data), active=True,
                               uploaded_by_id=user.id if user else None, uploaded_at=now())
        session.add(row)
        session.flush()
        auditlog.record("document_template.upload", "document_template", row.id, user=user, kind=kind,
                        sha256=digest, size=len(data))
        return row


def reset(kind: str, user) -> int:
    """Go back to the shipped template of a kind (the uploads are kept, inactive); return how many were active."""
    with db.write_transaction() as session:
        rows = list(session.scalars(select(DocumentTemplate).where(DocumentTemplate.kind == kind,
                                                                   DocumentTemplate.active)))
        for row in rows:
            row.active = False
        auditlog.record("document_template.reset", "document_template", kind, user=user, deactivated=len(rows))
        return len(rows)


def uploads(session) -> list[DocumentTemplate]:
    """List the uploaded templates, newest first."""
    return list(session.scalars(select(DocumentTemplate).order_by(DocumentTemplate.uploaded_at.desc(),
                                                                  DocumentTemplate.id.desc())))
