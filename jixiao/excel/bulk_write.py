"""Write the bulk workbook (批量工作簿) of one department-year — or of several, each row naming
its department-year — streamed (``xlsx_stream``).

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

from jixiao.core.errors import InputError
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
    "text": None, "opt_text": None, "int": None, "opt_int": None, "version": None, "bool": _bool, "list": _list,
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
    """The one-department workbook, as every release wrote it (no 部门编码/年度 columns)."""
    _write([dy], path, keyed=False)


def write_bulk_many(years: Sequence[DepartmentYear], path: str | Path) -> None:
    """Several department-years in one workbook: one 部门 row each, and every other sheet starts
    with 部门编码 and 年度 naming the department-year of the row. The money headers name one unit,
    so the department-years must share their 金额单位 (amounts are never converted on export:
    a conversion would change how a value was written)."""
    if not years:
        raise InputError("没有可导出的部门年度", location="部门")
    units = {dy.money_unit for dy in years}
    if len(units) > 1:
        by_unit = "；".join(f"{u}：" + "、".join(dy.department.code for dy in years if dy.money_unit == u)
                           for u in sorted(units))
        raise InputError(f"所选部门年度的金额单位不一致（{by_unit}），无法写入同一个批量工作簿，请按金额单位分别导出",
                         location="金额单位")
    _write(years, path, keyed=True)


def _write(years: Sequence[DepartmentYear], path: str | Path, keyed: bool) -> None:
    unit = years[0].money_unit
    dept_row, budget_row = row_maker(S.DEPARTMENT_COLS), row_maker(S.BUDGET_COLS)
    rect_row, project_row = row_maker(S.RECTIFICATION_COLS), row_maker(S.PROJECT_COLS)
    fund_row, indicator_row = row_maker(S.FUND_COLS), row_maker(S.INDICATOR_COLS)
    checkpoint_row, progress_row = row_maker(S.CHECKPOINT_COLS), row_maker(S.PROGRESS_COLS)
    shared_row = row_maker(S.SHARED_CHECK_COLS)
    key_cols: tuple[S.Col, ...] = S.UNIT_COLS if keyed else ()
    # The leading 部门编码 and 年度 of every row of a department-year (none in a one-department book).
    keys = [[dy.department.code, dy.year] if keyed else [] for dy in years]
    all_projects = [p for dy in years for p in dy.projects]

    with WorkbookStream(path) as book:
        def sheet(name: str, cols: Sequence[S.Col], rows: int) -> SheetStream:
            headers = [c.title(unit) for c in cols]
            widths = [max(10, min(40, len(h) * 2 + 2)) for h in headers]
            system = sum(1 for c in cols if c.kind == "version")  # the trailing system columns
            return book.add_sheet(name, headers, widths, rows, system)

        depts = sheet(S.DEPARTMENT_SHEET, S.DEPARTMENT_COLS, len(years))
        for dy in years:
            depts.write(dept_row(dy))

        duties = sheet(S.DUTIES_SHEET, (*key_cols, *S.DUTIES_COLS),
                       sum(len(dy.department.responsibilities) for dy in years))
        for key, dy in zip(keys, years, strict=True):
            for i, text in enumerate(dy.department.responsibilities, start=1):
                duties.write([*key, i, text])

        budget = sheet(S.BUDGET_SHEET, (*key_cols, *S.BUDGET_COLS), sum(len(dy.budget_lines) for dy in years))
        for key, dy in zip(keys, years, strict=True):
            for line in dy.budget_lines:
                budget.write([*key, *budget_row(line)])

        projects = sheet(S.PROJECT_SHEET, (*key_cols, *S.PROJECT_COLS, *S.FUND_COLS, *S.PROJECT_VERSION_COLS),
                         sum(max(1, len(p.funds)) for p in all_projects))
        no_funds = [None] * len(S.FUND_COLS)
        for key, dy in zip(keys, years, strict=True):
            for p in dy.projects:
                head = project_row(p)
                if not p.funds:
                    projects.write([*key, *head, *no_funds, p.version, None])
                for f in p.funds:
                    projects.write([*key, *head, *fund_row(f), p.version, f.version])

        indicators = sheet(S.INDICATOR_SHEET, (*key_cols, S.OWNER_COL, *S.INDICATOR_COLS),
                           sum(len(dy.indicators) for dy in years) + sum(len(p.indicators) for p in all_projects))
        for key, dy in zip(keys, years, strict=True):
            for ind in dy.indicators:
                indicators.write([*key, None, *indicator_row(ind)])
            for p in dy.projects:
                for ind in p.indicators:
                    indicators.write([*key, p.code, *indicator_row(ind)])

        monthly = sheet(S.MONTHLY_SHEET, (*key_cols, *S.MONTHLY_COLS),
                        sum(len(p.monthly_executed) for p in all_projects))
        for key, dy in zip(keys, years, strict=True):
            for p in dy.projects:
                for month, amount in sorted(p.monthly_executed.items()):
                    monthly.write([*key, p.code, month, decimal_cell(amount)])

        checks = sheet(S.CHECKPOINT_SHEET,
                       (*key_cols, *S.CHECKPOINT_KEY_COLS, *S.CHECKPOINT_COLS, *S.PROGRESS_COLS,
                        *S.SHARED_CHECK_COLS, *S.CHECKPOINT_VERSION_COLS),
                       sum(1 + len(cp.indicators) for p in all_projects for cp in p.checkpoints))
        blank_progress = [None] * len(S.PROGRESS_COLS)
        blank_checkpoint = [None] * len(S.CHECKPOINT_COLS)
        for key, dy in zip(keys, years, strict=True):
            for p in dy.projects:
                for cp in p.checkpoints:
                    checks.write([*key, p.code, cp.month, None, *checkpoint_row(cp), *blank_progress,
                                  *shared_row(cp), cp.version])
                    for prog in cp.indicators:
                        checks.write([*key, p.code, cp.month, prog.indicator, *blank_checkpoint,
                                      *progress_row(prog), *shared_row(prog)])

        rects = sheet(S.RECTIFICATION_SHEET, (*key_cols, *S.RECTIFICATION_COLS),
                      sum(len(dy.rectifications) for dy in years))
        for key, dy in zip(keys, years, strict=True):
            for rect in dy.rectifications:
                rects.write([*key, *rect_row(rect)])
