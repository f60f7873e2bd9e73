"""The department-overall evaluation page: its indicators, the self-evaluation workflow of the
department-year, the 存在的主要问题 text, the rectifications (整改) with their steps; and the
downloads (Excel forms, exchange JSON, the report) — all scoped through ``access``.

Every change goes to the application layer (``jixiao.services``) with the version the page was
rendered at; a refusal or a conflict is shown on the page with the current data."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao import excel, exchange
from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.core import quality, workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.drafting import is_placeholder
from jixiao.core.editing import refusal
from jixiao.core.workflow import may
from jixiao.report.generate import generate
from jixiao.services import evidence, records, reviews
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.history import object_key
from jixiao.services.scope import DENIED
from jixiao.web import access, presenters
from jixiao.web.data import Scored, scored
from jixiao.web.views.common import (
    Request,
    attachment,
    department_url,
    generated,
    page_context,
    posted_version,
    refused,
    scored_year_page,
    service_call,
)
from jixiao.web.views.evidence import evidence_url
from jixiao.web.views.home import return_comments

# Excel forms offered for download: every form `jixiao export --form` writes, except blanks.
DOWNLOAD_FORMS = {k: v for k, v in excel.FORMS.items() if not k.startswith("blank-")}
REPORT_FORMATS = ("docx", "pdf")


def evaluation_context(request: Request, row: m.DepartmentYear, data: Scored, **extra: Any) -> dict:
    code, year = row.department.code, row.year
    res = data.result
    actor = actor_for(request.user)
    roles = actor.roles_in(row.department)
    review = reviews.latest_reviews(row).get("")
    has_problems = not is_placeholder(data.dy.problems)
    year_locked = workflow.locked(data.dy.status)
    files = evidence.listing(code, year)
    rectifications = [
        {"r": r, "actions": [] if year_locked else flow.actions(actor, row.department, r.status,
                                                                 workflow.RECTIFICATION),
         "evidence": len(files.get(Ref("rectification", "", r.code), [])),
         "evidence_url": evidence_url(code, year, Ref("rectification", "", r.code))}
        for r in data.dy.rectifications
    ]
    return page_context(
        request, row, dy=data.dy, result=res, total=fmt_score(res.total),
        exec_rate=fmt_rate(res.execution.rate), exec_score=fmt_score(res.execution.score),
        indicators=[{"res": r, "ind": i, "score": fmt_score(r.score), "weight": fmt_score(i.weight),
                     **_feed(i.feed, code, year)} for i, r in zip(data.dy.indicators, res.indicators, strict=True)],
        problems_text=data.dy.problems if has_problems else quality.draft_problems_text(data.findings()),
        problems_draft=not has_problems,
        problems_refusal=refusal(data.dy, Ref("year"), "problems") if may(roles, "edit") else DENIED["edit"],
        actions=flow.actions(actor, row.department, data.dy.status),
        return_comment=return_comments(row).get(object_key(code, year, Ref("year"))),
        review=review, review_score=fmt_score(review.score) if review else "",
        rectifications=rectifications, rectification_label=workflow.stage(workflow.RECTIFICATION).label,
        forms=DOWNLOAD_FORMS, report_formats=REPORT_FORMATS, **extra,
    )


def _page(request: Request, row: m.DepartmentYear, **extra: Any) -> HttpResponse:
    row.refresh_from_db()
    return render(request, "web/evaluation.html", evaluation_context(request, row, scored(row), **extra))


@scored_year_page
def department_evaluation(request: Request, row: m.DepartmentYear, data: Scored) -> HttpResponse:
    return render(request, "web/evaluation.html", evaluation_context(request, row, data))


def _feed(feed: str | None, code: str, year: int) -> dict:
    if not feed:
        return {"feed_label": "", "feed_url": None}
    label, page = presenters.feed_source(feed)
    return {"feed_label": label, "feed_url": department_url(page, code, year) if page else None}


def _transition(request: Request, code: str, year: int, ref: Ref, stage: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    moved, exc = service_call(flow.transition, actor_for(request.user), code, year, ref,
                              request.POST.get("action", ""), request.POST.get("comment", ""), stage=stage,
                              version=posted_version(request))
    if exc is not None:
        return refused(request, exc, lambda extra: _page(request, row, **extra))
    messages.success(request, f"{ref.path()}：已由「{moved.before}」改为「{moved.status}」")
    return redirect("web:evaluation", code, year)


@login_required
@require_POST
def department_action(request: Request, code: str, year: int) -> HttpResponse:
    """A step of the department-year's self-evaluation."""
    return _transition(request, code, year, Ref("year"), workflow.SELF_EVALUATION)


@login_required
@require_POST
def rectification_action(request: Request, code: str, year: int, rcode: str) -> HttpResponse:
    """A step of one rectification (整改)."""
    return _transition(request, code, year, Ref("rectification", "", rcode), workflow.RECTIFICATION)


@login_required
@require_POST
def problems_text(request: Request, code: str, year: int) -> HttpResponse:
    """Save the 存在的主要问题 text (the quality-check draft as the user edited it)."""
    row = access.get_year_or_404(request.user, code, year)
    text = request.POST.get("problems", "")
    _, exc = service_call(records.edit_year, actor_for(request.user), code, year, {"problems": text},
                          posted_version(request))
    if exc is not None:
        return refused(request, exc, lambda extra: _page(request, row, **extra), attempted=text.strip())
    messages.success(request, "已保存“存在的主要问题”")
    return redirect("web:evaluation", code, year)


@login_required
def excel_download(request: Request, code: str, year: int, form: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year, permission="export")
    if form not in DOWNLOAD_FORMS:
        raise Http404("没有该表格")
    data = scored(row)
    project = request.GET.get("project") or None
    if project is not None and all(p.code != project for p in data.dy.projects):
        raise Http404("未找到该项目")
    name = f"{code}-{year}-{DOWNLOAD_FORMS[form]}{'-' + project if project else ''}.xlsx"
    return generated(name, lambda path: excel.write_form(data.dy, data.result, form, path, project=project))


@login_required
def json_download(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year, permission="export")
    data = scored(row)
    return attachment(exchange.dumps(data.dy), f"{code}-{year}.json")


@login_required
def report_download(request: Request, code: str, year: int, fmt: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year, permission="export")
    if fmt not in REPORT_FORMATS:
        raise Http404("没有该格式")
    data = scored(row)
    files = evidence.by_indicator(data.dy)
    return generated(f"{code}-{year}-部门整体支出绩效自评报告.{fmt}",
                     lambda path: generate(data.dy, path, collect_feeds(code, year), evidence=files))
