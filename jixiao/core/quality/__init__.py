"""Goal-quality review and consistency checks (codes ``Q-…``): the seed's section 三 made
executable. Pure functions over the core dataclasses; thresholds and word lists come from
``jixiao/rules/quality.json``. See docs/quality.md for the catalogue and the severity policy.

- ``review_goals(dy)``: when goals are set (targets, units, categories, weights, duplicates).
- ``review_year_end(dy, result)``: stated figures against the computed ones, and judgement calls.
- ``review(dy)``: both; scores the department itself (``jixiao.core.scoring``, the one scoring
  path) and turns what cannot be scored into findings, so every problem shows in one round.
"""
from __future__ import annotations

from collections.abc import Mapping

from jixiao.core.model import DepartmentYear, Stated
from jixiao.core.quality.findings import Collector, QualityFinding
from jixiao.core.quality.goals import review_goals
from jixiao.core.quality.rules import SEVERITIES, QualityRules, load_rules
from jixiao.core.quality.summary import blocking, department_summary, draft_problems_text, summarize
from jixiao.core.quality.year_end import department_cut, narrative, year_end_department, year_end_owner
from jixiao.core.results import DepartmentResult
from jixiao.core.schemes import load_scheme
from jixiao.core.scoring import choose_scheme, leaves, score_department

__all__ = [
    "QualityFinding", "QualityRules", "SEVERITIES", "blocking", "department_summary", "draft_problems_text",
    "has_year_end_data", "load_rules", "review", "review_goals", "review_year_end", "summarize",
]


def review_year_end(
    dy: DepartmentYear, result: DepartmentResult, rules: QualityRules | None = None,
) -> list[QualityFinding]:
    """Year-end findings of a scored department-year. Indicators the result could not score are
    reported by their cause (a missing actual value, an actual that cannot be scored); blank
    weights and targets are goal-setting findings already."""
    out = Collector()
    dept_scheme = load_scheme(dy.department_template)
    proj_scheme = load_scheme(dy.project_template)
    dept_rules = rules or load_rules(dy.department_template)
    proj_rules = rules or load_rules(dy.project_template)
    year_end_department(out, dept_rules, dy)
    department_cut(out, dept_rules, dy, result.indicators)
    year_end_owner(out, dept_rules, None, dy.indicators, result.indicators, result.execution, result.total,
                   result.reason, dy.stated, dy.execution_explanation,
                   choose_scheme(leaves(dy.indicators), dept_scheme).scheme)
    scored = {pr.code: pr for pr in result.projects}
    for p in dy.projects:
        pr = scored.get(p.code)
        if pr is None:
            continue
        year_end_owner(out, proj_rules, p, p.indicators, pr.indicators, pr.execution, pr.total,
                       pr.reason, p.stated, p.execution_explanation,
                       choose_scheme(leaves(p.indicators), proj_scheme).scheme)
    narrative(out, dept_rules, dy, result)
    return out.findings


def has_year_end_data(dy: DepartmentYear) -> bool:
    """Whether the year-end stage has begun: some actual value or stated figure exists, or — for
    a report of budget figures only, with no indicator at all — some executed amount (its budget
    checks need nothing else, real-work.md §4). Before that, year-end checks would only repeat
    "no actual value yet" for every indicator."""
    inds = [*dy.indicators, *(i for p in dy.projects for i in p.indicators)]
    stated = [dy.stated, *(p.stated for p in dy.projects)]
    if not inds:
        executed = [*(b.executed for b in dy.budget_lines), *(f.executed for p in dy.projects for f in p.funds)]
        if any(e is not None for e in executed):
            return True
    return any(i.actual_text and i.actual_text.strip() for i in inds) or any(
        i.stated_score is not None for i in inds
    ) or any(s != Stated() for s in stated)


def review(
    dy: DepartmentYear, result: DepartmentResult | None = None, rules: QualityRules | None = None,
    feeds: Mapping[str, str] | None = None,
) -> list[QualityFinding]:
    """Goal-setting and year-end findings, all in one round. Without ``result`` the department
    is scored here (with ``feeds`` from the ledgers when the caller has them); before the
    year-end stage has begun (``has_year_end_data``) only the goal-setting checks run."""
    findings = review_goals(dy, rules)
    if result is None and not has_year_end_data(dy):
        return findings
    return findings + review_year_end(dy, result or score_department(dy, feeds), rules)
