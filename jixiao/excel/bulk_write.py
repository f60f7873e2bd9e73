"""Write the bulk workbook (批量工作簿) of one department-year with XlsxWriter.

Every value is written so that ``bulk_read`` gives back the identical department-year: amounts
are numbers unless a number cell would lose how the value was written (trailing zeros such as
"500.00", or more than 15 significant digits) — those are written as exact text. Text that a
spreadsheet would take for a formula (=, +, -, @) is written as a string cell with the
quote-prefix attribute, so it stays text when a user edits the cell.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from jixiao.core.model import DepartmentYear
from jixiao.excel import bulk_schema as S
from jixiao.excel.cells import NO, YES, decimal_cell, needs_escape


def get_path(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    return obj


def cell_value(col: S.Col, value: Any) -> Any:
    if value is None:
        return None
    if col.kind == "bool":
        return YES if value else NO
    if col.kind == "list":
        return S.LIST_SEPARATOR.join(value)
    if isinstance(value, Decimal):
        return decimal_cell(value)
    return value


class _SheetWriter:
    def __init__(self, book: xlsxwriter.Workbook, name: str, headers: Sequence[str], formats: dict):
        self.ws = book.add_worksheet(name)
        self.formats = formats
        self.row = 1
        self.ws.freeze_panes(1, 0)
        for c, header in enumerate(headers):
            self.ws.write_string(0, c, header, formats["header"])
            self.ws.set_column(c, c, max(10, min(40, len(header) * 2 + 2)))

    def write(self, values: Iterable[Any]) -> None:
        ws, r, fmt = self.ws, self.row, self.formats
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                if needs_escape(v):
                    ws.write_string(r, c, v, fmt["escaped"])
                else:
                    ws.write_string(r, c, v)
            else:
                ws.write_number(r, c, v, fmt["number"])
        self.row += 1


def _row(cols: Sequence[S.Col], obj: Any) -> Iterator[Any]:
    return (cell_value(c, get_path(obj, c.attr)) for c in cols)


def write_bulk(dy: DepartmentYear, path: str | Path) -> None:
    unit = dy.money_unit
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    formats = {
        "header": book.add_format({"bold": True, "font_name": "宋体", "bg_color": "#DDEBF7", "border": 1}),
        "escaped": book.add_format({"quote_prefix": True}),
        "number": book.add_format({"num_format": "#,##0.00##"}),
    }

    def sheet(name: str, cols: Sequence[S.Col]) -> _SheetWriter:
        return _SheetWriter(book, name, [c.title(unit) for c in cols], formats)

    dept = sheet(S.DEPARTMENT_SHEET, S.DEPARTMENT_COLS)
    dept.write(_row(S.DEPARTMENT_COLS, dy))

    duties = sheet(S.DUTIES_SHEET, S.DUTIES_COLS)
    for i, text in enumerate(dy.department.responsibilities, start=1):
        duties.write((i, text))

    budget = sheet(S.BUDGET_SHEET, S.BUDGET_COLS)
    for line in dy.budget_lines:
        budget.write(_row(S.BUDGET_COLS, line))

    projects = sheet(S.PROJECT_SHEET, S.PROJECT_COLS + S.FUND_COLS)
    for p in dy.projects:
        head = list(_row(S.PROJECT_COLS, p))
        if not p.funds:
            projects.write(head)
        for f in p.funds:
            projects.write(head + list(_row(S.FUND_COLS, f)))

    indicators = sheet(S.INDICATOR_SHEET, (S.OWNER_COL, *S.INDICATOR_COLS))
    for ind in dy.indicators:
        indicators.write((None, *_row(S.INDICATOR_COLS, ind)))
    for p in dy.projects:
        for ind in p.indicators:
            indicators.write((p.code, *_row(S.INDICATOR_COLS, ind)))

    monthly = sheet(S.MONTHLY_SHEET, S.MONTHLY_COLS)
    for p in dy.projects:
        for month, amount in sorted(p.monthly_executed.items()):
            monthly.write((p.code, month, decimal_cell(amount)))

    check_cols = (*S.CHECKPOINT_KEY_COLS, *S.CHECKPOINT_COLS, *S.PROGRESS_COLS, *S.SHARED_CHECK_COLS)
    checks = sheet(S.CHECKPOINT_SHEET, check_cols)
    blank_progress = [None] * len(S.PROGRESS_COLS)
    blank_checkpoint = [None] * len(S.CHECKPOINT_COLS)
    for p in dy.projects:
        for cp in p.checkpoints:
            checks.write((p.code, cp.month, None, *_row(S.CHECKPOINT_COLS, cp), *blank_progress,
                          *_row(S.SHARED_CHECK_COLS, cp)))
            for prog in cp.indicators:
                checks.write((p.code, cp.month, prog.indicator, *blank_checkpoint,
                              *_row(S.PROGRESS_COLS, prog), *_row(S.SHARED_CHECK_COLS, prog)))

    rects = sheet(S.RECTIFICATION_SHEET, S.RECTIFICATION_COLS)
    for rect in dy.rectifications:
        rects.write(_row(S.RECTIFICATION_COLS, rect))
    book.close()
