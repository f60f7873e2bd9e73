"""What an exported form was based on: the hidden sheet ``workbook.VERSION_SHEET`` lists each object
on the form with the stored version it was exported at; ``put_versions`` sets those versions on the
objects read from the form's sheets, so that the import can tell a stale form from a fresh one.

Without the sheet (a blank template filled in by hand, a form made elsewhere or exported by an
earlier release) every version stays None: unknown, and the import compares with the stored values
only. A sheet that belongs to another department-year, or that cannot be read, is ignored with a
warning — its versions would be wrong, and unknown is the honest answer.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jixiao.core import model
from jixiao.core.changes import Ref, budget_line_key
from jixiao.core.errors import Problem
from jixiao.core.numbers import normalize
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank, to_int, to_text
from jixiao.excel.forms_read.sheet import key
from jixiao.excel.workbook import VERSION_SHEET, Book

# Custom document properties of an exported form (docProps/custom.xml): who the form belongs to,
# recorded where a user does not see or print it, and kept when the hidden sheet is deleted.
IDENTITY = {"department_code": "jixiao.department", "year": "jixiao.year", "template": "jixiao.template"}
_CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"


def read_identity(path: str | Path) -> dict[str, tuple[Any, str]]:
    """The header fields the workbook records without printing them (attr → (value, where)); empty
    for a form made elsewhere, or unreadable properties (the form's own header then decides)."""
    try:
        with zipfile.ZipFile(path) as package:
            if "docProps/custom.xml" not in package.namelist():
                return {}
            root = ET.fromstring(package.read("docProps/custom.xml"))
    except (OSError, zipfile.BadZipFile, ET.ParseError):
        return {}
    names = {v: k for k, v in IDENTITY.items()}
    out: dict[str, tuple[Any, str]] = {}
    for prop in root.iter(f"{_CUSTOM_NS}property"):
        attr = names.get(prop.get("name", ""))
        value = "".join(prop.itertext()).strip()
        if attr and value:
            out[attr] = (value, f"{Path(path).name}：文档属性 {prop.get('name')}")
    return out


KINDS = ("year", "budget_line", "project", "fund", "indicator", "checkpoint")


def _text(value: object) -> str:
    return "" if is_blank(value) else normalize(to_text(value)).strip()


def read_versions(book: Book, department: str | None, year: int | None,
                  warnings: list[Problem]) -> dict[Ref, int]:
    """Ref → version from the book's version sheet, for the department-year the form's header
    names; empty when the book has no such sheet (or one that does not fit, with a warning)."""
    if VERSION_SHEET not in book.hidden and VERSION_SHEET not in book.sheet_names:
        return {}
    grid = book.grid(VERSION_SHEET)
    where = f"{book.path.name}: {VERSION_SHEET}"
    stated_department: str | None = None
    stated_year: int | None = None
    head: int | None = None
    for r, row in enumerate(grid.rows):
        label = key(row[0]) if row and not is_blank(row[0]) else ""
        if label == key(L.VERSION_DEPARTMENT):
            stated_department = _text(grid.get(r, 1))
        elif label == key(L.VERSION_YEAR):
            try:
                stated_year = to_int(grid.get(r, 1))
            except ValueError:
                stated_year = None
        elif label == key(L.VERSION_COLUMNS[0]):
            head = r
            break
    if head is None or not stated_department or stated_year is None:
        warnings.append(Problem(where, "导出信息表不完整，已忽略：各对象按未知版本导入（只与系统中的当前值比较）"))
        return {}
    if (stated_department, stated_year) != (department, year):
        warnings.append(Problem(where, f"导出信息属于部门 {stated_department} {stated_year} 年度，与表头"
                                       f"（{department or '无部门编码'} {year or '无年度'}）不一致，已忽略："
                                       "各对象按未知版本导入"))
        return {}
    out: dict[Ref, int] = {}
    for r in range(head + 1, len(grid.rows)):
        kind, project, own, raw = (grid.get(r, c) for c in range(4))
        if all(is_blank(v) for v in (kind, project, own, raw)):
            continue
        try:
            version = to_int(raw)
        except ValueError:
            version = None
        if _text(kind) not in KINDS or version is None or version < 1:
            warnings.append(Problem(grid.addr(r, 0), "导出信息表中该行无法识别，已忽略（对应对象按未知版本导入）"))
            continue
        out[Ref(_text(kind), _text(project), _text(own))] = version
    return out


def put_versions(data: model.DepartmentYear | list[model.Project], versions: Mapping[Ref, int]) -> None:
    """Set on every object read from the form the version it was exported at (None: unknown)."""
    projects = data if isinstance(data, list) else data.projects
    if isinstance(data, model.DepartmentYear):
        data.version = versions.get(Ref("year"))
        for b in data.budget_lines:
            b.version = versions.get(Ref("budget_line", "", budget_line_key(b)))
        for i in data.indicators:
            i.version = versions.get(Ref("indicator", "", i.code))
    for p in projects:
        p.version = versions.get(Ref("project", p.code))
        for f in p.funds:
            f.version = versions.get(Ref("fund", p.code, f.fund_source))
        for i in p.indicators:
            i.version = versions.get(Ref("indicator", p.code, i.code))
        for cp in p.checkpoints:
            cp.version = versions.get(Ref("checkpoint", p.code, str(cp.month)))
