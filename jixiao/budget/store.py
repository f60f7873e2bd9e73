"""The database ⇄ ``jixiao.core.model`` boundary.

``save_department_year`` replaces one department-year in a single transaction and appends a
``ChangeLog`` row for every field that changed; ``load_department_year`` gives the dataclass back,
equal to what was saved (lists in the same order, Decimals equal in value).

Everything is checked before anything is written: values the database cannot hold exactly (too
many decimals, texts too long) raise ``InputError`` with every problem and its path.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

from django.db import models, transaction

from jixiao.budget import models as m
from jixiao.budget.bulk import plain_decimal as _dec
from jixiao.budget.bulk import read_years
from jixiao.core import model as core
from jixiao.core.errors import InputError, Problem
from jixiao.core.targets import TargetError, parse_target

SYSTEM_USER = "系统"
# SQLite keeps NUMERIC values as 8-byte floats, exact to 15 significant digits; the same limit
# applies on PostgreSQL so that a value stores identically on both.
SIGNIFICANT_DIGITS = 15


@dataclass(frozen=True)
class StoredYear:
    """One stored department-year, for listings."""

    code: str
    name: str
    year: int
    status: str
    origin: str
    updated_at: datetime


def department_years(codes: Iterable[str] | None = None) -> list[StoredYear]:
    """Stored department-years ordered by department code and year; ``codes`` narrows the list."""
    rows = m.DepartmentYear.objects.select_related("department").order_by("department__code", "year")
    if codes is not None:
        rows = rows.filter(department__code__in=list(codes))
    return [
        StoredYear(r.department.code, r.department.name, r.year, r.status, r.origin, r.updated_at)
        for r in rows
    ]


# ---------------------------------------------------------------------------------------------
# Loading


def load_department_year(code: str, year: int) -> core.DepartmentYear:
    row = (
        m.DepartmentYear.objects.select_related("department__parent")
        .filter(department__code=code, year=year)
        .first()
    )
    if row is None:
        raise InputError(
            f"未找到部门 {code} 的 {year} 年度数据，请先运行 jixiao demo 或导入数据",
            location=f"{code}/{year}",
        )
    return _load(row)


def _load(row: m.DepartmentYear) -> core.DepartmentYear:
    return read_years([row])[0]


# ---------------------------------------------------------------------------------------------
# Saving: build unsaved rows, check them all, then write.

# Model fields whose exchange-format name differs (for problem locations).
_JSON_NAMES = {
    "stated_execution_rate": "stated.execution_rate", "stated_execution_score": "stated.execution_score",
    "stated_total": "stated.total", "stated_grade": "stated.grade", "project_code": "project",
}
_DY_FIELDS = (
    "money_unit", "project_template", "department_template", "work_tasks", "management", "goal",
    "goal_actual", "achievements", "problems", "measures", "execution_explanation", "status",
    "origin", "stated_execution_rate", "stated_execution_score", "stated_total", "stated_grade",
)
_PROJECT_FIELDS = (
    "position", "name", "unit", "category", "goal", "goal_actual", "monthly_executed",
    "execution_explanation", "problems", "measures", "budget_cut_midyear", "status", "origin",
    "stated_execution_rate", "stated_execution_score", "stated_total", "stated_grade",
)


@dataclass
class _ProjectPlan:
    row: m.Project
    funds: list[m.FundLine]
    indicators: list[m.Indicator]
    checkpoints: list[tuple[m.Checkpoint, list[m.IndicatorProgress]]]


@dataclass
class _Plan:
    year_row: m.DepartmentYear
    budget_lines: list[m.BudgetLine]
    indicators: list[m.Indicator]
    rectifications: list[m.Rectification]
    projects: list[_ProjectPlan]


class _Checker:
    """Collects what the database could not store exactly, each with its JSON path."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, field: str = "") -> None:
        self.problems.append(Problem(location=f"{self.source}: {path}", message=message, field=field))

    def row(self, instance: models.Model, path: str) -> None:
        for f in instance._meta.concrete_fields:
            value = getattr(instance, f.attname)
            fpath = f"{path}.{_JSON_NAMES.get(f.name, f.name)}"
            label = str(f.verbose_name)
            if isinstance(f, models.CharField) and isinstance(value, str) and f.max_length:
                if len(value) > f.max_length:
                    self.add(fpath, f"内容过长（{len(value)} 字），最多 {f.max_length} 字", label)
            elif isinstance(f, models.DecimalField) and isinstance(value, Decimal):
                self.decimal(value, f.max_digits, f.decimal_places, fpath, label)

    def decimal(self, value: Decimal, max_digits: int, places: int, path: str, label: str) -> None:
        if not value.is_finite():
            self.add(path, f"「{value}」不是有效数字", label)
            return
        exact = value.normalize()
        if value.is_zero():
            return
        if exact.as_tuple().exponent < -places:
            self.add(path, f"数值「{value}」超过 {places} 位小数，无法精确保存", label)
        elif exact.adjusted() + 1 > max_digits - places:
            self.add(path, f"数值「{value}」过大，整数部分最多 {max_digits - places} 位", label)
        elif len(exact.as_tuple().digits) > SIGNIFICANT_DIGITS:
            self.add(path, f"数值「{value}」有效数字超过 {SIGNIFICANT_DIGITS} 位，无法精确保存", label)


def _target_json(text: str, unit: str) -> dict | None:
    try:
        target = parse_target(text, unit)
    except TargetError:
        return None  # unreadable targets are reported by validation and quality checks
    return _jsonable(dataclasses.asdict(target))


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)  # e.g. the checkpoints or fund lines of a changed project
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _stated_kwargs(s: core.Stated) -> dict[str, Any]:
    return {
        "stated_execution_rate": s.execution_rate, "stated_execution_score": s.execution_score,
        "stated_total": s.total, "stated_grade": s.grade,
    }


def _indicator_row(ind: core.Indicator, position: int, chk: _Checker, path: str) -> m.Indicator:
    row = m.Indicator(
        position=position, code=ind.code, level1=ind.level1, level2=ind.level2, name=ind.name,
        target_text=ind.target_text, weight=ind.weight, unit=ind.unit, actual_text=ind.actual_text,
        achievement=ind.achievement, ratio_override=ind.ratio_override,
        override_reason=ind.override_reason, deviation_reason=ind.deviation_reason, basis=ind.basis,
        data_source=ind.data_source, core=ind.core, last_year_actual=ind.last_year_actual,
        feed=ind.feed, stated_score=ind.stated_score, origin=ind.origin,
        target_parsed=_target_json(ind.target_text, ind.unit),
    )
    chk.row(row, path)
    return row


def _indicator_rows(items: list[core.Indicator], chk: _Checker, path: str) -> list[m.Indicator]:
    seen: set[str] = set()
    rows = []
    for i, ind in enumerate(items):
        if ind.code in seen:
            chk.add(f"{path}[{i}].code", f"指标编码「{ind.code}」重复", "指标编码")
        seen.add(ind.code)
        rows.append(_indicator_row(ind, i, chk, f"{path}[{i}]"))
    return rows


def _deadline(text: str | None, chk: _Checker, path: str) -> date | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        chk.add(path, f"日期「{text}」无效，应写成 2023-06-30 的形式", "整改期限")
        return None


def _plan(dy: core.DepartmentYear, chk: _Checker) -> _Plan:
    year_row = m.DepartmentYear(
        year=dy.year, money_unit=dy.money_unit, project_template=dy.project_template,
        department_template=dy.department_template, work_tasks=dy.work_tasks,
        management=dy.management, goal=dy.goal, goal_actual=dy.goal_actual,
        achievements=dy.achievements, problems=dy.problems, measures=dy.measures,
        execution_explanation=dy.execution_explanation, status=dy.status, origin=dy.origin,
        **_stated_kwargs(dy.stated),
    )
    chk.row(year_row, "$")
    if not 1 <= dy.year <= 32767:
        chk.add("$.year", f"年度「{dy.year}」无效", "年度")
    budget_lines = []
    for i, b in enumerate(dy.budget_lines):
        row = m.BudgetLine(
            position=i, fund_source=b.fund_source, nature=b.nature, budget=b.budget,
            executed=b.executed, initial=b.initial, carry_over=b.carry_over, origin=b.origin,
        )
        chk.row(row, f"$.budget_lines[{i}]")
        budget_lines.append(row)
    rectifications = []
    for i, r in enumerate(dy.rectifications):
        row = m.Rectification(
            position=i, problem=r.problem, measure=r.measure, owner=r.owner,
            deadline=_deadline(r.deadline, chk, f"$.rectifications[{i}].deadline"),
            status=r.status, project_code=r.project,
        )
        chk.row(row, f"$.rectifications[{i}]")
        rectifications.append(row)
    projects = []
    seen: set[str] = set()
    for i, p in enumerate(dy.projects):
        path = f"$.projects[{i}]"
        if p.code in seen:
            chk.add(f"{path}.code", f"项目编码「{p.code}」重复", "项目编码")
        seen.add(p.code)
        row = m.Project(
            position=i, code=p.code, name=p.name, unit=p.unit, category=p.category, goal=p.goal,
            goal_actual=p.goal_actual,
            monthly_executed={str(k): str(v) for k, v in sorted(p.monthly_executed.items())},
            execution_explanation=p.execution_explanation, problems=p.problems,
            measures=p.measures, budget_cut_midyear=p.budget_cut_midyear, status=p.status,
            origin=p.origin, **_stated_kwargs(p.stated),
        )
        chk.row(row, path)
        for month in p.monthly_executed:
            if not 1 <= month <= 12:
                chk.add(f"{path}.monthly_executed.{month}", "月份应为 1 到 12", "月份")
        funds = []
        for j, f in enumerate(p.funds):
            frow = m.FundLine(position=j, fund_source=f.fund_source, budget=f.budget,
                              executed=f.executed, initial=f.initial)
            chk.row(frow, f"{path}.funds[{j}]")
            funds.append(frow)
        checkpoints = []
        for j, c in enumerate(p.checkpoints):
            cpath = f"{path}.checkpoints[{j}]"
            crow = m.Checkpoint(position=j, month=c.month, goal_progress=c.goal_progress,
                                expected_executed=c.expected_executed, causes=list(c.causes),
                                measures=c.measures, status=c.status)
            chk.row(crow, cpath)
            if not 1 <= c.month <= 12:
                chk.add(f"{cpath}.month", "监控截止月份应为 1 到 12", "月份")
            progress = []
            for k, g in enumerate(c.indicators):
                grow = m.IndicatorProgress(
                    position=k, indicator=g.indicator, progress_text=g.progress_text,
                    forecast_text=g.forecast_text, likelihood=g.likelihood, causes=list(g.causes),
                    explanation=g.explanation, measures=g.measures,
                )
                chk.row(grow, f"{cpath}.indicators[{k}]")
                progress.append(grow)
            checkpoints.append((crow, progress))
        projects.append(_ProjectPlan(
            row, funds, _indicator_rows(p.indicators, chk, f"{path}.indicators"), checkpoints,
        ))
    return _Plan(year_row, budget_lines, _indicator_rows(dy.indicators, chk, "$.indicators"),
                 rectifications, projects)


def _check_department(d: core.Department, chk: _Checker) -> None:
    if not d.code.strip():
        chk.add("$.department.code", "部门编码不能为空", "部门编码")
    if d.parent_code is not None and d.parent_code == d.code:
        chk.add("$.department.parent_code", "上级部门不能是部门自身", "上级部门")
    chk.row(m.Department(code=d.code, name=d.name), "$.department")
    if d.parent_code:
        chk.row(m.Department(code=d.parent_code, name=d.parent_name or ""), "$.department.parent")


def _who(user: Any) -> str:
    if user is None:
        return SYSTEM_USER
    if isinstance(user, str):
        return user or SYSTEM_USER
    return user.get_username()


def save_department_year(dy: core.DepartmentYear, user: Any = None, reason: str = "") -> None:
    """Replace the stored department-year with ``dy``; all or nothing, with change history.

    ``user`` is a Django user, a name, or None for the system."""
    source = f"{dy.department.code}/{dy.year}"
    chk = _Checker(source)
    _check_department(dy.department, chk)
    plan = _plan(dy, chk)
    if chk.problems:
        raise InputError(chk.problems)
    log = _Log(_who(user), dy.department.code, dy.year, reason)
    with transaction.atomic():
        department = _save_department(dy.department, log)
        existing = (
            m.DepartmentYear.objects.select_for_update()
            .filter(department=department, year=dy.year)
            .first()
        )
        before = _load(existing) if existing is not None else None
        _write(plan, department, existing)
        if before is None:
            log.add("budget.departmentyear", source, f"{dy.department.name} {dy.year} 年度",
                    "（新建）", None,
                    f"{len(dy.projects)} 个项目，"
                    f"{len(dy.indicators) + sum(len(p.indicators) for p in dy.projects)} 个指标")
        else:
            _diff_year(before, dy, log)
        m.ChangeLog.objects.bulk_create(log.rows)


def _save_department(d: core.Department, log: _Log) -> m.Department:
    parent = None
    if d.parent_code:
        parent = m.Department.objects.filter(code=d.parent_code).first()
        if parent is None:
            kind = "财政局" if "财政局" in (d.parent_name or "") else "主管部门"
            parent = m.Department.objects.create(code=d.parent_code, name=d.parent_name or "",
                                                 kind=kind)
            log.add("budget.department", d.parent_code, parent.name or d.parent_code, "（新建）",
                    None, kind)
        elif d.parent_name and parent.name != d.parent_name:
            log.add("budget.department", parent.code, parent.name, "name", parent.name, d.parent_name)
            parent.name = d.parent_name
            parent.save(update_fields=["name"])
    row = m.Department.objects.filter(code=d.code).first()
    if row is None:
        row = m.Department.objects.create(code=d.code, name=d.name, parent=parent,
                                          responsibilities=list(d.responsibilities))
        log.add("budget.department", d.code, d.name, "（新建）", None, row.kind)
        return row
    changed = []
    for name, old, new in (
        ("name", row.name, d.name),
        ("parent", row.parent.code if row.parent else None, d.parent_code),
        ("responsibilities", row.responsibilities, list(d.responsibilities)),
    ):
        if old != new:
            log.add("budget.department", d.code, d.name, name, old, new)
            changed.append(name)
    if changed:
        row.name, row.parent, row.responsibilities = d.name, parent, list(d.responsibilities)
        row.save(update_fields=changed)
    return row


def _write(plan: _Plan, department: m.Department, existing: m.DepartmentYear | None) -> None:
    if existing is None:
        year_row = plan.year_row
        year_row.department = department
        year_row.save()
    else:
        year_row = existing
        for name in _DY_FIELDS:
            setattr(year_row, name, getattr(plan.year_row, name))
        year_row.save()
        year_row.budget_lines.all().delete()
        year_row.indicators.all().delete()
        year_row.rectifications.all().delete()
        m.FundLine.objects.filter(project__department_year=year_row).delete()
        m.Indicator.objects.filter(project__department_year=year_row).delete()
        m.Checkpoint.objects.filter(project__department_year=year_row).delete()
    for rows in (plan.budget_lines, plan.indicators, plan.rectifications):
        for r in rows:
            r.department_year = year_row
    m.BudgetLine.objects.bulk_create(plan.budget_lines)
    m.Indicator.objects.bulk_create(plan.indicators)
    m.Rectification.objects.bulk_create(plan.rectifications)

    # Projects keep their ids across saves (they are addressed by code); their children are new.
    old_ids = dict(year_row.projects.values_list("code", "id")) if existing is not None else {}
    keep = {pp.row.code for pp in plan.projects}
    gone = [code for code in old_ids if code not in keep]
    if gone:
        year_row.projects.filter(code__in=gone).delete()
    updates, creates = [], []
    for pp in plan.projects:
        pp.row.department_year = year_row
        if pp.row.code in old_ids:
            pp.row.pk = old_ids[pp.row.code]
            pp.row._state.adding = False
            updates.append(pp.row)
        else:
            creates.append(pp.row)
    if updates:
        m.Project.objects.bulk_update(updates, _PROJECT_FIELDS)
    m.Project.objects.bulk_create(creates)

    funds, indicators, checkpoints = [], [], []
    for pp in plan.projects:
        for r in pp.funds:
            r.project = pp.row
            funds.append(r)
        for r in pp.indicators:
            r.project = pp.row
            indicators.append(r)
        for c, _ in pp.checkpoints:
            c.project = pp.row
            checkpoints.append(c)
    m.FundLine.objects.bulk_create(funds)
    m.Indicator.objects.bulk_create(indicators)
    m.Checkpoint.objects.bulk_create(checkpoints)  # both backends return the new ids
    progress = []
    for pp in plan.projects:
        for c, items in pp.checkpoints:
            for g in items:
                g.checkpoint = c
                progress.append(g)
    m.IndicatorProgress.objects.bulk_create(progress)


# ---------------------------------------------------------------------------------------------
# Change history


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return str(_dec(value))
    if isinstance(value, str):
        return value
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    return json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True)


class _Log:
    def __init__(self, who: str, department: str, year: int, reason: str):
        self.who, self.department, self.year, self.reason = who, department, year, reason
        self.rows: list[m.ChangeLog] = []

    def add(self, label: str, key: str, name: str, field: str, before: Any, after: Any) -> None:
        self.rows.append(m.ChangeLog(
            who=self.who, department=self.department, year=self.year, model_label=label,
            object_key=key[:300], object_repr=(name or key)[:300], field=field[:64],
            before=_text(before), after=_text(after), reason=self.reason,
        ))

    def fields(self, label: str, key: str, name: str, old: Any, new: Any, skip: tuple = ()) -> None:
        """One row per changed field of two dataclasses (nested dataclasses as a.b)."""
        for f in dataclasses.fields(new):
            if f.name in skip:
                continue
            a, b = getattr(old, f.name), getattr(new, f.name)
            if dataclasses.is_dataclass(b) and not isinstance(b, type):
                for g in dataclasses.fields(b):
                    x, y = getattr(a, g.name), getattr(b, g.name)
                    if x != y:
                        self.add(label, key, name, f"{f.name}.{g.name}", x, y)
            elif a != b:
                self.add(label, key, name, f.name, a, b)

    def keyed(self, label: str, prefix: str, old: list, new: list, key, name,
              skip: tuple = (), nested=None) -> None:
        """Match list items by key: added, removed, and field changes of the kept ones."""
        before = {key(x): x for x in old}
        after = {key(x): x for x in new}
        for k, item in after.items():
            obj_key = f"{prefix}/{k}"
            if k not in before:
                self.add(label, obj_key, name(item), "（新增）", None, name(item))
                continue
            self.fields(label, obj_key, name(item), before[k], item, skip)
            if nested:
                nested(obj_key, before[k], item)
        for k, item in before.items():
            if k not in after:
                self.add(label, f"{prefix}/{k}", name(item), "（删除）", name(item), None)


def _diff_year(old: core.DepartmentYear, new: core.DepartmentYear, log: _Log) -> None:
    key = f"{new.department.code}/{new.year}"
    log.fields("budget.departmentyear", key, f"{new.department.name} {new.year} 年度", old, new,
               skip=("department", "budget_lines", "indicators", "projects"))
    log.keyed("budget.budgetline", f"{key}/预算", old.budget_lines, new.budget_lines,
              key=lambda b: f"{b.fund_source}/{b.nature}",
              name=lambda b: f"{b.fund_source}·{b.nature}")
    log.keyed("budget.indicator", f"{key}/指标", old.indicators, new.indicators,
              key=lambda i: i.code, name=lambda i: i.name)

    def project_indicators(obj_key: str, a: core.Project, b: core.Project) -> None:
        log.keyed("budget.indicator", f"{obj_key}/指标", a.indicators, b.indicators,
                  key=lambda i: i.code, name=lambda i: f"{b.name}·{i.name}")

    log.keyed("budget.project", f"{key}/项目", old.projects, new.projects,
              key=lambda p: p.code, name=lambda p: p.name, skip=("indicators",),
              nested=project_indicators)
