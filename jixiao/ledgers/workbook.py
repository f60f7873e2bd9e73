"""Ledger workbooks (openpyxl): one sheet per ``Table`` plus a 说明 sheet.

Columns are found by their title, so their order may change; computed columns of an export
(grey) are ignored on import. Every problem is named ``sheet!cell``; nothing is built while any
problem remains, so a workbook with one bad cell imports nothing.
"""
from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import FieldSpec, RawRow, Table, Where, build_rows
from jixiao.excel.cells import addr, col_letter, decimal_cell, float_to_decimal, label_key, needs_escape

NOTE_SHEET = "说明"
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")

# a computed export column: title and the value of one row
Computed = tuple[str, Callable[[Any], Any]]


# ---------------------------------------------------------------- Excel: writing

def _cell(spec: FieldSpec | None, value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_cell(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        # credit codes were always written comma-separated; names and measures with 、
        return ("，" if spec is not None and spec.kind == "list" else "、").join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and needs_escape(value):
        return "'" + value  # a text cell must never turn into a formula
    return value


def _write_sheet(wb: Workbook, table: Table, rows: Iterable[Any], computed: Sequence[Computed], width: int) -> None:
    ws = wb.create_sheet(table.sheet)
    computed_titles = [title for title, _ in computed]
    headers = [s.title for s in table.specs] + computed_titles
    ws.append(headers)
    for i, h in enumerate(headers):
        c = ws.cell(row=1, column=i + 1)
        c.font, c.alignment = _HEAD, Alignment(wrap_text=True, vertical="center")
        c.fill = _COMPUTED_FILL if h in computed_titles else _FILL
        wide = h == "认定说明" or (i < len(table.specs) and table.specs[i].kind == "json")
        ws.column_dimensions[col_letter(i)].width = 40 if wide else width
    n = 1  # the last row written: the headers, then one row per record
    for obj in rows:
        ws.append([_cell(s, getattr(obj, s.attr)) for s in table.specs] + [_cell(None, fn(obj)) for _, fn in computed])
        n += 1
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


def write_workbook(path: Path, sheets: Iterable[tuple[Table, Iterable[Any]]], notes: Iterable[str],
                   computed: Mapping[str, Sequence[Computed]] | None = None, width: int = 16) -> None:
    """One sheet per table (``computed`` adds grey columns after a table's own, by table key),
    then the 说明 sheet."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    for table, rows in sheets:
        _write_sheet(wb, table, rows, (computed or {}).get(table.key, ()), width)
    ws = wb.create_sheet(NOTE_SHEET)
    for line in notes:
        ws.append([line])
    ws.column_dimensions["A"].width = 100
    wb.save(path)


# ---------------------------------------------------------------- Excel: reading

def _value(v: Any) -> Any:
    # openpyxl gives floats for decimal cells: never let a float reach a Decimal field directly
    if isinstance(v, float):
        return float_to_decimal(v)
    if isinstance(v, str) and v.startswith("'") and needs_escape(v[1:]):
        return v[1:]
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v
    return v


def _read_sheet(wb: Any, table: Table, ignored: Iterable[str], problems: list[Problem]) -> list[RawRow]:
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
    skip = {label_key(t) for t in ignored}
    columns: dict[str, int] = {}
    for i, h in enumerate(rows[0]):
        if h is None or str(h).strip() == "":
            continue
        key = label_key(h)
        spec = by_title.get(key)
        if spec is None:
            if key not in skip:
                problems.append(Problem(addr(title, 0, i), f"无法识别的列“{h}”，请使用导出的台账模板中的列标题"))
        elif spec.attr in columns:
            problems.append(Problem(addr(title, 0, i), f"列“{h}”重复"))
        else:
            columns[spec.attr] = i
    for s in table.specs:
        if s.required and s.attr not in columns:
            problems.append(Problem(f"{title}!1", f"缺少必填列“{s.title}”", s.title))
    out: list[RawRow] = []
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
                  ignored: Iterable[str] = ()) -> tuple[dict[str, list[Any]], Where]:
    """Every table's rows from a workbook, and a locator (table key, row index, attribute) →
    ``sheet!cell`` for the cross-row checks that follow. Columns titled as in ``ignored`` (the
    computed columns of an export) are skipped."""
    tables = list(tables)
    ignored = tuple(ignored)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"无法读取 Excel 文件：{exc}", path.name) from None
    problems: list[Problem] = []
    try:
        raw = {t.key: _read_sheet(wb, t, ignored, problems) for t in tables}
    finally:
        wb.close()
    if problems:
        raise InputError(problems)
    out = {t.key: build_rows(t, raw[t.key], (extra or {}).get(t.key, {}), problems) for t in tables}
    if problems:
        raise InputError(problems)

    def where(key: str, i: int, attr: str) -> str:
        return raw[key][i][1](attr)

    return out, where
