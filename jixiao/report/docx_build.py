"""Render a ``Draft`` (jixiao.core.drafting) to .docx on top of the styles-only reference document.

The look comes from the reference document's styles; this module only picks a style per block.
Runs also carry the East Asian font of their style (``w:eastAsia``) because Word, WPS and
LibreOffice disagree on CJK fallback when only the style names it — and the value is read from
the reference document, so a unit's own styles still decide.
"""
from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from jixiao.core.drafting import TODO, Chart, Draft, Heading, PageBreak, Paragraph, Table
from jixiao.core.errors import InputError, Problem
from jixiao.report import reference as ref

REFERENCE_ENV = "JIXIAO_REPORT_REFERENCE"


def reference_path() -> Path:
    """The unit's own reference document if configured, else the shipped one (built if absent)."""
    custom = os.environ.get(REFERENCE_ENV)
    if custom:
        path = Path(custom)
        if not path.is_file():
            raise InputError([Problem(REFERENCE_ENV, f"样式参考文档「{custom}」不存在，"
                                                     "请检查路径或删除该环境变量以使用默认样式")])
        return path
    if not ref.DEFAULT_PATH.is_file():
        ref.build_reference(ref.DEFAULT_PATH)
    return ref.DEFAULT_PATH


class _Styles:
    """Style ids and East Asian fonts of the reference document's styles, looked up once:
    python-docx scans every style on each lookup, which dominates a 200-project report."""

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.ids: dict[str, str] = {}
        self.fonts: dict[str, str | None] = {}

    def id(self, name: str) -> str:
        if name not in self.ids:
            self.ids[name] = self.doc.styles[name].style_id
        return self.ids[name]

    def east_asia(self, name: str) -> str | None:
        """The style's eastAsia font, following ``based_on`` as Word does."""
        if name not in self.fonts:
            style = self.doc.styles[name]
            found = None
            while style is not None and found is None:
                rpr = style.element.rPr
                fonts = rpr.rFonts if rpr is not None else None
                found = fonts.get(qn("w:eastAsia")) if fonts is not None else None
                style = style.base_style
            self.fonts[name] = found
        return self.fonts[name]


def _empty_body(doc: DocxDocument) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _run(para: DocxParagraph, text: str, styles: _Styles, style_name: str, char_style: str | None = None) -> Run:
    run = para.add_run(text)
    if char_style:
        run._r.style = styles.id(char_style)
    east = styles.east_asia(char_style or style_name)
    if east:
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
    return run


def _styled(doc: DocxDocument, style: str, styles: _Styles) -> DocxParagraph:
    para = doc.add_paragraph()
    para._p.style = styles.id(style)
    return para


def _paragraph(doc: DocxDocument, text: str, style: str, styles: _Styles, todo: bool = False) -> DocxParagraph:
    para = _styled(doc, style, styles)
    if todo and TODO in text:
        before, _, after = text.partition(TODO)
        if before:
            _run(para, before, styles, style)
        _run(para, TODO, styles, style, ref.TODO_MARK)
        if after:
            _run(para, after, styles, style)
    else:
        _run(para, text, styles, style)
    return para


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TWIPS_PER_EMU = 635


def _text_xml(text: str) -> str:
    lines = [escape(_CONTROL.sub("", line)) for line in text.split("\n")]
    return '<w:br/>'.join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)


def _cell(twips: int, text: str, para_style: str, fonts: str, align: str, bold: bool = False, span: int = 1,
          vmerge: str | None = None) -> str:
    props = f'<w:tcW w:w="{twips}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge is not None:
        props += '<w:vMerge w:val="restart"/>' if vmerge == "restart" else "<w:vMerge/>"
    props += '<w:vAlign w:val="center"/>'
    body = _text_xml(text) if vmerge != "continue" else ""
    weight = "<w:b/>" if bold else ""
    return (f"<w:tc><w:tcPr>{props}</w:tcPr>"
            f'<w:p><w:pPr><w:pStyle w:val="{para_style}"/><w:jc w:val="{align}"/></w:pPr>'
            f"<w:r><w:rPr>{fonts}{weight}</w:rPr>{body}</w:r></w:p></w:tc>")


def _table_start(styles: _Styles, twips: list[int]) -> list[str]:
    return [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{styles.id(ref.TABLE_STYLE)}"/>'
        f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" w:noHBand="0"'
        ' w:noVBand="1"/>'
        "</w:tblPr><w:tblGrid>",
        *(f'<w:gridCol w:w="{t}"/>' for t in twips),
        "</w:tblGrid>",
    ]


def _table(doc: DocxDocument, table: Table, styles: _Styles, text_width: int) -> None:
    """The table as one XML fragment: python-docx's cell-by-cell API costs seconds on a
    200-project appendix, so rows are written directly with the same styles it would use.

    The official forms' header block (部门名称, 年度预算, …) is a table of its own right above,
    with the same grid, so the column header row can repeat on every page (Word repeats only rows
    from the top of a table); equal neighbours in ``table.merge`` columns are one merged cell."""
    _paragraph(doc, table.caption, ref.CAPTION, styles)
    cols = len(table.header)
    weights = table.widths if len(table.widths) == cols else (1.0,) * cols
    width = text_width // _TWIPS_PER_EMU
    twips = [int(width * w / sum(weights)) for w in weights]
    para_style = styles.id(ref.TABLE_TEXT)
    east = styles.east_asia(ref.TABLE_TEXT)
    fonts = f'<w:rFonts w:eastAsia="{escape(east, {chr(34): "&quot;"})}"/>' if east else ""
    body = doc.element.body
    if table.head:
        label = min(2, cols - 1)
        parts = _table_start(styles, twips)
        for name, value in table.head:
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            parts.append(_cell(sum(twips[:label]), name, para_style, fonts, "center", True, label))
            parts.append(_cell(sum(twips[label:]), value, para_style, fonts, "left", False, cols - label))
            parts.append("</w:tr>")
        parts.append("</w:tbl>")
        body.sectPr.addprevious(parse_xml("".join(parts)))
    parts = _table_start(styles, twips)
    rows = [table.header, *table.rows]
    for r, values in enumerate(rows):
        header = r == 0
        parts.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header
                     else "<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for c in range(cols):
            value = values[c] if c < len(values) else ""
            align = "center" if header else ("right" if c in table.numeric else "left")
            merge = None
            if not header and c in table.merge and value:
                above = rows[r - 1] if r > 1 else None
                same = above is not None and all(
                    k < len(above) and k < len(values) and above[k] == values[k]
                    for k in sorted(table.merge) if k <= c)
                below = rows[r + 1] if r + 1 < len(rows) else None
                joins = below is not None and all(
                    k < len(below) and below[k] == values[k] for k in sorted(table.merge) if k <= c)
                merge = "continue" if same else ("restart" if joins else None)
            parts.append(_cell(twips[c], value, para_style, fonts, align, header, 1, merge))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    body.sectPr.addprevious(parse_xml("".join(parts)))


def _chart(doc: DocxDocument, chart: Chart, png: bytes, styles: _Styles, text_width: int) -> None:
    para = _styled(doc, ref.FIGURE, styles)
    para.add_run().add_picture(io.BytesIO(png), width=min(text_width, Cm(15)))
    _paragraph(doc, f"图 {chart.title}", ref.CAPTION, styles)


def _properties(doc: DocxDocument, draft: Draft) -> None:
    """Title, author (the department), subject and dates of this report — every field set, so
    nothing of python-docx's template (its 2013 dates, “python-docx” as the last editor) remains."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props = doc.core_properties
    props.title = "".join(draft.title[1:]) or "".join(draft.title)
    props.author = draft.author or "".join(draft.title[:1])
    props.last_modified_by = props.author
    props.subject = draft.subject or "".join(draft.title)
    props.keywords = "预算绩效管理；绩效自评"
    props.comments = "由 jixiao 根据评分结果起草"
    props.category = "绩效自评报告"
    props.created = props.modified = now
    props.last_printed = now
    props.revision = 1


def build_docx(draft: Draft, charts: Mapping[str, bytes], out: Path | io.BytesIO) -> None:
    """Write the draft; ``charts`` maps each Chart.key to its PNG."""
    doc = Document(str(reference_path()))
    _empty_body(doc)
    styles = _Styles(doc)
    section = doc.sections[0]
    text_width = (section.page_width or Mm(210)) - (section.left_margin or 0) - (section.right_margin or 0)
    for line in draft.title:
        _paragraph(doc, line, ref.TITLE, styles)
    by_kind = {"body": ref.BODY, "note": ref.NOTE, "item": ref.BODY}
    for block in draft.blocks:
        if isinstance(block, Heading):
            _paragraph(doc, block.text, ref.HEADING_1 if block.level <= 1 else ref.HEADING_2, styles)
        elif isinstance(block, Paragraph):
            _paragraph(doc, block.text, by_kind.get(block.style, ref.BODY), styles, block.todo)
        elif isinstance(block, Table):
            _table(doc, block, styles, text_width)
        elif isinstance(block, Chart):
            _chart(doc, block, charts[block.key], styles, text_width)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _properties(doc, draft)
    doc.save(out if isinstance(out, io.BytesIO) else str(out))
