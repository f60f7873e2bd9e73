"""事前绩效评估 pages: the proposals the user may see, a proposal's page with the steps the user's
role allows (申报, 退回, 指定专家, 专家声明与评分, 结论, 入库), and its documents. Every step goes
through ``jixiao.services.exante``."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.core import exante as rules
from jixiao.core.display import fmt_rate
from jixiao.core.errors import InputError
from jixiao.core.workflow import available_actions, may
from jixiao.exante import documents
from jixiao.exante.models import Proposal
from jixiao.services import exante
from jixiao.services.actor import actor_for
from jixiao.services.errors import ServiceError
from jixiao.web.presenters import problem_rows
from jixiao.web.views.common import Request, generated

TEXT_FIELDS = ("name", "unit", "basis", "plan", "funding", "goal")
INDICATOR_ROWS = 6


def _indicators_from(post: Any) -> list[dict[str, str]]:
    return [{"level1": post.get(f"ind-{n}-level1", ""), "level2": post.get(f"ind-{n}-level2", ""),
             "name": post.get(f"ind-{n}-name", ""), "target_text": post.get(f"ind-{n}-target", ""),
             "weight": post.get(f"ind-{n}-weight", "")} for n in range(INDICATOR_ROWS)]


def _values(post: Any) -> dict[str, Any]:
    values: dict[str, Any] = {k: post.get(k, "") for k in TEXT_FIELDS}
    values.update(kind=post.get("kind", "新增"), policy=post.get("policy") == "on",
                  requested=post.get("requested", ""), last_year=post.get("last_year", ""),
                  indicators=_indicators_from(post))
    return values


@login_required
def proposals(request: Request) -> HttpResponse:
    actor = actor_for(request.user)
    rows = exante.proposals_for(actor)
    editable = [d for d in m.Department.objects.filter(id__in=list(actor.role_map())).order_by("code")
                if may(actor.roles_in(d), "edit") and d.kind != "财政局"]
    total = exante.totals(rows)
    return render(request, "web/exante/list.html", {
        "rows": rows, "departments": editable, "cut": total,
        "cut_rate": fmt_rate(total.rate) if total.rate is not None else "—"})


@login_required
def create(request: Request, code: str) -> HttpResponse:
    actor = actor_for(request.user)
    row = m.Department.objects.filter(code=code).first()
    if row is None or not may(actor.roles_in(row), "edit"):
        raise Http404
    latest = m.DepartmentYear.objects.filter(department=row).order_by("-year").values_list("year", flat=True).first()
    year = int(request.POST.get("year") or (latest or 2025) + 1)
    context: dict[str, Any] = {"unit": row, "year_value": year, "rows": range(INDICATOR_ROWS),
                               "values": request.POST, "problems": []}
    if request.method == "POST":
        try:
            p = exante.create(actor, code, year, request.POST.get("code", ""), _values(request.POST))
        except InputError as exc:
            context["problems"] = problem_rows(exc.problems)
        except ServiceError as exc:
            context["error"] = exc.message
        else:
            messages.success(request, f"已建立入库申报 {p.name}：{p.trigger_reason}")
            return redirect("exante:detail", p.pk)
        return render(request, "web/exante/new.html", context, status=400)
    return render(request, "web/exante/new.html", context)


def _context(request: Request, p: Proposal) -> dict[str, Any]:
    actor = actor_for(request.user)
    roles = actor.roles_in(p.department)
    system = rules.system_for(p.policy)
    member = p.panel.filter(expert_id=request.user.pk).first()
    own = p.scores.filter(expert_id=request.user.pk).first()
    panel = exante.panel_of(p)
    finance = may(roles, "review")
    steps = {t.action: t for t in available_actions(p.status, roles, exante.STAGE)}
    return {
        "p": p, "system": system, "member": member,
        "items": [(d, i, (own.items if own else {}).get(i.key, "")) for d in system.dimensions for i in d.items],
        "own_opinion": own.opinion if own else "", "finance": finance,
        "can_edit": may(roles, "edit") and p.status in ("草稿", "退回"),
        "steps": steps, "experts": exante.experts() if finance else [],
        "panel": list(p.panel.select_related("expert")),
        # a unit sees the panel's result, never one expert's scores; an expert sees their own only
        "scores": list(p.scores.select_related("expert")) if finance else [],
        "panel_result": panel if (finance or p.status in ("已评审", "已入库")) else None,
        "cut": rules.cut(p.requested, p.approved) if p.approved is not None else None,
        "supported": rules.supported(p.conclusion), "problems": [],
    }


@login_required
def detail(request: Request, pk: int) -> HttpResponse:
    try:
        p = exante.proposal(actor_for(request.user), pk)
    except ServiceError:
        raise Http404 from None
    return render(request, "web/exante/detail.html", _context(request, p))


@login_required
@require_POST
def act(request: Request, pk: int) -> HttpResponse:
    """One step, named by ``what``: edit, submit, return, panel, review, declare, score, conclude, enter."""
    actor = actor_for(request.user)
    what = request.POST.get("what", "")
    try:
        p = exante.proposal(actor, pk)
    except ServiceError:
        raise Http404 from None
    try:
        if what == "edit":
            exante.edit(actor, pk, _values(request.POST), int(request.POST.get("version") or 0) or None)
            done = "已保存"
        elif what in ("submit", "return", "review"):
            exante.step(actor, pk, what, request.POST.get("comment", ""))
            done = {"submit": "已申报", "return": "已退回", "review": "已开始专家评审"}[what]
        elif what == "panel":
            exante.assign_panel(actor, pk, request.POST.getlist("experts"))
            done = "已指定评审专家"
        elif what == "declare":
            exante.declare(actor, pk, request.POST.get("conflict") == "1", request.POST.get("declaration", ""))
            done = "已声明"
        elif what == "score":
            items = {i.key: request.POST.get(f"item-{i.key}", "") for i in rules.system_for(p.policy).items()}
            exante.score(actor, pk, items, request.POST.get("opinion", ""))
            done = "已提交评分"
        elif what == "conclude":
            c = exante.conclude(actor, pk, request.POST.get("approved", ""), request.POST.get("opinion", ""))
            done = f"评估结论：{c.label}（专家组评分 {c.proposal.panel_score}）"
        elif what == "enter":
            project = exante.enter_budget(actor, pk)
            done = f"已入库：{p.year} 年度项目 {project.code}，请在“目标申报”中继续完善绩效目标"
        else:
            return HttpResponse("未知的操作", status=400)
    except InputError as exc:
        context = _context(request, exante.proposal(actor, pk))
        context["problems"] = problem_rows(exc.problems)
        return render(request, "web/exante/detail.html", context, status=400)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("exante:detail", pk)


def _file(request: Request, pk: int, kind: str) -> HttpResponse:
    try:
        p = exante.proposal(actor_for(request.user), pk)
    except ServiceError:
        raise Http404 from None
    if kind == "report":
        return generated(f"{p.name}事前绩效评估报告.docx", lambda path: documents.write_report(p, path))
    on_panel = p.panel.filter(expert_id=request.user.pk).exists()
    expert = getattr(request.user, "first_name", "") if on_panel else ""
    return generated(f"{p.name}专家评分表.xlsx", lambda path: documents.write_form(p, path, expert))


@login_required
def report(request: Request, pk: int) -> HttpResponse:
    return _file(request, pk, "report")


@login_required
def form(request: Request, pk: int) -> HttpResponse:
    return _file(request, pk, "form")

