"""The finance bureau's re-score (复核) of a submitted self-evaluation, indicator by indicator.

A review is possible only on a self-evaluation in a reviewable state (已提交/已审核/锁定, data in
``rules/workflow.json``) — never on a 草稿 nobody submitted. The reviewer scores any of the
indicators; the others keep the unit's own score, and the total is the execution score plus the
indicator scores. The latest review per record is the one in force; older ones stay as history.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.core import workflow
from jixiao.core.errors import InputError, Problem
from jixiao.core.results import DepartmentResult, ProjectResult
from jixiao.core.schemes import Scheme, load_scheme
from jixiao.core.scoring import grade_for, score_department
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Denied, NotFound
from jixiao.services.scope import department, locked_year


@dataclass(frozen=True)
class ReviewScore:
    indicator: str
    score: str  # as typed
    comment: str = ""


def _decimal(text: str, where: str, label: str, top: Decimal, problems: list[Problem]) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(Problem(where, f"{label}「{text}」不是数字", label))
        return None
    if not 0 <= value <= top:
        problems.append(Problem(where, f"{label}应在 0 到 {top} 之间", label))
    elif value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite: exponent is an int
        problems.append(Problem(where, f"{label}最多保留两位小数", label))
    return value


@dataclass(frozen=True)
class _Reviewed:
    """A review worked out but not stored: the record, its scheme, the scores given, the total."""

    where: str
    target: DepartmentResult | ProjectResult
    scheme: Scheme
    given: dict[str, tuple[Decimal | None, str]]
    total: Decimal | None
    problems: list[Problem]


def _work_out(actor: Actor, code: str, year: int, project: str | None, scores: list[ReviewScore],
              total: str | None) -> _Reviewed:
    """Inside a transaction: scope, state and the reviewed total of ``project``'s review."""
    department(actor, code, "review")
    dy = locked_year(actor, code, year, "review")
    se = workflow.stage(workflow.SELF_EVALUATION)
    status = dy.status if project is None else next((p.status for p in dy.projects if p.code == project), None)
    if status is None:
        raise NotFound(f"未找到项目 {project}", project or "")
    where = f"项目 {project}" if project else "部门整体"
    if status not in se.reviewable_statuses:
        allowed = "、".join(sorted(se.reviewable_statuses))
        raise Denied(f"{where}当前为「{status}」，只能复核「{allowed}」的自评", where)
    result = score_department(dy, collect_feeds(code, year))
    target: DepartmentResult | ProjectResult = (
        result if project is None else next(p for p in result.projects if p.code == project))
    scheme = load_scheme(dy.department_template if project is None else dy.project_template)
    problems: list[Problem] = []
    by_code = {i.code: i for i in target.indicators}
    given: dict[str, tuple[Decimal | None, str]] = {}
    for s in scores:
        ind = by_code.get(s.indicator)
        if ind is None:
            problems.append(Problem(f"{where} / 指标 {s.indicator}", "未找到该指标", "指标"))
            continue
        if ind.weight is None:  # no 分值: no upper bound to score against (a blank is not 0)
            problems.append(Problem(f"{where} / 指标 {s.indicator}", "该指标未填写分值，无法逐项复核，请按总分复核",
                                    "复核得分"))
            continue
        given[s.indicator] = (_decimal(s.score, f"{where} / 指标 {s.indicator}", "复核得分", ind.weight, problems),
                              s.comment.strip())
    if not given and total is None:
        problems.append(Problem(where, "请逐项填写复核得分", "复核得分"))
    new_total: Decimal | None = None
    if given:
        # Indicators the reviewer left keep the unit's score; one the unit's data cannot score
        # must be scored by the reviewer, and so must a blank execution rate.
        unscored = [i for i in target.indicators if i.code not in given and i.score is None]
        for i in unscored:
            problems.append(Problem(f"{where} / 指标 {i.code}", f"自评无法计分（{i.reason}），请填写复核得分",
                                    "复核得分"))
        if target.execution.score is None:
            problems.append(Problem(where, f"预算执行率得分无法计算（{target.execution.reason}），请按总分复核",
                                    "复核得分"))
        if not unscored and target.execution.score is not None:
            new_total = target.execution.score + sum(
                ((given[i.code][0] or Decimal(0)) if i.code in given else (i.score or Decimal(0))
                 for i in target.indicators), Decimal(0))
    else:
        new_total = _decimal(total or "", where, "复核得分", scheme.total, problems)
    return _Reviewed(where, target, scheme, given, new_total, problems)


def preview_review(actor: Actor, code: str, year: int, project: str | None,
                   scores: list[ReviewScore]) -> tuple[Decimal, str]:
    """The reviewed total and grade ``scores`` would give, nothing stored (the form's running
    total); ``InputError`` lists what is wrong with them."""
    with transaction.atomic():
        worked = _work_out(actor, code, year, project, scores, None)
    if worked.problems or worked.total is None:
        raise InputError(worked.problems or [Problem(worked.where, "无法计算复核得分", "复核得分")])
    return worked.total, grade_for(worked.total, worked.scheme)


def record_review(actor: Actor, code: str, year: int, project: str | None, reason: str,
                  scores: list[ReviewScore] | None = None, total: str | None = None) -> m.Review:
    """Record a 复核 of ``project`` (None: the department as a whole) with per-indicator
    ``scores``; ``total`` alone (no indicator scores) re-scores the whole record."""
    scores = scores or []
    with transaction.atomic():
        worked = _work_out(actor, code, year, project, scores, total)
        where, target, given, new_total = worked.where, worked.target, worked.given, worked.total
        by_code = {i.code: i for i in target.indicators}
        problems = list(worked.problems)
        if not reason.strip():
            problems.insert(0, Problem(where, "请填写复核意见，说明与自评得分不同的理由", "复核意见"))
        if problems:
            raise InputError(problems)
        assert new_total is not None
        dept = department(actor, code, "review")
        project_row = (m.Project.objects.get(department_year__department=dept, department_year__year=year,
                                             code=project) if project else None)
        year_row = m.DepartmentYear.objects.get(department=dept, year=year)
        review = m.Review.objects.create(
            department_year=year_row, project=project_row, score=new_total, grade=grade_for(new_total, worked.scheme),
            self_score=target.total, self_grade=target.grade or "", reason=reason.strip(), who=actor.name)
        indicators = (m.Indicator.objects.filter(project=project_row) if project_row
                      else m.Indicator.objects.filter(department_year=year_row))
        rows = {r.code: r.pk for r in indicators}
        m.ReviewItem.objects.bulk_create([
            m.ReviewItem(review=review, indicator_id=rows.get(c), indicator_code=c, name=by_code[c].name,
                         self_score=by_code[c].score, score=value, comment=comment)
            for c, (value, comment) in given.items() if value is not None
        ])
        history.record(who=actor.name, department=code, year=year, label="budget.review", object_id=review.pk,
                       version=None, key=f"{code}/{year}" + (f"/项目/{project}" if project else ""),
                       name=target.name, field="复核得分", before=None, after=f"{new_total}（{review.grade}）",
                       reason=reason.strip())
    return review


def latest_reviews(year_row: m.DepartmentYear) -> Mapping[str, m.Review]:
    """Project code ("" for the department) → the review in force."""
    out: dict[str, m.Review] = {}
    for r in (m.Review.objects.filter(department_year=year_row).select_related("project")
              .prefetch_related("items").order_by("-when", "-id")):
        out.setdefault(r.project.code if r.project else "", r)
    return out
