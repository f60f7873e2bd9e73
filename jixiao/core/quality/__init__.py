"""Goal-quality review and consistency checks (codes ``Q-…``): the seed's section 三 made
executable. Pure functions over the core dataclasses; thresholds and word lists come from
``jixiao/rules/quality.json``. See docs/quality.md for the catalogue and the severity policy.

- ``review_goals(dy)``: when goals are set (targets, units, categories, weights, duplicates).
- ``review_year_end(dy, result)``: stated figures against the computed ones, and judgement calls.
- ``review(dy)``: both; scores the department itself and turns indicators that cannot be scored
  into findings instead of stopping at the first one.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from jixiao.core.model import DepartmentYear, Indicator, Project, Stated
from jixiao.core.quality.findings import Collector, Finding
from jixiao.core.quality.goals import review_goals
from jixiao.core.quality.rules import SEVERITIES, QualityRules, load_rules
from jixiao.core.quality.summary import blocking, department_summary, draft_problems_text, summarize
from jixiao.core.quality.year_end import year_end_department, year_end_owner
from jixiao.core.results import DepartmentResult, IndicatorResult, ProjectResult
from jixiao.core.scoring import (
    ScoringError,
    budget_feeds,
    grade_for,
    score_department,
    score_execution,
    score_indicator,
)
from jixiao.core.targets import TargetError, parse_target
from jixiao.core.schemes import Scheme, load_scheme

ZERO = Decimal(0)

__all__ = [
    "Finding", "QualityRules", "SEVERITIES", "blocking", "department_summary", "draft_problems_text",
    "has_year_end_data", "load_rules", "review", "review_goals", "review_year_end", "summarize",
]


def review_year_end(
    dy: DepartmentYear, result: DepartmentResult, rules: QualityRules | None = None,
    unscorable: Mapping[str | None, set[str]] | None = None,
) -> list[Finding]:
    """Year-end findings of a scored department-year. ``unscorable`` names, per project code
    (None = department), indicators already reported as unscorable, so they are not reported
    again as missing."""
    out = Collector()
    skip = unscorable or {}
    dept_tpl = load_scheme(dy.department_template)
    proj_tpl = load_scheme(dy.project_template)
    dept_rules = rules or load_rules(dy.department_template)
    proj_rules = rules or load_rules(dy.project_template)
    year_end_department(out, dept_rules, dy)
    year_end_owner(out, dept_rules, None, dy.indicators, result.indicators, result.execution, result.total,
                   dy.stated, dy.execution_explanation, dept_tpl, skip.get(None, set()))
    scored = {pr.code: pr for pr in result.projects}
    for p in dy.projects:
        pr = scored.get(p.code)
        if pr is None:
            continue
        year_end_owner(out, proj_rules, p, p.indicators, pr.indicators, pr.execution, pr.total,
                       p.stated, p.execution_explanation, proj_tpl, skip.get(p.code, set()))
    return out.findings


def _readable(ind: Indicator) -> bool:
    try:
        parse_target(ind.target_text, ind.unit)
    except TargetError:
        return False
    return True


def _score_each(
    inds: list[Indicator], tpl: Scheme, feeds: Mapping[str, str], rules: QualityRules,
    out: Collector, owner: Project | None, failed: set[str],
) -> list[IndicatorResult]:
    """Score indicators one by one so every unscorable one is reported, not only the first."""
    results = []
    for ind in inds:
        try:
            if ind.feed is not None and ind.feed in feeds:
                results.append(score_indicator(ind, tpl, feeds[ind.feed], ind.feed))
            else:
                results.append(score_indicator(ind, tpl))
        except (ScoringError, TargetError) as exc:
            failed.add(ind.code)
            if _readable(ind):  # an unreadable target is already a goal-setting finding
                out.add(rules, "Q-UNSCORABLE", f"{exc}", owner, ind, "实际完成值")
    return results


def _partial_result(
    dy: DepartmentYear, feeds: Mapping[str, str] | None, rules: QualityRules | None, out: Collector,
) -> tuple[DepartmentResult, dict[str | None, set[str]]]:
    """A department result with the unscorable indicators left out, for the other checks."""
    dept_tpl = load_scheme(dy.department_template)
    proj_tpl = load_scheme(dy.project_template)
    all_feeds = budget_feeds(dy) | dict(feeds or {})
    failed: dict[str | None, set[str]] = {None: set()}
    dept_results = _score_each(dy.indicators, dept_tpl, all_feeds, rules or load_rules(dy.department_template),
                               out, None, failed[None])
    projects = []
    for p in dy.projects:
        failed[p.code] = set()
        results = _score_each(p.indicators, proj_tpl, all_feeds, rules or load_rules(dy.project_template),
                              out, p, failed[p.code])
        execution = score_execution(p.budget, p.executed, proj_tpl.execution)
        total = execution.score + sum((r.score for r in results if r.score is not None), ZERO)
        projects.append(ProjectResult(p.code, p.name, p.budget, p.executed, execution, results, total,
                                      grade_for(total, proj_tpl), []))
    execution = score_execution(dy.budget, dy.executed, dept_tpl.execution)
    total = execution.score + sum((r.score for r in dept_results if r.score is not None), ZERO)
    result = DepartmentResult(
        code=dy.department.code, name=dy.department.name, year=dy.year, money_unit=dy.money_unit,
        budget=dy.budget, executed=dy.executed, by_source={}, by_nature={}, execution=execution,
        indicators=dept_results, total=total, grade=grade_for(total, dept_tpl), trace_steps=[],
        projects=projects, scheme=dept_tpl.ref, project_scheme=proj_tpl.ref,
    )
    return result, failed


def has_year_end_data(dy: DepartmentYear) -> bool:
    """Whether the year-end stage has begun: some actual value or stated figure exists. Before
    that, year-end checks would only repeat "no actual value yet" for every indicator."""
    inds = [*dy.indicators, *(i for p in dy.projects for i in p.indicators)]
    stated = [dy.stated, *(p.stated for p in dy.projects)]
    return any(i.actual_text and i.actual_text.strip() for i in inds) or any(
        i.stated_score is not None for i in inds
    ) or any(s != Stated() for s in stated)


def review(
    dy: DepartmentYear, result: DepartmentResult | None = None, rules: QualityRules | None = None,
    feeds: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Goal-setting and year-end findings. Without ``result`` the department is scored here
    (with ``feeds`` from the ledgers when the caller has them); before the year-end stage has
    begun (``has_year_end_data``) only the goal-setting checks run."""
    findings = review_goals(dy, rules)
    if result is None and not has_year_end_data(dy):
        return findings
    if result is not None:
        return findings + review_year_end(dy, result, rules)
    try:
        scored = score_department(dy, feeds)
    except (ScoringError, TargetError):
        out = Collector()
        partial, failed = _partial_result(dy, feeds, rules, out)
        return findings + out.findings + review_year_end(dy, partial, rules, failed)
    return findings + review_year_end(dy, scored, rules)
