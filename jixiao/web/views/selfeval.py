"""绩效自评 in the browser: the pages where the people who enter the data write the year-end result.

- the department's page (``selfeval``): its own indicators (部门整体指标) with actual values and
  deviation reasons, every narrative section of the report (工作任务, 绩效管理情况, 主要成效, 存在问题,
  改进措施, 执行率偏低原因 …) and, for each section the report would mark 【待补充】, a link to its
  field; and the projects with their state;
- a project's page (``selfeval_project``): each indicator's 实际完成值 and 偏差原因分析及改进措施 in
  one row (htmx; Enter saves), the quality findings of the row linking to the field that clears
  them, 执行率偏低原因 and the project's own narratives, and the completion chart, which reloads
  after every save (``HX-Trigger: selfeval-saved``).

A value the value rules refuse (``jixiao.core.values``) is shown next to the field; one they
question is asked there ("是否为 96%？") with two answers: keep it (resubmitted with ``confirm=1``)
or take the suggested value. Every save goes to ``jixiao.services.records``.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jixiao.budget import models as m
from jixiao.core import model as core
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.drafting import TODO, is_placeholder
from jixiao.core.editing import refusal
from jixiao.core.errors import InputError
from jixiao.core.quality import QualityFinding
from jixiao.core.results import IndicatorResult
from jixiao.core.values import Unconfirmed
from jixiao.core.workflow import may
from jixiao.services import evidence, records
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.errors import Conflict, ServiceError
from jixiao.services.scope import DENIED
from jixiao.web import access, presenters
from jixiao.web.data import Scored, scored, scored_project
from jixiao.web.views.common import Request, page_context, posted_version, problems_response, service_call
from jixiao.web.views.evidence import evidence_url

SAVED_EVENT = "selfeval-saved"  # htmx event: the parts that depend on the scores reload
# The narrative sections, in the order of the report, with the name the report gives them.
YEAR_TEXTS = ("work_tasks", "management", "goal", "goal_actual", "achievements", "problems", "measures",
              "execution_explanation")
PROJECT_TEXTS = ("goal_actual", "execution_explanation", "problems", "measures")
# Where a quality finding's field is typed on these pages: the anchor of its input.
ROW_FIELDS = {"实际完成值": "actual", "偏差原因分析及改进措施": "reason"}
TEXT_FIELDS = {"执行率偏低原因说明": "text-execution_explanation"}


def _label(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def _texts(obj: Any, names: tuple[str, ...], model: type[models.Model], extra: dict) -> list[dict]:
    """The narrative fields; after a refused save, what the user typed and the message per field."""
    typed: dict[str, str] = extra.pop("text_values", None) or {}
    errors: dict[str, str] = extra.pop("text_errors", None) or {}
    return [{"name": n, "label": _label(model, n), "value": typed.get(n, getattr(obj, n)), "anchor": f"text-{n}",
             "todo": is_placeholder(getattr(obj, n)), "error": errors.get(n, "")} for n in names]


def _finding_rows(findings: list[QualityFinding], code: str) -> list[dict]:
    return [{"f": f, "anchor": f"{ROW_FIELDS[f.field]}-{code}" if f.field in ROW_FIELDS else None}
            for f in findings]


def indicator_row(data: Scored, project: str, ind: core.Indicator, res: IndicatorResult, may_edit: bool,
                  files: dict[Ref, list] | None = None, **state: Any) -> dict:
    """One indicator's row: its target, values, score and findings, its 佐证材料 (``files``: the
    department-year's, by record), and what the user may do."""
    ref = Ref("indicator", project, ind.code)
    code, year = data.row.department.code, data.row.year
    files = evidence.listing(code, year) if files is None else files
    findings = [f for f in data.findings() if (f.project or "") == project and f.indicator == ind.code]
    why = refusal(data.dy, Ref("indicator", project, ind.code), "actual_text")
    label, ok = presenters.target_label(ind.target_text, ind.unit)
    feed_label = presenters.feed_source(ind.feed)[0] if ind.feed else ""
    return {
        "ind": ind, "res": res, "project": project, "parsed": label, "parsed_ok": ok,
        "score": fmt_score(res.score), "weight": fmt_score(ind.weight), "feed_label": feed_label,
        "editable": may_edit and not why and not ind.feed, "refusal": why,
        "findings": _finding_rows(findings, ind.code), "evidence": len(files.get(ref, [])),
        "evidence_url": evidence_url(code, year, ref), **state,
    }


def _project_of(data: Scored, pcode: str) -> tuple[core.Project, Any]:
    try:
        p = data.dy.project(pcode)
    except KeyError:
        raise Http404("未找到该项目") from None
    return p, next(r for r in data.result.projects if r.code == pcode)


def _pairs(data: Scored, pcode: str) -> list[tuple[core.Indicator, IndicatorResult]]:
    if not pcode:
        return list(zip(data.dy.indicators, data.result.indicators, strict=True))
    p, pr = _project_of(data, pcode)
    return list(zip(p.indicators, pr.indicators, strict=True))


def _rows(request: Request, data: Scored, pcode: str, states: dict[str, dict] | None = None) -> list[dict]:
    may_edit = may(actor_for(request.user).roles_in(data.row.department), "edit")
    states = states or {}
    files = evidence.listing(data.row.department.code, data.row.year)
    return [indicator_row(data, pcode, ind, res, may_edit, files, **states.get(ind.code, {}))
            for ind, res in _pairs(data, pcode)]


def _read_only(request: Request, data: Scored, rows: list[dict]) -> str:
    """Why the rows cannot be edited (the first reason), or ""."""
    if not may(actor_for(request.user).roles_in(data.row.department), "edit"):
        return DENIED["edit"]
    return next((r["refusal"] for r in rows if r["refusal"]), "")


def _summary(data: Scored, pcode: str) -> dict:
    """The figures that change with a save: the total, the grade and the completion chart."""
    if not pcode:
        res = data.result
        return {"total": fmt_score(res.total), "grade": res.grade or "—", "chart": None}
    _, pr = _project_of(data, pcode)
    return {"total": fmt_score(pr.total), "grade": pr.grade or "—",
            "chart": presenters.completion_chart(pr, animation=bool(settings.JIXIAO_CHART_ANIMATION))}


def _text_refusal(request: Request, data: Scored, ref: Ref, name: str) -> str | None:
    if not may(actor_for(request.user).roles_in(data.row.department), "edit"):
        return DENIED["edit"]
    return refusal(data.dy, ref, name)


def _department_context(request: Request, row: m.DepartmentYear, **extra: Any) -> dict:
    data = scored(row)
    actor = actor_for(request.user)
    texts = _texts(data.dy, YEAR_TEXTS, m.DepartmentYear, extra)
    projects = [{"p": p, "total": fmt_score(r.total), "grade": r.grade or "—",
                 "todo": sum(1 for f in data.findings() if f.project == p.code and f.severity == "错误")}
                for p, r in zip(data.dy.projects, data.result.projects, strict=True)]
    rows = _rows(request, data, "", extra.pop("states", None))
    return page_context(
        request, row, dy=data.dy, rows=rows, read_only=_read_only(request, data, rows), texts=texts,
        todos=[t for t in texts if t["todo"]], todo_mark=TODO, projects=projects,
        text_refusal=_text_refusal(request, data, Ref("year"), "work_tasks"),
        summary=_summary(data, ""), exec_rate=fmt_rate(data.result.execution.rate),
        actions=[] if workflow.locked(data.dy.status) else flow.actions(actor, row.department, data.dy.status),
        saved_event=SAVED_EVENT, pcode="", **extra,
    )


def _project_context(request: Request, row: m.DepartmentYear, pcode: str, **extra: Any) -> dict:
    data = scored_project(row, pcode)
    actor = actor_for(request.user)
    p, pr = _project_of(data, pcode)
    texts = _texts(p, PROJECT_TEXTS, m.Project, extra)
    own = [{"f": f, "anchor": TEXT_FIELDS.get(f.field)} for f in data.findings()
           if f.project == pcode and not f.indicator]
    rows = _rows(request, data, pcode, extra.pop("states", None))
    return page_context(
        request, row, dy=data.dy, project=p, pr=pr, rows=rows, read_only=_read_only(request, data, rows),
        texts=texts, todos=[t for t in texts if t["todo"]], todo_mark=TODO, project_findings=own,
        text_refusal=_text_refusal(request, data, Ref("project", pcode), "goal_actual"),
        summary=_summary(data, pcode), exec_rate=fmt_rate(pr.execution.rate),
        budget=presenters.amount(pr.budget), executed=presenters.amount(pr.executed),
        actions=[] if workflow.locked(data.dy.status) else flow.actions(actor, row.department, p.status),
        stage_label=workflow.stage(workflow.SELF_EVALUATION).label, saved_event=SAVED_EVENT, pcode=pcode,
        **extra,
    )


@login_required
def department(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    try:
        return render(request, "web/selfeval.html", _department_context(request, row))
    except InputError as exc:
        return problems_response(request, exc, context=page_context(request, row), status=200)


@login_required
def project(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    try:
        return render(request, "web/selfeval_project.html", _project_context(request, row, pcode))
    except InputError as exc:
        return problems_response(request, exc, context=page_context(request, row), status=200)


def _page_url(code: str, year: int, pcode: str) -> str:
    if pcode:
        return reverse("web:selfeval_project", args=[code, year, pcode])
    return reverse("web:selfeval", args=[code, year])


def _state(exc: InputError | ServiceError, actual: str, reason: str) -> dict:
    """What the row shows after a refused save: the messages, the question and what was typed."""
    state: dict[str, Any] = {"attempted": {"actual": actual, "reason": reason}}
    if isinstance(exc, Unconfirmed):
        state["questions"] = exc.questions
    elif isinstance(exc, InputError):
        state["errors"] = [p.message for p in exc.problems]
    else:
        state["errors"] = [exc.message]
    return state


def _save_indicator(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    actual = request.POST.get("actual", "")
    if request.POST.get("use") == "suggestion":
        actual = request.POST.get("suggestion", actual)
    reason = request.POST.get("reason", "")
    values: dict[str, Any] = {"actual_text": actual}
    if "reason" in request.POST:
        values["deviation_reason"] = reason
    edited, exc = service_call(records.edit_indicator, actor_for(request.user), code, year, pcode, icode, values,
                               posted_version(request), confirm=request.POST.get("confirm") == "1")
    row.refresh_from_db()
    if exc is not None:
        states = {icode: _state(exc, actual.strip(), reason.strip())}
        if request.htmx:
            return _row_response(request, row, pcode, icode, states[icode])
        context = (_project_context(request, row, pcode, states=states) if pcode
                   else _department_context(request, row, states=states))
        status = 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, ServiceError) else 400
        return render(request, "web/selfeval_project.html" if pcode else "web/selfeval.html", context, status=status)
    saved = f"{icode} 已保存" if edited.changed else f"{icode} 未变化"
    if request.htmx:
        response = _row_response(request, row, pcode, icode, {"saved": saved})
        response["HX-Trigger"] = SAVED_EVENT
        return response
    messages.success(request, saved)
    return redirect(_page_url(code, year, pcode) + f"#row-{icode}")


def _row_response(request: Request, row: m.DepartmentYear, pcode: str, icode: str, state: dict) -> HttpResponse:
    # a project's row needs its project scored, not the year (the summary reloads on its own)
    data = scored_project(row, pcode) if pcode else scored(row)
    found = next(((i, r) for i, r in _pairs(data, pcode) if i.code == icode), None)
    if found is None:
        raise Http404("未找到该指标")
    may_edit = may(actor_for(request.user).roles_in(row.department), "edit")
    r = indicator_row(data, pcode, found[0], found[1], may_edit, **state)
    return render(request, "web/_selfeval_row.html",
                  {"r": r, "department": row.department, "year": row.year, "pcode": pcode})


@login_required
@require_POST
def save_project_indicator(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    return _save_indicator(request, code, year, pcode, icode)


@login_required
@require_POST
def save_department_indicator(request: Request, code: str, year: int, icode: str) -> HttpResponse:
    return _save_indicator(request, code, year, "", icode)


def _save_texts(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    names = PROJECT_TEXTS if pcode else YEAR_TEXTS
    values = {n: request.POST[n] for n in names if n in request.POST}
    if pcode:
        edited, exc = service_call(records.edit_project, actor_for(request.user), code, year, pcode, values,
                                   posted_version(request))
    else:
        edited, exc = service_call(records.edit_year, actor_for(request.user), code, year, values,
                                   posted_version(request))
    row.refresh_from_db()
    if exc is not None:
        extra: dict[str, Any] = {"text_values": values}
        if isinstance(exc, InputError):
            extra["text_errors"] = {p.location.rpartition(".")[2]: p.message for p in exc.problems}
            status = 400
        else:
            extra["text_notice"] = exc.message
            status = 409 if isinstance(exc, Conflict) else 403
        context = (_project_context(request, row, pcode, **extra) if pcode
                   else _department_context(request, row, **extra))
        return render(request, "web/selfeval_project.html" if pcode else "web/selfeval.html", context, status=status)
    labels = "、".join(_label(m.Project if pcode else m.DepartmentYear, n) for n in edited.changed)
    messages.success(request, f"已保存：{labels}" if labels else "内容未变化")
    return redirect(_page_url(code, year, pcode) + "#texts")


@login_required
@require_POST
def save_project_texts(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    return _save_texts(request, code, year, pcode)


@login_required
@require_POST
def save_department_texts(request: Request, code: str, year: int) -> HttpResponse:
    return _save_texts(request, code, year, "")


@login_required
@require_GET
def summary(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    """The total, the grade and the completion chart of a project: reloaded after each save."""
    row = access.get_year_or_404(request.user, code, year)
    data = scored_project(row, pcode) if pcode else scored(row)
    return render(request, "web/_selfeval_summary.html",
                  {"summary": _summary(data, pcode), "department": row.department, "year": year, "pcode": pcode,
                   "saved_event": SAVED_EVENT})
