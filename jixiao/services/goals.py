"""绩效目标申报: the use cases of a project's goals in the browser — create, edit and delete a
project with its funds, its indicators (and their order), and copy last year's project as a start.

Single-object changes go through ``records`` (create/edit/delete: scope, role, version, workflow
state, values, history in one place); the functions here only put several of them into one
transaction (a project and its fund lines are one form) or rearrange a list (the order of the
indicators, a copy of an earlier year's project) and then save through the same store.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core import model as core
from jixiao.core.changes import Ref
from jixiao.core.editing import refusal
from jixiao.core.errors import InputError, Problem
from jixiao.services import records
from jixiao.services.actor import Actor
from jixiao.services.errors import Conflict, Denied
from jixiao.services.scope import department, find, locked_year

PROJECT_FIELDS = ("name", "unit", "category", "goal")
FUND_FIELDS = ("initial", "budget")  # 年初预算、全年预算 are set with the goals; 执行数 at year end
INDICATOR_FIELDS = ("level1", "level2", "name", "target_text", "unit", "weight", "basis", "data_source", "core",
                    "last_year_actual")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")


@dataclass(frozen=True)
class FundInput:
    """One fund line of the project form: its source, 年初/全年预算 as typed, and the version it
    was rendered at (None: a new line)."""

    source: str
    initial: str
    budget: str
    version: int | None = None


def _check_code(code: str, where: str, label: str = "项目编码") -> str:
    code = code.strip()
    if not code:
        raise InputError([Problem(where, f"请填写{label}", label)])
    if not _CODE.match(code):
        raise InputError([Problem(where, f"{label}「{code}」只能由字母、数字和 - _ . 组成，最长 64 位", label)])
    return code


def _fund_problems(funds: list[FundInput], where: str) -> list[Problem]:
    """Every fund line's problems in one round (before anything is written)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, f in enumerate(funds, 1):
        at = f"{where} 资金第 {n} 行"
        if f.source not in core.FUND_SOURCES:
            problems.append(Problem(at, f"资金来源「{f.source}」不是有效取值，应为：{'、'.join(core.FUND_SOURCES)}",
                                    "资金来源"))
            continue
        if f.source in seen:
            problems.append(Problem(at, f"资金来源「{f.source}」重复，每个来源只填一行", "资金来源"))
        seen.add(f.source)
        for name, raw in (("initial", f.initial), ("budget", f.budget)):
            try:
                value = records.parse_value(core.FundLine, name, raw, at)
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            if value is not None and value < 0:
                label = "年初预算数" if name == "initial" else "全年预算数"
                problems.append(Problem(at, f"{label}不能为负数", label))
    return problems


def _new_fund(f: FundInput) -> dict[str, str]:
    # 全年执行数 is not known when the goals are set: blank, reported at year end
    return {"initial": f.initial, "budget": f.budget, "executed": ""}


def create_project(actor: Actor, code: str, year: int, pcode: str, values: dict[str, Any],
                   funds: list[FundInput]) -> records.Edited:
    """A new project with its fund lines, all or nothing."""
    pcode = _check_code(pcode, f"{code}/{year} 新项目")
    where = f"项目 {pcode}"
    problems = _fund_problems(funds, where)
    if not str(values.get("name", "")).strip():
        problems.insert(0, Problem(where, "请填写项目名称", "项目名称"))
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        if any(p.code == pcode for p in dy.projects):  # before the state of that other project speaks
            raise Conflict(f"项目 {pcode} 已存在，请另填项目编码", where)
        made = records.create(actor, code, year, Ref("project", pcode),
                              {k: v for k, v in values.items() if k in PROJECT_FIELDS}, reason="新建项目")
        for f in funds:
            records.create(actor, code, year, Ref("fund", pcode, f.source), _new_fund(f), reason="新建项目")
    return made


def save_project(actor: Actor, code: str, year: int, pcode: str, values: dict[str, Any], version: int | None,
                 funds: list[FundInput]) -> tuple[str, ...]:
    """The project form: its fields (based on ``version``) and its fund lines (each on its own
    version; a line without one is added), all or nothing. Returns what changed."""
    where = f"项目 {pcode}"
    problems = _fund_problems(funds, where)
    if "name" in values and not str(values["name"]).strip():
        problems.insert(0, Problem(where, "项目名称不能为空", "项目名称"))
    if problems:
        raise InputError(problems)
    changed: list[str] = []
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        project = find(dy, Ref("project", pcode))
        current = {k: getattr(project, k) for k in PROJECT_FIELDS}
        different = {k: v for k, v in values.items() if k in PROJECT_FIELDS and str(v).strip() != current[k]}
        if different or (version is not None and project.version != version):
            changed += records.edit_project(actor, code, year, pcode, different, version).changed
        lines = {f.fund_source: f for f in project.funds}
        for f in funds:
            ref = Ref("fund", pcode, f.source)
            if f.source not in lines:
                records.create(actor, code, year, ref, _new_fund(f))
                changed.append(f"资金：{f.source}")
                continue
            old = lines[f.source]
            new = {"initial": records.parse_value(core.FundLine, "initial", f.initial, where),
                   "budget": records.parse_value(core.FundLine, "budget", f.budget, where)}
            if new != {"initial": old.initial, "budget": old.budget}:
                records.edit(actor, code, year, ref, {"initial": f.initial, "budget": f.budget}, f.version)
                changed.append(f"资金：{f.source}")
    return tuple(changed)


def delete_fund(actor: Actor, code: str, year: int, pcode: str, source: str, version: int | None) -> None:
    records.delete(actor, code, year, Ref("fund", pcode, source), version, reason="删除资金来源")


def delete_project(actor: Actor, code: str, year: int, pcode: str, version: int | None) -> None:
    records.delete(actor, code, year, Ref("project", pcode), version, reason="删除项目")


def next_indicator_code(project: core.Project) -> str:
    """``P01-I6`` after P01-I1…I5: one more than the largest number used, never a reused code."""
    numbers = [int(mt.group(1)) for i in project.indicators if (mt := re.search(r"(\d+)$", i.code))]
    return f"{project.code}-I{max(numbers, default=0) + 1}"


def _changed_only(obj: Any, values: dict[str, Any], where: str) -> dict[str, Any]:
    """The posted fields whose value differs from the stored one: a form posts every field, and
    an unchanged one must not be refused by a state that only forbids changing it."""
    out = {}
    for name, raw in values.items():
        try:
            parsed = records.parse_value(core.Indicator, name, raw, where)
        except InputError:
            out[name] = raw  # let the edit report it with every other problem
            continue
        if parsed != getattr(obj, name):
            out[name] = raw
    return out


def create_indicator(actor: Actor, code: str, year: int, pcode: str, values: dict[str, Any],
                     icode: str = "") -> records.Edited:
    """A new indicator at the end of the project's list; without a code it gets the next one."""
    values = {k: v for k, v in values.items() if k in INDICATOR_FIELDS}
    problems = [Problem(f"项目 {pcode} 新指标", f"请填写{label}", label)
                for name, label in (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"))
                if not str(values.get(name, "")).strip()]
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        project = find(dy, Ref("project", pcode))
        where = f"项目 {pcode} 新指标"
        icode = _check_code(icode, where, "指标编码") if icode.strip() else next_indicator_code(project)
        return records.create(actor, code, year, Ref("indicator", pcode, icode), values, reason="新增指标")


def edit_indicator(actor: Actor, code: str, year: int, pcode: str, icode: str, values: dict[str, Any],
                   version: int | None) -> records.Edited:
    values = {k: v for k, v in values.items() if k in INDICATOR_FIELDS}
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        ref = Ref("indicator", pcode, icode)
        obj = find(dy, ref)
        if version is not None and obj.version != version:
            raise records.stale_conflict(code, year, ref, obj, version)
        different = _changed_only(obj, values, ref.path())
        if not different:
            return records.Edited(ref, obj.version or 1, ())
        return records.edit(actor, code, year, ref, different, version)


def delete_indicator(actor: Actor, code: str, year: int, pcode: str, icode: str, version: int | None) -> None:
    records.delete(actor, code, year, Ref("indicator", pcode, icode), version, reason="删除指标")


def move_indicator(actor: Actor, code: str, year: int, pcode: str, icode: str, step: int,
                   version: int | None) -> bool:
    """Move an indicator one place up (``step=-1``) or down (``+1``) in its project's list (the
    order of the 目标申报表). False when it is already first or last."""
    if step not in (-1, 1):
        raise InputError([Problem(f"项目 {pcode} / 指标 {icode}", "只能上移或下移一位", "顺序")])
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        ref = Ref("indicator", pcode, icode)
        obj = find(dy, ref)
        if version is not None and obj.version != version:
            raise records.stale_conflict(code, year, ref, obj, version)
        why = refusal(dy, ref)
        if why:
            raise Denied(why, ref.path())
        items = find(dy, Ref("project", pcode)).indicators
        at = items.index(obj)
        to = at + step
        if not 0 <= to < len(items):
            return False
        items[at], items[to] = items[to], items[at]
        records.save_locked(dy, actor, "调整指标顺序")
        return True


# ---------------------------------------------------------------------------------------------
# Copy last year's project


def earlier_years(code: str, year: int) -> list[int]:
    """The department's stored years before ``year``, latest first."""
    return list(m.DepartmentYear.objects.filter(department__code=code, year__lt=year)
                .order_by("-year").values_list("year", flat=True))


def earlier_projects(actor: Actor, code: str, year: int) -> list[tuple[int, core.Project]]:
    """The projects of the latest earlier year (the one a copy starts from), as dataclasses."""
    department(actor, code, "view")
    years = earlier_years(code, year)
    if not years:
        return []
    return [(years[0], p) for p in load_department_year(code, years[0]).projects]


def _fresh(ind: core.Indicator, new_code: str) -> core.Indicator:
    """An indicator of an earlier year as the start of this year's: same content, last year's
    actual value as 上年实际完成值 (so a weaker target is flagged at once), no results yet."""
    return dataclasses.replace(
        ind, code=new_code, actual_text=None, achievement=None, ratio_override=None, override_reason="",
        deviation_reason="", stated_score=None, last_year_actual=ind.actual_text or ind.last_year_actual,
        original_target_text=None, version=None, origin="录入")


def copy_project(actor: Actor, code: str, year: int, from_year: int, from_code: str, new_code: str = "") -> str:
    """A new project in ``year`` copied from project ``from_code`` of ``from_year`` of the same
    department: name, unit, category, goal, fund sources (amounts blank: this year's budget is
    another one), indicators with their targets and weights, last year's actual values as
    上年实际完成值. The copy is a draft of this year's goals. Returns the new project's code."""
    new_code = _check_code(new_code or from_code, f"{code}/{year} 复制项目")
    if from_year >= year:
        raise InputError([Problem(f"{code}/{from_year}", "只能复制以前年度的项目", "年度")])
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        department(actor, code, "view")
        if not m.DepartmentYear.objects.filter(department__code=code, year=from_year).exists():
            raise InputError([Problem(f"{code}/{from_year}", f"没有 {from_year} 年度的数据", "年度")])
        source = find(load_department_year(code, from_year), Ref("project", from_code))
        ref = Ref("project", new_code)
        if any(p.code == new_code for p in dy.projects):
            raise Conflict(f"项目 {new_code} 已存在，请另填项目编码", ref.path())
        why = refusal(dy, ref)
        if why:
            raise Denied(why, ref.path())
        indicators = []
        for ind in source.indicators:
            suffix = ind.code[len(from_code):] if ind.code.startswith(from_code) else f"-{ind.code}"
            indicators.append(_fresh(ind, f"{new_code}{suffix}"))
        dy.projects.append(core.Project(
            code=new_code, name=source.name, unit=source.unit, category=source.category, goal=source.goal,
            funds=[core.FundLine(f.fund_source, None, None, None) for f in source.funds], indicators=indicators))
        records.save_locked(dy, actor, f"复制 {from_year} 年度项目 {from_code}")
    return new_code
