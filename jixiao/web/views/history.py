"""Change history of a department-year or one record in it: who, when, field, before, after."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

from jixiao.budget import models as m
from jixiao.web import access
from jixiao.web.views.common import Request, page_context

PAGE_SIZE = 100

# Field names as stored (dataclass attribute names) → what users call them.
FIELD_LABELS = {
    "actual_text": "实际完成值", "status": "状态", "target_text": "年度指标值", "weight": "分值",
    "name": "名称", "budget": "全年预算数", "executed": "全年执行数", "goal": "年度总体目标",
    "goal_actual": "实际完成情况", "achievement": "完成情况", "deviation_reason": "偏差原因",
    "execution_explanation": "执行率偏低原因", "funds": "资金", "（新建）": "新建", "（新增）": "新增",
    "（删除）": "删除", "goal_status": "目标申报状态", "problems": "存在的主要问题",
    "original_target_text": "原指标值（调整前）",
}


@login_required
def history(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year, permission="history")
    logs = m.ChangeLog.objects.filter(department=code).filter(Q(year=year) | Q(year__isnull=True))
    key = request.GET.get("key", "").strip()
    if key:
        logs = logs.filter(Q(object_key=key) | Q(object_key__startswith=key + "/"))
    page = Paginator(logs.order_by("-when", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [{"log": log, "field": FIELD_LABELS.get(log.field, log.field)} for log in page]
    return render(request, "web/history.html", page_context(request, row, page=page, entries=entries, key=key))
