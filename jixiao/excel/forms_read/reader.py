"""Recognise each sheet's form, read it with that form's reader, and check the sheets together
(one kind of form per file, one department-year, one 评分模板)."""
from __future__ import annotations

from collections.abc import Callable

from jixiao.core import model
from jixiao.core.errors import InputError, Problem
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank
from jixiao.excel.forms_read.dept_self_eval import read_dept_self_eval
from jixiao.excel.forms_read.monitor import read_monitor
from jixiao.excel.forms_read.self_eval import read_self_eval
from jixiao.excel.forms_read.sheet import FormSheet, key
from jixiao.excel.forms_read.target import read_target
from jixiao.excel.forms_read.versions import put_versions, read_identity, read_versions
from jixiao.excel.outcome import ImportOutcome, MonitorSheet
from jixiao.excel.workbook import OWN_SHEETS, Book, Grid

# Project forms: kind -> reader; the amounts of project forms are in 万元.
PROJECT_READERS: dict[str, Callable[[FormSheet, str], model.Project]] = {
    "target": read_target,
    "monitor": read_monitor,
    "self-eval": read_self_eval,
}
PROJECT_MONEY_UNIT = "万元"


def form_kind(grid: Grid) -> str | None:
    """Which standard form a sheet is: by its title, else by its indicator table's columns."""
    for r in range(min(5, len(grid.rows))):
        for v in grid.rows[r]:
            if is_blank(v):
                continue
            k = key(v)
            for kind, title in L.TITLES.items():
                if key(title) in k or (kind == "monitor" and "运行监控" in k) or (kind == "target" and "目标申报" in k):
                    return kind
    # No title: decide by the indicator table's columns.
    keys = {key(v) for row in grid.rows[:60] for v in row if not is_blank(v)}
    if key("完成目标可能性") in keys:
        return "monitor"
    if keys & {key("实际完成值"), key("全年实际值"), key("实际完成值(B)")}:
        named = keys & {key("单位名称"), key("部门名称")}
        return "dept-self-eval" if named and key("项目名称") not in keys else "self-eval"
    if key("一级指标") in keys:
        return "target"
    return None


def read_forms(book: Book, warnings: list[Problem]) -> ImportOutcome:
    problems: list[Problem] = []
    projects: list[model.Project] = []
    dept: model.DepartmentYear | None = None
    codes: set[str] = set()
    years: set[int] = set()
    kinds: set[str] = set()
    templates: dict[str, str] = {}  # 评分模板 -> the first sheet naming it
    monitoring: dict[str, MonitorSheet] = {}
    identity = read_identity(book.path)
    for name in book.sheet_names:
        if name in OWN_SHEETS:  # our hidden sheets, unhidden by a user: not forms
            continue
        grid = book.grid(name)
        if all(is_blank(v) for row in grid.rows for v in row):
            continue
        kind = form_kind(grid)
        if kind is None:
            warnings.append(Problem(f"{book.path.name}: {name}",
                                    "工作表不是可识别的标准表格（申报表/监控表/自评表），已跳过"))
            continue
        kinds.add(kind)
        fs = FormSheet(grid, problems, warnings, defaults=dict(identity))
        if kind == "dept-self-eval":
            dept = read_dept_self_eval(fs)
            continue
        p = PROJECT_READERS[kind](fs, PROJECT_MONEY_UNIT)
        if fs.text("template"):
            templates.setdefault(fs.text("template"), name)
        if fs.monitor is not None and p.code:
            monitoring[p.code] = fs.monitor
        dcode = fs.text("department_code")
        if dcode:
            codes.add(dcode)
        year_v, year_at = fs.header.get("year", (None, ""))
        year = fs.integer(year_v, year_at, "年度") if year_v is not None else None
        if year:
            years.add(year)
        if p.code and p.code in {q.code for q in projects}:
            problems.append(Problem(f"{name}!A1", f"项目编码「{p.code}」在多个工作表中出现", "项目编码"))
        projects.append(p)
    if dept is None and not projects and not problems:
        problems.append(Problem(book.path.name, "文件中没有可导入的表格：应为批量工作簿，或项目支出绩效目标申报表/"
                                                "绩效运行监控表/项目支出绩效自评表/部门整体支出绩效自评表"))
    problems.extend(_disagreements(book, dept, projects, kinds, codes, years, templates))
    if problems:
        raise InputError(problems)
    if dept is not None:
        put_versions(dept, read_versions(book, dept.department.code, dept.year, warnings))
        return ImportOutcome(dept, warnings, "dept-self-eval", dept.department.code, dept.year)
    kind = next(iter(kinds))
    code, year = next(iter(codes), None), next(iter(years), None)
    put_versions(projects, read_versions(book, code, year, warnings))
    return ImportOutcome(projects, warnings, kind, code, year, next(iter(templates), None), monitoring)


def _disagreements(book: Book, dept: model.DepartmentYear | None, projects: list[model.Project], kinds: set[str],
                   codes: set[str], years: set[int], templates: dict[str, str]) -> list[Problem]:
    """What the sheets of one file must agree on: one kind of form, one department-year, one 评分模板."""
    where = book.path.name
    out = []
    if dept is not None and projects:
        out.append(Problem(where, "同一文件中不能既有部门整体自评表又有项目表格，请分开导入"))
    if len(kinds - {"dept-self-eval"}) > 1:
        mixed = "、".join(sorted(L.TITLES[k] for k in kinds))
        out.append(Problem(where, f"同一文件中混有不同种类的项目表格（{mixed}），请分开导入"))
    if len(codes) > 1 or len(years) > 1:
        out.append(Problem(where, "各工作表的部门编码或年度不一致，请检查表头"))
    if len(templates) > 1:
        named = "、".join(f"{n}：{t}" for t, n in templates.items())
        out.append(Problem(where, f"各工作表的评分模板不一致（{named}），同一部门年度的项目只能用一个评分模板"))
    return out
