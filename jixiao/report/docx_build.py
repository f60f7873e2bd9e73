"""Render a ``Draft`` (jixiao.core.drafting) to .docx on top of the styles-only reference document.

The look comes from the reference document's styles; this module only picks a style per block.
Runs also carry the East Asian font of their style (``w:eastAsia``) because Word, WPS and
LibreOffice disagree on CJK fallback when only the style names it — and the value is read from
the reference document, so a unit's own styles still decide.
"""
from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm

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
            raise InputError([Problem(REFERENCE_ENV, f"样式参考文档「{custom}」不存在，请检查路径或删除该环境变量以使用默认样式")])
        return path
    if not ref.DEFAULT_PATH.is_file():
        ref.build_reference(ref.DEFAULT_PATH)
    return ref.DEFAULT_PATH


class _Fonts:
    """East Asian font of each style, following ``based_on`` as Word does."""

    def __init__(self, doc: DocxDocument):
        self.doc = doc
        self.cache: dict[str, str | None] = {}

    def east_asia(self, style_name: str) -> str | None:
        if style_name not in self.cache:
            style = self.doc.styles[style_name]
            found = None
            while style is not None and found is None:
                rpr = style.element.rPr
                fonts = rpr.rFonts if rpr is not None else None
                found = fonts.get(qn("w:eastAsia")) if fonts is not None else None
                style = style.base_style
            self.cache[style_name] = found
        return self.cache[style_name]


def _empty_body(doc: DocxDocument) -> None:
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _run(para, text: str, fonts: _Fonts, style_name: str, char_style: str | None = None):
    run = para.add_run(text, style=char_style)
    east = fonts.east_asia(char_style or style_name)
    if east:
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
    return run


def _paragraph(doc: DocxDocument, text: str, style: str, fonts: _Fonts, todo: bool = False):
    para = doc.add_paragraph(style=style)
    if todo and TODO in text:
        before, _, after = text.partition(TODO)
        if before:
            _run(para, before, fonts, style)
        _run(para, TODO, fonts, style, ref.TODO_MARK)
        if after:
            _run(para, after, fonts, style)
    else:
        _run(para, text, fonts, style)
    return para


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _table(doc: DocxDocument, table: Table, fonts: _Fonts, text_width: int) -> None:
    _paragraph(doc, table.caption, ref.CAPTION, fonts)
    cols = len(table.header)
    grid = doc.add_table(rows=1 + len(table.rows), cols=cols)
    grid.style = doc.styles[ref.TABLE_STYLE]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    weights = table.widths if len(table.widths) == cols else (1.0,) * cols
    widths = [int(text_width * w / sum(weights)) for w in weights]
    for r, (row, values) in enumerate(zip(grid.rows, [table.header, *table.rows])):
        if r == 0:
            _repeat_header(row)
        for c, (cell, value) in enumerate(zip(row.cells, values)):
            cell.width = widths[c]
            para = cell.paragraphs[0]
            para.style = doc.styles[ref.TABLE_TEXT]
            if r == 0:
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif c in table.numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = _run(para, value, fonts, ref.TABLE_TEXT)
            if r == 0:
                run.bold = True


def _chart(doc: DocxDocument, chart: Chart, png: bytes, fonts: _Fonts, text_width: int) -> None:
    para = doc.add_paragraph(style=ref.FIGURE)
    para.add_run().add_picture(io.BytesIO(png), width=min(text_width, Cm(15)))
    _paragraph(doc, f"图 {chart.title}", ref.CAPTION, fonts)


def build_docx(draft: Draft, charts: Mapping[str, bytes], out: Path | io.BytesIO) -> None:
    """Write the draft; ``charts`` maps each Chart.key to its PNG."""
    doc = Document(str(reference_path()))
    _empty_body(doc)
    fonts = _Fonts(doc)
    section = doc.sections[0]
    text_width = (section.page_width or Mm(210)) - (section.left_margin or 0) - (section.right_margin or 0)
    for line in draft.title:
        _paragraph(doc, line, ref.TITLE, fonts)
    styles = {"body": ref.BODY, "note": ref.NOTE, "item": ref.BODY}
    for block in draft.blocks:
        if isinstance(block, Heading):
            _paragraph(doc, block.text, ref.HEADING_1 if block.level <= 1 else ref.HEADING_2, fonts)
        elif isinstance(block, Paragraph):
            _paragraph(doc, block.text, styles.get(block.style, ref.BODY), fonts, block.todo)
        elif isinstance(block, Table):
            _table(doc, block, fonts, text_width)
        elif isinstance(block, Chart):
            _chart(doc, block, charts[block.key], fonts, text_width)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.core_properties.title = "".join(draft.title)
    doc.core_properties.author = "jixiao"
    doc.save(out if isinstance(out, io.BytesIO) else str(out))
