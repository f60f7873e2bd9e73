"""Published files as tables: the edge where calamine, python-docx and pdfplumber are used.

- .xlsx: after the package checks of ``jixiao.excel.safety`` (via ``open_book``), every visible
  sheet; .xls (Excel 97-2003) through calamine, after the file-size limit;
- .docx: every table in document order, with the paragraphs before it (项目名称：…, （2023年度）);
  merged cells repeat their text, as python-docx gives them;
- .pdf: the ruled tables pdfplumber finds on each page, with the page's text; a table split over
  two pages is two tables (the second one has no header and is read as the first one's rows only
  when it repeats the header). A PDF without text (a scan) is refused: there is nothing to read.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pdfplumber
import python_calamine as calamine
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from pdfminer.pdfparser import PDFSyntaxError
from pdfplumber.utils.exceptions import PdfminerException

from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section
from jixiao.excel import bulk_schema as S
from jixiao.excel.cells import is_blank
from jixiao.excel.forms_read.sheet import key
from jixiao.excel.forms_read.versions import read_identity
from jixiao.excel.safety import check_docx, load_limits
from jixiao.excel.workbook import OWN_SHEETS, open_book
from jixiao.published.layout import is_header_row, is_row_fragment
from jixiao.published.tables import PDF, SHEET, WORD, Table, fill_merged

_MB = 1024 * 1024


def _size_checked(path: Path) -> None:
    """The file-size limit of every upload (``jixiao/rules`` limits), before any parser runs."""
    size = path.stat().st_size
    limit = load_limits().max_file_bytes
    if size == 0:
        raise InputError([Problem(path.name, "文件是空的（0 字节），请重新导出或选择正确的文件")])
    if size > limit:
        raise InputError([Problem(path.name, f"文件大小 {size / _MB:.1f} MB 超过上限 {limit / _MB:.0f} MB，"
                                             "请拆分后再导入")])


def published_sheets(path: Path) -> list[Table] | None:
    """The sheets of a workbook that is not one of jixiao's own; None for the bulk workbook and
    for jixiao's standard forms, which carry jixiao's document properties (the department and year
    they belong to), its hidden sheets, or codes (部门编码, 指标编码) a published table never has."""
    if read_identity(path) or (_declared_sheets(path) & {*OWN_SHEETS, S.DEPARTMENT_SHEET, S.INDICATOR_SHEET}):
        return None  # decided without reading the sheets: jixiao's readers open the file next
    with open_book(path) as book:
        names = set(book.sheet_names) | set(book.hidden)
        if names & {*OWN_SHEETS, S.DEPARTMENT_SHEET, S.INDICATOR_SHEET}:
            return None
        tables = []
        for name in book.sheet_names:
            grid = book.grid(name)
            if any(key(v) in _OWN_LABELS for row in grid.rows[:_OWN_LABEL_ROWS] for v in row if not is_blank(v)):
                return None
            tables.append(Table(name, SHEET, fill_merged(grid.rows, grid.merged)))
        return tables


_SHEET_NAME = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')
_WORKBOOK_PART_LIMIT = 1024 * 1024  # a workbook part larger than this is left to open_book's checks


def _declared_sheets(path: Path) -> set[str]:
    """The sheet names xl/workbook.xml declares, read cheaply (empty when it cannot be told)."""
    try:
        with zipfile.ZipFile(path) as package:
            info = package.getinfo("xl/workbook.xml")
            if info.file_size > _WORKBOOK_PART_LIMIT:
                return set()
            text = package.read(info).decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError):
        return set()
    return {html.unescape(name) for name in _SHEET_NAME.findall(text)}


def _sheet(rows: list[list[Any]], merged: list[Any], name: str) -> Table:
    return Table(name, SHEET, fill_merged(rows, [tuple(m) for m in merged]))


_OWN_LABELS = {key(x) for x in ("部门编码", "指标编码")}
_OWN_LABEL_ROWS = 60  # the header block and the indicator table's head of jixiao's forms


def xls_tables(path: Path) -> list[Table]:
    _size_checked(path)
    try:
        wb = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise InputError([Problem(path.name, "文件受密码保护，无法读取，请取消密码后另存再导入")]) from None
    except (calamine.CalamineError, OSError, ValueError) as exc:
        raise InputError([Problem(path.name, f"文件不是有效的 Excel 97-2003 工作簿（{exc}），"
                                             "请在 Excel 中打开并另存为 .xlsx 后再导入")]) from None
    try:
        tables = []
        for meta in wb.sheets_metadata:
            if meta.visible != calamine.SheetVisibleEnum.Visible:
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            if sheet.height > load_limits().max_rows_per_sheet:
                raise InputError([Problem(f"{path.name}: {meta.name}", f"工作表有 {sheet.height} 行，超过上限 "
                                          f"{load_limits().max_rows_per_sheet} 行，请拆分后再导入")])
            tables.append(_sheet(sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or [], meta.name))
        return tables
    except calamine.CalamineError as exc:
        raise InputError([Problem(path.name, f"工作表无法读取（{exc}），"
                                             "请在 Excel 中打开并另存为 .xlsx 后再导入")]) from None
    finally:
        wb.close()


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


READERS = {".xls": xls_tables, ".docx": docx_tables, ".pdf": pdf_tables}
