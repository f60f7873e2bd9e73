"""Merge what a standard form carries into the stored department-year.

A form carries only part of a department-year: a 申报表 has goals, budgets and indicator
definitions; a 自评表 adds execution, actual values and stated scores; a 监控表 carries one
checkpoint; the 部门整体自评表 the department-level block. ``merge_outcome`` is pure: it keeps
every stored field the form does not carry (matching indicators by 指标编码) and validates the
result. Storing it is the application layer's (``jixiao.services.imports``).

Versions: an object the form carries (its project, fund lines and indicators; its checkpoint; the
department-year with its budget lines and indicators) takes the version the form was exported at
(``forms_read.versions``; None for a form that does not say), not the stored one — the layer then
refuses a field that was changed since as a conflict instead of reverting it. Whether the workflow
states allow a change (a submitted checkpoint, an approved project) is the layer's rule as well.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal

from jixiao.core import model
from jixiao.core.display import fmt_decimal
from jixiao.core.errors import InputError, Problem
from jixiao.core.scoring import budget_feeds, score_department
from jixiao.excel.importing import ImportOutcome
from jixiao.exchange.validate import validate_semantics

_DEFINITION = ("level1", "level2", "name", "target_text", "unit", "weight", "basis", "data_source", "core")
_RESULT = ("level1", "level2", "name", "target_text", "unit", "weight", "actual_text", "deviation_reason",
           "stated_score")


def _merge_indicators(stored: list[model.Indicator], incoming: list[model.Indicator], fields: tuple[str, ...],
                      feeds: Mapping[str, str] | None = None) -> list[model.Indicator]:
    """The form's indicator list, in the form's order; a known 指标编码 keeps its other fields and
    takes the form's version. ``feeds``: the values the exported form showed for feed-driven
    actuals; an actual equal to its feed's value is the system's figure, not the unit's, and keeps
    what was stored."""
    by_code = {i.code: i for i in stored}
    out = []
    for new in incoming:
        old = by_code.get(new.code)
        if old is None:
            out.append(new)
            continue
        merged = copy.deepcopy(old)
        merged.version = new.version
        for f in fields:
            setattr(merged, f, getattr(new, f))
        # The form shows the computed score; a blank or equal figure keeps what the unit stated before.
        if "stated_score" in fields and new.stated_score is None:
            merged.stated_score = old.stated_score
        if "actual_text" in fields and old.feed is not None and (feeds or {}).get(old.feed) == new.actual_text:
            merged.actual_text = old.actual_text
        if new.achievement is not None:
            merged.achievement = new.achievement
        if new.ratio_override is not None:  # a form without the column keeps the evaluator's choice
            merged.ratio_override, merged.override_reason = new.ratio_override, new.override_reason
        out.append(merged)
    return out


def _merge_funds(stored: list[model.FundLine], incoming: list[model.FundLine],
                 with_execution: bool) -> list[model.FundLine]:
    by_source = {f.fund_source: f for f in stored}
    out = []
    for new in incoming:
        executed = new.executed
        if not with_execution and new.fund_source in by_source:
            executed = by_source[new.fund_source].executed
        out.append(model.FundLine(new.fund_source, new.budget, executed, new.initial, version=new.version))
    return out


def _merge_project(form: str, old: model.Project | None, new: model.Project, problems: list[Problem],
                   feeds: Mapping[str, str] | None = None) -> model.Project:
    if old is None:
        if form == "monitor":
            problems.append(Problem(new.code, f"项目「{new.code}」尚不存在，监控表只能填报已有项目，"
                                              "请先导入申报表或批量工作簿", "项目编码"))
        return new
    p = copy.deepcopy(old)
    if form == "monitor":
        if not new.checkpoints:
            return p
        incoming = new.checkpoints[0]  # with the form's version; the project itself is not touched
        before = next((cp for cp in p.checkpoints if cp.month == incoming.month), None)
        if before is not None:
            incoming.status = before.status
        for prog in incoming.indicators:
            if prog.indicator not in {i.code for i in p.indicators}:
                # A form without 指标编码 numbers its rows; match those by 三级指标 name instead.
                row = next((i for i in new.indicators if i.code == prog.indicator), None)
                match = next((i for i in p.indicators if row is not None and i.name == row.name), None)
                if match is not None:
                    prog.indicator = match.code
        p.checkpoints = [cp for cp in p.checkpoints if cp.month != incoming.month] + [incoming]
        p.checkpoints.sort(key=lambda cp: cp.month)
        return p
    p.version = new.version
    p.name = new.name or p.name
    p.unit = new.unit or p.unit
    p.category = new.category or p.category
    p.goal = new.goal
    p.funds = _merge_funds(old.funds, new.funds, with_execution=form == "self-eval")
    if form == "target":
        p.indicators = _merge_indicators(old.indicators, new.indicators, _DEFINITION)
    else:
        p.indicators = _merge_indicators(old.indicators, new.indicators, _RESULT, feeds)
        p.goal_actual = new.goal_actual
        p.execution_explanation, p.problems, p.measures = new.execution_explanation, new.problems, new.measures
        p.stated = _merge_stated(old.stated, new.stated)
    return p


def _merge_stated(old: model.Stated, new: model.Stated) -> model.Stated:
    return model.Stated(**{f: getattr(new, f) if getattr(new, f) is not None else getattr(old, f)
                           for f in ("execution_rate", "execution_score", "total", "grade")})


def _merge_lines(old: list[model.BudgetLine], new: list[model.BudgetLine]) -> list[model.BudgetLine]:
    """Budget lines from the form; a known 资金来源 × 支出性质 keeps its provenance mark."""
    by_key = {(b.fund_source, b.nature): b for b in old}
    out = []
    for line in new:
        before = by_key.get((line.fund_source, line.nature))
        if before is not None:
            line = copy.deepcopy(line)
            line.origin = before.origin
        out.append(line)
    return out


def reconcile_department(dy: model.DepartmentYear, form: model.DepartmentYear, stored: model.DepartmentYear,
                         feeds: Mapping[str, str] | None = None) -> list[Problem]:
    """Compare the scores the 部门整体自评表 states with those computed for the merged
    department-year (projects and feeds included). A differing figure is kept as the unit's
    stated value, with a warning; an equal one leaves what was stored before."""
    result = score_department(dy, feeds)
    warnings = []

    def same(stated: Decimal, computed: Decimal) -> bool:
        return Decimal(fmt_decimal(stated, 2)) == Decimal(fmt_decimal(computed, 2))

    scores = {r.code: r.score for r in result.indicators}
    before = {i.code: i.stated_score for i in stored.indicators}
    stated_by_code = {i.code: i.stated_score for i in form.indicators}
    for ind in dy.indicators:
        stated, computed = stated_by_code.get(ind.code), scores.get(ind.code)
        if stated is None or computed is None or same(stated, computed):
            ind.stated_score = before.get(ind.code)
        else:
            warnings.append(Problem(f"部门整体自评表（指标 {ind.code}）",
                                    f"填写的得分 {fmt_decimal(stated, 2)} 与系统计算的 {fmt_decimal(computed, 2)} "
                                    "不一致；已按系统计算结果评分，填写值作为“自评值”保留", "得分"))
    total = form.stated.total
    if total is None or (result.total is not None and same(total, result.total)):
        dy.stated.total = stored.stated.total
    elif result.total is not None:  # (with no computed total to compare with, the unit's figure stands)
        warnings.append(Problem("部门整体自评表（自评得分）", f"填写的自评得分 {fmt_decimal(total, 2)} 与系统计算的 "
                                f"{fmt_decimal(result.total, 2)} 不一致；填写值作为“自评值”保留", "自评得分"))
    if form.stated.grade is None or form.stated.grade == result.grade:
        dy.stated.grade = stored.stated.grade
    else:
        warnings.append(Problem("部门整体自评表（自评等级）",
                                f"填写的等级「{form.stated.grade}」与系统计算的「{result.grade}」不一致", "自评等级"))
    return warnings


def merge_outcome(outcome: ImportOutcome, stored: model.DepartmentYear | None,
                  feeds: Mapping[str, str] | None = None) -> model.DepartmentYear:
    """The department-year after applying ``outcome``; raises InputError (nothing changed).
    Warnings found while merging are appended to ``outcome.warnings``. ``feeds``: the ledger
    feeds of the department-year (the export showed their values as actuals)."""
    problems: list[Problem] = []
    warnings = outcome.warnings
    shown = (budget_feeds(stored) if stored is not None else {}) | dict(feeds or {})
    if isinstance(outcome.data, model.DepartmentYear):
        new_year = outcome.data
        if outcome.form == "bulk" or stored is None:
            dy = new_year
        else:  # 部门整体自评表: department-level block onto the stored year, projects kept
            dy = copy.deepcopy(stored)
            dy.version = new_year.version
            dy.department.name = new_year.department.name or dy.department.name
            for attr in ("money_unit", "department_template", "goal", "goal_actual", "achievements",
                         "problems", "measures", "execution_explanation"):
                setattr(dy, attr, getattr(new_year, attr))
            dy.budget_lines = _merge_lines(stored.budget_lines, new_year.budget_lines)
            dy.indicators = _merge_indicators(stored.indicators, new_year.indicators, _RESULT, shown)
            dy.stated = _merge_stated(stored.stated, new_year.stated)
            warnings.extend(reconcile_department(dy, new_year, stored, feeds))
    else:
        if stored is None:
            raise InputError([Problem(f"{outcome.department_code}/{outcome.year}",
                                      "数据库中还没有该部门年度，项目表格无法单独导入；请先导入批量工作簿或交换格式文件")])
        dy = copy.deepcopy(stored)
        index = {p.code: i for i, p in enumerate(dy.projects)}
        for new in outcome.data:
            i = index.get(new.code)
            merged = _merge_project(outcome.form, dy.projects[i] if i is not None else None, new, problems, shown)
            if i is None:
                dy.projects.append(merged)
                index[new.code] = len(dy.projects) - 1
            else:
                dy.projects[i] = merged
    if problems:
        raise InputError(problems)
    semantic = validate_semantics(dy, f"{dy.department.code}/{dy.year}")
    if semantic:
        raise InputError(semantic)
    return dy
