"""The layout of GB/T 9704-2012 党政机关公文格式, applied with python-docx.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (a 156 × 225 mm text block); the body
in 仿宋_GB2312 三号 (16 pt) on 22 lines of 28 characters (exact 28.95 pt lines and a −0.25 pt
character spacing, with the same grid declared for Word); the title in 小标宋 二号 (22 pt), first-level
headings in 黑体, second-level in 楷体; page numbers "— 1 —" in 宋体 四号 at the foot, odd pages right
and even pages left, one character in from the edge. Every run names its font for Latin and East Asian
text (w:eastAsia), and the font table declares a fallback (w:altName) for machines without the fonts.
"""

from __future__ import annotations

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, HEADING1_FONT, HEADING2_FONT, NUMBER_FONT = (
    "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体")
# The fallback each font names in the font table (w:altName), and its family for font matching.
FALLBACKS = {
    "方正小标宋简体": ("华文中宋", "roman"), "仿宋_GB2312": ("仿宋", "modern"), "黑体": ("SimHei", "modern"),
    "楷体_GB2312": ("楷体", "modern"), "宋体": ("SimSun", "auto"),
}
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_5 = 22, 16, 14, 12, 10.5  # 二号, 三号, 四号, 小四, 五号 in points
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
CHAR_SPACING_TWIPS = -5  # −0.25 pt a character (w:spacing is in twentieths of a point): 28 × 15.75 pt ≤ 156 mm
TEXT_WIDTH = Mm(156)
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}


def set_font(run, name: str, size: float, bold: bool = False, spacing: int | None = CHAR_SPACING_TWIPS) -> None:
    """Give a run its font by name for every script (ascii, hAnsi, eastAsia, cs), its size and spacing."""
    run.font.size = Pt(size)
    run.font.bold = bold
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)
    if spacing:
        for old in r_pr.findall(qn("w:spacing")):
            r_pr.remove(old)
        r_pr.append(parse_xml(f'<w:spacing {nsdecls("w")} w:val="{spacing}"/>'))


def _exact_lines(paragraph, first_line_chars: float = 0, align=None) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(SIZE_3 * first_line_chars) if first_line_chars else None
    if align is not None:
        paragraph.alignment = align


def add_text(doc, text: str, font: str = BODY_FONT, size: float = SIZE_3, indent: float = 2, align=None,
             bold: bool = False):
    """Add a paragraph of body text (by default 仿宋 三号 with a two-character first-line indent)."""
    paragraph = doc.add_paragraph()
    _exact_lines(paragraph, indent, align if align is not None else WD_ALIGN_PARAGRAPH.JUSTIFY)
    set_font(paragraph.add_run(text), font, size, bold)
    return paragraph


def add_title(doc, text: str):
    """Add the document's title: 小标宋 二号, centred, with an empty line after it."""
    paragraph = add_text(doc, text, TITLE_FONT, SIZE_2, indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    add_text(doc, "", indent=0)
    return paragraph


def add_heading1(doc, text: str):
    """Add a first-level heading ("一、…") in 黑体 三号."""
    return add_text(doc, text, HEADING1_FONT, SIZE_3)


def add_heading2(doc, text: str):
    """Add a second-level heading ("（一）…") in 楷体 三号."""
    return add_text(doc, text, HEADING2_FONT, SIZE_3)


def add_table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float], size: float = SIZE_5):
    """Add a table within the text block: fixed column widths adding up to at most 156 mm, the header row
    repeated on every page, no row split across two pages."""
    if sum(widths_mm) > 156.01:
        raise ValueError("the columns are wider than the text block")
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    for index, values in enumerate([header, *rows]):
        row = table.rows[index]
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        if index == 0:
            tr_pr.append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
        for cell, value, width in zip(row.cells, values, widths_mm, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.line_spacing = 1.15
            # Table text keeps its own single spacing instead of snapping to the body's 22-line grid.
            paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
            if index == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_font(paragraph.add_run(str(value)), HEADING1_FONT if index == 0 else BODY_FONT, size, spacing=None)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    return table


def add_picture(doc, png: bytes, width_mm: float = 150):
    """Add a chart (a PNG rendered on the server), centred, at most the width of the text block."""
    import io

    doc.add_picture(io.BytesIO(png), width=Mm(min(width_mm, 156)))
    paragraph = doc.paragraphs[-1]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def apply_page_setup(doc) -> None:
    """Give every section the A4 page, the margins, the line grid and the page numbers of the standard."""
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        if section.start_type not in (WD_SECTION.NEW_PAGE, WD_SECTION.CONTINUOUS):
            section.start_type = WD_SECTION.NEW_PAGE
        section.page_width, section.page_height = PAGE["width"], PAGE["height"]
        section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
        section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
        section.header_distance, section.footer_distance = Mm(15), Mm(21)
        sect_pr = section._sectPr
        for old in sect_pr.findall(qn("w:docGrid")):
            sect_pr.remove(old)
        # 579 twips a line (225 mm / 22). A character grid too ("linesAndChars") would make LibreOffice
        # space every character out to its own pitch; the run spacing keeps 28 characters to a line instead.
        sect_pr.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="579"/>'))
        _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    _default_fonts(doc)
    declare_fallbacks(doc)


def _page_number(footer, align) -> None:
    """Write "— n —" in 宋体 四号, one character in from the outer edge."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    for run in list(paragraph.runs):
        run._element.getparent().remove(run._element)
    paragraph.alignment = align
    indent = Pt(SIZE_4)
    paragraph.paragraph_format.right_indent = indent if align == WD_ALIGN_PARAGRAPH.RIGHT else None
    paragraph.paragraph_format.left_indent = indent if align == WD_ALIGN_PARAGRAPH.LEFT else None
    set_font(paragraph.add_run("— "), NUMBER_FONT, SIZE_4, spacing=None)
    field = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    paragraph._p.append(field)
    set_font(paragraph.add_run(" —"), NUMBER_FONT, SIZE_4, spacing=None)
    # The number inside the field takes the same font.
    r = field.find(qn("w:r"))
    r.insert(0, parse_xml(f'<w:rPr {nsdecls("w")}><w:rFonts w:ascii="{NUMBER_FONT}" w:hAnsi="{NUMBER_FONT}" '
                          f'w:eastAsia="{NUMBER_FONT}" w:cs="{NUMBER_FONT}"/><w:sz w:val="{SIZE_4 * 2}"/></w:rPr>'))


def _default_fonts(doc) -> None:
    """Make 仿宋_GB2312 三号 the document's default, for text written later in Word or WPS."""
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_3)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), BODY_FONT)


def declare_fallbacks(doc) -> None:
    """Name each font in the font table with its fallback (w:altName) and the GB2312 character set."""
    from lxml import etree

    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for font in root.findall(f"{{{w}}}font"):
        if font.get(f"{{{w}}}name") in FALLBACKS:
            root.remove(font)
    for name, (alt, family) in FALLBACKS.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": family})
        etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
