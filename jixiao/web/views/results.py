"""结果应用 pages: per project of a department-year the grade in force (复核 over 自评), its
consequence for next year's budget and the proposed amount (``rules/results.json``), and the
finance bureau's decision; and the bureau-wide table of every project under a finance bureau,
viewable and exported as .xlsx. Decisions are recorded by ``jixiao.services.results``."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from jixiao.budget import models as m
from jixiao.core.display import DASH, fmt_amount_fixed, fmt_score, fmt_value
from jixiao.core.errors import InputError
from jixiao.core.results_application import load_results_rules
from jixiao.services import results
from jixiao.services.actor import actor_for
from jixiao.services.results import ProjectOutcome
from jixiao.web import access
from jixiao.web.data import scored
from jixiao.web.views.bureau import under_bureau
from jixiao.web.views.common import Request, generated, page_context, problems_response, refused, service_call

COLUMNS = ("部门", "项目编码", "项目名称", "金额单位", "全年预算", "自评得分", "自评等级", "复核得分", "复核等级",
           "结果应用", "建议安排数", "下年度安排数", "审核意见", "决定人", "决定时间")


def _money(value: Any) -> str:
    return DASH if value is None else fmt_amount_fixed(value)


def _row(o: ProjectOutcome, self_score: Any, self_grade: str | None, posted: QueryDict | None = None) -> dict:
    p, d = o.proposal, o.decision
    reviewed = p.grade_basis == "复核"
    shown = d.decided if d else p.proposed
    default = "" if shown is None else fmt_value(shown, 4)  # the form takes the exact figure
    return {
        "code": p.project, "name": p.name, "budget": _money(p.budget),
        "self_score": fmt_score(self_score), "self_grade": self_grade or DASH,
        "review_score": fmt_score(p.score) if reviewed else "", "review_grade": p.grade if reviewed else "",
        "grade": p.grade or DASH, "grade_basis": p.grade_basis,
        "consequence": p.consequence.consequence if p.consequence else DASH,
        "note": p.consequence.note if p.consequence else "", "factor": p.consequence.factor if p.consequence else None,
        "proposed": _money(p.proposed), "reason": p.reason or "", "decision": d,
        "decided": _money(d.decided) if d else "", "differs": bool(d and d.decided != p.proposed),
        "amount": (posted.get("amount", "") if posted is not None and posted.get("project") == p.project
                   else default),
        "comment": posted.get("comment", "") if posted is not None and posted.get("project") == p.project else "",
    }


def _rows(row: m.DepartmentYear, posted: QueryDict | None = None) -> list[dict]:
    data = scored(row)
    by_code = {p.code: p for p in data.result.projects}
    items: dict[str, list[str]] = {}
    for item in data.dy.rectifications:
        if item.project:
            items.setdefault(item.project, []).append(item.code)
    out = []
    for o in results.outcomes(row, data.result):
        r = _row(o, by_code[o.proposal.project].total, by_code[o.proposal.project].grade, posted)
        c = o.proposal.consequence
        if c is not None and c.rectification:
            # a 中/差 result needs a rectification item with a deadline: show it, or offer to make it
            r["rectifications"] = items.get(o.proposal.project, [])
            r["rectify_query"] = urlencode({
                "project": o.proposal.project, "source": "结果应用",
                "problem": f"项目 {o.proposal.project}「{o.proposal.name}」绩效评价{o.proposal.grade_basis}等级为"
                           f"「{o.proposal.grade}」，下年度预算{c.consequence}，须限期整改"})
        out.append(r)
    return out


def _page(request: Request, row: m.DepartmentYear, posted: QueryDict | None = None, **extra: Any) -> HttpResponse:
    row.refresh_from_db()
    rules = load_results_rules()
    return render(request, "web/results.html", page_context(
        request, row, rows=_rows(row, posted), rules=rules, consequences=list(rules.grades.values()),
        money_unit=row.money_unit, **extra))


@login_required
def department_results(request: Request, code: str, year: int) -> HttpResponse:
    """GET: every project's consequence and proposal; POST (财政审核): the decision on one."""
    row = access.get_year_or_404(request.user, code, year)
    if request.method != "POST":
        try:
            return _page(request, row)
        except InputError as exc:
            return problems_response(request, exc, context=page_context(request, row), status=200)
    project = request.POST.get("project", "").strip()
    decided, refusal = service_call(results.decide, actor_for(request.user), code, year, project,
                                    request.POST.get("amount", ""), request.POST.get("comment", ""))
    if refusal is not None:
        return refused(request, refusal, lambda extra: _page(request, row, request.POST, **extra))
    messages.success(request, f"已记录项目 {project} 下年度安排：{fmt_amount_fixed(decided.decided)} {row.money_unit}")
    return redirect(reverse("web:results", args=[code, year]) + f"#result-{project}")


def _bureau_rows(bureau: m.Department, user: Any, year: int) -> list[dict]:
    out = []
    for d in under_bureau(bureau, user):
        row = m.DepartmentYear.objects.filter(department=d, year=year).select_related("department").first()
        if row is None:
            continue
        try:
            rows = _rows(row)
        except InputError as exc:
            out.append({"department": d, "error": str(exc), "row": row})
            continue
        out.extend({"department": d, "row": row, "money_unit": row.money_unit, **r} for r in rows)
    return out


@login_required
def bureau_results(request: Request, code: str, year: int) -> HttpResponse:
    bureau = access.get_department_or_404(request.user, code, permission="review")
    return render(request, "web/results_bureau.html", {
        "bureau": bureau, "year": year, "rows": _bureau_rows(bureau, request.user, year),
        "rules": load_results_rules()})


@login_required
def bureau_results_xlsx(request: Request, code: str, year: int) -> HttpResponse:
    bureau = access.get_department_or_404(request.user, code, permission="review")
    rows = _bureau_rows(bureau, request.user, year)
    rules = load_results_rules()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "结果应用"
    ws.append([f"{bureau.name} {year} 年度绩效评价结果应用表（{rules.label}；下年度建议安排 = {rules.basis} × 系数）"])
    ws.append(list(COLUMNS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        if "error" in r:
            ws.append([r["department"].name, "", f"无法评分：{r['error']}"])
            continue
        d = r["decision"]
        ws.append([r["department"].name, r["code"], r["name"], r["money_unit"], r["budget"], r["self_score"],
                   r["self_grade"], r["review_score"], r["review_grade"], r["consequence"],
                   r["proposed"] if not r["reason"] else r["reason"], r["decided"], d.comment if d else "",
                   d.who if d else "", d.when.strftime("%Y-%m-%d %H:%M") if d else ""])
    for column, width in zip("ABCDEFGHIJKLMNO", (18, 10, 34, 8, 14, 9, 9, 9, 9, 14, 16, 14, 30, 10, 16),
                             strict=True):
        ws.column_dimensions[column].width = width
    for line in ws.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return generated(f"{code}-{year}-结果应用.xlsx", wb.save)
