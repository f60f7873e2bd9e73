"""Published Word and PDF files as tables: the edge where python-docx and pdfplumber are used.

- .docx: every table in document order, with the paragraphs before it (项目名称：…, （2023年度）);
  merged cells repeat their text, as python-docx gives them; ``safety.check_docx`` first;
- .pdf: the ruled tables pdfplumber finds on each page, with the page's text, within the PDF budgets
  of ``rules/limits.json``. A table printed over a page break is one table again: the first table
  of a page continues the last one of the page before when it has the same columns and no header
  of its own (or the header repeated), and a row the break cut in two is joined. A PDF without
  text (a scan) is refused: there is nothing to read.
"""
from __future__ import annotations

from pathlib import Path

import docx
import pdfplumber
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section
from jixiao.excel.cells import is_blank
from jixiao.excel.safety import check_docx
from jixiao.published.layout import is_header_row, is_row_fragment
from jixiao.published.tables import PDF, WORD, Table

_MB = 1024 * 1024


def docx_tables(path: Path) -> list[Table]:
    check_docx(path)  # size, bomb, damage and table dimensions before python-docx allocates
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged package
        raise InputError([Problem(path.name, f"无法作为 Word 文档（.docx）打开（{exc.__class__.__name__}），"
                                             "请确认文件完整")]) from None
    tables: list[Table] = []
    preamble: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            if item.text.strip():
                preamble.append(item.text.strip())
        elif isinstance(item, DocxTable):
            rows = [[cell.text.strip() for cell in row.cells] for row in item.rows]
            tables.append(Table(f"表{len(tables) + 1}", WORD, rows, preamble))
            preamble = []
    return tables


def pdf_tables(path: Path) -> list[Table]:
    limits = section("pdf")  # the budgets of every PDF read (jixiao/rules/limits.json)
    if path.stat().st_size > limits["max_file_bytes"]:
        raise InputError([Problem(path.name, f"文件超过 {limits['max_file_bytes'] // _MB} MB 上限，拒绝读取")])
    tables: list[Table] = []
    text_found = False
    chars = 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            if len(pdf.pages) > limits["max_pages"]:
                raise InputError([Problem(path.name, f"PDF 共 {len(pdf.pages)} 页，超过上限 {limits['max_pages']} 页，"
                                                     "拒绝读取")])
            for p, page in enumerate(pdf.pages, 1):
                text = page.extract_text() or ""
                chars += len(text)
                if chars > limits["max_text_chars"]:
                    raise InputError([Problem(path.name, f"PDF 的文字超过 {limits['max_text_chars']} 个字符的上限，"
                                                         "拒绝读取（可能是压缩炸弹）")])
                text_found = text_found or bool(text.strip())
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                for n, found in enumerate(page.extract_tables(), 1):
                    rows = [["" if v is None else str(v).replace("\n", "") for v in row] for row in found]
                    table = Table(f"第{p}页表{n}", PDF, rows, lines)
                    if n == 1 and tables and _continues(tables[-1], table, p):
                        tables[-1].continued_by(_without_repeated_header(tables[-1], table))
                    else:
                        tables.append(table)
    except (PdfminerException, PDFSyntaxError, ValueError, OSError, KeyError, RecursionError) as exc:
        raise InputError([Problem(path.name, f"无法读取 PDF（{exc.__class__.__name__}），"
                                             "请确认文件完整且未加密")]) from None
    if not text_found:
        raise InputError([Problem(path.name, "PDF 中没有可提取的文字（可能是扫描件），无法读取其中的表格")])
    return tables


def _continues(before: Table, table: Table, page: int) -> bool:
    """Whether the first table of ``page`` continues the last one of the page before: a table
    printed over a page break, whose second part has the same columns and no header of its own."""
    return (bool(table.rows) and bool(before.rows) and before.where(len(before.rows) - 1).startswith(f"第{page - 1}页")
            and len(table.rows[0]) == len(before.rows[-1])
            and (not is_header_row(table.rows[0]) or table.rows[0] in before.rows))  # or a repeated header


def _without_repeated_header(before: Table, table: Table) -> Table:
    """The continued part without the header rows repeated at the top of the new page; a row
    broken by the page (its name's last characters alone at the top) is joined to its first part."""
    skip = 0
    while skip < len(table.rows) and is_header_row(table.rows[skip]) and table.rows[skip] in before.rows:
        skip += 1
    if skip < len(table.rows) and is_row_fragment(before, table.rows[skip]):
        last = before.rows[-1]
        before.rows[-1] = [f"{a}{b}" if b and not is_blank(a) else (b or a)
                           for a, b in zip(last, table.rows[skip], strict=True)]
        skip += 1
    return Table(table.label, table.kind, table.rows[skip:], table.preamble,
                 [table.where(r) for r in range(skip, len(table.rows))])


READERS = {".docx": docx_tables, ".pdf": pdf_tables}
