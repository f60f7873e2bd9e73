"""Published workbooks as tables: the edge where calamine is used (Word and PDF: ``documents``).

- .xlsx: after the package checks of ``jixiao.excel.safety`` (via ``open_book``), every visible
  sheet — unless the workbook is one of jixiao's own, told cheaply from its declared sheet names
  and document properties before any sheet is read;
- .xls (Excel 97-2003) through calamine, after the file-size limit.
"""
from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from typing import Any

import python_calamine as calamine

from jixiao.core.errors import InputError, Problem
from jixiao.excel import bulk_schema as S
from jixiao.excel.cells import is_blank
from jixiao.excel.forms_read.sheet import key
from jixiao.excel.forms_read.versions import read_identity
from jixiao.excel.safety import load_limits
from jixiao.excel.workbook import OWN_SHEETS, open_book
from jixiao.published.tables import SHEET, Table, fill_merged

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


