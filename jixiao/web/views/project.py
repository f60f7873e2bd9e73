"""The project page: the goals and their approval (绩效目标申报), the indicator tree with the
parsed target beside the typed one, in-place editing of actual values (htmx; every input carries
the version it was rendered at), the self-evaluation workflow, and 目标调整 of approved goals.

Every change goes to the application layer (``jixiao.services``); these views parse the form,
call it, and show its answer: the problems table, a refusal, or a conflict with the current data.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.core import model as core
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.editing import refusal
from jixiao.core.errors import InputError, Problem
from jixiao.core.results import ProjectResult
from jixiao.core.workflow import may
from jixiao.services import adjustments, records, reviews
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.history import object_key
from jixiao.services.scope import DENIED
from jixiao.web import access, presenters
from jixiao.web.data import Scored, scored_project
from jixiao.web.views.common import (
    Request,
    department_url,
    page_context,
    posted_version,
    problems_response,
    refused,
    service_call,
)
from jixiao.web.views.home import return_comments

# The stages whose steps a project page takes; the self-evaluation is the default.
PROJECT_STAGES = (workflow.SELF_EVALUATION, workflow.GOALS)


def _indicator_rows(data: Scored, p: core.Project, pr: ProjectResult) -> list[dict]:
    """The indicator table, formatted once per scored version of the year (the same for every
    user; what a user may do with a row is added per request)."""
    code, year = data.row.department.code, data.row.year
    findings: dict[str, list[str]] = {}
    for f in data.findings():
        if f.project == p.code and f.indicator:
            findings.setdefault(f.indicator, []).append(f"{f.message}（{f.code}）")
    out = []
    for ind, res in zip(p.indicators, pr.indicators, strict=True):
        label, ok = presenters.target_label(ind.target_text, ind.unit)
        feed_label, feed_url = "", None
        if ind.feed:
            feed_label, page = presenters.feed_source(ind.feed)
            feed_url = department_url(page, code, year) if page else None
        out.append({
            "ind": ind, "res": res, "parsed": label, "parsed_ok": ok,
            "score": fmt_score(res.score), "weight": fmt_score(ind.weight),
            "feed_label": feed_label, "feed_url": feed_url, "findings": findings.get(ind.code, []),
        })
    return out


def project_context(request: Request, row: m.DepartmentYear, code: str, **extra: Any) -> dict:
    data = scored_project(row, code)
    try:
        p = data.dy.project(code)
    except KeyError:
        raise Http404("未找到该项目") from None
    pr = next(r for r in data.result.projects if r.code == code)
    actor = actor_for(request.user)
    department = row.department
    roles = actor.roles_in(department)
    year_locked = workflow.locked(data.dy.status)
    may_edit = may(roles, "edit")
    review = reviews.latest_reviews(row).get(code)
    review_items = {it.indicator_code: fmt_score(it.score) for it in review.items.all()} if review else {}
    adjustments_here = list(
        m.TargetAdjustment.objects.filter(indicator__project__department_year=row, indicator__project__code=code)
        .select_related("indicator").order_by("-requested_at", "-id"))
    pending_stage = workflow.stage(workflow.ADJUSTMENT).initial
    pending = {a.indicator.code for a in adjustments_here if a.status == pending_stage}
    adjustable = (p.goal_status in workflow.stage(workflow.GOALS).frozen_statuses and may(roles, "adjust")
                  and not year_locked and not workflow.locked(p.status))
    indicators = []
    read_only = "" if may_edit else DENIED["edit"]
    for r in data.memo(f"project_indicators/{code}", lambda: _indicator_rows(data, p, pr)):
        why = refusal(data.dy, Ref("indicator", code, r["ind"].code), "actual_text")
        if why and not read_only:
            read_only = why
        indicators.append({**r, "editable": may_edit and not why and not r["ind"].feed,
                           "pending": r["ind"].code in pending, "review": review_items.get(r["ind"].code, "")})
    key = object_key(department.code, row.year, Ref("project", code))
    return page_context(
        request, row, project=p, pr=pr, indicators=indicators, read_only=read_only,
        adjustable=adjustable, adjust_fields=adjustments.FIELDS,
        adjustments=[{"adj": a, "actions": flow.actions(actor, department, a.status, workflow.ADJUSTMENT)}
                     for a in adjustments_here],
        total=fmt_score(pr.total), exec_rate=fmt_rate(pr.execution.rate),
        exec_score=fmt_score(pr.execution.score),
        budget=presenters.amount(pr.budget), executed=presenters.amount(pr.executed),
        funds=[(f.fund_source, presenters.amount(f.budget), presenters.amount(f.executed)) for f in p.funds],
        year_locked=year_locked,
        actions=[] if year_locked else flow.actions(actor, department, p.status),
        goal_actions=[] if year_locked else flow.actions(actor, department, p.goal_status, workflow.GOALS),
        stages={s: workflow.stage(s).label for s in PROJECT_STAGES},
        return_comment=return_comments(row).get(key),
        review=review, review_score=fmt_score(review.score) if review else "",
        history_key=key, chart=presenters.completion_chart(pr, animation=bool(settings.JIXIAO_CHART_ANIMATION)),
        money_unit=data.dy.money_unit, **extra,
    )


def _page(request: Request, row: m.DepartmentYear, code: str, template: str = "web/project.html",
          **extra: Any) -> HttpResponse:
    return render(request, template, project_context(request, row, code, **extra))


@login_required
def detail(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    try:
        ctx = project_context(request, row, pcode)
    except InputError as exc:
        return problems_response(request, exc, context=page_context(request, row), status=200)
    return render(request, "web/project.html", ctx)


@login_required
@require_POST
def edit_actual(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    """An indicator's 实际完成值, based on the version the form was rendered at. A blank or an
    unreadable value is stored and shows up as a quality finding; a stale version is a conflict."""
    row = access.get_year_or_404(request.user, code, year)
    text = request.POST.get("actual", "")
    edited, exc = service_call(records.set_actual, actor_for(request.user), code, year, pcode, icode, text,
                               posted_version(request))
    row.refresh_from_db()
    template = "web/_project_body.html" if request.htmx else "web/project.html"
    if exc is not None:
        return refused(request, exc, lambda extra: _page(request, row, pcode, template, **extra),
                       attempted=text.strip())
    saved = f"{icode} 实际完成值已保存" if edited.changed else f"{icode} 实际完成值未变化"
    if request.htmx:
        return _page(request, row, pcode, template, saved=saved)
    messages.success(request, saved)
    return redirect("web:project", code, year, pcode)


@login_required
@require_POST
def project_action(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    """A step of the project's self-evaluation or, with ``stage=goals``, of its goals."""
    row = access.get_year_or_404(request.user, code, year)
    stage = request.POST.get("stage") or workflow.SELF_EVALUATION
    if stage not in PROJECT_STAGES:
        return problems_response(request, InputError([Problem("stage", f"未知的流程阶段「{stage}」", "阶段")]))
    moved, exc = service_call(flow.transition, actor_for(request.user), code, year, Ref("project", pcode),
                              request.POST.get("action", ""), request.POST.get("comment", ""), stage=stage,
                              version=posted_version(request))
    if exc is not None:
        row.refresh_from_db()
        return refused(request, exc, lambda extra: _page(request, row, pcode, **extra))
    messages.success(request, f"{workflow.stage(stage).label}：已由「{moved.before}」改为「{moved.status}」")
    return redirect("web:project", code, year, pcode)


@login_required
@require_POST
def adjust_request(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    """Request a 目标调整 of an approved indicator's target or weight."""
    row = access.get_year_or_404(request.user, code, year)
    _, exc = service_call(adjustments.request_adjustment, actor_for(request.user), code, year, pcode, icode,
                          request.POST.get("field", ""), request.POST.get("value", ""),
                          request.POST.get("reason", ""))
    if exc is not None:
        return refused(request, exc, lambda extra: _page(request, row, pcode, **extra))
    messages.success(request, f"已提交 {icode} 的目标调整申请，待审核；批准前仍按原指标值评价")
    return redirect("web:project", code, year, pcode)


@login_required
@require_POST
def adjust_decide(request: Request, code: str, year: int, adjustment: int) -> HttpResponse:
    """Approve or reject a pending 目标调整."""
    row = access.get_year_or_404(request.user, code, year)
    adj = (m.TargetAdjustment.objects.filter(pk=adjustment, indicator__project__department_year=row)
           .select_related("indicator__project").first())
    if adj is None:
        raise Http404("未找到该目标调整申请")
    project = adj.indicator.project
    if project is None:  # a department-level indicator: no goals to adjust
        raise Http404("未找到该目标调整申请")
    pcode = project.code
    decided, exc = service_call(adjustments.decide_adjustment, actor_for(request.user), adj.pk,
                                request.POST.get("action", ""), request.POST.get("comment", ""),
                                posted_version(request))
    if exc is not None:
        row.refresh_from_db()
        return refused(request, exc, lambda extra: _page(request, row, pcode, **extra))
    messages.success(request, f"{adj.indicator.code} 的目标调整：{decided.status}")
    return redirect("web:project", code, year, pcode)
