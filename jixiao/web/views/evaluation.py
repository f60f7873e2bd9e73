"""Workflow steps, the department-overall evaluation page, and downloads (Excel forms,
exchange JSON, the report) — all scoped through ``access``."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao import excel, exchange
from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.core import quality, workflow
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.drafting import is_placeholder
from jixiao.core.errors import InputError
from jixiao.core.workflow import available_actions
from jixiao.web import access, edits, presenters
from jixiao.web.data import Scored, scored
from jixiao.web.views.common import department_url, page_context, scored_year_page
from jixiao.web.views.home import return_comments

# Excel forms offered for download: every form `jixiao export --form` writes, except blanks.
DOWNLOAD_FORMS = {k: v for k, v in excel.FORMS.items() if not k.startswith("blank-")}
REPORT_FORMATS = ("docx", "pdf")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _step(request, row: m.DepartmentYear, project_code: str | None):
    try:
        status = edits.apply(request.user, row, project_code, request.POST.get("action", ""),
                             request.POST.get("comment", ""))
    except InputError as exc:
        for p in exc.problems:
            messages.error(request, str(p))
    else:
        messages.success(request, f"已更新为「{status}」")


@login_required
@require_POST
def project_action(request, code: str, year: int, pcode: str):
    row = access.get_year_or_404(request.user, code, year)
    if not m.Project.objects.filter(department_year=row, code=pcode).exists():
        raise Http404("未找到该项目")
    _step(request, row, pcode)
    return redirect("web:project", code, year, pcode)


@login_required
@require_POST
def department_action(request, code: str, year: int):
    row = access.get_year_or_404(request.user, code, year)
    _step(request, row, None)
    return redirect("web:evaluation", code, year)


@scored_year_page
def department_evaluation(request, row: m.DepartmentYear, data: Scored):
    code, year = row.department.code, row.year
    res = data.result
    roles = access.roles_in(request.user, row.department)
    review = edits.latest_reviews(row).get("")
    key = f"{code}/{year}"
    has_problems = not is_placeholder(data.dy.problems)
    ctx = page_context(
        request, row, dy=data.dy, result=res, total=fmt_score(res.total),
        exec_rate=fmt_rate(res.execution.rate), exec_score=fmt_score(res.execution.score),
        indicators=[{"res": r, "ind": i, "score": fmt_score(r.score), "weight": fmt_score(i.weight),
                     **_feed(i.feed, code, year)} for i, r in zip(data.dy.indicators, res.indicators)],
        problems_text=data.dy.problems if has_problems else quality.draft_problems_text(data.findings()),
        problems_draft=not has_problems,
        problems_editable=row.status != "锁定" and workflow.editable(row.status, roles),
        actions=available_actions(row.status, roles),
        return_comment=return_comments(row).get(key) if row.status == "退回" else None,
        review=review, review_score=fmt_score(review.score) if review else "",
        forms=DOWNLOAD_FORMS, report_formats=REPORT_FORMATS,
    )
    return render(request, "web/evaluation.html", ctx)


def _feed(feed: str | None, code: str, year: int) -> dict:
    if not feed:
        return {"feed_label": "", "feed_url": None}
    label, page = presenters.feed_source(feed)
    return {"feed_label": label, "feed_url": department_url(page, code, year) if page else None}


@login_required
@require_POST
def problems_text(request, code: str, year: int):
    """Save the 存在的主要问题 text (the quality-check draft as the user edited it)."""
    row = access.get_year_or_404(request.user, code, year)
    try:
        edits.set_problems(request.user, row, request.POST.get("problems", ""))
    except InputError as exc:
        for p in exc.problems:
            messages.error(request, str(p))
    else:
        messages.success(request, "已保存“存在的主要问题”")
    return redirect("web:evaluation", code, year)


@login_required
def excel_download(request, code: str, year: int, form: str):
    row = access.get_year_or_404(request.user, code, year, permission="export")
    if form not in DOWNLOAD_FORMS:
        raise Http404("没有该表格")
    data = scored(row)
    project = request.GET.get("project") or None
    if project is not None and all(p.code != project for p in data.dy.projects):
        raise Http404("未找到该项目")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xlsx"
        excel.write_form(data.dy, data.result, form, path, project=project)
        body = path.read_bytes()
    name = f"{code}-{year}-{DOWNLOAD_FORMS[form]}{'-' + project if project else ''}.xlsx"
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = _attachment(name)
    return response


@login_required
def json_download(request, code: str, year: int):
    row = access.get_year_or_404(request.user, code, year, permission="export")
    data = scored(row)
    response = HttpResponse(exchange.dumps(data.dy), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = _attachment(f"{code}-{year}.json")
    return response


@login_required
def report_download(request, code: str, year: int, fmt: str):
    row = access.get_year_or_404(request.user, code, year, permission="export")
    if fmt not in REPORT_FORMATS:
        raise Http404("没有该格式")
    from jixiao.report.generate import generate

    data = scored(row)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"report.{fmt}"
        generate(data.dy, path, collect_feeds(code, year))
        body = path.read_bytes()
    content_type = "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = _attachment(f"{code}-{year}-部门整体支出绩效自评报告.{fmt}")
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name)}"
