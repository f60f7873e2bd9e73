"""目标调整一览: every target adjustment of a department-year, the original and the adjusted value
side by side with the reason and the decision, the steps the user may take on each, and the
projects whose approved goals can be adjusted (each indicator's "申请调整" is on its project page).

Requests and decisions are ``services.adjustments``; the decision forms post to the project
views' ``adjust_decide``, which shows the project with the adjusted target afterwards.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jixiao.budget import models as m
from jixiao.core import workflow
from jixiao.core.model import ADJUSTMENT_STATUSES
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.web import access, presenters
from jixiao.web.data import scored
from jixiao.web.views.common import Request, page_context


@login_required
@require_GET
def overview(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    dy = scored(row).dy
    actor = actor_for(request.user)
    adjustments = (m.TargetAdjustment.objects.filter(indicator__project__department_year=row)
                   .select_related("indicator__project").order_by("-requested_at", "-id"))
    status = request.GET.get("status", "")
    if status in ADJUSTMENT_STATUSES:
        adjustments = adjustments.filter(status=status)
    rows = []
    for a in adjustments:
        ind = a.indicator
        original_label = presenters.target_label(a.original, ind.unit)[0] if a.field == "target_text" else ""
        adjusted_label = presenters.target_label(a.adjusted, ind.unit)[0] if a.field == "target_text" else ""
        rows.append({"adj": a, "project": ind.project, "original_label": original_label,
                     "adjusted_label": adjusted_label,
                     "actions": flow.actions(actor, row.department, a.status, workflow.ADJUSTMENT)})
    frozen = workflow.stage(workflow.GOALS).frozen_statuses
    return render(request, "web/goals/adjustments.html", page_context(
        request, row, rows=rows, status=status, statuses=ADJUSTMENT_STATUSES,
        adjustable=[p for p in dy.projects if p.goal_status in frozen],
        may_request=workflow.may(actor.roles_in(row.department), "adjust") and not workflow.locked(dy.status)))
