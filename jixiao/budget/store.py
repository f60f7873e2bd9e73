"""The database ⇄ ``jixiao.core.model`` boundary.

``save_department_year`` replaces one department-year in a single transaction and appends a
``ChangeLog`` row for every field that changed; ``load_department_year`` gives the dataclass back,
equal to what was saved (lists in the same order, Decimals equal in value).

Everything is checked before anything is written: values the database cannot hold exactly (too
many decimals, texts too long) raise ``InputError`` with every problem and its path.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from jixiao.budget import models as m
from jixiao.budget.bulk import read_years
from jixiao.budget.rows import insert_rows, new_row
from jixiao.core import changes
from jixiao.core import model as core
from jixiao.core.errors import InputError, Problem
from jixiao.services import capacity, history

SYSTEM_USER = "系统"
V = TypeVar("V", bound=m.Versioned)  # a row with a version: what ``_Writer.upsert`` writes


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
        for f, message in capacity.row_problems(instance):
            self.add(f"{path}.{_JSON_NAMES.get(f.name, f.name)}", message, str(f.verbose_name))


def _stated_kwargs(s: core.Stated) -> dict[str, Any]:
    return {
        "stated_execution_rate": s.execution_rate, "stated_execution_score": s.execution_score,
        "stated_total": s.total, "stated_grade": s.grade,
    }


def _indicator_row(ind: core.Indicator, position: int, chk: _Checker, path: str) -> m.Indicator:
    row = new_row(
        m.Indicator,
        position=position, code=ind.code, level1=ind.level1, level2=ind.level2, name=ind.name,
        target_text=ind.target_text, weight=ind.weight, unit=ind.unit, actual_text=ind.actual_text,
        achievement=ind.achievement, ratio_override=ind.ratio_override,
        override_reason=ind.override_reason, deviation_reason=ind.deviation_reason, basis=ind.basis,
        data_source=ind.data_source, core=ind.core, last_year_actual=ind.last_year_actual,
        feed=ind.feed, stated_score=ind.stated_score, origin=ind.origin,
        original_target_text=ind.original_target_text,
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


def _year_row(dy: core.DepartmentYear, chk: _Checker) -> m.DepartmentYear:
    row = new_row(
        m.DepartmentYear,
        year=dy.year, money_unit=dy.money_unit, project_template=dy.project_template,
        department_template=dy.department_template, work_tasks=dy.work_tasks,
        management=dy.management, goal=dy.goal, goal_actual=dy.goal_actual,
        achievements=dy.achievements, problems=dy.problems, measures=dy.measures,
        execution_explanation=dy.execution_explanation, status=dy.status, origin=dy.origin,
        **_stated_kwargs(dy.stated),
    )
    chk.row(row, "$")
    if not 1 <= dy.year <= 32767:
        chk.add("$.year", f"年度「{dy.year}」无效", "年度")
    return row


def _budget_line_row(b: core.BudgetLine, i: int, chk: _Checker) -> m.BudgetLine:
    row = new_row(
        m.BudgetLine,
        position=i, fund_source=b.fund_source, nature=b.nature, budget=b.budget,
        executed=b.executed, initial=b.initial, carry_over=b.carry_over, origin=b.origin,
    )
    chk.row(row, f"$.budget_lines[{i}]")
    return row


def _rectification_row(r: core.Rectification, i: int, chk: _Checker) -> m.Rectification:
    row = new_row(
        m.Rectification,
        position=i, problem=r.problem, measure=r.measure, owner=r.owner,
        deadline=_deadline(r.deadline, chk, f"$.rectifications[{i}].deadline"),
        status=r.status, project_code=r.project, code=r.code,
    )
    chk.row(row, f"$.rectifications[{i}]")
    return row


def _project_row(p: core.Project, i: int, chk: _Checker) -> m.Project:
    path = f"$.projects[{i}]"
    row = new_row(
        m.Project,
        position=i, code=p.code, name=p.name, unit=p.unit, category=p.category, goal=p.goal,
        goal_actual=p.goal_actual,
        monthly_executed={str(k): str(v) for k, v in sorted(p.monthly_executed.items())},
        execution_explanation=p.execution_explanation, problems=p.problems,
        measures=p.measures, budget_cut_midyear=p.budget_cut_midyear, status=p.status,
        goal_status=p.goal_status, origin=p.origin, **_stated_kwargs(p.stated),
    )
    chk.row(row, path)
    for month in p.monthly_executed:
        if not 1 <= month <= 12:
            chk.add(f"{path}.monthly_executed.{month}", "月份应为 1 到 12", "月份")
    return row


def _fund_row(f: core.FundLine, i: int, j: int, chk: _Checker) -> m.FundLine:
    row = new_row(m.FundLine, position=j, fund_source=f.fund_source, budget=f.budget, executed=f.executed,
                  initial=f.initial)
    chk.row(row, f"$.projects[{i}].funds[{j}]")
    return row


def _checkpoint_rows(c: core.Checkpoint, cpath: str, j: int, chk: _Checker,
                     ) -> tuple[m.Checkpoint, list[m.IndicatorProgress]]:
    row = new_row(m.Checkpoint, position=j, month=c.month, goal_progress=c.goal_progress,
                  expected_executed=c.expected_executed, causes=list(c.causes), measures=c.measures,
                  status=c.status)
    chk.row(row, cpath)
    if not 1 <= c.month <= 12:
        chk.add(f"{cpath}.month", "监控截止月份应为 1 到 12", "月份")
    progress = []
    for k, g in enumerate(c.indicators):
        grow = new_row(
            m.IndicatorProgress,
            position=k, indicator=g.indicator, progress_text=g.progress_text,
            forecast_text=g.forecast_text, likelihood=g.likelihood, causes=list(g.causes),
            explanation=g.explanation, measures=g.measures,
        )
        chk.row(grow, f"{cpath}.indicators[{k}]")
        progress.append(grow)
    return row, progress


def _plan(dy: core.DepartmentYear, chk: _Checker) -> _Plan:
    year_row = _year_row(dy, chk)
    budget_lines = [_budget_line_row(b, i, chk) for i, b in enumerate(dy.budget_lines)]
    rectifications = [_rectification_row(r, i, chk) for i, r in enumerate(dy.rectifications)]
    projects = []
    seen: set[str] = set()
    for i, p in enumerate(dy.projects):
        path = f"$.projects[{i}]"
        if p.code in seen:
            chk.add(f"{path}.code", f"项目编码「{p.code}」重复", "项目编码")
        seen.add(p.code)
        prow = _project_row(p, i, chk)
        funds = [_fund_row(f, i, j, chk) for j, f in enumerate(p.funds)]
        checkpoints = [_checkpoint_rows(c, f"{path}.checkpoints[{j}]", j, chk) for j, c in enumerate(p.checkpoints)]
        projects.append(_ProjectPlan(
            prow, funds, _indicator_rows(p.indicators, chk, f"{path}.indicators"), checkpoints,
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


def _check_unique(chk: _Checker, path: str, keys: list[str], what: str) -> None:
    seen: set[str] = set()
    for i, k in enumerate(keys):
        if k in seen:
            chk.add(f"{path}[{i}]", f"{what}「{k}」重复", what)
        seen.add(k)


@dataclass(frozen=True)
class Checked:
    """A department-year that ``check_department_year`` found storable, with the rows built for
    it: saving that same object, unchanged since, does not build and check every row again."""

    dy: core.DepartmentYear
    plan: _Plan


def check_department_year(dy: core.DepartmentYear) -> Checked:
    """``InputError`` with every value of ``dy`` the database cannot hold exactly, or that would
    make two rows of one identity; nothing is written. The result may be given to
    ``save_department_year`` if ``dy`` is not changed in between."""
    return Checked(dy, _prepare(dy))


def _prepare(dy: core.DepartmentYear) -> _Plan:
    chk = _Checker(f"{dy.department.code}/{dy.year}")
    _check_department(dy.department, chk)
    plan = _plan(dy, chk)
    _check_unique(chk, "$.budget_lines", [changes.budget_line_key(b) for b in dy.budget_lines],
                  "预算行（资金来源/支出性质）")
    _check_unique(chk, "$.rectifications", [r.code for r in dy.rectifications], "整改编码")
    for i, p in enumerate(dy.projects):
        _check_unique(chk, f"$.projects[{i}].funds", [f.fund_source for f in p.funds], "资金来源")
        _check_unique(chk, f"$.projects[{i}].checkpoints", [str(c.month) for c in p.checkpoints], "监控月份")
    if chk.problems:
        raise InputError(chk.problems)
    return plan


# ---------------------------------------------------------------------------------------------
# Writing: upsert by identity. A row whose content changed gets ``version + 1`` through a
# conditional UPDATE (… WHERE version = the version read), so a concurrent change in between
# is a Conflict for the whole transaction, never a silent overwrite.

_NOT_CONTENT = frozenset({"id", "position", "version", "updated_at"})


def _content(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields
                 if not f.is_relation and f.name not in _NOT_CONTENT)


class StaleRow(Exception):
    """A stored row changed between reading and writing it (see ``Conflict`` in services)."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label


class _Writer:
    """Upserts planned rows against the stored ones, remembering each row's id and version for
    the change history."""

    def __init__(self) -> None:
        self.ids: dict[changes.Ref, int] = {}
        self.versions: dict[changes.Ref, int] = {}
        # New rows wait here and go in with one INSERT per table and batch (``flush``), not one
        # per row: importing a unit of 300 indicators was 300 round trips through the ORM.
        self._new: dict[type[m.Versioned], list[tuple[changes.Ref, m.Versioned]]] = {}

    def upsert(self, ref: changes.Ref, planned: V, stored: V | None,
               owner: dict[str, Any], label: str) -> tuple[V, bool]:
        """The stored row updated to ``planned`` (or ``planned`` created); whether content changed.
        A new row is inserted by the next ``flush`` (its id is unknown until then)."""
        model = type(planned)  # queried through _default_manager (objects): abstract Versioned declares none
        for name, value in owner.items():
            setattr(planned, name, value)
        if stored is None:
            self._new.setdefault(model, []).append((ref, planned))
            return planned, True
        fields = _content(model)
        changed = {f: getattr(planned, f) for f in fields if getattr(planned, f) != getattr(stored, f)}
        position = getattr(planned, "position", None)
        if changed:
            n = model._default_manager.filter(pk=stored.pk, version=stored.version).update(
                **changed, version=F("version") + 1,
                **({"position": position} if position is not None else {}),
            )
            if n != 1:
                raise StaleRow(label)
            for f, v in changed.items():
                setattr(stored, f, v)
            stored.version += 1
        elif position is not None and position != getattr(stored, "position", None):
            model._default_manager.filter(pk=stored.pk).update(position=position)
        self.ids[ref], self.versions[ref] = stored.pk, stored.version
        return stored, bool(changed)

    def flush(self) -> None:
        """Insert the deferred new rows, one multi-row INSERT per table and batch; they get their
        ids (SQLite ≥ 3.35 and PostgreSQL return them)."""
        for model, pending in self._new.items():
            insert_rows(model, [row for _, row in pending])
            for ref, row in pending:
                if row.pk is None:
                    raise RuntimeError("the database did not return the ids of inserted rows")
                self.ids[ref], self.versions[ref] = row.pk, row.version
        self._new.clear()


@dataclass(frozen=True)
class Saved:
    """What a save changed, and every stored object's id and version afterwards."""

    diff: changes.Diff
    ids: dict[changes.Ref, int]
    versions: dict[changes.Ref, int]


def save_department_year(dy: core.DepartmentYear, who: str = SYSTEM_USER, reason: str = "",
                         keep_missing: bool = False, checked: Checked | None = None) -> Saved:
    """Store ``dy`` as the department-year's new content — all or nothing, rows keep their
    identity, changed rows get a new version, and every change is appended to the history.

    Called by the application layer only (``jixiao.services``), which decides beforehand what
    may change. ``keep_missing``: objects stored but absent from ``dy`` stay (an import deletes
    only what the user confirmed). Raises ``InputError`` for values the database cannot hold,
    ``StaleRow`` when a row changed concurrently. ``checked``: what ``check_department_year``
    gave for this very ``dy`` (its rows are used once: a ``Checked`` is spent by the save)."""
    plan = checked.plan if checked is not None and checked.dy is dy else _prepare(dy)
    with transaction.atomic():
        department = _save_department(dy.department, who, reason, dy.year)
        existing = (m.DepartmentYear.objects.select_for_update()
                    .filter(department=department, year=dy.year).first())
        before = _load(existing) if existing is not None else None
        if before is not None and keep_missing:
            dy = _with_missing(before, dy)
            plan = _prepare(dy)
        diff = changes.diff_years(before, dy)
        writer = _Writer()
        if existing is not None and before is not None and _only_field_changes(before, dy, diff):
            year_row = _write_changed(plan, department, existing, writer, diff)
        else:
            year_row = _write(plan, department, existing, writer, keep_missing)
        history.record_diff(diff, writer.ids, writer.versions, who=who, department=department.code,
                            year=dy.year, reason=reason, year_name=f"{dy.department.name} {dy.year} 年度",
                            counts=(len(dy.projects), len(dy.indicators) + sum(len(p.indicators) for p in dy.projects)))
        m.DepartmentYear.objects.filter(pk=year_row.pk).update(updated_at=timezone.now())
    return Saved(diff, writer.ids, writer.versions)


def save_fields(dy: core.DepartmentYear, ref: changes.Ref, before: Mapping[str, Any], who: str = SYSTEM_USER,
                reason: str = "") -> Saved:
    """Store an edit of fields of one object of ``dy`` — ``before``: the changed fields' stored
    values; ``dy``: the department-year as stored, with only those fields changed — exactly as
    ``save_department_year`` stores it, on that one row: its capacity check (``InputError``), the
    conditional versioned UPDATE (``StaleRow``), one history row per field, and the year's
    ``updated_at`` moved. Checking and diffing every row of the year made saving one actual value
    cost half a second in a department of 200 projects.

    Fields, not identities (no code is editable); a checkpoint, whose progress rows are rewritten
    as a whole, is saved with its year. The caller holds the year's lock and decided that the
    edit is allowed."""
    if ref.kind not in _ROW_KINDS:
        return save_department_year(dy, who=who, reason=reason)
    chk = _Checker(f"{dy.department.code}/{dy.year}")
    planned, obj, project = _one_row(dy, ref, chk)
    if chk.problems:
        raise InputError(chk.problems)
    label = _row_label(ref)
    with transaction.atomic():
        existing = (m.DepartmentYear.objects.select_for_update()
                    .filter(department__code=dy.department.code, year=dy.year).first())
        stored = _stored_row(existing, ref) if existing is not None else None
        if existing is None or stored is None:  # deleted in between
            raise StaleRow(label)
        writer = _Writer()
        writer.upsert(ref, planned, stored, {}, label)
        name = changes.name_of(ref.kind, obj, project)
        diff = changes.Diff(changed=[changes.FieldChange(ref, name, f, value, getattr(obj, f), obj.version)
                                     for f, value in before.items()])
        history.record_diff(diff, writer.ids, writer.versions, who=who, department=dy.department.code,
                            year=dy.year, reason=reason, year_name=changes.name_of("year", dy), counts=(0, 0))
        m.DepartmentYear.objects.filter(pk=existing.pk).update(updated_at=timezone.now())
    return Saved(diff, writer.ids, writer.versions)


def _one_row(dy: core.DepartmentYear, ref: changes.Ref, chk: _Checker,
             ) -> tuple[m.Versioned, Any, core.Project | None]:
    """The planned row of the object ``ref`` alone (checked into ``chk``), the object, its project."""
    if ref.kind == "year":
        return _year_row(dy, chk), dy, None
    if ref.kind == "budget_line":
        i, b = next((i, b) for i, b in enumerate(dy.budget_lines) if changes.budget_line_key(b) == ref.key)
        return _budget_line_row(b, i, chk), b, None
    if ref.kind == "rectification":
        i, r = next((i, r) for i, r in enumerate(dy.rectifications) if r.code == ref.key)
        return _rectification_row(r, i, chk), r, None
    if ref.kind == "indicator" and not ref.project:
        j, ind = next((j, x) for j, x in enumerate(dy.indicators) if x.code == ref.key)
        return _indicator_row(ind, j, chk, f"$.indicators[{j}]"), ind, None
    i, p = next((i, p) for i, p in enumerate(dy.projects) if p.code == ref.project)
    if ref.kind == "project":
        return _project_row(p, i, chk), p, None
    if ref.kind == "fund":
        j, f = next((j, f) for j, f in enumerate(p.funds) if f.fund_source == ref.key)
        return _fund_row(f, i, j, chk), f, p
    j, ind = next((j, x) for j, x in enumerate(p.indicators) if x.code == ref.key)
    return _indicator_row(ind, j, chk, f"$.projects[{i}].indicators[{j}]"), ind, p


def _row_label(ref: changes.Ref) -> str:
    """How a row is named when it changed underneath a save (``StaleRow``)."""
    if ref.kind == "year":
        return "部门年度"
    if ref.kind == "project":
        return f"项目 {ref.project}"
    own = {"budget_line": f"部门预算 {ref.key}", "indicator": f"部门整体指标 {ref.key}",
           "rectification": f"整改事项 {ref.key}"}
    if not ref.project:
        return own[ref.kind]
    return f"项目 {ref.project} " + {"indicator": f"指标 {ref.key}", "fund": f"资金 {ref.key}"}[ref.kind]


def _with_missing(before: core.DepartmentYear, new: core.DepartmentYear) -> core.DepartmentYear:
    """``new`` plus every object of ``before`` that ``new`` leaves out (kept, not deleted)."""
    out = dataclasses.replace(new)
    keys = {changes.budget_line_key(b) for b in new.budget_lines}
    out.budget_lines = new.budget_lines + [b for b in before.budget_lines if changes.budget_line_key(b) not in keys]
    codes = {i.code for i in new.indicators}
    out.indicators = new.indicators + [i for i in before.indicators if i.code not in codes]
    codes = {r.code for r in new.rectifications}
    out.rectifications = new.rectifications + [r for r in before.rectifications if r.code not in codes]
    old_projects = {p.code: p for p in before.projects}
    projects = []
    for p in new.projects:
        old = old_projects.get(p.code)
        if old is not None:
            p = dataclasses.replace(p)
            have = {f.fund_source for f in p.funds}
            p.funds = p.funds + [f for f in old.funds if f.fund_source not in have]
            have = {i.code for i in p.indicators}
            p.indicators = p.indicators + [i for i in old.indicators if i.code not in have]
            have = {str(c.month) for c in p.checkpoints}
            p.checkpoints = p.checkpoints + [c for c in old.checkpoints if str(c.month) not in have]
        projects.append(p)
    codes = {p.code for p in new.projects}
    out.projects = projects + [p for p in before.projects if p.code not in codes]
    return out


def _save_department(d: core.Department, who: str, reason: str, year: int) -> m.Department:
    """The department row of ``d``. The organisation is not data in a unit's file: an existing
    department keeps its name, parent and kind whatever the file says (the tree changes only
    through the organisation use cases of the application layer; the import preview warns about
    a difference). Only a department not stored yet is created from the file, under its parent —
    a new leaf, so no cycle can arise; a missing parent is created as a new root."""
    def log(code: str, name: str, field: str, before: Any, after: Any, pk: int) -> None:
        history.record(who=who, department=d.code, year=year, label="budget.department", object_id=pk,
                       version=None, key=code, name=name, field=field, before=before, after=after,
                       reason=reason)

    row = m.Department.objects.filter(code=d.code).first()
    if row is not None:
        if row.responsibilities != list(d.responsibilities):  # content of the unit, not the tree
            log(d.code, row.name, "responsibilities", row.responsibilities, list(d.responsibilities), row.pk)
            row.responsibilities = list(d.responsibilities)
            row.save(update_fields=["responsibilities"])
        return row
    parent = None
    if d.parent_code:
        parent = m.Department.objects.filter(code=d.parent_code).first()
        if parent is None:
            kind = "财政局" if "财政局" in (d.parent_name or "") else "主管部门"
            parent = m.Department.objects.create(code=d.parent_code, name=d.parent_name or "", kind=kind)
            log(d.parent_code, parent.name or d.parent_code, "（新建）", None, kind, parent.pk)
    row = m.Department.objects.create(code=d.code, name=d.name, parent=parent,
                                      responsibilities=list(d.responsibilities))
    log(d.code, d.name, "（新建）", None, row.kind, row.pk)
    return row


# Kinds whose rows the field-change path updates one by one (a checkpoint owns its progress
# rows, which are rewritten as a whole: that goes through ``_write``).
_ROW_KINDS = frozenset({"year", "project", "indicator", "fund", "budget_line", "rectification"})


def _order(dy: core.DepartmentYear) -> tuple:
    return (
        [changes.budget_line_key(b) for b in dy.budget_lines], [i.code for i in dy.indicators],
        [r.code for r in dy.rectifications],
        [(p.code, [f.fund_source for f in p.funds], [i.code for i in p.indicators], [c.month for c in p.checkpoints])
         for p in dy.projects],
    )


def _only_field_changes(before: core.DepartmentYear, dy: core.DepartmentYear, diff: changes.Diff) -> bool:
    """Whether the save changes field values only — nothing added, deleted or moved — so that
    only the changed rows need writing (an edit of one value, not a re-import)."""
    return (bool(diff.changed) and not diff.added and not diff.deleted
            and all(c.ref.kind in _ROW_KINDS for c in diff.changed) and _order(before) == _order(dy))


def _write_changed(plan: _Plan, department: m.Department, existing: m.DepartmentYear, w: _Writer,
                   diff: changes.Diff) -> m.DepartmentYear:
    """Write only the rows ``diff`` names, each with the same conditional, versioned UPDATE as
    ``_write`` (one SELECT and one UPDATE per changed object instead of reading every row of the
    year): saving one actual value costs the same in a department of 3 projects or of 300."""
    R = changes.Ref
    planned: dict[changes.Ref, m.Versioned] = {R("year"): plan.year_row}
    planned.update({R("budget_line", "", f"{b.fund_source}/{b.nature}"): b for b in plan.budget_lines})
    planned.update({R("indicator", "", i.code): i for i in plan.indicators})
    planned.update({R("rectification", "", r.code): r for r in plan.rectifications})
    for pp in plan.projects:
        code = pp.row.code
        planned[R("project", code)] = pp.row
        planned.update({R("indicator", code, i.code): i for i in pp.indicators})
        planned.update({R("fund", code, f.fund_source): f for f in pp.funds})
    for ref in dict.fromkeys(c.ref for c in diff.changed):
        row, label = planned[ref], _row_label(ref)
        stored = _stored_row(existing, ref)
        if stored is None:  # deleted in between: the whole save is stale
            raise StaleRow(label)
        w.upsert(ref, row, stored, {}, label)
    return existing


def _stored_row(year_row: m.DepartmentYear, ref: changes.Ref) -> m.Versioned | None:
    if ref.kind == "year":
        return m.DepartmentYear.objects.filter(pk=year_row.pk).first()
    if ref.kind == "project":
        return m.Project.objects.filter(department_year=year_row, code=ref.project).first()
    if ref.kind == "budget_line":
        source, _, nature = ref.key.partition("/")
        return m.BudgetLine.objects.filter(department_year=year_row, fund_source=source, nature=nature).first()
    if ref.kind == "rectification":
        return m.Rectification.objects.filter(department_year=year_row, code=ref.key).first()
    if ref.kind == "fund":
        return m.FundLine.objects.filter(project__department_year=year_row, project__code=ref.project,
                                         fund_source=ref.key).first()
    if ref.project:
        return m.Indicator.objects.filter(project__department_year=year_row, project__code=ref.project,
                                          code=ref.key).first()
    return m.Indicator.objects.filter(department_year=year_row, code=ref.key).first()


def _by(rows: Iterable[models.Model], key: Any) -> dict[Any, Any]:
    return {key(r): r for r in rows}


def _write(plan: _Plan, department: m.Department, existing: m.DepartmentYear | None,
           w: _Writer, keep_missing: bool) -> m.DepartmentYear:
    R = changes.Ref
    year_row, _ = w.upsert(R("year"), plan.year_row, existing, {"department": department}, "部门年度")
    w.flush()  # the year's id, for its rows
    if existing is None:
        lines, year_inds, rects, projects = {}, {}, {}, {}
        funds, inds, cps = {}, {}, {}
    else:
        lines = _by(year_row.budget_lines.all(), lambda b: f"{b.fund_source}/{b.nature}")
        year_inds = _by(year_row.indicators.all(), lambda i: i.code)
        rects = _by(year_row.rectifications.all(), lambda r: r.code)
        projects = _by(year_row.projects.all(), lambda p: p.code)
        funds = _by(m.FundLine.objects.filter(project__department_year=year_row).select_related("project"),
                    lambda f: (f.project.code, f.fund_source))
        inds = _by(m.Indicator.objects.filter(project__department_year=year_row).select_related("project"),
                   lambda i: (i.project.code, i.code))
        cps = _by(m.Checkpoint.objects.filter(project__department_year=year_row).select_related("project")
                  .prefetch_related("indicators"),  # one query for every checkpoint's progress rows
                  lambda c: (c.project.code, c.month))
    R_of = {
        **{R("budget_line", "", k): r.pk for k, r in lines.items()},
        **{R("indicator", "", k): r.pk for k, r in year_inds.items()},
        **{R("rectification", "", k): r.pk for k, r in rects.items()},
        **{R("project", k): r.pk for k, r in projects.items()},
        **{R("fund", p, k): r.pk for (p, k), r in funds.items()},
        **{R("indicator", p, k): r.pk for (p, k), r in inds.items()},
        **{R("checkpoint", p, str(k)): r.pk for (p, k), r in cps.items()},
    }
    w.ids.update(R_of)  # deleted rows keep their id in the history
    owner = {"department_year": year_row}
    keep: dict[str, set[Any]] = {k: set() for k in ("lines", "year_inds", "rects", "projects", "funds", "inds", "cps")}
    for line in plan.budget_lines:
        k = f"{line.fund_source}/{line.nature}"
        keep["lines"].add(k)
        w.upsert(R("budget_line", "", k), line, lines.get(k), owner, f"部门预算 {k}")
    for ind in plan.indicators:
        keep["year_inds"].add(ind.code)
        w.upsert(R("indicator", "", ind.code), ind, year_inds.get(ind.code), owner, f"部门整体指标 {ind.code}")
    for rect in plan.rectifications:
        keep["rects"].add(rect.code)
        w.upsert(R("rectification", "", rect.code), rect, rects.get(rect.code), owner, f"整改事项 {rect.code}")
    # Projects first (their children need their ids), then every child table at once.
    project_rows = []
    for pp in plan.projects:
        code = pp.row.code
        keep["projects"].add(code)
        project_rows.append(w.upsert(R("project", code), pp.row, projects.get(code), owner, f"项目 {code}")[0])
    w.flush()
    progress_rows: list[m.IndicatorProgress] = []
    new_checkpoints: list[tuple[m.Checkpoint, list[m.IndicatorProgress]]] = []
    for pp, project in zip(plan.projects, project_rows, strict=True):
        code = pp.row.code
        powner = {"project": project}
        for fund in pp.funds:
            keep["funds"].add((code, fund.fund_source))
            w.upsert(R("fund", code, fund.fund_source), fund, funds.get((code, fund.fund_source)), powner,
                     f"项目 {code} 资金 {fund.fund_source}")
        for ind in pp.indicators:
            keep["inds"].add((code, ind.code))
            w.upsert(R("indicator", code, ind.code), ind, inds.get((code, ind.code)), powner,
                     f"项目 {code} 指标 {ind.code}")
        for crow, progress in pp.checkpoints:
            keep["cps"].add((code, crow.month))
            stored = cps.get((code, crow.month))
            cp, changed = w.upsert(R("checkpoint", code, str(crow.month)), crow, stored, powner,
                                   f"项目 {code} {crow.month} 月监控")
            if stored is None:  # its progress rows follow once it has an id
                new_checkpoints.append((cp, progress))
                continue
            # Indicator progress rows are part of their checkpoint (no identity of their own).
            old = [tuple(getattr(g, f) for f in _PROGRESS) for g in stored.indicators.all()]
            new = [tuple(getattr(g, f) for f in _PROGRESS) for g in progress]
            if old != new:
                stored.indicators.all().delete()
                if not changed:
                    n = m.Checkpoint.objects.filter(pk=cp.pk, version=cp.version).update(version=F("version") + 1)
                    if n != 1:
                        raise StaleRow(f"项目 {code} {crow.month} 月监控")
                    w.versions[R("checkpoint", code, str(crow.month))] = cp.version + 1
                for g in progress:
                    g.checkpoint = cp
                progress_rows.extend(progress)
    w.flush()
    for cp, progress in new_checkpoints:
        for g in progress:
            g.checkpoint = cp
        progress_rows.extend(progress)
    insert_rows(m.IndicatorProgress, progress_rows)
    if not keep_missing and existing is not None:
        for stored_rows, kept in ((lines, keep["lines"]), (year_inds, keep["year_inds"]), (rects, keep["rects"]),
                                  (funds, keep["funds"]), (inds, keep["inds"]), (cps, keep["cps"]),
                                  (projects, keep["projects"])):
            gone = [r.pk for k, r in stored_rows.items() if k not in kept]
            if gone:
                type(next(iter(stored_rows.values()))).objects.filter(pk__in=gone).delete()
    return year_row


_PROGRESS = ("position", "indicator", "progress_text", "forecast_text", "likelihood", "causes",
             "explanation", "measures")
