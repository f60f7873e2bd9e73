"""Monitoring pages (绩效运行监控): one department's checkpoint with its warnings and a chart of
execution against time progress per project, and the finance bureau's warnings across the
departments under it. Access goes through ``jixiao.web.access`` like every other page."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core.display import fmt_pct_number
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DepartmentYear
from jixiao.core.monitoring import (
    MonitoringReport, MonitoringRules, assess_department, department_submission_problems, load_monitoring_rules,
    report_to_dict, severity,
)
from jixiao.web import access
from jixiao.web.presenters import problem_rows
from jixiao.web.views.common import page_context, problems_response

LEVEL_COLORS = {"green": "#2e7d32", "yellow": "#e0a100", "red": "#c62828"}
LEVEL_CLASSES = {"green": "status s-已审核", "yellow": "status s-已提交", "red": "badge"}


def _month(request, rules: MonitoringRules) -> int:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return rules.cutoff_month
    if not raw.isdigit() or not 1 <= int(raw) <= 12:
        raise InputError([Problem("month", f"截止月份应为 1～12 的整数，实际为「{raw}」", "截止月份")])
    return int(raw)


def _history(row: m.DepartmentYear, rules: MonitoringRules) -> list[DepartmentYear]:
    earlier = row.department.years.filter(year__lt=row.year).order_by("-year").values_list("year", flat=True)
    return [load_department_year(row.department.code, y) for y in earlier[: rules.history_years]]


def _assess(row: m.DepartmentYear, month: int, rules: MonitoringRules) -> tuple[DepartmentYear, MonitoringReport]:
    dy = load_department_year(row.department.code, row.year)
    return dy, assess_department(dy, month, rules, _history(row, rules))


def _number(fraction) -> float | None:
    # ECharts wants numbers; the value is the displayed (rounded) one, so chart and table agree
    return None if fraction is None else float(fmt_pct_number(fraction, 1))


def progress_chart(report: MonitoringReport, rules: MonitoringRules, animation: bool) -> dict:
    """Execution progress per project (bars coloured by warning level), the projected full-year
    rate, and the time progress and yellow-band lines."""
    t = _number(report.time_progress)
    band = report.time_progress - rules.yellow_band
    return {
        "animation": animation,
        "title": {"text": f"1-{report.month}月各项目执行进度与序时进度（%）", "left": "center",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": ["执行进度", "预计全年执行率"]},
        "grid": {"left": 50, "right": 120, "top": 50, "bottom": 60},
        "xAxis": {"type": "category", "data": [p.code for p in report.projects], "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {
                "type": "bar", "name": "执行进度", "itemStyle": {"color": "#888"},  # legend swatch; bars take their level colour
                "data": [{"value": _number(p.execution_progress), "name": p.name,
                          "itemStyle": {"color": LEVEL_COLORS[p.level]}} for p in report.projects],
                "markLine": {
                    "symbol": "none",
                    "data": [
                        {"yAxis": t, "name": "序时进度", "label": {"formatter": f"序时进度 {t}%"}},
                        {"yAxis": _number(band), "name": "红色预警线",
                         "label": {"formatter": f"红色预警线 {_number(band)}%"}},
                    ],
                    "lineStyle": {"type": "dashed", "color": "#555"},
                },
            },
            {"type": "scatter", "name": "预计全年执行率", "symbolSize": 9,
             "data": [_number(p.forecast.rate) for p in report.projects]},
        ],
    }


@login_required
def department_monitoring(request, code: str, year: int):
    row = access.get_year_or_404(request.user, code, year)
    rules = load_monitoring_rules()
    context = page_context(request, row, months=range(1, 13), level_classes=LEVEL_CLASSES)
    try:
        month = _month(request, rules)
        dy, report = _assess(row, month, rules)
    except InputError as exc:
        return problems_response(request, exc, context=context)
    blocking = department_submission_problems(dy, report)
    context.update(
        report=report_to_dict(report), month=month,
        charts={"chart-monitoring": progress_chart(report, rules, not settings.TESTING)},
        blocking=problem_rows(blocking),
    )
    return render(request, "web/monitoring.html", context)


def _under(bureau: m.Department, user) -> list[m.Department]:
    """Departments below ``bureau`` that ``user`` may see."""
    visible = {d.id: d for d in access.visible_departments(user)}
    parents = dict(m.Department.objects.values_list("id", "parent_id"))

    def below(pk: int) -> bool:
        seen = set()
        up = parents.get(pk)
        while up is not None and up not in seen:
            if up == bureau.id:
                return True
            seen.add(up)
            up = parents.get(up)
        return False

    return sorted((d for pk, d in visible.items() if below(pk)), key=lambda d: d.code)


@login_required
def bureau_monitoring(request, code: str, year: int):
    bureau = access.get_department_or_404(request.user, code, permission="review")
    rules = load_monitoring_rules()
    try:
        month = _month(request, rules)
    except InputError as exc:
        return problems_response(request, exc, context={"bureau": bureau, "year": year})
    rows, warnings = [], []
    for d in _under(bureau, request.user):
        row = m.DepartmentYear.objects.filter(department=d, year=year).select_related("department").first()
        if row is None:
            continue
        try:
            _, report = _assess(row, month, rules)
        except InputError as exc:
            rows.append({"department": d, "error": str(exc)})
            continue
        data = report_to_dict(report)
        rows.append({"department": d, "report": data})
        warnings.extend({"department": d, **w} for w in data["warnings"])
    warnings.sort(key=lambda w: -severity(w["level"]))
    return render(request, "web/monitoring_bureau.html", {
        "bureau": bureau, "year": year, "month": month, "months": range(1, 13), "rows": rows,
        "warnings": warnings, "level_classes": LEVEL_CLASSES,
    })
