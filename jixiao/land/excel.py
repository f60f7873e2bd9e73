"""The land ledger as an Excel workbook (openpyxl): sheets 宗地台账 and 处置跟踪, one header row, one
row per parcel / disposal. Columns are found by their title, so their order may change; the
computed columns of an export (利用状态, 认定说明, 亩, 公顷) are ignored on import. Every problem is
named ``sheet!cell``; a workbook with any problem imports nothing."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.core import land
from jixiao.core.display import fmt_value
from jixiao.core.errors import InputError, Problem
from jixiao.excel.cells import addr, col_letter, decimal_cell, float_to_decimal, label_key, needs_escape
from jixiao.land import records

PARCEL_SHEET = "宗地台账"
DISPOSAL_SHEET = "处置跟踪"
NOTE_SHEET = "说明"
# computed on export, never read back: the ledger's figures come from the rules, not the sheet
COMPUTED = ("用地面积（亩）", "用地面积（公顷）", "利用状态", "低效类型", "认定说明", "识别规则")
_HEAD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_cell(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "，".join(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and needs_escape(value):
        return "'" + value  # a text cell must never turn into a formula
    return value


def _sheet(wb: Workbook, title: str, specs: tuple[records.FieldSpec, ...], rows: Iterable[list[Any]],
           computed: tuple[str, ...] = ()) -> None:
    ws = wb.create_sheet(title)
    headers = [s.title for s in specs] + list(computed)
    ws.append(headers)
    for i, h in enumerate(headers):
        c = ws.cell(row=1, column=i + 1)
        c.font, c.alignment = _HEAD, Alignment(wrap_text=True, vertical="center")
        c.fill = _COMPUTED_FILL if h in computed else _FILL
        ws.column_dimensions[col_letter(i)].width = 14 if h not in ("认定说明", "范围（GeoJSON）") else 40
    n = 1
    for n, row in enumerate(rows, start=2):
        ws.append([_cell(v) for v in row])
    for i, s in enumerate(specs):
        letter = col_letter(i)
        if s.choices and len("".join(s.choices)) < 200:
            dv = DataValidation(type="list", formula1='"' + ",".join(c for c in s.choices if c) + '"',
                                allow_blank=not s.required)
            dv.add(f"{letter}2:{letter}{max(n, 2) + 500}")
            ws.add_data_validation(dv)
        if s.kind == "date":
            for r in range(2, n + 1):
                ws[f"{letter}{r}"].number_format = "yyyy-mm-dd"
    ws.freeze_panes = "B2"


def write_workbook(ledger: land.Ledger, results: Iterable[land.Classification], path: Path) -> None:
    result_of = {c.parcel_id: c for c in results}
    wb = Workbook()
    wb.remove(wb.active)

    def parcel_row(p: land.Parcel) -> list[Any]:
        c = result_of.get(p.parcel_id)
        return [getattr(p, s.attr) for s in records.PARCEL_FIELDS] + [
            fmt_value(p.site_area_mu, 2), fmt_value(p.site_area_ha, 4),
            c.status if c else "", "、".join(c.types) if c else "", c.explanation if c else "",
            f"{c.rule_id} v{c.rule_version}" if c else "",
        ]

    _sheet(wb, PARCEL_SHEET, records.PARCEL_FIELDS, (parcel_row(p) for p in ledger.parcels), COMPUTED)
    _sheet(wb, DISPOSAL_SHEET, records.DISPOSAL_FIELDS,
           ([getattr(d, s.attr) for s in records.DISPOSAL_FIELDS] for d in ledger.disposals))
    ws = wb.create_sheet(NOTE_SHEET)
    for line in (
        f"部门：{ledger.department}　摸查年度：{ledger.year}",
        "面积以平方米填写（1公顷 = 15亩 = 10000平方米），金额以万元填写，投资额均不含土地价款和税费。",
        "灰色列（亩、公顷、利用状态、认定说明等）由系统按识别规则计算，导入时不读取。",
        "导入时全部校验通过才会保存，任何一处错误都会以“工作表!单元格”列出，不会部分导入。",
    ):
        ws.append([line])
    ws.column_dimensions["A"].width = 100
    wb.save(path)


def _value(v: Any) -> Any:
    # openpyxl gives floats for decimal cells: never let a float reach a Decimal field directly
    if isinstance(v, float):
        return float_to_decimal(v)
    if isinstance(v, str) and v.startswith("'") and needs_escape(v[1:]):
        return v[1:]
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v
    return v


def _read_sheet(wb: Any, title: str, specs: tuple[records.FieldSpec, ...], problems: list[Problem],
                required_sheet: bool) -> list[tuple[dict[str, Any], Any]]:
    if title not in wb.sheetnames:
        if required_sheet:
            problems.append(Problem(title, f"缺少工作表“{title}”，请使用导出的台账模板"))
        return []
    rows = list(wb[title].iter_rows(values_only=True))
    if not rows:
        problems.append(Problem(f"{title}!A1", "工作表为空，第一行应为列标题"))
        return []
    by_title = {label_key(s.title): s for s in specs}
    ignored = {label_key(t) for t in COMPUTED}
    columns: dict[str, int] = {}
    for i, h in enumerate(rows[0]):
        if h is None or str(h).strip() == "":
            continue
        key = label_key(h)
        if key in by_title:
            if by_title[key].attr in columns:
                problems.append(Problem(addr(title, 0, i), f"列“{h}”重复"))
            columns[by_title[key].attr] = i
        elif key not in ignored:
            problems.append(Problem(addr(title, 0, i), f"无法识别的列“{h}”，请使用导出的台账模板中的列标题"))
    for s in specs:
        if s.required and s.attr not in columns:
            problems.append(Problem(f"{title}!1", f"缺少必填列“{s.title}”", s.title))
    out = []
    for r, row in enumerate(rows[1:], start=1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        raw = {attr: _value(row[i]) if i < len(row) else None for attr, i in columns.items()}

        def where(attr: str, r: int = r) -> str:
            i = columns.get(attr)
            return addr(title, r, i) if i is not None else f"{title}!第{r + 1}行"

        out.append((raw, where))
    return out


def read_workbook(path: Path, department: str, year: int) -> land.Ledger:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"无法读取 Excel 文件：{exc}", path.name) from None
    problems: list[Problem] = []
    try:
        parcel_rows = _read_sheet(wb, PARCEL_SHEET, records.PARCEL_FIELDS, problems, True)
        disposal_rows = _read_sheet(wb, DISPOSAL_SHEET, records.DISPOSAL_FIELDS, problems, False)
    finally:
        wb.close()
    if problems:
        raise InputError(problems)
    parcels = records.build_rows(land.Parcel, records.PARCEL_FIELDS, parcel_rows, {"survey_year": year}, problems)
    disposals = records.build_rows(land.Disposal, records.DISPOSAL_FIELDS, disposal_rows, {}, problems)
    if problems:
        raise InputError(problems)
    ledger = land.Ledger(department=department, year=year, parcels=parcels, disposals=disposals)
    problems = records.check_ledger(ledger, lambda i, a: parcel_rows[i][1](a), lambda i, a: disposal_rows[i][1](a))
    if problems:
        raise InputError(problems)
    return ledger

