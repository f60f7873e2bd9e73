"""Read the bulk workbook back into a DepartmentYear, collecting every problem with its cell.

Columns are found by their header text (any order, extra columns ignored, full-width characters
and stray spaces tolerated); the header row may sit below blank or title rows. A money header
may name its unit ("全年预算数（元）"); values are converted to the department's money unit.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core import model
from jixiao.core.errors import Problem
from jixiao.core.money import is_money_unit, parse_amount, unit_factor
from jixiao.core.numbers import normalize
from jixiao.excel import bulk_schema as S
from jixiao.excel.cells import is_blank, label_key, split_unit, to_bool, to_decimal, to_int, to_text
from jixiao.excel.workbook import Book, Grid

_HEADER_SCAN_ROWS = 20
# Fields whose value is a code or a word from a closed list: compared after trimming/folding.
_TRIMMED = {"code", "project", "indicator", "fund_source", "nature", "status", "origin", "level1", "level2",
            "likelihood", "achievement", "money_unit", "project_template", "department_template",
            "department.code", "department.parent_code", "stated.grade"}


@dataclass
class Located:
    """One row read: its values by attribute, and where each came from (for messages)."""

    values: dict[str, Any]
    row: int
    cells: dict[str, str]  # attr -> "sheet!A1"
    first: str  # address of the row's first cell


class SheetReader:
    def __init__(self, grid: Grid, cols: Sequence[S.Col], money_unit: str, problems: list[Problem]):
        self.grid = grid
        self.cols = cols
        self.money_unit = money_unit
        self.problems = problems
        self.header_row, self.index, self.units = self._find_header()

    def _find_header(self) -> tuple[int, dict[str, int], dict[str, str]]:
        wanted = {label_key(c.header.split("（")[0]): c for c in self.cols}
        best: tuple[int, dict[str, int], dict[str, str]] = (-1, {}, {})
        for r, row in enumerate(self.grid.rows[:_HEADER_SCAN_ROWS]):
            index: dict[str, int] = {}
            units: dict[str, str] = {}
            for c, cell in enumerate(row):
                if is_blank(cell):
                    continue
                base, unit = split_unit(normalize(to_text(cell)))
                col = wanted.get(label_key(base)) or wanted.get(label_key(to_text(cell)))
                if col is not None and col.attr not in index:
                    index[col.attr] = c
                    units[col.attr] = unit
            if len(index) > len(best[1]):
                best = (r, index, units)
        r, index, units = best
        required = [c for c in self.cols if not c.kind.startswith("opt")]
        if r < 0:
            self.problems.append(Problem(f"{self.grid.name}!A1", f"找不到表头行（应包含「{'」「'.join(c.header for c in self.cols[:3])}」等列名）"))
            return 0, {}, {}
        for col in required:
            if col.attr not in index:
                self.problems.append(Problem(self.grid.addr(r, 0), f"缺少列「{col.header}」，请按模板补上该列", col.header))
        for attr, unit in units.items():
            col = next(c for c in self.cols if c.attr == attr)
            if unit and col.kind in ("money", "opt_money"):
                if not is_money_unit(unit) or unit_factor(unit, self.money_unit) is None:
                    self.problems.append(Problem(self.grid.addr(r, index[attr]), f"表头中的金额单位「{unit}」无法换算为{self.money_unit}", col.header))
        return r, index, units

    def rows(self) -> Iterator[Located]:
        if not self.index:
            return
        for r in range(self.header_row + 1, len(self.grid.rows)):
            raw = self.grid.rows[r]
            if all(is_blank(v) for v in raw):
                continue
            values: dict[str, Any] = {}
            cells: dict[str, str] = {}
            for col in self.cols:
                c = self.index.get(col.attr)
                cell = raw[c] if c is not None and c < len(raw) else None
                where = self.grid.addr(r, c if c is not None else 0)
                cells[col.attr] = where
                values[col.attr] = self._convert(col, cell, where)
            yield Located(values, r, cells, self.grid.addr(r, 0))

    def _convert(self, col: S.Col, cell: Any, where: str) -> Any:
        value = self._value(col, cell, where)
        if col.choices and value:
            for item in value if isinstance(value, list) else [value]:
                if item not in col.choices:
                    self.problems.append(Problem(where, f"「{item}」不是有效取值，应为：{'、'.join(col.choices)}", col.header))
        return value

    def _value(self, col: S.Col, cell: Any, where: str) -> Any:
        kind = col.kind
        try:
            if kind in ("text", "opt_text"):
                if is_blank(cell):
                    return None if kind == "opt_text" else ""
                text = to_text(cell)
                return normalize(text) if col.attr in _TRIMMED else text
            if kind in ("money", "opt_money"):
                return self._money(col, cell)
            if kind in ("decimal", "opt_decimal"):
                value = to_decimal(cell)
            elif kind == "int":
                value = to_int(cell)
            elif kind == "bool":
                return to_bool(cell)
            elif kind == "list":
                text = normalize(to_text(cell))
                return [p.strip() for p in text.replace("，", "、").replace(",", "、").split(S.LIST_SEPARATOR) if p.strip()]
            else:
                raise AssertionError(kind)
        except ValueError as exc:
            self.problems.append(Problem(where, f"{exc}", col.header))
            return None
        if value is None and not kind.startswith("opt"):
            self.problems.append(Problem(where, "必填，不能为空", col.header))
        return value

    def _money(self, col: S.Col, cell: Any) -> Decimal | None:
        unit = self.units.get(col.attr) or self.money_unit
        if is_blank(cell):
            if col.kind == "money":
                raise ValueError("必填，不能为空")
            return None
        try:
            value = to_decimal(cell)
        except ValueError:
            # "1,234.5元" in the cell itself: the unit written there wins over the header's
            value = parse_amount(to_text(cell), unit).to(self.money_unit).value
            return value
        factor = unit_factor(unit, self.money_unit) if is_money_unit(unit) else None
        if value is None:
            return None
        return value if factor in (None, Decimal(1)) else value * factor


def read_bulk(book: Book, problems: list[Problem], warnings: list[Problem]) -> tuple[model.DepartmentYear | None, dict[str, str]]:
    """The department-year of a bulk workbook, and a map from exchange-format JSON paths to cells
    (so semantic checks can name the cell). Problems are appended; the caller raises."""
    names = set(book.sheet_names) | set(book.hidden)
    where: dict[str, str] = {}
    for sheet in (S.DEPARTMENT_SHEET, S.BUDGET_SHEET, S.PROJECT_SHEET, S.INDICATOR_SHEET):
        if sheet not in names:
            problems.append(Problem(book.path.name, f"缺少工作表「{sheet}」（批量工作簿应包含：{'、'.join(S.SHEETS)}）"))
    for sheet in S.SHEETS:
        if sheet in book.hidden:
            warnings.append(Problem(f"{book.path.name}: {sheet}", "该工作表是隐藏的，已照常读取"))
    if problems:
        return None, where

    dept_rows = list(SheetReader(book.grid(S.DEPARTMENT_SHEET), S.DEPARTMENT_COLS, "万元", problems).rows())
    if len(dept_rows) != 1:
        problems.append(Problem(f"{S.DEPARTMENT_SHEET}!A2", f"「{S.DEPARTMENT_SHEET}」表应恰好有一行部门数据，实际有 {len(dept_rows)} 行"))
        return None, where
    d = dept_rows[0]
    unit = d.values["money_unit"] or "万元"
    for attr, cell in d.cells.items():
        where[f"$.{attr}"] = cell

    def reader(sheet: str, cols: Sequence[S.Col]) -> Iterator[Located]:
        if sheet not in names:
            return iter(())
        return SheetReader(book.grid(sheet), cols, unit, problems).rows()

    duties = [row.values["text"] for row in sorted(reader(S.DUTIES_SHEET, S.DUTIES_COLS), key=lambda x: x.values["seq"] or 0)]
    v = d.values
    department = model.Department(code=v["department.code"], name=v["department.name"], parent_code=v["department.parent_code"],
                                  parent_name=v["department.parent_name"], responsibilities=duties)
    budget_lines = []
    for i, row in enumerate(reader(S.BUDGET_SHEET, S.BUDGET_COLS)):
        _locate(where, f"$.budget_lines[{i}]", row)
        budget_lines.append(model.BudgetLine(**row.values))

    projects: dict[str, model.Project] = {}
    project_rows: dict[str, Located] = {}
    for row in reader(S.PROJECT_SHEET, (*S.PROJECT_COLS, *S.FUND_COLS)):
        vals = row.values
        code = vals["code"]
        if not code:
            continue  # reported as a required-field problem already
        if code not in projects:
            i = len(projects)
            _locate(where, f"$.projects[{i}]", row)
            fields = {c.attr: vals[c.attr] for c in S.PROJECT_COLS if not c.attr.startswith("stated.")}
            projects[code] = model.Project(**fields, stated=_stated(vals))
            project_rows[code] = row
        p = projects[code]
        if vals["fund_source"] is None:
            if any(vals[c.attr] is not None for c in S.FUND_COLS[1:]):
                problems.append(Problem(row.cells["fund_source"], "填写了金额却没有资金来源", "资金来源"))
            continue
        for c in ("budget", "executed"):
            if vals[c] is None:
                problems.append(Problem(row.cells[c], "有资金来源的行必须填写该金额", next(x.header for x in S.FUND_COLS if x.attr == c)))
        j = len(p.funds)
        _locate(where, f"$.projects[{list(projects).index(code)}].funds[{j}]", row)
        p.funds.append(model.FundLine(fund_source=vals["fund_source"], budget=_zero_if_none(vals["budget"]),
                                      executed=_zero_if_none(vals["executed"]), initial=vals["initial"]))
    order = {code: i for i, code in enumerate(projects)}

    def owner(code: str | None, row: Located, field: str) -> model.Project | None:
        if code in projects:
            return projects[code]
        problems.append(Problem(row.cells[field], f"项目编码「{code}」在「{S.PROJECT_SHEET}」表中不存在", "项目编码"))
        return None

    indicators: list[model.Indicator] = []
    for row in reader(S.INDICATOR_SHEET, (S.OWNER_COL, *S.INDICATOR_COLS)):
        vals = dict(row.values)
        code = vals.pop("project")
        if code is None:
            where.setdefault("$.indicators", row.first)  # weight totals are reported on the list
            _locate(where, f"$.indicators[{len(indicators)}]", row)
            indicators.append(model.Indicator(**vals))
        elif (p := owner(code, row, "project")) is not None:
            where.setdefault(f"$.projects[{order[code]}].indicators", row.first)
            _locate(where, f"$.projects[{order[code]}].indicators[{len(p.indicators)}]", row)
            p.indicators.append(model.Indicator(**vals))

    for row in reader(S.MONTHLY_SHEET, S.MONTHLY_COLS):
        vals = row.values
        if (p := owner(vals["project"], row, "project")) is None or vals["month"] is None:
            continue
        if vals["month"] in p.monthly_executed:
            problems.append(Problem(row.cells["month"], f"项目「{vals['project']}」的 {vals['month']} 月重复出现", "月份"))
        where[f"$.projects[{order[vals['project']]}].monthly_executed.{vals['month']}"] = row.cells["amount"]
        p.monthly_executed[vals["month"]] = vals["amount"] if vals["amount"] is not None else Decimal(0)

    check_cols = (*S.CHECKPOINT_KEY_COLS, *S.CHECKPOINT_COLS, *S.PROGRESS_COLS, *S.SHARED_CHECK_COLS)
    current: dict[tuple[str, int], model.Checkpoint] = {}
    for row in reader(S.CHECKPOINT_SHEET, check_cols):
        vals = row.values
        if (p := owner(vals["project"], row, "project")) is None or vals["month"] is None:
            continue
        key = (vals["project"], vals["month"])
        if vals["indicator"] is None:
            if key in current:
                problems.append(Problem(row.first, f"项目「{key[0]}」{key[1]} 月的监控记录重复（指标编码为空的行每次监控只能有一行）"))
            k = len(p.checkpoints)
            _locate(where, f"$.projects[{order[key[0]]}].checkpoints[{k}]", row)
            cp = model.Checkpoint(month=vals["month"], goal_progress=vals["goal_progress"],
                                  expected_executed=vals["expected_executed"], causes=vals["causes"] or [],
                                  measures=vals["measures"], status=vals["status"] or "草稿")
            p.checkpoints.append(cp)
            current[key] = cp
            continue
        cp = current.get(key)
        if cp is None:
            problems.append(Problem(row.first, f"项目「{key[0]}」{key[1]} 月的指标进度行之前缺少该次监控的总体行（指标编码为空的行）"))
            continue
        if vals["likelihood"] is None:
            problems.append(Problem(row.cells["likelihood"], "请填写完成目标可能性（确定能/有可能/完全不可能）", "完成目标可能性"))
        _locate(where, f"$.projects[{order[key[0]]}].checkpoints[{p.checkpoints.index(cp)}].indicators[{len(cp.indicators)}]", row)
        cp.indicators.append(model.IndicatorProgress(
            indicator=vals["indicator"], progress_text=vals["progress_text"], forecast_text=vals["forecast_text"],
            likelihood=vals["likelihood"] or "", causes=vals["causes"] or [], explanation=vals["explanation"],
            measures=vals["measures"]))

    rectifications = []
    for i, row in enumerate(reader(S.RECTIFICATION_SHEET, S.RECTIFICATION_COLS)):
        _locate(where, f"$.rectifications[{i}]", row)
        rectifications.append(model.Rectification(**row.values))

    fields = {c.attr: v[c.attr] for c in S.DEPARTMENT_COLS if "." not in c.attr}
    dy = model.DepartmentYear(department=department, budget_lines=budget_lines, indicators=indicators,
                              projects=list(projects.values()), rectifications=rectifications,
                              stated=_stated(v), **fields)
    return dy, where


def _zero_if_none(value: Decimal | None) -> Decimal:
    """A missing amount (already reported as a problem) stands in as 0; Decimal("0.0") stays as written."""
    return Decimal(0) if value is None else value


def _stated(values: dict[str, Any]) -> model.Stated:
    return model.Stated(**{k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("stated.")})


def _locate(where: dict[str, str], path: str, row: Located) -> None:
    where[path] = row.first
    for attr, cell in row.cells.items():
        where[f"{path}.{attr}"] = cell
