"""Charts of one department-year (ECharts, served from this site): execution progress against
time progress, grade distribution of the projects, indicator completion, and year over year."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from jixiao.budget import models as m
from jixiao.core.display import fmt_value
from jixiao.core.errors import InputError
from jixiao.core.results import DepartmentResult
from jixiao.web import presenters
from jixiao.web.data import Scored, scored
from jixiao.web.views.common import Request, page_context, scored_year_page


@scored_year_page
def dashboard(request: Request, row: m.DepartmentYear, data: Scored) -> HttpResponse:
    animation = bool(settings.JIXIAO_CHART_ANIMATION)
    monthly: dict[int, Decimal] = {}
    project_budget = Decimal(0)
    for p in data.dy.projects:
        project_budget += p.budget or Decimal(0)  # a blank budget adds nothing
        for month, amount in p.monthly_executed.items():
            monthly[month] = monthly.get(month, Decimal(0)) + amount
    completion = {"animation": animation, **_completion(data.result)}
    charts = {
        "chart-progress": presenters.progress_chart(project_budget, monthly, animation),
        "chart-grades": presenters.grade_chart(
            presenters.grade_counts([p.grade for p in data.result.projects]), "项目自评等级分布", animation),
        "chart-completion": completion,
    }
    history = _years(request, row)
    if len(history["xAxis"]["data"]) > 1:
        charts["chart-years"] = {"animation": animation, **history}
    return render(request, "web/dashboard.html", page_context(request, row, charts=charts))


def _completion(result: DepartmentResult) -> dict:
    """Share of each project's indicator points earned, as a horizontal bar per project."""
    names: list[str] = []
    shares: list[float] = []
    for p in result.projects:
        weight = sum((i.weight for i in p.indicators if i.weight is not None), Decimal(0))
        got = sum((i.score for i in p.indicators if i.score is not None), Decimal(0))
        names.append(p.code)
        shares.append(float(fmt_value(got / weight * 100, 1)) if weight else 0)
    return {
        "title": {"text": "各项目指标完成度（%）", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 30},
        "xAxis": {"type": "value", "max": 100},
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [{"type": "bar", "name": "完成度", "data": shares}],
    }


def _years(request: Request, row: m.DepartmentYear) -> dict:
    """Year-over-year self-scores, where earlier years are stored."""
    years: list[str] = []
    totals: list[float | None] = []
    rates: list[float | None] = []
    for other in row.department.years.order_by("year"):
        try:
            res = scored(other).result
        except InputError:
            continue
        years.append(f"{other.year}年")
        totals.append(float(fmt_value(res.total, 2)) if res.total is not None else None)
        rates.append(float(fmt_value(res.execution.rate * 100, 1)) if res.execution.rate is not None else None)
    return {
        "title": {"text": "历年自评得分与执行率", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": ["自评得分", "执行率（%）"]},
        "grid": {"left": 40, "right": 20, "top": 40, "bottom": 50, "containLabel": True},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "max": 100},
        "series": [{"type": "line", "name": "自评得分", "data": totals},
                   {"type": "line", "name": "执行率（%）", "data": rates}],
    }
