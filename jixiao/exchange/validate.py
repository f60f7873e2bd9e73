"""Checks that make a department-year unusable as stored data: they block an import.

Only identity and vocabulary problems are here (duplicate codes, an unknown scheme, months out
of range, negative amounts, an override without its reason). Incomplete or wrong content — blank
weights and amounts, unreadable targets, weights that do not fit the scheme, a target set too
low — is a finding of the quality checks (``jixiao.core.quality``): stored and reported, blocking
submission, not storage.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from jixiao.core import model
from jixiao.core.errors import Problem
from jixiao.core.schemes import Scheme, load_scheme

ZERO = Decimal("0")


class _Add(Protocol):
    """Records one problem at ``path``."""

    def __call__(self, path: str, message: str, field: str = "") -> None: ...


def validate_semantics(dy: model.DepartmentYear, source: str) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: str, message: str, field: str = "") -> None:
        problems.append(Problem(location=f"{source}: {path}", message=message, field=field))

    templates: dict[str, Scheme] = {}
    for attr in ("project_template", "department_template"):
        try:
            templates[attr] = load_scheme(getattr(dy, attr))
        except (KeyError, ValueError, FileNotFoundError):
            add(f"$.{attr}", f"未知的评分模板「{getattr(dy, attr)}」", "评分模板")

    seen_lines: set[tuple[str, str]] = set()
    for i, line in enumerate(dy.budget_lines):
        path = f"$.budget_lines[{i}]"
        key = (line.fund_source, line.nature)
        if key in seen_lines:
            add(path, f"资金来源「{line.fund_source}」× 支出性质「{line.nature}」重复出现，每种组合只能有一行")
        seen_lines.add(key)
        _amounts(add, path, line.budget, line.executed, line.initial)
        if line.carry_over < ZERO:
            add(f"{path}.carry_over", "结转结余不能为负数", "结转结余")

    _indicators(add, "$.indicators", dy.indicators, templates.get("department_template"), "部门整体")

    seen_codes: set[str] = set()
    for i, p in enumerate(dy.projects):
        path = f"$.projects[{i}]"
        if not p.code.strip():
            add(f"{path}.code", "项目编码不能为空", "项目编码")
        elif p.code in seen_codes:
            add(f"{path}.code", f"项目编码「{p.code}」重复", "项目编码")
        seen_codes.add(p.code)
        if not p.funds:
            add(f"{path}.funds", f"项目「{p.name}」缺少预算资金（至少一行资金来源）", "全年预算数")
        for j, f in enumerate(p.funds):
            _amounts(add, f"{path}.funds[{j}]", f.budget, f.executed, f.initial)
        _indicators(add, f"{path}.indicators", p.indicators, templates.get("project_template"), f"项目「{p.name}」")
        codes = {ind.code for ind in p.indicators}
        for m, amount in p.monthly_executed.items():
            if amount < ZERO:
                add(f"{path}.monthly_executed.{m}", "月度执行数不能为负数", "月度执行数")
        for k, cp in enumerate(p.checkpoints):
            cpath = f"{path}.checkpoints[{k}]"
            if not 1 <= cp.month <= 12:
                add(f"{cpath}.month", "监控截止月份应为 1 到 12", "月份")
            _causes(add, f"{cpath}.causes", cp.causes)
            for n, prog in enumerate(cp.indicators):
                if prog.indicator not in codes:
                    add(f"{cpath}.indicators[{n}].indicator", f"指标编码「{prog.indicator}」在该项目中不存在",
                        "指标编码")
                _causes(add, f"{cpath}.indicators[{n}].causes", prog.causes)
    return problems


def _amounts(add: _Add, path: str, budget: Decimal | None, executed: Decimal | None,
             initial: Decimal | None) -> None:
    # Blank amounts are a state ("not filled"), reported by the quality checks, not here.
    if budget is not None and budget < ZERO:
        add(f"{path}.budget", "全年预算数不能为负数", "全年预算数")
    if executed is not None and executed < ZERO:
        add(f"{path}.executed", "执行数不能为负数", "执行数")
    if initial is not None and initial < ZERO:
        add(f"{path}.initial", "年初预算数不能为负数", "年初预算数")


def _causes(add: _Add, path: str, causes: list[str]) -> None:
    for c in causes:
        if c not in model.DEVIATION_CAUSES:
            add(path, f"偏差原因「{c}」无效，应为：{'、'.join(model.DEVIATION_CAUSES)}", "偏差原因")


def _indicators(add: _Add, path: str, indicators: list[model.Indicator], template: Scheme | None,
                owner: str) -> None:
    seen: set[str] = set()
    for i, ind in enumerate(indicators):
        ipath = f"{path}[{i}]"
        if ind.code in seen:
            add(f"{ipath}.code", f"指标编码「{ind.code}」在{owner}中重复", "指标编码")
        seen.add(ind.code)
        if ind.weight is not None and ind.weight < ZERO:
            add(f"{ipath}.weight", "分值不能为负数", "分值")
        if ind.ratio_override is not None and not ind.override_reason.strip():
            add(f"{ipath}.override_reason", f"指标「{ind.name}」调整了得分比例，必须写明理由", "调整理由")
    # An unreadable target (Q-TARGET-UNREADABLE), blanks (Q-MISSING-…) and weights that do not fit
    # the scheme (Q-WEIGHT-SUM) are findings of the quality review: stored, reported, and they
    # block submission, not storage (docs/quality.md).
