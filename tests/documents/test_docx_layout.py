"""The documents in the layout of GB/T 9704-2012: fonts named for every script with their fallbacks, the
page and margins, page numbers; and, printed through LibreOffice, A4 with text inside the margins, 22 lines
of 28 characters, Chinese text present and tables not cut."""

import re
import zipfile

import docx
import pytest
from docx.oxml.ns import qn
from sqlalchemy import select

from checklists import entries, meetings
from core.extensions import db
from documents import feedback, layout, summary
from models import Campaign, ChecklistItem
from support.checklist_factory import TODAY, A, worked_campaign
from support.office import page_lines, page_sizes, require_office, text, to_pdf, to_png, words

ISSUER = "湛江市就业服务管理中心"
MM = 72 / 25.4
LEFT, RIGHT, TOP, BOTTOM = 28 * MM, (210 - 26) * MM, 37 * MM, (297 - 35) * MM


@pytest.fixture
def documents(app, tmp_path):
    """Build a county's feedback and the city-wide report of a worked campaign; return their paths."""
    campaign_id = worked_campaign(app)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for key, conclusion, findings in (("1.1", "compliant", "及时传达学习政策文件，制定了实施细则"),
                                          ("2.3", "compliant", ""), ("3.1", "compliant", "")):
            item = db.session.scalar(select(ChecklistItem).where(ChecklistItem.key == key))
            entries.record(campaign, A, item, {"conclusion": conclusion, "checked_on": TODAY, "findings": findings},
                           None, TODAY)
        meetings.save(campaign, A, {"kind": "symposium", "held_on": TODAY, "place": "赤坎区人社局三楼会议室",
                                    "participants": [{"role": "team", "name": "张三"}], "notes": "",
                                    "problems": "窗口人员不足\n系统经常卡顿"}, None, TODAY)
        paths = {"feedback": tmp_path / "feedback.docx", "summary": tmp_path / "summary.docx"}
        paths["feedback"].write_bytes(feedback.build(db.session, campaign, A, TODAY, ISSUER))
        paths["summary"].write_bytes(summary.build(db.session, campaign, TODAY, ISSUER))
        items = [i.text for i in db.session.scalars(select(ChecklistItem))]
    return paths, items


def _fonts(run) -> set[str]:
    fonts = run._element.rPr.rFonts
    return {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")}


def test_every_run_names_its_font_for_east_asian_text_and_the_standard_fonts_are_used(documents):
    paths, _items = documents
    doc = docx.Document(paths["feedback"])
    title = doc.paragraphs[0].runs[0]
    assert _fonts(title) == {"方正小标宋简体"} and title.font.size.pt == 22
    by_text = {p.text: p for p in doc.paragraphs}
    assert _fonts(by_text["一、核查基本情况"].runs[0]) == {"黑体"}
    assert _fonts(by_text["（一）失业登记政策落实情况"].runs[0]) == {"楷体_GB2312"}
    body = next(p for p in doc.paragraphs if p.text.startswith("根据"))
    assert _fonts(body.runs[0]) == {"仿宋_GB2312"} and body.runs[0].font.size.pt == 16
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    for paragraph in doc.paragraphs:
        for run in (r for r in paragraph.runs if r.text):  # (an image's run holds no text)
            assert run._element.rPr.rFonts.get(qn("w:eastAsia")), paragraph.text


def test_the_font_table_declares_a_fallback_for_each_font(documents):
    paths, _items = documents
    with zipfile.ZipFile(paths["feedback"]) as archive:
        fonts = archive.read("word/fontTable.xml").decode("utf-8")
    for name, (fallback, _family) in layout.FALLBACKS.items():
        assert re.search(f'<w:font w:name="{name}"><w:altName w:val="{fallback}"/><w:charset w:val="86"/>', fonts)


def test_the_page_is_a4_with_the_standards_margins_and_numbered_at_the_foot(documents):
    paths, _items = documents
    doc = docx.Document(paths["summary"])
    section = doc.sections[0]
    assert [round(v.mm) for v in (section.page_width, section.page_height, section.top_margin,
                                  section.bottom_margin, section.left_margin, section.right_margin)] == \
        [210, 297, 37, 35, 28, 26]
    assert section.footer.paragraphs[0].text.startswith("— ") and section.footer.paragraphs[0].text.endswith(" —")
    assert 'w:instr="PAGE"' in section.footer._element.xml
    assert section.even_page_footer.paragraphs[0].alignment != section.footer.paragraphs[0].alignment
    assert doc.settings.odd_and_even_pages_header_footer


@pytest.mark.parametrize("kind", ["feedback", "summary"])
def test_printed_through_libreoffice_the_text_stays_inside_the_margins_of_a4_pages(documents, kind, screenshots):
    require_office()
    paths, items = documents
    pdf = to_pdf(paths[kind])
    sizes = page_sizes(pdf)
    assert sizes and all(w == pytest.approx(595.3, abs=1) and h == pytest.approx(841.9, abs=1) for w, h in sizes)
    found = words(pdf)
    numbers = [w for w in found if w["y0"] > BOTTOM]
    body = [w for w in found if w["y0"] <= BOTTOM]
    assert numbers and {w["page"] for w in numbers} == set(range(1, len(sizes) + 1))  # a number on every page
    assert min(w["x0"] for w in body) == pytest.approx(LEFT, abs=1.5)  # the text starts at the left margin …
    assert max(w["x1"] for w in body) <= RIGHT + 1.5  # … and nothing, tables included, passes the right one
    assert min(w["y0"] for w in body) >= TOP - 1 and max(w["y1"] for w in body) <= BOTTOM + 1
    printed = re.sub(r"\s+", "", text(pdf))
    assert "赤坎区" in printed and ISSUER in printed and "95%置信区间" in printed
    if kind == "feedback":
        assert "关于赤坎区2026年失业登记专项核查情况的反馈意见" in printed
        for item in items:  # every table cell is printed whole: no row cut off
            assert re.sub(r"\s+", "", item) in printed
        assert "座谈反映：系统经常卡顿" in printed and "25.0%" in printed
    else:
        assert "关于2026年失业登记专项核查情况的通报" in printed and "霞山区" in printed
    for page in range(1, min(len(sizes), 2) + 1):
        to_png(pdf, screenshots / f"docx-{kind}-{page}", page)


def test_the_body_sets_22_lines_of_28_characters(tmp_path):
    require_office()
    doc = docx.Document()
    sentence = "核查组要严格按照工作要求坚持客观公正实事求是原则全面准确掌握工作情况不回避问题不遮掩短板确保核查结果真实可靠"
    for _ in range(12):
        layout.add_text(doc, sentence * 3, indent=0)
    layout.apply_page_setup(doc)
    path = tmp_path / "grid.docx"
    doc.save(path)
    lines = [line.replace(" ", "") for line in page_lines(to_pdf(path), 1)]
    body = [line for line in lines if not line.startswith("—")]
    assert len(body) == 22
    assert {len(line) for line in body[:3]} == {28}
