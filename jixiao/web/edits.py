"""Changes made in the browser: an actual value, a workflow step, a re-score.

Each is one small transaction that also appends to the shared ``ChangeLog`` (with the same
object keys the store uses, so one record's history reads the same whichever way it changed)
and moves the year's ``updated_at`` so cached scores are dropped.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from jixiao.budget import models as m
from jixiao.core import quality, workflow
from jixiao.core.errors import InputError, Problem
from jixiao.core.scoring import ScoringError, grade_for, score_indicator
from jixiao.core.targets import TargetError
from jixiao.core.schemes import load_scheme
from jixiao.web import access
from jixiao.web.data import scored
from jixiao.web.models import Review

ACTUAL_MAX = m.Indicator._meta.get_field("actual_text").max_length


def _who(user) -> str:
    return user.get_username()


def _touch(row: m.DepartmentYear) -> None:
    m.DepartmentYear.objects.filter(pk=row.pk).update(updated_at=timezone.now())


def _log(user, row: m.DepartmentYear, label: str, key: str, name: str, field: str,
         before: str | None, after: str | None, reason: str = "") -> None:
    m.ChangeLog.objects.create(
        who=_who(user), department=row.department.code, year=row.year, model_label=label,
        object_key=key[:300], object_repr=name[:300], field=field, before=before, after=after,
        reason=reason,
    )


def project_key(row: m.DepartmentYear, code: str) -> str:
    return f"{row.department.code}/{row.year}/项目/{code}"


def can_edit(user, row: m.DepartmentYear, project: m.Project) -> bool:
    roles = access.roles_in(user, row.department)
    return row.status != "锁定" and workflow.editable(project.status, roles)


def set_actual(user, row: m.DepartmentYear, project_code: str, indicator_code: str, text: str) -> None:
    """Record an indicator's actual value; refused (nothing stored) when the record is not
    editable or the value cannot be scored against the target."""
    project = m.Project.objects.filter(department_year=row, code=project_code).first()
    ind_row = (m.Indicator.objects.filter(project=project, code=indicator_code).first()
               if project else None)
    where = f"{project_code}/{indicator_code}"
    if ind_row is None:
        raise InputError([Problem(where, "未找到该指标", "指标")])
    text = text.strip()
    problems = []
    if not can_edit(user, row, project):
        problems.append(Problem(where, f"项目当前状态为「{project.status}」，不能修改；如需修改请先退回", "状态"))
    if len(text) > ACTUAL_MAX:
        problems.append(Problem(where, f"实际完成值过长（{len(text)} 字），最多 {ACTUAL_MAX} 字", "实际完成值"))
    if text and not problems:
        data = scored(row)
        core_ind = next(i for i in data.dy.project(project_code).indicators if i.code == indicator_code)
        try:
            score_indicator(dataclasses.replace(core_ind, actual_text=text),
                            load_scheme(data.dy.project_template))
        except (ScoringError, TargetError) as exc:
            problems.append(Problem(where, f"{exc}。请填写与指标值同单位的数值，如「{core_ind.target_text}」", "实际完成值"))
    if problems:
        raise InputError(problems)
    new = text or None
    if new == ind_row.actual_text:
        return
    with transaction.atomic():
        before = ind_row.actual_text
        m.Indicator.objects.filter(pk=ind_row.pk).update(actual_text=new)
        _log(user, row, "budget.indicator", f"{project_key(row, project_code)}/指标/{indicator_code}",
             f"{project.name}·{ind_row.name}", "actual_text", before, new)
        _touch(row)


PROBLEMS_MAX = 5000


def set_problems(user, row: m.DepartmentYear, text: str) -> None:
    """The department-year's 存在的主要问题 text (often started from the quality-check draft);
    editable like every other field only while the year is in 草稿 or 退回."""
    text = text.strip()
    where = f"{row.department.code}/{row.year}/存在的主要问题"
    problems = []
    if not (row.status != "锁定" and workflow.editable(row.status, access.roles_in(user, row.department))):
        problems.append(Problem(where, f"部门整体评价当前状态为「{row.status}」，不能修改；如需修改请先退回", "状态"))
    if len(text) > PROBLEMS_MAX:
        problems.append(Problem(where, f"内容过长（{len(text)} 字），最多 {PROBLEMS_MAX} 字", "存在的主要问题"))
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        before = m.DepartmentYear.objects.select_for_update().values_list("problems", flat=True).get(pk=row.pk)
        if before == text:
            return
        m.DepartmentYear.objects.filter(pk=row.pk).update(problems=text)
        _log(user, row, "budget.departmentyear", f"{row.department.code}/{row.year}",
             f"{row.department.name} {row.year} 年度", "problems", before, text)
        _touch(row)


def _quality_blockers(row: m.DepartmentYear, project_code: str | None) -> list[Problem]:
    """Errors (not warnings) of the quality checks on the record being submitted block it."""
    findings = [f for f in scored(row).findings()
                if project_code is None or f.project == project_code]
    return [Problem(f.location, f"{f.message}（{f.code}）", f.field or "质量检查")
            for f in findings if quality.blocking([f])]


def apply(user, row: m.DepartmentYear, project_code: str | None, action: str, comment: str) -> str:
    """Take a workflow step on a project (or, with ``project_code=None``, the department-year)."""
    roles = access.roles_in(user, row.department)
    comment = comment.strip()
    with transaction.atomic():
        if project_code is None:
            target = m.DepartmentYear.objects.select_for_update().get(pk=row.pk)
            key, name, label = f"{row.department.code}/{row.year}", f"{row.department.name} {row.year} 年度", "budget.departmentyear"
        else:
            target = (m.Project.objects.select_for_update()
                      .filter(department_year=row, code=project_code).first())
            if target is None:
                raise InputError([Problem(project_code, "未找到该项目", "项目")])
            key, name, label = project_key(row, project_code), target.name, "budget.project"
        new_status = workflow.apply_action(target.status, action, roles, comment, location=name)
        if action == "submit":
            blockers = _quality_blockers(row, project_code)
            if blockers:
                raise InputError(blockers)
        before = target.status
        type(target).objects.filter(pk=target.pk).update(status=new_status)
        _log(user, row, label, key, name, "status", before, new_status, comment)
        _touch(row)
    return new_status


def review(user, row: m.DepartmentYear, project_code: str, score_text: str, reason: str) -> Review:
    """A finance re-score (复核) of a project (or the department with ``project_code=""``)."""
    if not access.has_permission(user, row.department, "review"):
        raise InputError([Problem(row.department.code, "只有财政审核人员可以复核", "角色")])
    data = scored(row)
    problems = []
    if project_code:
        match = [p for p in data.result.projects if p.code == project_code]
        if not match:
            raise InputError([Problem(project_code, "未找到该项目", "项目")])
        self_result, tpl = match[0], load_scheme(data.dy.project_template)
    else:
        self_result, tpl = data.result, load_scheme(data.dy.department_template)
    where = project_code or "部门整体"
    try:
        score = Decimal(score_text.strip())
        if not score.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        score = None
        problems.append(Problem(where, f"复核得分「{score_text}」不是数字", "复核得分"))
    if score is not None and not (0 <= score <= tpl.total):
        problems.append(Problem(where, f"复核得分应在 0 到 {tpl.total} 之间", "复核得分"))
    if score is not None and score.as_tuple().exponent < -2:
        problems.append(Problem(where, "复核得分最多保留两位小数", "复核得分"))
    if not reason.strip():
        problems.append(Problem(where, "请填写复核意见，说明与自评得分不同的理由", "复核意见"))
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        rev = Review.objects.create(
            department=row.department.code, year=row.year, project=project_code, score=score,
            grade=grade_for(score, tpl), self_score=self_result.total, self_grade=self_result.grade,
            reason=reason.strip(), who=_who(user),
        )
        key = project_key(row, project_code) if project_code else f"{row.department.code}/{row.year}"
        _log(user, row, "web.review", key, getattr(self_result, "name", where), "复核得分",
             None, f"{score}（{rev.grade}）", reason.strip())
    return rev


def latest_reviews(row: m.DepartmentYear) -> dict[str, Review]:
    out: dict[str, Review] = {}
    for r in Review.objects.filter(department=row.department.code, year=row.year).order_by("-when", "-id"):
        out.setdefault(r.project, r)
    return out
