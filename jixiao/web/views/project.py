"""The project page: goals, the indicator tree with the parsed target beside the typed one, and
in-place editing of actual values (htmx) that re-renders score, trace and grade."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.core.display import fmt_amount_fixed, fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.core.workflow import available_actions
from jixiao.web import access, edits, presenters
from jixiao.web.data import scored
from jixiao.web.views.common import department_url, page_context, problems_response
from jixiao.web.views.home import return_comments


def _indicator_rows(row: m.DepartmentYear, p, pr) -> list[dict]:
    """The indicator table, formatted once per scored version of the year."""
    out = []
    for ind, res in zip(p.indicators, pr.indicators):
        label, ok = presenters.target_label(ind.target_text, ind.unit)
        feed_label, feed_url = "", None
        if ind.feed:
            feed_label, page = presenters.feed_source(ind.feed)
            feed_url = department_url(page, row.department.code, row.year) if page else None
        out.append({
            "ind": ind, "res": res, "parsed": label, "parsed_ok": ok,
            "score": fmt_score(res.score), "weight": fmt_score(ind.weight),
            "feed_label": feed_label, "feed_url": feed_url,
        })
    return out


def project_context(request, row: m.DepartmentYear, code: str, problems=None) -> dict:
    data = scored(row)
    try:
        p = data.dy.project(code)
    except KeyError:
        raise Http404("未找到该项目")
    pr = next(r for r in data.result.projects if r.code == code)
    roles = access.roles_in(request.user, row.department)
    project_row = m.Project(status=p.status)
    editable = edits.can_edit(request.user, row, project_row)
    indicators = data.memo(f"project_indicators/{code}", lambda: _indicator_rows(row, p, pr))
    review = edits.latest_reviews(row).get(code)
    key = edits.project_key(row, code)
    return page_context(
        request, row, project=p, pr=pr, indicators=indicators, editable=editable,
        total=fmt_score(pr.total), exec_rate=fmt_rate(pr.execution.rate),
        exec_score=fmt_score(pr.execution.score),
        budget=fmt_amount_fixed(pr.budget), executed=fmt_amount_fixed(pr.executed),
        funds=[(f.fund_source, fmt_amount_fixed(f.budget), fmt_amount_fixed(f.executed)) for f in p.funds],
        actions=available_actions(p.status, roles) if row.status != "锁定" else [],
        return_comment=return_comments(row).get(key) if p.status == "退回" else None,
        review=review, review_score=fmt_score(review.score) if review else "",
        history_key=key, problems=presenters.problem_rows(problems or []),
        chart=presenters.completion_chart(pr, animation=not settings.TESTING),
        money_unit=data.dy.money_unit,
    )


@login_required
def detail(request, code: str, year: int, pcode: str):
    row = access.get_year_or_404(request.user, code, year)
    try:
        ctx = project_context(request, row, pcode)
    except InputError as exc:
        return problems_response(request, exc, context=page_context(request, row), status=200)
    return render(request, "web/project.html", ctx)


@login_required
@require_POST
def edit_actual(request, code: str, year: int, pcode: str, icode: str):
    row = access.get_year_or_404(request.user, code, year)
    if not m.Project.objects.filter(department_year=row, code=pcode).exists():
        raise Http404("未找到该项目")
    problems = []
    try:
        edits.set_actual(request.user, row, pcode, icode, request.POST.get("actual", ""))
    except InputError as exc:
        problems = exc.problems
    row.refresh_from_db()
    if request.htmx:
        ctx = project_context(request, row, pcode, problems)
        # htmx swaps only 2xx answers; the problems are inside the fragment
        return render(request, "web/_project_body.html", ctx)
    for p in problems:
        messages.error(request, str(p))
    return redirect("web:project", code, year, pcode)
