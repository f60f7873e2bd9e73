"""Read the bulk workbook back into a DepartmentYear, collecting every problem with its cell.

Columns are found by their header text (any order, extra columns ignored, full-width characters
and stray spaces tolerated); the header row may sit below blank or title rows. A money header
may name its unit ("全年预算数（元）"); values are converted to the department's money unit.
The grey 版本 columns give each object the stored version it was exported at (blank: unknown).

Speed matters here (a city is 300,000 indicator rows): each column gets one converter chosen up
front, repeated code-like values are folded once and cached, and cell addresses are only spelled
out when a problem needs one.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from jixiao.core import model, workflow
from jixiao.core.errors import Problem
from jixiao.core.money import is_money_unit, parse_amount, unit_factor
from jixiao.core.numbers import normalize
from jixiao.core.text import ONE_LINE_FIELDS, REFUSED, REFUSED_ONE_LINE, text_problem
from jixiao.excel import bulk_schema as S
from jixiao.excel.cells import (
    addr,
    float_to_decimal,
    is_blank,
    label_key,
    split_unit,
    to_bool,
    to_decimal,
    to_int,
    to_text,
)
from jixiao.excel.workbook import Book, Grid

_HEADER_SCAN_ROWS = 20
_ONE = Decimal(1)
_ZERO = Decimal(0)
REQUIRED = "必填，不能为空"
BAD_VERSION = "版本由系统填写，应为正整数；请勿修改（新增的行请留空）"
# Fields whose value is a code or a word from a closed list: compared after trimming/folding.
_TRIMMED = {"code", "project", "indicator", "fund_source", "nature", "status", "goal_status", "origin", "level1",
            "level2", "likelihood", "achievement", "money_unit", "project_template", "department_template",
            "department.code", "department.parent_code", "stated.grade"}

Converter = Callable[[Any], Any]


Header = tuple[int, dict[str, int], dict[str, str]]  # header row, column by key, unit named by money headers


def _data_rows(grid: Grid, header_row: int) -> list[int]:
    """The rows under the header that hold anything (0-based)."""
    return [r for r, raw in enumerate(grid.rows[header_row + 1:], start=header_row + 1)
            if any(raw) or not all(v == "" or v is None for v in raw)]


class SheetReader:
    """The rows of one sheet as values by column key. ``header``: found already (by a reader of
    the whole sheet); ``lines``: read only these rows (0-based, non-blank) — the rows of one
    department-year of a workbook holding several."""

    def __init__(self, grid: Grid, cols: Sequence[S.Col], money_unit: str, problems: list[Problem],
                 header: Header | None = None, lines: Sequence[int] | None = None):
        self.grid = grid
        self.cols = cols
        self.money_unit = money_unit
        self.problems = problems
        self.lines = lines
        self.header_row, self.index, self.units = header if header is not None else self._find_header()

    @property
    def header(self) -> Header:
        return self.header_row, self.index, self.units

    def cell(self, row: int, key: str) -> str:
        """The address of ``key``'s cell in ``row`` (the row's first cell if the column is absent)."""
        return addr(self.grid.name, row, self.index.get(key, 0))

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
                if col is not None and col.key not in index:
                    index[col.key] = c
                    units[col.key] = unit
            if len(index) > len(best[1]):
                best = (r, index, units)
        r, index, units = best
        if r < 0:
            first = "」「".join(c.header for c in self.cols[:3])
            self.problems.append(Problem(f"{self.grid.name}!A1", f"找不到表头行（应包含「{first}」等列名）"))
            return 0, {}, {}
        for col in self.cols:
            if col.column_required and col.key not in index:
                self.problems.append(Problem(self.grid.addr(r, 0), f"缺少列「{col.header}」，请按模板补上该列",
                                             col.header))
        for attr, unit in units.items():
            col = next(c for c in self.cols if c.key == attr)
            if (unit and col.kind in ("money", "opt_money")
                    and (not is_money_unit(unit) or unit_factor(unit, self.money_unit) is None)):
                self.problems.append(Problem(self.grid.addr(r, index[attr]),
                                             f"表头中的金额单位「{unit}」无法换算为{self.money_unit}", col.header))
        return r, index, units

    def rows(self) -> Iterator[tuple[dict[str, Any], int]]:
        """(values by attribute, 0-based row) for every non-blank row under the header.

        Conversion runs column by column (``map`` over a column list is several times faster
        than a per-cell Python loop); a column with a bad cell is re-run cell by cell so that
        every bad cell is reported."""
        if not self.index:
            return
        first = self.header_row + 1
        if self.lines is None:
            body = self.grid.rows[first:]
            keep = [i for i, raw in enumerate(body) if any(raw) or not all(v == "" or v is None for v in raw)]
            if len(keep) < len(body):
                body = [body[i] for i in keep]
            numbers = [first + i for i in keep]  # the row (0-based) of each body row, for addresses
        else:
            numbers = list(self.lines)
            rows = self.grid.rows
            body = [rows[r] for r in numbers]
        width = min((len(row) for row in body), default=0)
        present = [self.index[c.key] for c in self.cols if c.key in self.index]
        # One C-level pass picks the needed cells of every row, a second transposes to columns.
        picked: list[Sequence[Any]]
        if body and present and max(present) < width:
            if len(present) > 1:
                picked = list(zip(*map(itemgetter(*present), body), strict=True))
            else:
                picked = [[row[present[0]] for row in body]]
        else:
            picked = [[row[c] if c < len(row) else None for row in body] for c in present]
        by_col = dict(zip(present, picked, strict=True))
        blank_col = [None] * len(body)
        attrs: list[str] = []
        columns: list[Any] = []
        for col in self.cols:
            c = self.index.get(col.key)
            conv = self._converter(col)
            raw_col = by_col[c] if c is not None else blank_col
            if not any(raw_col) and all(v == "" or v is None for v in raw_col):
                blank_ok = col.kind.startswith("opt") or col.kind in ("text", "version")
                values: Any = [conv(None)] * len(body) if blank_ok else None
                if values is not None:  # an empty column: one conversion for all its cells
                    attrs.append(col.key)
                    columns.append(values)
                    continue
            try:
                values = list(map(conv, raw_col))
            except ValueError:
                values = []
                for n, v in zip(numbers, raw_col, strict=True):
                    try:
                        values.append(conv(v))
                    except ValueError as exc:
                        self.problems.append(Problem(addr(self.grid.name, n, c or 0), str(exc), col.header))
                        values.append(None)
            if col.kind in ("text", "opt_text"):
                self._check_text(values, numbers, c or 0, col)
            attrs.append(col.key)
            columns.append(values)
        for n, vals in zip(numbers, zip(*columns, strict=True), strict=True):
            yield dict(zip(attrs, vals, strict=True)), n

    def _check_text(self, values: list[Any], numbers: list[int], c: int, col: S.Col) -> None:
        """Characters the system cannot carry (core/text.py), reported at their cell. One search
        over the whole column first: a clean column (the rule) costs one C-level pass."""
        multiline = col.attr not in ONE_LINE_FIELDS
        strings = [v for v in values if type(v) is str]
        if not (REFUSED if multiline else REFUSED_ONE_LINE).search("".join(strings)):
            return
        for n, v in zip(numbers, values, strict=True):
            why = text_problem(v, multiline) if type(v) is str else ""
            if why:
                self.problems.append(Problem(addr(self.grid.name, n, c), why, col.header))

    def _converter(self, col: S.Col) -> Converter:
        kind, choices = col.kind, col.choices
        optional = kind.startswith("opt")
        renamed = dict(col.renamed)

        def check(value: Any) -> Any:
            value = renamed.get(value, value)
            if choices and value not in choices:
                raise ValueError(f"「{value}」不是有效取值，应为：{'、'.join(choices)}")
            return value

        if kind in ("text", "opt_text"):
            blank = None if optional else ""
            if col.attr in _TRIMMED:
                seen: dict[Any, Any] = {}

                def trimmed(v: Any) -> Any:
                    if v is None or v == "":
                        return blank
                    hit = seen.get(v)
                    if hit is None:
                        folded = normalize(to_text(v))
                        hit = check(folded) if folded else blank
                        seen[v] = hit
                    return hit
                return trimmed

            def text(v: Any) -> Any:
                if type(v) is str:
                    return v if v and not v.isspace() else blank
                return blank if v is None else to_text(v)
            return text

        if kind in ("money", "opt_money", "decimal", "opt_decimal"):
            money = kind.endswith("money")
            unit = (self.units.get(col.attr) or self.money_unit) if money else ""
            factor = (unit_factor(unit, self.money_unit) if is_money_unit(unit) else None) if money else None
            scale = None if factor in (None, _ONE) else factor
            target = self.money_unit

            def number(v: Any) -> Decimal | None:
                if type(v) is float:
                    d = float_to_decimal(v)
                else:
                    try:
                        parsed = to_decimal(v)
                    except ValueError:
                        if not money:
                            raise
                        # "1,234.5元" in the cell itself: the unit written there wins over the header's
                        return parse_amount(to_text(v), unit).to(target).value
                    if parsed is None:  # a blank cell
                        if optional:
                            return None
                        raise ValueError(REQUIRED)
                    d = parsed
                return d if scale is None else d * scale
            return number

        if kind == "version":
            def version(v: Any) -> int | None:
                if type(v) is float and v.is_integer() and v >= 1:  # the common case: as exported
                    return int(v)
                try:
                    value = to_int(v)
                except ValueError:
                    raise ValueError(BAD_VERSION) from None
                if value is not None and value < 1:
                    raise ValueError(BAD_VERSION)
                return value
            return version

        if kind == "int":
            def integer(v: Any) -> int:
                value = to_int(v)
                if value is None:
                    raise ValueError(REQUIRED)
                return value
            return integer

        if kind == "opt_int":
            return to_int

        if kind == "bool":
            flags: dict[Any, bool] = {}

            def boolean(v: Any) -> bool:
                hit = flags.get(v)
                if hit is None:
                    hit = flags[v] = to_bool(v)
                return hit
            return boolean

        if kind == "list":
            def items(v: Any) -> list[str]:
                text = normalize(to_text(v)).replace("，", "、").replace(",", "、")
                return [check(p.strip()) for p in text.split(S.LIST_SEPARATOR) if p.strip()]
            return items
        raise AssertionError(kind)  # a column kind the schema does not define


class Where:
    """Exchange-format JSON path → the row (and so the cells) it was read from. Long lists (the
    indicators) are kept as one list of rows per owner rather than one entry per item."""

    _ITEM = re.compile(r"^(.*)\[(\d+)\]$")
    _PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$|^\$$")

    def __init__(self) -> None:
        self.rows: dict[str, tuple[SheetReader, int]] = {}
        self.lists: dict[str, tuple[SheetReader, list[int]]] = {}

    def add(self, path: str, reader: SheetReader, row: int) -> None:
        self.rows[path] = (reader, row)

    def add_list(self, path: str, reader: SheetReader, rows: list[int]) -> None:
        self.lists[path] = (reader, rows)

    def locate(self, path: str) -> str | None:
        """The cell of ``path`` (or of the closest enclosing row), None when unknown."""
        probe = path
        while probe:
            suffix = path[len(probe) + 1:] if len(path) > len(probe) else ""
            if probe in self.rows:
                reader, row = self.rows[probe]
                return reader.cell(row, suffix)
            item = self._ITEM.match(probe)
            if item and item.group(1) in self.lists:
                reader, rows = self.lists[item.group(1)]
                if int(item.group(2)) < len(rows):
                    return reader.cell(rows[int(item.group(2))], suffix)
            if probe in self.lists and self.lists[probe][1]:
                reader, rows = self.lists[probe]
                return reader.cell(rows[0], "")
            probe = self._PARENT.sub("", probe)
        return None


_CHECK_COLS = (*S.CHECKPOINT_KEY_COLS, *S.CHECKPOINT_COLS, *S.PROGRESS_COLS, *S.SHARED_CHECK_COLS,
               *S.CHECKPOINT_VERSION_COLS)
# The columns each sheet is read with (the 部门 sheet apart).
_SHEET_COLS: dict[str, tuple[S.Col, ...]] = {
    S.DUTIES_SHEET: S.DUTIES_COLS,
    S.BUDGET_SHEET: S.BUDGET_COLS,
    S.PROJECT_SHEET: (*S.PROJECT_COLS, *S.FUND_COLS, *S.PROJECT_VERSION_COLS),
    S.INDICATOR_SHEET: (S.OWNER_COL, *S.INDICATOR_COLS),
    S.MONTHLY_SHEET: S.MONTHLY_COLS,
    S.CHECKPOINT_SHEET: _CHECK_COLS,
    S.RECTIFICATION_SHEET: S.RECTIFICATION_COLS,
}
NO_UNIT = "该行的部门编码、年度在「部门」表中没有对应的部门年度，未导入"
UnitKey = tuple[str, int | None]  # (部门编码, 年度) as a row names them


@dataclass
class UnitRead:
    """One department-year of a bulk workbook: what was read and where, or its problems. ``dy``
    is None when the rows could not be put together (an orphan group of rows, a broken key)."""

    code: str
    year: int | None
    place: str  # the cell of its 部门 row (an orphan group: its first row)
    dy: model.DepartmentYear | None = None
    where: Where = field(default_factory=Where)
    problems: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        year = "（未填年度）" if self.year is None else str(self.year)
        return f"{self.code or '（未填部门编码）'}/{year}"


def _check_sheets(book: Book, problems: list[Problem], warnings: list[Problem]) -> set[str]:
    names = set(book.sheet_names) | set(book.hidden)
    for sheet in (S.DEPARTMENT_SHEET, S.BUDGET_SHEET, S.PROJECT_SHEET, S.INDICATOR_SHEET):
        if sheet not in names:
            problems.append(Problem(book.path.name,
                                    f"缺少工作表「{sheet}」（批量工作簿应包含：{'、'.join(S.SHEETS)}）"))
    for sheet in S.SHEETS:
        if sheet in book.hidden:
            warnings.append(Problem(f"{book.path.name}: {sheet}", "该工作表是隐藏的，已照常读取"))
    return names


def read_bulk(book: Book, problems: list[Problem],
              warnings: list[Problem]) -> tuple[model.DepartmentYear | None, Where]:
    """The department-year of a one-department bulk workbook, and where each part came from (so
    semantic checks can name the cell). Problems are appended; the caller raises."""
    units = read_units(book, problems, warnings)
    if problems:
        return None, Where()
    if len(units) != 1:
        problems.append(Problem(f"{S.DEPARTMENT_SHEET}!A2",
                                f"「{S.DEPARTMENT_SHEET}」表应恰好有一行部门数据，实际有 {len(units)} 行"))
        return None, Where()
    problems.extend(units[0].problems)
    return units[0].dy, units[0].where


def _key_code(value: Any) -> str:
    return "" if is_blank(value) else normalize(to_text(value))


def _key_year(value: Any) -> int | None:
    """The 年度 of a key cell; None when blank. A cell that is no year raises ValueError."""
    return to_int(value)


def read_units(book: Book, problems: list[Problem], warnings: list[Problem]) -> list[UnitRead]:
    """Every department-year of a bulk workbook, each read on its own with its own problems, so
    that one bad department-year does not stop the others. ``problems`` gets what concerns the
    whole workbook (a missing sheet or column); the caller raises on those.

    A workbook without 部门编码 columns and with at most one 部门 row is the one-department
    workbook of every earlier release, read exactly as before (its header problems are then
    the department-year's own, in the order they always came)."""
    names = _check_sheets(book, problems, warnings)
    if problems:
        return []
    dept_grid = book.grid(S.DEPARTMENT_SHEET)
    dept_header_problems: list[Problem] = []
    dept_header = SheetReader(dept_grid, S.DEPARTMENT_COLS, "万元", dept_header_problems).header
    grids: dict[str, Grid] = {}
    headers: dict[str, Header] = {}
    header_problems: dict[str, list[Problem]] = {}
    for sheet, cols in _SHEET_COLS.items():
        if sheet in names:
            found: list[Problem] = []
            base = SheetReader(book.grid(sheet), (*S.UNIT_COLS, *cols), "万元", found)
            grids[sheet], headers[sheet], header_problems[sheet] = base.grid, base.header, found
    keyed = [sheet for sheet, header in headers.items() if S.UNIT_CODE.key in header[1]]
    dept_lines = _data_rows(dept_grid, dept_header[0]) if dept_header[1] else []

    if not keyed and len(dept_lines) <= 1:
        if not dept_lines:
            problems.extend(dept_header_problems)
            problems.append(Problem(f"{S.DEPARTMENT_SHEET}!A2",
                                    f"「{S.DEPARTMENT_SHEET}」表应恰好有一行部门数据，实际有 0 行"))
            return []
        unit = UnitRead("", None, dept_grid.addr(dept_lines[0], 0), problems=list(dept_header_problems))

        def whole(sheet: str, money_unit: str) -> SheetReader:
            unit.problems.extend(header_problems[sheet])
            return SheetReader(grids[sheet], _SHEET_COLS[sheet], money_unit, unit.problems, headers[sheet])
        dept_reader = SheetReader(dept_grid, S.DEPARTMENT_COLS, "万元", unit.problems, dept_header)
        _read_unit(unit, dept_reader, grids, whole)
        return [unit]

    # Several department-years: what is wrong with a header is wrong for all of them.
    problems.extend(dept_header_problems)
    for found in header_problems.values():
        problems.extend(found)
    if not dept_header[1] or problems:
        return []
    for sheet in headers:
        if sheet not in keyed and len(dept_lines) > 1 and _data_rows(grids[sheet], headers[sheet][0]):
            problems.append(Problem(grids[sheet].addr(headers[sheet][0], 0),
                                    f"缺少列「{S.UNIT_CODE.header}」：本工作簿有 {len(dept_lines)} 个部门年度，"
                                    f"「{sheet}」表的每一行都应注明所属部门编码（及年度）", S.UNIT_CODE.header))
    if problems:
        return []

    units: dict[UnitKey, UnitRead] = {}
    dept_rows: dict[UnitKey, int] = {}
    code_col, year_col = dept_header[1]["department.code"], dept_header[1]["year"]
    for r in dept_lines:
        row = dept_grid.rows[r]
        code = _key_code(row[code_col] if code_col < len(row) else None)
        try:
            year = _key_year(row[year_col] if year_col < len(row) else None)
        except ValueError:
            year = None  # the department-year's own reading names the cell
        key = (code, year)
        if key in units:
            units[key].problems.append(Problem(
                dept_grid.addr(r, code_col), f"部门年度「{units[key].label}」在「{S.DEPARTMENT_SHEET}」表中重复出现"
                f"（另见 {units[key].place}），请合并为一行", S.DEPARTMENT_COLS[0].header))
            continue
        units[key] = UnitRead(code, year, dept_grid.addr(r, code_col))
        dept_rows[key] = r
        if not code:
            units[key].problems.append(Problem(dept_grid.addr(r, code_col), REQUIRED, S.DEPARTMENT_COLS[0].header))

    lines, orphans = _assign(units, grids, headers, keyed)
    for key, unit in units.items():
        if unit.problems:  # a duplicate or a blank key: its rows cannot be told apart
            continue

        def part(sheet: str, money_unit: str, key: UnitKey = key, unit: UnitRead = unit) -> SheetReader:
            return SheetReader(grids[sheet], _SHEET_COLS[sheet], money_unit, unit.problems, headers[sheet],
                               lines[sheet].get(key, []))
        dept_reader = SheetReader(dept_grid, S.DEPARTMENT_COLS, "万元", unit.problems, dept_header, [dept_rows[key]])
        _read_unit(unit, dept_reader, grids, part)
    return [*units.values(), *orphans.values()]


def _assign(units: dict[UnitKey, UnitRead], grids: dict[str, Grid], headers: dict[str, Header],
            keyed: list[str]) -> tuple[dict[str, dict[UnitKey, list[int]]], dict[UnitKey, UnitRead]]:
    """The rows of each sheet by department-year, and the rows that belong to none (grouped by
    the key they name, each row a problem). A row without 年度 belongs to the department-year of
    its 部门编码 when there is one; a sheet without 部门编码 columns, or a row with both blank, to
    the only department-year when there is one."""
    by_code: dict[str, list[UnitKey]] = {}
    for known in units:
        by_code.setdefault(known[0], []).append(known)
    only = next(iter(units)) if len(units) == 1 else None
    lines: dict[str, dict[UnitKey, list[int]]] = {}
    orphans: dict[UnitKey, UnitRead] = {}
    for sheet, grid in grids.items():
        header_row, index, _ = headers[sheet]
        mine: dict[UnitKey, list[int]] = {}
        lines[sheet] = mine
        data = _data_rows(grid, header_row) if index else []
        if sheet not in keyed:
            if only is not None:
                mine[only] = data
            continue
        code_col, year_col = index[S.UNIT_CODE.key], index.get(S.UNIT_YEAR.key)
        for r in data:
            row = grid.rows[r]
            code = _key_code(row[code_col] if code_col < len(row) else None)
            cell = row[year_col] if year_col is not None and year_col < len(row) else None
            why = NO_UNIT
            try:
                year = _key_year(cell)
            except ValueError as exc:
                year, why = None, f"年度{exc}，无法确定该行所属的部门年度，未导入"
            key: UnitKey | None = (code, year)
            if key not in units and why == NO_UNIT:
                candidates = by_code.get(code, []) if year is None and code else []
                key = (candidates[0] if len(candidates) == 1 else
                       only if only is not None and not code and year is None else None)
            if key is not None and key in units:
                mine.setdefault(key, []).append(r)
                continue
            group = (code, year)
            orphan = orphans.get(group)
            if orphan is None:
                orphan = orphans[group] = UnitRead(code, year, grid.addr(r, code_col))
            where = grid.addr(r, code_col if why == NO_UNIT or year_col is None else year_col)
            if not code and why == NO_UNIT:
                why = "该行没有填写部门编码，无法确定所属的部门年度，未导入"
            orphan.problems.append(Problem(where, why, S.UNIT_CODE.header))
    return lines, orphans


Reader = Callable[[str, str], SheetReader]  # (sheet, money unit) → the unit's reader of that sheet


def _read_unit(unit: UnitRead, dept_reader: SheetReader, grids: dict[str, Grid], reader: Reader) -> None:
    """Put one department-year together from its rows; its problems go to ``unit.problems``."""
    problems = unit.problems
    where = unit.where
    dept_rows = list(dept_reader.rows())
    v, dept_row = dept_rows[0]
    where.add("$", dept_reader, dept_row)
    unit.code, unit.year = v["department.code"], v["year"]
    unit.place = dept_reader.cell(dept_row, "department.code")
    money_unit = v["money_unit"] or "万元"

    def sheet_rows(sheet: str) -> Iterator[tuple[SheetReader, dict[str, Any], int]]:
        """(reader, values, row) for the rows of an optional sheet; none when the book lacks it."""
        if sheet not in grids:
            return
        sr = reader(sheet, money_unit)
        for vals, r in sr.rows():
            yield sr, vals, r

    duty_rows = [vals for _, vals, _ in sheet_rows(S.DUTIES_SHEET)]
    duties = [vals["text"] for vals in sorted(duty_rows, key=lambda vals: vals["seq"] or 0)]
    department = model.Department(code=v["department.code"], name=v["department.name"],
                                  parent_code=v["department.parent_code"], parent_name=v["department.parent_name"],
                                  responsibilities=duties)
    budget_lines: list[model.BudgetLine] = []
    for sr, vals, r in sheet_rows(S.BUDGET_SHEET):
        where.add(f"$.budget_lines[{len(budget_lines)}]", sr, r)
        budget_lines.append(model.BudgetLine(**vals))

    projects: dict[str, model.Project] = {}
    order: dict[str, int] = {}
    project_fields = [c.attr for c in (*S.PROJECT_COLS, S.PROJECT_VERSION_COLS[0])
                      if not c.attr.startswith("stated.") and c.attr != "goal_status"]
    for sr, vals, r in sheet_rows(S.PROJECT_SHEET):
        code = vals["code"]
        if not code:
            continue  # reported as a required-field problem already
        p = projects.get(code)
        if p is None:
            order[code] = len(projects)
            where.add(f"$.projects[{order[code]}]", sr, r)
            p = projects[code] = model.Project(**{a: vals[a] for a in project_fields}, stated=_stated(vals),
                                               goal_status=vals["goal_status"] or _INITIAL_GOAL_STATUS)
        if vals["fund_source"] is None:
            if any(vals[c.attr] is not None for c in S.FUND_COLS[1:]):
                problems.append(Problem(sr.cell(r, "fund_source"), "填写了金额却没有资金来源", "资金来源"))
            continue
        # A blank 全年预算数/全年执行数 is "not filled in yet" (None), never 0.
        where.add(f"$.projects[{order[code]}].funds[{len(p.funds)}]", sr, r)
        p.funds.append(model.FundLine(fund_source=vals["fund_source"], budget=vals["budget"],
                                      executed=vals["executed"], initial=vals["initial"],
                                      version=vals["fund_version"]))

    def owner(code: str | None, reader_: SheetReader, r: int) -> model.Project | None:
        p = projects.get(code) if code else None
        if p is None and code:
            problems.append(Problem(reader_.cell(r, "project"), f"项目编码「{code}」在「{S.PROJECT_SHEET}」表中不存在",
                                    "项目编码"))
        return p

    indicators: list[model.Indicator] = []
    Indicator = model.Indicator
    indicator_reader: SheetReader | None = None
    dept_indicator_rows: list[int] = []
    rows_of: dict[str, list[int]] = {}
    for sr, vals, r in sheet_rows(S.INDICATOR_SHEET):
        indicator_reader = sr
        code = vals.pop("project")
        if code is None:
            dept_indicator_rows.append(r)
            indicators.append(Indicator(**vals))
        elif (p := projects.get(code)) is not None:
            p.indicators.append(Indicator(**vals))
            rows_of.setdefault(code, []).append(r)
        else:
            owner(code, sr, r)
    if indicator_reader is not None:
        where.add_list("$.indicators", indicator_reader, dept_indicator_rows)
        for code, code_rows in rows_of.items():
            where.add_list(f"$.projects[{order[code]}].indicators", indicator_reader, code_rows)

    for sr, vals, r in sheet_rows(S.MONTHLY_SHEET):
        month = vals["month"]
        if (p := owner(vals["project"], sr, r)) is None or month is None:
            continue
        if month in p.monthly_executed:
            problems.append(Problem(sr.cell(r, "month"), f"项目「{vals['project']}」的 {month} 月重复出现", "月份"))
        where.add(f"$.projects[{order[vals['project']]}].monthly_executed.{month}", sr, r)
        p.monthly_executed[month] = _zero_if_none(vals["amount"])

    _read_checkpoints(sheet_rows(S.CHECKPOINT_SHEET), owner, order, where, problems)

    rectifications: list[model.Rectification] = []
    for sr, vals, r in sheet_rows(S.RECTIFICATION_SHEET):
        where.add(f"$.rectifications[{len(rectifications)}]", sr, r)
        rectifications.append(model.Rectification(**vals))

    fields = {c.attr: v[c.attr] for c in S.DEPARTMENT_COLS if "." not in c.attr}
    unit.dy = model.DepartmentYear(department=department, budget_lines=budget_lines, indicators=indicators,
                                   projects=list(projects.values()), rectifications=rectifications,
                                   stated=_stated(v), **fields)

# The initial states of their stages: what a blank state cell (or a workbook without the column)
# reads as. Either way a file's state is information only: the import keeps the stored one.
_INITIAL_GOAL_STATUS = workflow.stage(workflow.GOALS).initial
_INITIAL_CHECKPOINT_STATUS = workflow.stage(workflow.MONITORING).initial


def _read_checkpoints(rows: Iterable[tuple[SheetReader, dict[str, Any], int]],
                      owner: Callable[[str | None, SheetReader, int], model.Project | None],
                      order: dict[str, int], where: Where, problems: list[Problem]) -> None:
    current: dict[tuple[str, int], tuple[model.Checkpoint, int]] = {}
    for sr, vals, r in rows:
        if (p := owner(vals["project"], sr, r)) is None or vals["month"] is None:
            continue
        key = (vals["project"], vals["month"])
        base = f"$.projects[{order[key[0]]}].checkpoints"
        if vals["indicator"] is None:
            if key in current:
                problems.append(Problem(sr.cell(r, ""), f"项目「{key[0]}」{key[1]} 月的监控记录重复"
                                                        "（指标编码为空的行每次监控只能有一行）"))
            where.add(f"{base}[{len(p.checkpoints)}]", sr, r)
            cp = model.Checkpoint(month=vals["month"], goal_progress=vals["goal_progress"],
                                  expected_executed=vals["expected_executed"], causes=vals["causes"],
                                  measures=vals["measures"], status=vals["status"] or _INITIAL_CHECKPOINT_STATUS,
                                  version=vals["version"])
            current[key] = (cp, len(p.checkpoints))
            p.checkpoints.append(cp)
            continue
        if key not in current:
            problems.append(Problem(sr.cell(r, ""), f"项目「{key[0]}」{key[1]} 月的指标进度行之前"
                                                    "缺少该次监控的总体行（指标编码为空的行）"))
            continue
        cp, k = current[key]
        if vals["likelihood"] is None:
            problems.append(Problem(sr.cell(r, "likelihood"), "请填写完成目标可能性（确定能/有可能/完全不可能）",
                                    "完成目标可能性"))
        where.add(f"{base}[{k}].indicators[{len(cp.indicators)}]", sr, r)
        cp.indicators.append(model.IndicatorProgress(
            indicator=vals["indicator"], progress_text=vals["progress_text"], forecast_text=vals["forecast_text"],
            likelihood=vals["likelihood"] or "", causes=vals["causes"], explanation=vals["explanation"],
            measures=vals["measures"]))


def _zero_if_none(value: Decimal | None) -> Decimal:
    """A missing amount (already reported as a problem) stands in as 0; Decimal("0.0") stays as written."""
    return _ZERO if value is None else value


def _stated(values: dict[str, Any]) -> model.Stated:
    return model.Stated(**{k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("stated.")})
