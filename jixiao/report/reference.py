"""The styles-only reference document (reference.docx) every report is built on.

Reports take their whole look — page size and margins, fonts, sizes, spacing, the page-number
footer — from this document's styles, so a unit adapts the look by editing reference.docx in
Word or WPS (修改样式) and saving it, or by pointing ``JIXIAO_REPORT_REFERENCE`` at its own copy.
Regenerate the shipped default with ``python -m jixiao.report.reference``.

Defaults follow GB/T 9704 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm (版心 156 × 225 mm); a document grid of 28 characters × 22 lines (``w:docGrid``
linesAndChars, so Word, WPS and LibreOffice set exactly 28 characters on a full line); body 仿宋
三号 on the 22-line pitch (28.95 pt; 15.5 pt glyphs, see ``BODY_PT``); level-1 headings 黑体,
level-2 楷体, same size; title
方正小标宋简体 二号 (22 pt); digits and Latin letters in the same face as the text around them.
Page numbers 宋体 四号 半角 as “— 1 —”, the top of the number 7 mm below the 版心: odd pages on the
right, even pages on the left, each one character in from the edge of the 版心 (separate odd and
even footers, ``w:evenAndOddHeaders``).
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.text.run import Run

DEFAULT_PATH = Path(__file__).resolve().parent / "reference.docx"

# Style names the builder uses. Built-in names keep Word's outline levels (导航窗格) working.
BODY = "Normal"
TITLE = "Title"
HEADING_1 = "Heading 1"
HEADING_2 = "Heading 2"
CAPTION = "Caption"
NOTE = "报告说明"
TABLE_TEXT = "表格文字"
TODO_MARK = "待补充标记"
FIGURE = "图片"
TABLE_STYLE = "Table Grid"

BLACK = RGBColor(0, 0, 0)


def set_fonts(element_style: BaseStyle, latin: str, east_asia: str) -> None:
    """Set Latin and East Asian fonts on a style, dropping theme fonts that would override them."""
    rpr = element_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph_style(doc: DocxDocument, name: str, base: str | None = None) -> ParagraphStyle:
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if base:
            style.base_style = styles[base]
        style.quick_style = True
        return style


def _setup(style: ParagraphStyle, latin: str, east_asia: str, size: float, bold: bool = False,
           first_indent: float | None = None, align: WD_PARAGRAPH_ALIGNMENT | None = None, line: float | None = 28,
           before: float = 0, after: float = 0) -> None:
    set_fonts(style, latin, east_asia)
    font = style.font
    font.size = Pt(size)
    font.bold = bold
    font.italic = False
    font.color.rgb = BLACK
    pf = style.paragraph_format
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.first_line_indent = Pt(first_indent) if first_indent is not None else None
    if align is not None:
        pf.alignment = align


GRID_CHARS = 28  # characters per line (GB/T 9704 7.1)
GRID_LINES = 22  # lines per page
# 三号 is 16 pt, but 28 characters of 16 pt (158 mm) do not fit the 156 mm 版心: Word compresses the
# grid pitch to 15.79 pt, while LibreOffice puts every CJK glyph into whole grid cells, so a 16 pt
# glyph would take two cells and a line would hold 14 characters. 15.5 pt — the largest half-point
# size that fits one 15.79 pt cell — gives 28 characters in Word, WPS and LibreOffice alike.
BODY_PT = 15.5
PAGE_NUMBER_PT = 14  # 四号
TEXT_WIDTH_MM = 210 - 28 - 26
TEXT_HEIGHT_MM = 297 - 37 - 35
_PT_PER_MM = 72 / 25.4
LINE_PT = round(TEXT_HEIGHT_MM * _PT_PER_MM / GRID_LINES, 2)  # 28.95 pt
PITCH_PT = TEXT_WIDTH_MM * _PT_PER_MM / GRID_CHARS  # 15.79 pt
INDENT_PT = round(2 * PITCH_PT, 2)  # 首行缩进两字: two grid cells


_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
               "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
               "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _no_grid(ppr: Any) -> None:
    """``w:snapToGrid w:val="0"`` at its place in the schema's order (Word rejects it elsewhere)."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *_AFTER_SNAP)


def _doc_grid(section: Section) -> None:
    """28 × 22 grid: the line pitch in twips, the character pitch as its difference from the body
    size in 1/4096 pt (how Word's ``w:charSpace`` is defined)."""
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    grid.set(qn("w:charSpace"), str(round((PITCH_PT - BODY_PT) * 4096)))
    sect.append(grid)


def _page_number(para: Any, align: WD_PARAGRAPH_ALIGNMENT) -> None:
    """“— PAGE —” in 宋体 四号 (a PAGE field so Word/WPS/LibreOffice number it), one character in
    from the side of the 版心 it sits on."""
    para.alignment = align
    pf = para.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(PAGE_NUMBER_PT)
    pf.space_before = pf.space_after = Pt(0)
    pf.first_line_indent = Pt(0)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        pf.left_indent = Pt(PAGE_NUMBER_PT)
    # No snapping to the body's character grid: the number is set in its own 四号 size.
    _no_grid(para._p.get_or_add_pPr())

    def run(text: str | None = None) -> Run:
        r = para.add_run(text or "")
        r.font.size = Pt(PAGE_NUMBER_PT)
        r.font.name = "宋体"
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        return r

    run("— ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        r = run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
        elif kind == "text":
            r.text = text or ""
        else:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._element.append(fld)
    run(" —")


def _page_number_footers(doc: DocxDocument, section: Section) -> None:
    """Odd pages right, even pages left (GB/T 9704 7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        _page_number(para, align)


def build_reference(path: Path = DEFAULT_PATH) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # The footer's bottom edge from the page's: the number's 四号 line then starts 7 mm below the 版心.
    section.footer_distance = Mm(35 - 7) - Pt(PAGE_NUMBER_PT)
    _page_number_footers(doc, section)
    _doc_grid(section)

    styles = doc.styles
    _setup(styles[BODY], "仿宋", "仿宋", BODY_PT, first_indent=INDENT_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
           line=LINE_PT)
    _setup(styles[TITLE], "方正小标宋简体", "方正小标宋简体", 22, first_indent=0,
           align=WD_ALIGN_PARAGRAPH.CENTER, line=36, after=12)
    # The built-in Title has a bottom border in python-docx's template; an official document has none.
    ppr = styles[TITLE].element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    _setup(styles[HEADING_1], "黑体", "黑体", BODY_PT, first_indent=INDENT_PT, align=WD_ALIGN_PARAGRAPH.LEFT,
           line=LINE_PT)
    _setup(styles[HEADING_2], "楷体", "楷体", BODY_PT, first_indent=INDENT_PT, align=WD_ALIGN_PARAGRAPH.LEFT,
           line=LINE_PT)
    for name in (HEADING_1, HEADING_2):
        styles[name].paragraph_format.keep_with_next = True
    _setup(styles[CAPTION], "黑体", "黑体", 12, first_indent=0, align=WD_ALIGN_PARAGRAPH.CENTER,
           line=None, before=6, after=6)
    _setup(_paragraph_style(doc, NOTE, BODY), "楷体", "楷体", 14, first_indent=28, line=24)
    _setup(_paragraph_style(doc, TABLE_TEXT, BODY), "仿宋", "仿宋", 10.5, first_indent=0,
           align=WD_ALIGN_PARAGRAPH.LEFT, line=None)
    _setup(_paragraph_style(doc, FIGURE, BODY), "仿宋", "仿宋", 16, first_indent=0,
           align=WD_ALIGN_PARAGRAPH.CENTER, line=None, before=6)
    # Only the body and its headings sit on the 28-character grid: titles, captions, notes, table
    # text and figures have their own sizes and would be spread out to the 三号 pitch.
    for name in (TITLE, CAPTION, NOTE, TABLE_TEXT, FIGURE):
        _no_grid(styles[name].element.get_or_add_pPr())
    try:
        mark = styles[TODO_MARK]
    except KeyError:
        mark = styles.add_style(TODO_MARK, WD_STYLE_TYPE.CHARACTER)
    mark.font.bold = True
    mark.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    set_fonts(mark, "黑体", "黑体")

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    doc.core_properties.title = "jixiao 自评报告样式参考文档"
    doc.core_properties.author = "jixiao"
    doc.save(str(path))
    return path


if __name__ == "__main__":
    out = build_reference(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)
    print(f"已生成样式参考文档：{out}")
