"""目标调整: changing an approved goal's target or weight.

Approved goals are frozen (``rules/workflow.json``, goals.frozen). A change then is requested
with a reason, keeps the original value, and applies only when approved by someone the
``adjustment`` stage allows; the indicator then carries the adjusted target and the original
(``original_target_text``), and scoring and reports show both.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError, Problem
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Denied, NotFound
from jixiao.services.scope import department, find, locked_year

FIELDS = {"target_text": "指标值", "weight": "分值"}


def request_adjustment(actor: Actor, code: str, year: int, project: str, indicator: str, field: str,
                       value: str, reason: str) -> m.TargetAdjustment:
    where = f"项目 {project} / 指标 {indicator}"
    problems: list[Problem] = []
    if field not in FIELDS:
        raise InputError([Problem(where, f"只能调整{'或'.join(FIELDS.values())}", "调整内容")])
    value = value.strip()
    if not value:
        problems.append(Problem(where, f"请填写调整后的{FIELDS[field]}", FIELDS[field]))
    if field == "weight" and value:
        try:
            if not Decimal(value).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(Problem(where, f"分值「{value}」不是数字", "分值"))
    if not reason.strip():
        problems.append(Problem(where, "请说明调整理由", "调整理由"))
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        dept = department(actor, code, "adjust")
        dy = locked_year(actor, code, year, "adjust")
        p = find(dy, Ref("project", project))
        ind = find(dy, Ref("indicator", project, indicator))
        goals = workflow.stage(workflow.GOALS)
        if p.goal_status not in goals.frozen_statuses:
            raise Denied(f"{project} 的绩效目标尚未批复（{p.goal_status}），请直接修改，无需调整", where)
        if workflow.locked(dy.status) or workflow.locked(p.status):
            raise Denied("自评已锁定，不能调整目标", where)
        if m.TargetAdjustment.objects.filter(indicator__project__department_year__department=dept,
                                             indicator__project__code=project, indicator__code=indicator,
                                             status=workflow.stage(workflow.ADJUSTMENT).initial).exists():
            raise Denied("该指标已有待审核的调整申请", where)
        row = m.Indicator.objects.get(project__department_year__department=dept, project__department_year__year=year,
                                      project__code=project, code=indicator)
        original = ind.target_text if field == "target_text" else ind.weight
        adj = m.TargetAdjustment.objects.create(indicator=row, field=field, original=str(original or ""),
                                                adjusted=value, reason=reason.strip(), requested_by=actor.name)
        history.record(who=actor.name, department=code, year=year, label="budget.targetadjustment",
                       object_id=adj.pk, version=adj.version, key=f"{code}/{year}/项目/{project}/指标/{indicator}",
                       name=ind.name, field=f"{FIELDS[field]}调整申请", before=original, after=value,
                       reason=reason.strip())
    return adj


def decide_adjustment(actor: Actor, adjustment_id: int, action: str, comment: str = "",
                      version: int | None = None) -> m.TargetAdjustment:
    """Approve or reject a pending adjustment; approval applies the adjusted value."""
    with transaction.atomic():
        adj = (m.TargetAdjustment.objects.select_for_update(of=("self",))
               .select_related("indicator__project__department_year__department").filter(pk=adjustment_id).first())
        if adj is None:
            raise NotFound("未找到该目标调整申请", str(adjustment_id))
        ind_row = adj.indicator
        assert ind_row.project is not None
        year_row = ind_row.project.department_year
        code, year = year_row.department.code, year_row.year
        dept = department(actor, code, "view")
        dy = locked_year(actor, code, year, "view")
        where = f"项目 {ind_row.project.code} / 指标 {ind_row.code} 目标调整"
        if version is not None and version != adj.version:
            raise Denied("该调整申请已被处理，请刷新", where)
        t, problems = workflow.check_action(adj.status, action, actor.roles_in(dept), comment, where,
                                            workflow.ADJUSTMENT)
        hard = [p for p in problems if p.field in ("状态", "角色")]
        if hard:
            raise Denied("；".join(p.message for p in hard), where)
        if problems:
            raise InputError(problems)
        if t.target == "已批准":
            ind = find(dy, Ref("indicator", ind_row.project.code, ind_row.code))
            if adj.field == "target_text":
                if ind.original_target_text is None:
                    ind.original_target_text = ind.target_text
                ind.target_text = adj.adjusted
            else:
                ind.weight = Decimal(adj.adjusted)
            save_department_year(dy, who=actor.name, reason=f"目标调整批准：{adj.reason}")
        before = adj.status
        adj.status, adj.decided_by, adj.decided_at = t.target, actor.name, timezone.now()
        adj.decision_comment = comment.strip()
        adj.version += 1
        adj.save()
        history.record(who=actor.name, department=code, year=year, label="budget.targetadjustment",
                       object_id=adj.pk, version=adj.version,
                       key=f"{code}/{year}/项目/{ind_row.project.code}/指标/{ind_row.code}",
                       name=ind_row.name, field="status", before=before, after=t.target, reason=comment.strip())
    return adj


def pending_adjustments(year_row: m.DepartmentYear) -> list[m.TargetAdjustment]:
    return list(m.TargetAdjustment.objects.filter(indicator__project__department_year=year_row, status="待审核")
                .select_related("indicator__project"))
