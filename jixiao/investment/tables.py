"""Ledger tables ⇄ JSON files and Excel workbooks, shared by the investment and enterprise ledgers.

A ledger file is a header (format, version, department, year, …) plus named tables of rows. One
``Table`` (JSON key, sheet title, dataclass, field specs) drives parsing, validation and export
in both formats, so they cannot drift apart. The field specs and value parsing are those of the
land ledger (``jixiao.land.records``), extended with ``names`` (a list of person or unit names)
and ``measures`` (a list of choices). Every problem names its place — ``f.json: $.projects[3].share``
or ``项目台账!F12`` — and nothing is built while any problem remains.
"""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.core.errors import InputError, Problem
from jixiao.excel.cells import addr, col_letter, decimal_cell, float_to_decimal, label_key, needs_escape
from jixiao.land.records import FieldSpec, parse_value as parse_base, to_value

Row = tuple[Mapping[str, Any], Callable[[str], str]]  # raw values, and where each attribute is
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Table:
    key: str  # JSON key
    sheet: str  # Excel sheet title
    cls: type
    specs: tuple[FieldSpec, ...]
    required: bool = True  # the sheet must exist in a workbook


def parse_value(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    if spec.kind not in ("names", "measures"):
        return parse_base(spec, raw)
    items = raw if isinstance(raw, list) else re.split(r"[,，、;；\s]+", str(raw or ""))
    values = [str(x).strip() for x in items if str(x).strip()]
    if not values and spec.required:
        return None, "必填，请填写"
    if spec.kind == "measures":
        bad = [v for v in values if v not in spec.choices]
        if bad:
            return None, f"“{'、'.join(bad)}”不在可选值中，请填写：{'、'.join(spec.choices)}"
    return (values if values else None), None


def build(table: Table, rows: Iterable[Row], extra: Mapping[str, Any], problems: list[Problem]) -> list[Any]:
    out = []
    for raw, where in rows:
        values: dict[str, Any] = dict(extra)
        ok = True
        for spec in table.specs:
            value, problem = parse_value(spec, raw.get(spec.attr))
            if problem:
                problems.append(Problem(where(spec.attr), problem, spec.title))
                ok = False
            elif value is not None:
                values[spec.attr] = value
        if ok:
            out.append(table.cls(**values))
    return out


def row_dict(table: Table, obj: Any) -> dict[str, Any]:
    return {s.attr: to_value(getattr(obj, s.attr)) for s in table.specs}


# ---------------------------------------------------------------- JSON

def read_json_file(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise InputError(f"找不到文件 {path}", str(path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"不是有效的 JSON 文件：{exc}", str(path)) from None


def header_from_dict(data: Any, source: str, fmt: str, what: str) -> tuple[str, int]:
    """Department code and year of a ledger file; a wrong header stops before any row is read."""
    if not isinstance(data, dict):
        raise InputError(f"{source} 不是{what}文件：顶层应为对象", source)
    problems: list[Problem] = []
    if data.get("format") != fmt:
        problems.append(Problem(f"{source}: $.format", f"应为“{fmt}”（{what}交换格式）"))
    department = data.get("department")
    if not isinstance(department, str) or not department.strip():
        problems.append(Problem(f"{source}: $.department", "缺少部门编码"))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        problems.append(Problem(f"{source}: $.year", "年度应为四位整数，如 2022"))
    if problems:
        raise InputError(problems)
    return department.strip(), year


def tables_from_dict(data: Mapping[str, Any], source: str, tables: Iterable[Table],
                     extra: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, list[Any]]:
    """Every table's rows; raises with every problem of every row."""
    problems: list[Problem] = []
    raw: dict[str, list[Any]] = {}
    tables = list(tables)
    for t in tables:
        value = data.get(t.key, [])
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            problems.append(Problem(f"{source}: $.{t.key}", "应为对象列表"))
        else:
            raw[t.key] = value
    if problems:
        raise InputError(problems)
    out = {}
    for t in tables:
        rows = ((r, lambda a, i=i, k=t.key: f"{source}: $.{k}[{i}].{a}") for i, r in enumerate(raw[t.key]))
        out[t.key] = build(t, rows, (extra or {}).get(t.key, {}), problems)
    if problems:
        raise InputError(problems)
    return out


def json_where(source: str) -> Callable[[str, int, str], str]:
    return lambda table, i, attr: f"{source}: $.{table}[{i}].{attr}"


def write_json_file(data: Mapping[str, Any], path: Path) -> None:
    """One row per line: a several-thousand-row ledger stays readable in a diff."""
    lines = ["{"]
    items = list(data.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if isinstance(value, list):
            body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in value)
            lines.append(f' "{key}": [\n{body}\n ]{comma}' if value else f' "{key}": []{comma}')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- Excel

def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_cell(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, str) and needs_escape(value):
        return "'" + value  # a text cell must never turn into a formula
    return value


def _value(v: Any) -> Any:
    # openpyxl gives floats for decimal cells: never let a float reach a Decimal field directly
    if isinstance(v, float):
        return float_to_decimal(v)
    if isinstance(v, str) and v.startswith("'") and needs_escape(v[1:]):
        return v[1:]
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v
    return v


def write_workbook(path: Path, sheets: Iterable[tuple[Table, Iterable[Any]]], notes: Iterable[str]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for table, rows in sheets:
        ws = wb.create_sheet(table.sheet)
        ws.append([s.title for s in table.specs])
        for i, s in enumerate(table.specs):
            c = ws.cell(row=1, column=i + 1)
            c.font, c.fill, c.alignment = _HEAD, _FILL, Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[col_letter(i)].width = 16
        n = 1
        for n, obj in enumerate(rows, start=2):
            ws.append([_cell(getattr(obj, s.attr)) for s in table.specs])
        for i, s in enumerate(table.specs):
            letter = col_letter(i)
            if s.choices and s.kind != "measures" and len(",".join(s.choices)) < 200:
                dv = DataValidation(type="list", formula1='"' + ",".join(c for c in s.choices if c) + '"',
                                    allow_blank=not s.required)
                dv.add(f"{letter}2:{letter}{max(n, 2) + 500}")
                ws.add_data_validation(dv)
            if s.kind == "date":
                for r in range(2, n + 1):
                    ws[f"{letter}{r}"].number_format = "yyyy-mm-dd"
        ws.freeze_panes = "B2"
    ws = wb.create_sheet("说明")
    for line in notes:
        ws.append([line])
    ws.column_dimensions["A"].width = 100
    wb.save(path)


def _read_sheet(wb: Any, table: Table, problems: list[Problem]) -> list[Row]:
    title = table.sheet
    if title not in wb.sheetnames:
        if table.required:
            problems.append(Problem(title, f"缺少工作表“{title}”，请使用导出的台账模板"))
        return []
    rows = list(wb[title].iter_rows(values_only=True))
    if not rows:
        problems.append(Problem(f"{title}!A1", "工作表为空，第一行应为列标题"))
        return []
    by_title = {label_key(s.title): s for s in table.specs}
    columns: dict[str, int] = {}
    for i, h in enumerate(rows[0]):
        if h is None or str(h).strip() == "":
            continue
        spec = by_title.get(label_key(h))
        if spec is None:
            problems.append(Problem(addr(title, 0, i), f"无法识别的列“{h}”，请使用导出的台账模板中的列标题"))
        elif spec.attr in columns:
            problems.append(Problem(addr(title, 0, i), f"列“{h}”重复"))
        else:
            columns[spec.attr] = i
    for s in table.specs:
        if s.required and s.attr not in columns:
            problems.append(Problem(f"{title}!1", f"缺少必填列“{s.title}”", s.title))
    out: list[Row] = []
    for r, row in enumerate(rows[1:], start=1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        raw = {attr: _value(row[i]) if i < len(row) else None for attr, i in columns.items()}

        def where(attr: str, r: int = r) -> str:
            i = columns.get(attr)
            return addr(title, r, i) if i is not None else f"{title}!第{r + 1}行"

        out.append((raw, where))
    return out


def read_workbook(path: Path, tables: Iterable[Table], extra: Mapping[str, Mapping[str, Any]] | None = None,
                  ) -> tuple[dict[str, list[Any]], Callable[[str, int, str], str]]:
    """Every table's rows from a workbook, and a locator (table key, row index, attribute) →
    ``sheet!cell`` for the cross-row checks that follow."""
    tables = list(tables)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"无法读取 Excel 文件：{exc}", path.name) from None
    problems: list[Problem] = []
    try:
        raw = {t.key: _read_sheet(wb, t, problems) for t in tables}
    finally:
        wb.close()
    if problems:
        raise InputError(problems)
    out = {t.key: build(t, raw[t.key], (extra or {}).get(t.key, {}), problems) for t in tables}
    if problems:
        raise InputError(problems)

    def where(key: str, i: int, attr: str) -> str:
        return raw[key][i][1](attr)

    return out, where
