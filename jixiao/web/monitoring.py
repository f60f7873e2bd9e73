"""Monitoring pages (绩效运行监控): one department's checkpoint with its warnings, a chart of
execution against time progress per project and each project's monitoring report of that month
with its review steps (submit, return, approve: ``jixiao.services.workflow``), the form of one
project's 监控表 (execution to date, goal progress, each indicator's progress, likelihood, causes
and 纠偏措施; saved by ``jixiao.services.records.fill_checkpoint``), and the finance bureau's
warnings across the departments under it. Every red "须填写纠偏措施" links to the field that
clears it. Access goes through ``jixiao.web.access`` like every other page."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_pct_number
from jixiao.core.editing import refusal
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DEVIATION_CAUSES, LIKELIHOODS, DepartmentYear, IndicatorProgress
from jixiao.core.monitoring import (
    MonitoringReport,
    MonitoringRules,
    load_monitoring_rules,
    report_to_dict,
    severity,
    submission_problems,
)
from jixiao.core.monitoring.assessment import checkpoint_at
from jixiao.core.workflow import may
from jixiao.services import evidence, monitoring, records
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.scope import DENIED
from jixiao.web import access
from jixiao.web.presenters import problem_rows
from jixiao.web.views.common import Request, page_context, posted_version, problems_response, refused, service_call
from jixiao.web.views.evidence import evidence_url

LEVEL_COLORS = {"green": "#2e7d32", "yellow": "#e0a100", "red": "#c62828"}
LEVEL_CLASSES = {"green": "status s-已审核", "yellow": "status s-已提交", "red": "badge"}


def _month(request: Request, rules: MonitoringRules) -> int:
    raw = request.GET.get("month", "").strip()
    if not raw:
        return rules.cutoff_month
    if not raw.isdigit() or not 1 <= int(raw) <= 12:
        raise InputError([Problem("month", f"截止月份应为 1～12 的整数，实际为「{raw}」", "截止月份")])
    return int(raw)


def _assess(row: m.DepartmentYear, month: int, rules: MonitoringRules) -> tuple[DepartmentYear, MonitoringReport]:
    dy = load_department_year(row.department.code, row.year)
    return dy, monitoring.assess(dy, month, rules)


def _number(fraction: Decimal | None) -> float | None:
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
                # the series colour is the legend swatch; each bar takes its level's colour
                "type": "bar", "name": "执行进度", "itemStyle": {"color": "#888"},
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


def _checkpoints(request: Request, row: m.DepartmentYear, dy: DepartmentYear, month: int) -> list[dict]:
    """Each project's monitoring report of ``month``: its state and the steps the user may take."""
    actor = actor_for(request.user)
    year_locked = workflow.locked(dy.status)
    out = []
    for p in dy.projects:
        cp = next((c for c in p.checkpoints if c.month == month), None)
        out.append({
            "code": p.code, "name": p.name, "checkpoint": cp,
            "status": cp.status if cp is not None else "未填报",
            "editable": cp is not None and not refusal(dy, Ref("checkpoint", p.code, str(month)), "measures"),
            "actions": [] if cp is None or year_locked else flow.actions(actor, row.department, cp.status,
                                                                          workflow.MONITORING),
        })
    return out


def _monitoring_page(request: Request, row: m.DepartmentYear, month: int | None = None,
                     **extra: Any) -> HttpResponse:
    rules = load_monitoring_rules()
    context = page_context(request, row, months=range(1, 13), level_classes=LEVEL_CLASSES,
                           stage_label=workflow.stage(workflow.MONITORING).label)
    try:
        month = _month(request, rules) if month is None else month
        dy, report = _assess(row, month, rules)
    except InputError as exc:
        return problems_response(request, exc, context=context)
    # each blocker with the form field that clears it (per project: the same check as the form's)
    blocking = [{**problem_rows([b])[0], "url": checkpoint_url(row.department.code, row.year, p.code, month,
                                                              _blocker_anchor(b))}
                for p in dy.projects if (cp := checkpoint_at(p, month)) is not None
                for b in submission_problems(cp, report.project(p.code))]
    context.update(
        report=report_to_dict(report), month=month,
        charts={"chart-monitoring": progress_chart(report, rules, bool(settings.JIXIAO_CHART_ANIMATION))},
        blocking=blocking, checkpoints=_checkpoints(request, row, dy, month), **extra,
    )
    return render(request, "web/monitoring.html", context)


@login_required
def department_monitoring(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    return _monitoring_page(request, row)


@login_required
@require_POST
def checkpoint_action(request: Request, code: str, year: int, pcode: str, month: int) -> HttpResponse:
    """A review step of one project's monitoring report of ``month``."""
    row = access.get_year_or_404(request.user, code, year)
    ref = Ref("checkpoint", pcode, str(month))
    moved, exc = service_call(flow.transition, actor_for(request.user), code, year, ref,
                              request.POST.get("action", ""), request.POST.get("comment", ""),
                              stage=workflow.MONITORING, version=posted_version(request))
    if exc is not None:
        row.refresh_from_db()
        # the form itself: its blockers link to the fields that clear them
        return refused(request, exc, lambda extra: _checkpoint_page(request, row, pcode, month, **extra))
    messages.success(request, f"{ref.path()}：已由「{moved.before}」改为「{moved.status}」")
    return redirect(reverse("web:monitoring", args=[code, year]) + f"?month={month}")


def _under(bureau: m.Department, user: Any) -> list[m.Department]:
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
def bureau_monitoring(request: Request, code: str, year: int) -> HttpResponse:
    bureau = access.get_department_or_404(request.user, code, permission="review")
    rules = load_monitoring_rules()
    try:
        month = _month(request, rules)
    except InputError as exc:
        return problems_response(request, exc, context={"bureau": bureau, "year": year})
    rows: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
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


# ---------------------------------------------------------------------------------------------
# One project's 监控表 of a month


def checkpoint_url(code: str, year: int, pcode: str, month: int, anchor: str = "") -> str:
    """The form of project ``pcode``'s 监控表 of ``month``; ``anchor``: the field to jump to."""
    url = reverse("web:checkpoint_form", args=[code, year, pcode, month])
    return f"{url}#{anchor}" if anchor else url


def measures_anchor(indicator: str | None) -> str:
    """The id of the 纠偏措施 field of an indicator's line, or of the funds block (None)."""
    return f"measures-{indicator}" if indicator else "measures-funds"


def _field_errors(exc: InputError) -> dict[str, str]:
    """Problems by the form field they concern ("measures", "B01-I1.likelihood", "executed" …)."""
    out: dict[str, str] = {}
    for p in exc.problems:
        head, _, name = p.location.rpartition(".")
        _, sep, code = head.rpartition("指标 ")
        key = f"{code}.{name}" if sep else name
        out[key] = f"{out[key]}；{p.message}" if key in out else p.message
    return out


def _posted(request: Request, codes: list[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]], str]:
    values: dict[str, Any] = {"goal_progress": request.POST.get("goal_progress", ""),
                              "expected_executed": request.POST.get("expected_executed", ""),
                              "causes": request.POST.getlist("causes"), "measures": request.POST.get("measures", "")}
    progress = {}
    for code in codes:
        if f"{code}.likelihood" not in request.POST:
            continue  # an indicator the form did not show (added since): leave its line alone
        line: dict[str, Any] = {n: request.POST.get(f"{code}.{n}", "") for n in records.PROGRESS_FIELDS
                                if n != "causes"}
        line["causes"] = request.POST.getlist(f"{code}.causes")
        progress[code] = line
    return values, progress, request.POST.get("executed", "")


def _checkpoint_page(request: Request, row: m.DepartmentYear, pcode: str, month: int, status: int = 200,
                     posted: tuple[dict, dict, str] | None = None, errors: dict[str, str] | None = None,
                     **extra: Any) -> HttpResponse:
    rules = load_monitoring_rules()
    dy, report = _assess(row, month, rules)
    try:
        project = dy.project(pcode)
    except KeyError:
        raise Http404("未找到该项目") from None
    assessed = report.project(pcode)
    data = report_to_dict(report)
    shown = next(p for p in data["projects"] if p["code"] == pcode)
    cp = next((c for c in project.checkpoints if c.month == month), None)
    errors = errors or {}
    values, progress, executed = posted or ({}, {}, None)
    lines = {ip.indicator: ip for ip in cp.indicators} if cp else {}
    by_code = {i.code: i for i in assessed.indicators}
    indicators = []
    for ind in project.indicators:
        ip = lines.get(ind.code) or IndicatorProgress(indicator=ind.code)
        typed = progress.get(ind.code, {})
        a = by_code.get(ind.code)
        indicators.append({
            "ind": ind, "level": a.level if a else "green", "reasons": a.reasons if a else [],
            "needs_measures": bool(a and a.needs_measures),
            **{n: typed.get(n, getattr(ip, n)) for n in records.PROGRESS_FIELDS},
            "errors": {n: errors.get(f"{ind.code}.{n}", "") for n in records.PROGRESS_FIELDS},
        })
    actor = actor_for(request.user)
    why = refusal(dy, Ref("checkpoint", pcode, str(month)), "measures" if cp else "")
    may_edit = may(actor.roles_in(row.department), "edit")
    blockers = (submission_problems(cp, assessed) if cp is not None else [])
    warnings = [{**w, "anchor": measures_anchor(w["indicator"])} for w in data["warnings"] if w["project"] == pcode]
    context = page_context(
        request, row, project=project, month=month, months=range(1, 13), checkpoint=cp, p=shown,
        report=data, indicators=indicators, warnings=warnings, level_classes=LEVEL_CLASSES,
        likelihoods=LIKELIHOODS, deviation_causes=DEVIATION_CAUSES,
        goal_progress=values.get("goal_progress", cp.goal_progress if cp else ""),
        expected_executed=values.get("expected_executed", "" if cp is None or cp.expected_executed is None
                                     else str(cp.expected_executed)),
        causes=values.get("causes", cp.causes if cp else []),
        measures=values.get("measures", cp.measures if cp else ""),
        executed=executed if executed is not None else str(assessed.executed_to_date),
        funds_needs_measures=assessed.funds_needs_measures, errors=errors,
        read_only="" if may_edit and not why else (why or DENIED["edit"]),
        blockers=[{"p": b, "anchor": _blocker_anchor(b)} for b in blockers],
        actions=[] if cp is None or workflow.locked(dy.status) else flow.actions(actor, row.department, cp.status,
                                                                                 workflow.MONITORING),
        stage_label=workflow.stage(workflow.MONITORING).label,
        evidence_link=evidence_url(row.department.code, row.year, Ref("checkpoint", pcode, str(month))),
        evidence_count=len(evidence.listing(row.department.code, row.year).get(Ref("checkpoint", pcode, str(month)),
                                                                              [])),
        **extra,
    )
    return render(request, "web/monitoring_checkpoint.html", context, status=status)


def _blocker_anchor(p: Problem) -> str:
    """The field that clears a submission blocker: its line's (located "…：指标 CODE") or the
    funds block's 纠偏措施; "" for blockers that are not about a missing measure."""
    if p.field != "纠偏措施":
        return ""
    _, sep, code = p.location.rpartition("：指标 ")
    return measures_anchor(code if sep else None)


@login_required
def checkpoint_form(request: Request, code: str, year: int, pcode: str, month: int) -> HttpResponse:
    """GET: the 监控表 of project ``pcode`` at the end of ``month`` (empty when not yet filled in);
    POST: save it (the first save creates it)."""
    row = access.get_year_or_404(request.user, code, year)
    if not 1 <= month <= 12:
        raise Http404("截止月份应为 1～12")
    if request.method != "POST":
        return _checkpoint_page(request, row, pcode, month)
    dy = load_department_year(code, year)
    try:
        codes = [i.code for i in dy.project(pcode).indicators]
    except KeyError:
        raise Http404("未找到该项目") from None
    posted = _posted(request, codes)
    values, progress, executed = posted
    edited, exc = service_call(records.fill_checkpoint, actor_for(request.user), code, year, pcode, month, values,
                               progress, posted_version(request), executed_to_date=executed)
    row.refresh_from_db()
    if isinstance(exc, InputError):
        return _checkpoint_page(request, row, pcode, month, 400, posted, _field_errors(exc),
                                problems=problem_rows(exc.problems))
    if exc is not None:
        return refused(request, exc, lambda extra: _checkpoint_page(request, row, pcode, month, 200, posted, **extra))
    messages.success(request, f"项目 {pcode} {month} 月监控表已保存" if edited.changed
                     else f"项目 {pcode} {month} 月监控表未变化")
    return redirect(checkpoint_url(code, year, pcode, month))
