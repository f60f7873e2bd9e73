"""The finance-bureau view: every department under the bureau with its self-score, the grade
distribution, and the re-score (复核) of a record indicator by indicator beside the self-score.
The review is recorded by the application layer (``jixiao.services.reviews``), which refuses a
record whose self-evaluation has not been submitted."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.core import workflow
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.services import precheck, reviews
from jixiao.services.actor import actor_for
from jixiao.services.errors import Denied, NotFound
from jixiao.services.reviews import ReviewScore
from jixiao.web import access, presenters
from jixiao.web.data import Scored, scored
from jixiao.web.views.common import Request, page_context, refused, service_call

# The review form's field names: one score and one comment per indicator code.
SCORE, COMMENT = "score-", "comment-"


def under_bureau(bureau: m.Department, user: Any) -> list[m.Department]:
    visible = set(access.role_map(user))
    found, stack, seen = [], list(bureau.children.all()), {bureau.id}
    while stack:  # ``seen``: bounded even if the tree held a cycle (it cannot: budget.Department.save)
        d = stack.pop()
        if d.id in seen:
            continue
        seen.add(d.id)
        if d.id in visible:
            found.append(d)
        stack.extend(d.children.all())
    return sorted(found, key=lambda d: d.code)


@login_required
def bureau_latest(request: Request, code: str) -> HttpResponse:
    bureau = access.get_department_or_404(request.user, code, permission="review")
    years = m.DepartmentYear.objects.filter(department__in=under_bureau(bureau, request.user)).order_by("-year")
    first = years.values_list("year", flat=True).first()
    if first is None:
        raise Http404("所辖部门还没有年度数据")
    return redirect("web:bureau", code, first)


@login_required
def overview(request: Request, code: str, year: int) -> HttpResponse:
    bureau = access.get_department_or_404(request.user, code, permission="review")
    rows: list[dict[str, Any]] = []
    grades: list[str | None] = []
    project_grades: list[str | None] = []
    for d in under_bureau(bureau, request.user):
        row = m.DepartmentYear.objects.filter(department=d, year=year).select_related("department").first()
        if row is None:
            continue
        try:
            data = scored(row)
        except InputError as exc:
            rows.append({"department": d, "error": str(exc)})
            continue
        review = reviews.latest_reviews(row).get("")
        grades.append(data.result.grade)
        project_grades.extend(p.grade for p in data.result.projects)
        rows.append({
            "department": d, "status": row.status, "rate": fmt_rate(data.result.execution.rate),
            "score": fmt_score(data.result.total), "grade": data.result.grade,
            "projects": len(data.result.projects),
            "quality": presenters.severity_counts(data.findings()),
            "review": f"{fmt_score(review.score)} · {review.grade}" if review else "",
        })
    animation = bool(settings.JIXIAO_CHART_ANIMATION)
    return render(request, "web/bureau.html", {
        "bureau": bureau, "year": year, "rows": rows,
        "dept_chart": presenters.grade_chart(presenters.grade_counts(grades), "部门整体自评等级分布", animation),
        "project_chart": presenters.grade_chart(presenters.grade_counts(project_grades), "项目自评等级分布", animation),
    })


def _difference(reviewed: Decimal | None, own: Decimal | None) -> str:
    """复核 − 自评 with its sign ("-2.5", "+1"); "" when either is missing or they agree."""
    if reviewed is None or own is None or reviewed == own:
        return ""
    return ("+" if reviewed > own else "") + fmt_score(reviewed - own)


def _records(data: Scored, in_force: Mapping[str, m.Review]) -> list[dict]:
    """The department as a whole and each project: self-score, status and the review in force."""
    dy, res = data.dy, data.result
    items: list[dict[str, Any]] = [
        {"code": "", "name": "部门整体", "status": dy.status, "result": res, "review": in_force.get(""),
         "source": {i.code: i for i in dy.indicators}}]
    items += [{"code": p.code, "name": p.name, "status": p.status, "result": pr, "review": in_force.get(p.code),
               "source": {i.code: i for i in p.indicators}}
              for p, pr in zip(dy.projects, res.projects, strict=True)]
    for it in items:
        it["score"], it["grade"] = fmt_score(it["result"].total), it["result"].grade
        review = it["review"]
        it["review_score"] = fmt_score(review.score) if review else ""
        it["difference"] = _difference(review.score, it["result"].total) if review else ""
        it["grade_changed"] = bool(review and review.grade != (it["grade"] or ""))
    return items


def _form(item: dict, posted: QueryDict | None = None,
          suggested: dict[str, tuple[Any, str]] | None = None, from_pack: bool = False) -> dict:
    """The review form of one record: per indicator the review in force's score and comment, or
    — not reviewed yet — the unit's own score, beside the score the 复核 rule pack gives
    (``suggested``); with ``from_pack`` the reviewer starts from the pack's scores and reasons.
    What was posted wins."""
    given = {i.indicator_code: i for i in item["review"].items.all()} if item["review"] else {}
    suggested = suggested or {}
    rows = []
    for ind in item["result"].indicators:
        prior = given.get(ind.code)
        source = item["source"].get(ind.code)
        pack_score, pack_note = suggested.get(ind.code, (None, ""))
        own = "" if ind.score is None else fmt_score(ind.score)
        use_pack = from_pack and pack_score is not None
        default = fmt_score(prior.score) if prior else (fmt_score(pack_score) if use_pack else own)
        rows.append({
            "code": ind.code, "name": ind.name, "level1": ind.level1, "weight": fmt_score(ind.weight),
            "self_score": fmt_score(ind.score), "review_score": fmt_score(prior.score) if prior else "",
            "review_comment": prior.comment if prior else "",
            "target": source.target_text if source else None, "actual": ind.actual_text,
            "deviation": source.deviation_reason if source else "",
            "difference": _difference(prior.score, ind.score) if prior else "",
            "value": posted.get(SCORE + ind.code, default) if posted is not None else default,
            "comment": posted.get(COMMENT + ind.code, "") if posted is not None else (
                pack_note if use_pack and not prior else ""),
            "suggested": fmt_score(pack_score) if pack_score is not None and not prior else "",
        })
    return {**item, "indicators": rows, "reason": posted.get("reason", "") if posted is not None else "",
            "execution": {"weight": fmt_score(item["result"].execution.weight),
                          "score": fmt_score(item["result"].execution.score)}}


def _review_page(request: Request, row: m.DepartmentYear, selected: str | None, posted: QueryDict | None = None,
                 **extra: Any) -> HttpResponse:
    data = scored(row)
    items = _records(data, reviews.latest_reviews(row))
    chosen = next((it for it in items if it["code"] == selected), None) if selected is not None else None
    if selected is not None and chosen is None:
        raise Http404("未找到该项目")
    suggested: dict[str, tuple[Any, str]] = {}
    if chosen is not None:
        checked = precheck.stored_precheck(actor_for(request.user), row.department.code, row.year)
        notes: dict[str, list[str]] = {}
        for f in checked.findings:
            if f.project == chosen["code"] and f.indicator and f.deduction:
                notes.setdefault(f.indicator, []).append(f"{f.code}：{f.message}")
        suggested = {r.code: (r.review_score, "；".join(notes.get(r.code, [])))
                     for r in checked.indicators if r.project == chosen["code"]}
    return render(request, "web/review.html", page_context(
        request, row, items=items,
        form=_form(chosen, posted, suggested, request.GET.get("from") == "precheck") if chosen else None,
        reviewable=sorted(workflow.stage(workflow.SELF_EVALUATION).reviewable_statuses), **extra))


def _scores(post: QueryDict) -> list[ReviewScore]:
    """The posted per-indicator scores; a blank score leaves the unit's own score standing."""
    return [ReviewScore(key[len(SCORE):], value, post.get(COMMENT + key[len(SCORE):], ""))
            for key in post if key.startswith(SCORE) and (value := post.get(key, "")).strip()]


@login_required
@require_POST
def review_total(request: Request, code: str, year: int) -> HttpResponse:
    """htmx: the reviewed total and grade the scores typed so far give, nothing stored."""
    access.get_year_or_404(request.user, code, year, permission="review")
    project = request.POST.get("project", "").strip()
    try:
        total, grade = reviews.preview_review(actor_for(request.user), code, year, project or None,
                                              _scores(request.POST))
    except InputError as exc:
        return render(request, "web/_review_total.html", {"problems": [p.message for p in exc.problems]})
    except (Denied, NotFound) as exc:
        return render(request, "web/_review_total.html", {"problems": [exc.message]})
    return render(request, "web/_review_total.html", {"total": fmt_score(total), "grade": grade})


@login_required
def bureau_reviews(request: Request, code: str, year: int) -> HttpResponse:
    """Every department and project under the bureau: self-score beside the review in force."""
    bureau = access.get_department_or_404(request.user, code, permission="review")
    rows: list[dict[str, Any]] = []
    for d in under_bureau(bureau, request.user):
        row = m.DepartmentYear.objects.filter(department=d, year=year).select_related("department").first()
        if row is None:
            continue
        try:
            items = _records(scored(row), reviews.latest_reviews(row))
        except InputError as exc:
            rows.append({"department": d, "error": str(exc)})
            continue
        rows.extend({"department": d, **it} for it in items)
    reviewed = [r for r in rows if r.get("review")]
    return render(request, "web/review_bureau.html", {
        "bureau": bureau, "year": year, "rows": rows, "reviewed": len(reviewed),
        "changed": sum(1 for r in reviewed if r["grade_changed"]), "records": sum(1 for r in rows if "error" not in r)})


@login_required
def review(request: Request, code: str, year: int) -> HttpResponse:
    """GET: every record with the review in force; ``?project=P01`` (empty: the department as a
    whole) opens its review form. POST: record the review of ``project``."""
    row = access.get_year_or_404(request.user, code, year, permission="review")
    if request.method != "POST":
        selected = request.GET.get("project")
        try:
            return _review_page(request, row, selected.strip() if selected is not None else None)
        except InputError as unscorable:
            return refused(request, unscorable, lambda extra: render(request, "web/error.html",
                                                                     page_context(request, row, **extra)))
    project = request.POST.get("project", "").strip()
    scores = _scores(request.POST)
    total = request.POST.get("score") if not scores and request.POST.get("score", "").strip() else None
    recorded, exc = service_call(reviews.record_review, actor_for(request.user), code, year, project or None,
                                 request.POST.get("reason", ""), scores, total)
    if exc is not None:
        return refused(request, exc, lambda extra: _review_page(request, row, project, request.POST, **extra))
    messages.success(request, f"已记录{'项目 ' + project if project else '部门整体'}的复核："
                              f"{fmt_score(recorded.score)} 分（{recorded.grade}）")
    return redirect(reverse("web:review", args=[code, year]) + "?" + urlencode({"project": project}))
