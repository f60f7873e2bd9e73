"""The styles-only reference document (reference.docx) every report is built on.

Reports take their whole look — page size and margins, fonts, sizes, spacing, the page-number
footer — from this document's styles, so a unit adapts the look by editing reference.docx in
Word or WPS (修改样式) and saving it, or by pointing ``JIXIAO_REPORT_REFERENCE`` at its own copy.
Regenerate the shipped default with ``python -m jixiao.report.reference``.

Defaults follow GB/T 9704 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm; body 仿宋 三号 (16 pt) with a fixed 28 pt line; level-1 headings 黑体, level-2
楷体, both 三号; title 小标宋-style 二号 (22 pt, 宋体 bold where 小标宋 is not installed); page
numbers 宋体 四号 in the footer as 「— 1 —」.
"""
from __future__ import annotations

import sys
from pathlib import Path

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


def _page_number_footer(section: Section) -> None:
    """Footer 「— PAGE —」 centred, 宋体 四号 (a PAGE field so Word/WPS/LibreOffice number it)."""
    footer = section.footer
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str | None = None) -> Run:
        r = para.add_run(text or "")
        r.font.size = Pt(14)
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


def build_reference(path: Path = DEFAULT_PATH) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    _page_number_footer(section)

    styles = doc.styles
    _setup(styles[BODY], "Times New Roman", "仿宋", 16, first_indent=32, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _setup(styles[TITLE], "Times New Roman", "宋体", 22, bold=True, first_indent=0, align=WD_ALIGN_PARAGRAPH.CENTER,
           line=36, after=12)
    # The built-in Title has a bottom border in python-docx's template; an official document has none.
    ppr = styles[TITLE].element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)
    _setup(styles[HEADING_1], "Times New Roman", "黑体", 16, first_indent=32, align=WD_ALIGN_PARAGRAPH.LEFT)
    _setup(styles[HEADING_2], "Times New Roman", "楷体", 16, first_indent=32, align=WD_ALIGN_PARAGRAPH.LEFT)
    for name in (HEADING_1, HEADING_2):
        styles[name].paragraph_format.keep_with_next = True
    _setup(styles[CAPTION], "Times New Roman", "黑体", 12, first_indent=0, align=WD_ALIGN_PARAGRAPH.CENTER,
           line=None, before=6, after=6)
    _setup(_paragraph_style(doc, NOTE, BODY), "Times New Roman", "楷体", 14, first_indent=28, line=24)
    _setup(_paragraph_style(doc, TABLE_TEXT, BODY), "Times New Roman", "仿宋", 10.5, first_indent=0,
           align=WD_ALIGN_PARAGRAPH.LEFT, line=None)
    _setup(_paragraph_style(doc, FIGURE, BODY), "Times New Roman", "仿宋", 16, first_indent=0,
           align=WD_ALIGN_PARAGRAPH.CENTER, line=None, before=6)
    try:
        mark = styles[TODO_MARK]
    except KeyError:
        mark = styles.add_style(TODO_MARK, WD_STYLE_TYPE.CHARACTER)
    mark.font.bold = True
    mark.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    set_fonts(mark, "Times New Roman", "黑体")

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
