"""Write the bulk workbook (批量工作簿) of one department-year, streamed (``xlsx_stream``).

Every value is written so that ``bulk_read`` gives back the identical department-year: amounts
are numbers unless a number cell would lose how the value was written (trailing zeros such as
"500.00", or more than 15 significant digits) — those are written as exact text. Text that a
spreadsheet would take for a formula (=, +, -, @) is written as a string cell with the
quote-prefix attribute, so it stays text when a user edits the cell.

Each object's stored version goes into the grey system column(s) at the end of its sheet (blank
when unknown), so that an import can tell a stale workbook from a fresh one.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any

from jixiao.core.model import DepartmentYear
from jixiao.excel import bulk_schema as S
from jixiao.excel.cells import NO, YES, decimal_cell
from jixiao.excel.xlsx_stream import SheetStream, WorkbookStream


def _decimal(value: Decimal | None) -> float | str | None:
    return None if value is None else decimal_cell(value)


def _bool(value: bool) -> str:
    return YES if value else NO


def _list(value: list[str]) -> str:
    return S.LIST_SEPARATOR.join(value)


_BY_KIND: dict[str, Callable[[Any], Any] | None] = {
    "text": None, "opt_text": None, "int": None, "version": None, "bool": _bool, "list": _list,
    "money": _decimal, "opt_money": _decimal, "decimal": _decimal, "opt_decimal": _decimal,
}


def row_maker(cols: Sequence[S.Col]) -> Callable[[Any], list[Any]]:
    """A function giving the cell values of ``cols`` for one object (one getter and one
    converter per column, chosen once: this runs for every one of 300,000 rows)."""
    plan = [(attrgetter(c.attr), _BY_KIND[c.kind]) for c in cols]

    def make(obj: Any) -> list[Any]:
        out = []
        for get, conv in plan:
            v = get(obj)
            out.append(v if conv is None else conv(v))
        return out
    return make


def write_bulk(dy: DepartmentYear, path: str | Path) -> None:
    unit = dy.money_unit
    dept_row, budget_row = row_maker(S.DEPARTMENT_COLS), row_maker(S.BUDGET_COLS)
    rect_row, project_row = row_maker(S.RECTIFICATION_COLS), row_maker(S.PROJECT_COLS)
    fund_row, indicator_row = row_maker(S.FUND_COLS), row_maker(S.INDICATOR_COLS)
    checkpoint_row, progress_row = row_maker(S.CHECKPOINT_COLS), row_maker(S.PROGRESS_COLS)
    shared_row = row_maker(S.SHARED_CHECK_COLS)

    with WorkbookStream(path) as book:
        def sheet(name: str, cols: Sequence[S.Col], rows: int) -> SheetStream:
            headers = [c.title(unit) for c in cols]
            widths = [max(10, min(40, len(h) * 2 + 2)) for h in headers]
            system = sum(1 for c in cols if c.kind == "version")  # the trailing system columns
            return book.add_sheet(name, headers, widths, rows, system)

        ps = dy.projects
        sheet(S.DEPARTMENT_SHEET, S.DEPARTMENT_COLS, 1).write(dept_row(dy))

        duties = sheet(S.DUTIES_SHEET, S.DUTIES_COLS, len(dy.department.responsibilities))
        for i, text in enumerate(dy.department.responsibilities, start=1):
            duties.write((i, text))

        budget = sheet(S.BUDGET_SHEET, S.BUDGET_COLS, len(dy.budget_lines))
        for line in dy.budget_lines:
            budget.write(budget_row(line))

        projects = sheet(S.PROJECT_SHEET, S.PROJECT_COLS + S.FUND_COLS + S.PROJECT_VERSION_COLS,
                         sum(max(1, len(p.funds)) for p in ps))
        no_funds = [None] * len(S.FUND_COLS)
        for p in dy.projects:
            head = project_row(p)
            if not p.funds:
                projects.write([*head, *no_funds, p.version, None])
            for f in p.funds:
                projects.write([*head, *fund_row(f), p.version, f.version])

        indicators = sheet(S.INDICATOR_SHEET, (S.OWNER_COL, *S.INDICATOR_COLS),
                           len(dy.indicators) + sum(len(p.indicators) for p in ps))
        for ind in dy.indicators:
            indicators.write([None, *indicator_row(ind)])
        for p in dy.projects:
            for ind in p.indicators:
                indicators.write([p.code, *indicator_row(ind)])

        monthly = sheet(S.MONTHLY_SHEET, S.MONTHLY_COLS, sum(len(p.monthly_executed) for p in ps))
        for p in dy.projects:
            for month, amount in sorted(p.monthly_executed.items()):
                monthly.write((p.code, month, decimal_cell(amount)))

        checks = sheet(S.CHECKPOINT_SHEET,
                       (*S.CHECKPOINT_KEY_COLS, *S.CHECKPOINT_COLS, *S.PROGRESS_COLS, *S.SHARED_CHECK_COLS,
                        *S.CHECKPOINT_VERSION_COLS),
                       sum(1 + len(cp.indicators) for p in ps for cp in p.checkpoints))
        blank_progress = [None] * len(S.PROGRESS_COLS)
        blank_checkpoint = [None] * len(S.CHECKPOINT_COLS)
        for p in dy.projects:
            for cp in p.checkpoints:
                checks.write([p.code, cp.month, None, *checkpoint_row(cp), *blank_progress, *shared_row(cp),
                              cp.version])
                for prog in cp.indicators:
                    checks.write([p.code, cp.month, prog.indicator, *blank_checkpoint, *progress_row(prog),
                                  *shared_row(prog)])

        rects = sheet(S.RECTIFICATION_SHEET, S.RECTIFICATION_COLS, len(dy.rectifications))
        for rect in dy.rectifications:
            rects.write(rect_row(rect))
