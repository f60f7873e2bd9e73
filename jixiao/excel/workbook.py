"""Open a checked .xlsx with calamine and hand out sheets as grids with real cell addresses.

Grids keep the empty rows and columns before the data (``skip_empty_area=False``), so a row and
column index always names the cell the user sees (index 0,0 is A1). Merged cells carry their value
in the top-left cell only; readers that need it elsewhere use ``Grid.merged_value``.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine

from jixiao.core.errors import InputError, Problem
from jixiao.excel.cells import addr
from jixiao.excel.safety import check_file, load_limits

HELPER_SHEET = "下拉列表"  # the hidden sheet of dropdown lists our own forms carry
VERSION_SHEET = "_jixiao"  # the hidden sheet of the versions an exported form was based on
OWN_SHEETS = (HELPER_SHEET, VERSION_SHEET)  # hidden sheets of ours: no warning, not a form
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")
# Cheap substring probes (memchr speed) before the regex: a formula element is <f…> or <x:f…>.
_PROBES = (b"<f", b":f")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CHUNK = 16 * 1024 * 1024


@dataclass
class Grid:
    name: str
    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def get(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def merged_value(self, r: int, c: int) -> Any:
        """The value shown at (r, c): a merged area shows its top-left cell everywhere."""
        for (r0, c0), (r1, c1) in self.merged:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return self.get(r0, c0)
        return self.get(r, c)

    def merged_end(self, r: int, c: int) -> int:
        """The last column of the merged area starting at (r, c), or c itself."""
        for (r0, c0), (r1, c1) in self.merged:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return c1
        return c

    def addr(self, r: int, c: int) -> str:
        return addr(self.name, r, c)



@dataclass
class Book:
    """A readable workbook: visible sheet names in order, and warnings found while opening."""

    path: Path
    sheet_names: list[str]
    hidden: list[str]
    warnings: list[Problem]
    _wb: Any
    _package: zipfile.ZipFile

    def grid(self, name: str) -> Grid:
        try:
            sheet = self._wb.get_sheet_by_name(name)
            if sheet.height > load_limits().max_rows_per_sheet:  # a file that declared no <dimension>
                raise InputError([Problem(f"{self.path.name}: {name}", f"工作表有 {sheet.height} 行，超过上限 "
                                          f"{load_limits().max_rows_per_sheet} 行，请拆分后再导入")])
            rows = sheet.to_python(skip_empty_area=False)
            merged = [tuple(m) for m in (sheet.merged_cell_ranges or [])]
        except calamine.CalamineError as exc:
            raise InputError([Problem(f"{self.path.name}: {name}",
                                      f"工作表无法读取（{exc}），请在 Excel 中打开并重新保存后再导入")]) from None
        return Grid(name, rows, merged)

    def close(self) -> None:
        self._wb.close()
        self._package.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside the package."""
    try:
        book = ET.fromstring(package.read("xl/workbook.xml"))
        rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    parts = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[sheet.get("name", "")] = target
    return parts


def _formula_cells(package: zipfile.ZipFile, part: str) -> list[tuple[str, bool]]:
    """(cell reference, has a cached value) for every formula cell; a cheap byte scan first so
    that ordinary sheets (the common case) are never parsed."""
    try:
        with package.open(part) as fh:
            tail = b""
            found = False
            while chunk := fh.read(_CHUNK):
                window = tail + chunk
                if any(p in window for p in _PROBES) and _HAS_FORMULA.search(window):
                    found = True
                    break
                tail = chunk[-16:]
        if not found:
            return []
        data = package.read(part)
    except KeyError:
        return []
    cells = []
    for match in _CELL.finditer(data):
        inner = match.group(2) or b""
        if _HAS_FORMULA.search(inner):
            ref = _REF.search(match.group(1))
            value = _VALUE.search(inner)
            cells.append((ref.group(1).decode() if ref else "?", bool(value and value.group(1))))
    return cells


def open_book(path: str | Path, wanted: set[str] | None = None) -> Book:
    """Open after the safety checks. Formula cells: cached values are used (with a warning);
    a formula without a cached value is an error, since its value is unknown."""
    p = Path(path)
    package = check_file(p)
    try:
        wb = calamine.CalamineWorkbook.from_path(str(p))
    except calamine.PasswordError:
        package.close()
        raise InputError([Problem(p.name, "文件受密码保护，无法读取，请取消密码后另存为 .xlsx 再导入")]) from None
    except (calamine.CalamineError, OSError, ValueError) as exc:
        package.close()
        raise InputError([Problem(p.name, f"文件不是有效的 Excel 工作簿（{exc}），"
                                          "请在 Excel 中打开并另存为 .xlsx 后再导入")]) from None
    visible: list[str] = []
    hidden: list[str] = []
    for meta in wb.sheets_metadata:
        (visible if meta.visible == calamine.SheetVisibleEnum.Visible else hidden).append(meta.name)
    warnings: list[Problem] = []
    errors: list[Problem] = []
    for name in hidden:
        if name not in OWN_SHEETS and (wanted is None or name not in wanted):
            warnings.append(Problem(f"{p.name}: {name}",
                                    "隐藏工作表未导入；如其中有需要导入的数据，请取消隐藏并按模板填写"))
    parts = _sheet_parts(package)
    for name in visible + [h for h in hidden if wanted and h in wanted]:
        part = parts.get(name)
        if not part or (wanted is not None and name not in wanted):
            continue
        for ref, cached in _formula_cells(package, part):
            if cached:
                warnings.append(Problem(f"{name}!{ref}", "单元格含公式，已按 Excel 保存的计算结果导入"))
            else:
                errors.append(Problem(f"{name}!{ref}", "单元格含公式但文件中没有保存计算结果，无法确定其数值。"
                                                       "请在 Excel 中打开并保存，或把公式“粘贴为数值”后再导入"))
    if errors:
        wb.close()
        package.close()
        raise InputError(errors)
    return Book(p, visible, hidden, warnings, wb, package)
