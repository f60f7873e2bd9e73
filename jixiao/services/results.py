"""结果应用 use cases: each project's proposal for next year (the core's rule over the scored
result and the review in force) and the finance bureau's decision on it, with its history.

A decision is a new ``ResultDecision`` row (the latest per project is in force, earlier ones stay)
and one ``ChangeLog`` entry; only a role with the ``review`` permission (财政审核) decides. A
decided amount that differs from the proposal needs a comment saying why.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.core.display import fmt_amount_fixed
from jixiao.core.errors import InputError, Problem
from jixiao.core.results import DepartmentResult
from jixiao.core.results_application import Proposal, ResultsRules, load_results_rules, propose
from jixiao.core.scoring import score_department
from jixiao.services import capacity, history
from jixiao.services.actor import Actor
from jixiao.services.errors import NotFound
from jixiao.services.reviews import latest_reviews
from jixiao.services.scope import department, locked_year


@dataclass(frozen=True)
class ProjectOutcome:
    """A project's proposal and the decision in force (None: not decided yet)."""

    proposal: Proposal
    decision: m.ResultDecision | None


def latest_decisions(year_row: m.DepartmentYear) -> Mapping[str, m.ResultDecision]:
    """Project code → the decision in force."""
    out: dict[str, m.ResultDecision] = {}
    for d in m.ResultDecision.objects.filter(department_year=year_row).order_by("-when", "-id"):
        out.setdefault(d.project_code, d)
    return out


def outcomes(year_row: m.DepartmentYear, result: DepartmentResult,
             rules: ResultsRules | None = None) -> list[ProjectOutcome]:
    """Every project of the scored year with its proposal and decision (a read: no actor)."""
    rules = rules or load_results_rules()
    in_force = latest_reviews(year_row)
    decided = latest_decisions(year_row)
    out = []
    for p in result.projects:
        review = in_force.get(p.code)
        proposal = propose(p, rules, (review.score, review.grade) if review else None)
        out.append(ProjectOutcome(proposal, decided.get(p.code)))
    return out


def decide(actor: Actor, code: str, year: int, project: str, amount: str, comment: str = "") -> m.ResultDecision:
    """Record the finance bureau's decision on ``project``'s next-year budget: ``amount`` in the
    year's money unit (blank: adopt the proposal)."""
    with transaction.atomic():
        dept = department(actor, code, "review")
        dy = locked_year(actor, code, year, "review")
        if all(p.code != project for p in dy.projects):
            raise NotFound(f"未找到项目 {project}", project)
        rules = load_results_rules()
        result = score_department(dy, collect_feeds(code, year))
        project_result = next(p for p in result.projects if p.code == project)
        review = latest_reviews(m.DepartmentYear.objects.get(department=dept, year=year)).get(project)
        proposal = propose(project_result, rules, (review.score, review.grade) if review else None)
        where = f"项目 {project} 结果应用"
        label = f"下年度安排数（{dy.money_unit}）"
        text = amount.strip().replace(",", "").replace("，", "")
        problems: list[Problem] = []
        decided: Decimal | None = None
        if not text:
            if proposal.proposed is None:
                problems.append(Problem(where, f"{proposal.reason}；请填写下年度安排数", label))
            decided = proposal.proposed
        else:
            try:
                decided = Decimal(text)
                if not decided.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                problems.append(Problem(where, f"下年度安排数「{amount.strip()}」不是数字", label))
                decided = None
            if decided is not None and decided < 0:
                problems.append(Problem(where, "下年度安排数不能为负数", label))
        if decided is not None and decided != proposal.proposed and not comment.strip():
            problems.append(Problem(where, "安排数与建议安排数不同，请填写审核意见说明理由", "审核意见"))
        if decided is None:
            raise InputError(problems)
        row = m.DepartmentYear.objects.get(department=dept, year=year)
        decision = m.ResultDecision(
            department_year=row, project=m.Project.objects.filter(department_year=row, code=project).first(),
            project_code=project, grade=proposal.grade or "", grade_basis=proposal.grade_basis,
            consequence=proposal.consequence.consequence if proposal.consequence else "", proposed=proposal.proposed,
            decided=decided, comment=comment.strip(), rules=rules.ref, who=actor.name)
        problems += capacity.problems_for(decision, where)
        if problems:
            raise InputError(problems)
        previous = latest_decisions(row).get(project)
        decision.save()
        history.record(who=actor.name, department=code, year=year, label="budget.resultdecision",
                       object_id=decision.pk, version=None, key=f"{code}/{year}/项目/{project}",
                       name=project_result.name, field="下年度安排数",
                       before=fmt_amount_fixed(previous.decided) if previous else None,
                       after=f"{fmt_amount_fixed(decision.decided)}（{decision.consequence or '—'}）",
                       reason=comment.strip())
    return decision
