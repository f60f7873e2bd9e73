"""The finance-bureau view: every department under the bureau with its self-score, the grade
distribution, and re-scoring (复核) beside the self-score."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from jixiao.budget import models as m
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.web import access, edits, presenters
from jixiao.web.data import scored
from jixiao.web.views.common import page_context


def _under(bureau: m.Department, user) -> list[m.Department]:
    visible = set(access.role_map(user))
    found, stack = [], list(bureau.children.all())
    while stack:
        d = stack.pop()
        if d.id in visible:
            found.append(d)
        stack.extend(d.children.all())
    return sorted(found, key=lambda d: d.code)


@login_required
def bureau_latest(request, code: str):
    bureau = access.get_department_or_404(request.user, code, permission="review")
    years = m.DepartmentYear.objects.filter(department__in=_under(bureau, request.user)).order_by("-year")
    first = years.values_list("year", flat=True).first()
    if first is None:
        raise Http404("所辖部门还没有年度数据")
    return redirect("web:bureau", code, first)


@login_required
def overview(request, code: str, year: int):
    bureau = access.get_department_or_404(request.user, code, permission="review")
    rows, grades, project_grades = [], [], []
    for d in _under(bureau, request.user):
        row = m.DepartmentYear.objects.filter(department=d, year=year).select_related("department").first()
        if row is None:
            continue
        try:
            data = scored(row)
        except InputError as exc:
            rows.append({"department": d, "error": str(exc)})
            continue
        review = edits.latest_reviews(row).get("")
        grades.append(data.result.grade)
        project_grades.extend(p.grade for p in data.result.projects)
        rows.append({
            "department": d, "status": row.status, "rate": fmt_rate(data.result.execution.rate),
            "score": fmt_score(data.result.total), "grade": data.result.grade,
            "projects": len(data.result.projects),
            "quality": presenters.severity_counts(data.findings()),
            "review": f"{fmt_score(review.score)} · {review.grade}" if review else "",
        })
    animation = not settings.TESTING
    return render(request, "web/bureau.html", {
        "bureau": bureau, "year": year, "rows": rows,
        "dept_chart": presenters.grade_chart(presenters.grade_counts(grades), "部门整体自评等级分布", animation),
        "project_chart": presenters.grade_chart(presenters.grade_counts(project_grades), "项目自评等级分布", animation),
    })


@login_required
def review(request, code: str, year: int):
    row = access.get_year_or_404(request.user, code, year, permission="review")
    if request.method == "POST":
        try:
            rev = edits.review(request.user, row, request.POST.get("project", ""),
                               request.POST.get("score", ""), request.POST.get("reason", ""))
        except InputError as exc:
            for p in exc.problems:
                messages.error(request, str(p))
        else:
            messages.success(request, f"已记录复核：{fmt_score(rev.score)} 分（{rev.grade}）")
        return redirect("web:review", code, year)
    data = scored(row)
    reviews = edits.latest_reviews(row)
    items = [{"code": "", "name": "部门整体", "score": fmt_score(data.result.total), "grade": data.result.grade,
              "review": reviews.get("")}]
    items += [{"code": p.code, "name": p.name, "score": fmt_score(p.total), "grade": p.grade,
               "review": reviews.get(p.code)} for p in data.result.projects]
    for it in items:
        it["review_score"] = fmt_score(it["review"].score) if it["review"] else ""
    return render(request, "web/review.html", page_context(request, row, items=items))
