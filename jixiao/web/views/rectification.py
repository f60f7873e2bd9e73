"""The 整改 register of a department-year: every item with its owner, deadline, state, latest
step and note, overdue items flagged; an item is added from a finding in one click (the finance
review's remarks, the quality findings, the monitoring warnings prefill the form) or by hand;
open items are edited in place; the steps (开始整改, 整改完成 with its note, 退回, 确认) are the
rectification stage of ``rules/workflow.json``.

Every change goes to the application layer (``services.rectifications``, ``records``,
``workflow``) with the version the page was rendered at."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_score
from jixiao.core.errors import InputError
from jixiao.core.monitoring import load_monitoring_rules, report_to_dict
from jixiao.services import evidence, records, reviews
from jixiao.services import rectifications as rect
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.web import access, monitoring
from jixiao.web.data import Scored, scored
from jixiao.web.views.common import Request, page_context, posted_version, problems_response, refused, service_call
from jixiao.web.views.evidence import evidence_url

FORM_FIELDS = ("problem", "measure", "owner", "deadline", "project", "source")
EDIT_FIELDS = ("problem", "measure", "owner", "deadline")
# Quality findings worth a register item; 提示 are notes, not problems to fix.
FINDING_SEVERITIES = ("错误", "警告")


def _review_findings(row: m.DepartmentYear) -> list[dict[str, str]]:
    """The finance review's remarks: each indicator scored below the unit's own score or given a
    comment, and the review's reason when the reviewed total is below the self-score."""
    out = []
    for pcode, review in sorted(reviews.latest_reviews(row).items()):
        where = f"项目 {pcode}" if pcode else "部门整体"
        for item in review.items.all():
            lower = item.self_score is not None and item.score < item.self_score
            if lower or item.comment.strip():
                remark = f"，{item.comment.strip()}" if item.comment.strip() else ""
                problem = (f"财政复核：{where} 指标「{item.name}」复核得分 {fmt_score(item.score)}"
                           f"（自评 {fmt_score(item.self_score)}）{remark}")
                out.append({"kind": "财政复核意见", "project": pcode, "problem": problem})
        if review.self_score is not None and review.score < review.self_score:
            out.append({"kind": "财政复核意见", "project": pcode,
                        "problem": f"财政复核：{where}复核得分 {fmt_score(review.score)}（自评 "
                                   f"{fmt_score(review.self_score)}），{review.reason}"})
    return out


def _quality_findings(data: Scored) -> list[dict[str, str]]:
    return [{"kind": f"质量检查{f.severity}", "project": f.project or "", "problem": f"{f.location}：{f.message}"}
            for f in data.findings() if f.severity in FINDING_SEVERITIES]


def _monitoring_findings(row: m.DepartmentYear) -> list[dict[str, str]]:
    """The warnings of the monitoring month in force (the rules' cut-off month)."""
    rules = load_monitoring_rules()
    try:
        _, report = monitoring._assess(row, rules.cutoff_month, rules)
    except InputError:
        return []  # data the monitoring cannot read shows its problems on the monitoring page
    data = report_to_dict(report)
    return [{"kind": f"{rules.cutoff_month} 月监控预警", "project": w.get("project") or "",
             "problem": f"运行监控：{w['message']}"} for w in data["warnings"]]


def _findings(row: m.DepartmentYear, data: Scored, taken: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = _review_findings(row) + _monitoring_findings(row) + _quality_findings(data)
    for f in out:
        f["taken"] = f["problem"] in taken
        f["query"] = urlencode({"problem": f["problem"], "project": f["project"], "source": f["kind"]})
    return out


def _register(request: Request, row: m.DepartmentYear, posted: QueryDict | None = None,
              edited: str = "", **extra: Any) -> HttpResponse:
    row.refresh_from_db()
    data = scored(row)
    code, year = row.department.code, row.year
    actor = actor_for(request.user)
    today = timezone.localdate()
    year_locked = workflow.locked(data.dy.status)
    progress = rect.latest_progress(code, year)
    files = evidence.listing(code, year)
    items = []
    for r in data.dy.rectifications:
        ref = Ref("rectification", "", r.code)
        items.append({
            "evidence": len(files.get(ref, [])), "evidence_url": evidence_url(code, year, ref),
            "r": r, "overdue": rect.is_overdue(r, today), "open": rect.is_open(r.status),
            "progress": progress.get(r.code), "edited": r.code == edited,
            "actions": [] if year_locked else flow.actions(actor, row.department, r.status, workflow.RECTIFICATION),
            "values": ({k: posted.get(k, "") for k in EDIT_FIELDS} if posted is not None and r.code == edited
                       else {"problem": r.problem, "measure": r.measure, "owner": r.owner,
                             "deadline": r.deadline or ""}),
        })
    source = posted if posted is not None and not edited else request.GET
    new = {k: source.get(k, "") for k in FORM_FIELDS}
    findings = _findings(row, data, {r.problem for r in data.dy.rectifications})
    return render(request, "web/rectification.html", page_context(
        request, row, items=items, new=new, projects=data.dy.projects, findings=findings,
        overdue=[x for x in items if x["overdue"]], today=today, year_locked=year_locked,
        stage_label=workflow.stage(workflow.RECTIFICATION).label, open_new=bool(new["problem"]) or
        (posted is not None and not edited), **extra))


def _back(code: str, year: int, rcode: str = "") -> HttpResponse:
    return redirect(reverse("web:rectifications", args=[code, year]) + (f"#rect-{rcode}" if rcode else ""))


@login_required
def register(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    try:
        return _register(request, row)
    except InputError as exc:
        return problems_response(request, exc, context=page_context(request, row), status=200)


@login_required
@require_POST
def create(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    p = request.POST
    made, exc = service_call(rect.create_rectification, actor_for(request.user), code, year, p.get("problem", ""),
                             p.get("measure", ""), p.get("owner", ""), p.get("deadline", ""),
                             p.get("project", "").strip() or None, p.get("source", ""))
    if exc is not None:
        return refused(request, exc, lambda extra: _register(request, row, p, **extra))
    messages.success(request, f"已新增整改事项 {made.ref.key}")
    return _back(code, year, made.ref.key)


@login_required
@require_POST
def edit(request: Request, code: str, year: int, rcode: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    values = {k: request.POST.get(k, "") for k in EDIT_FIELDS}
    done, exc = service_call(records.edit, actor_for(request.user), code, year, Ref("rectification", "", rcode),
                             values, posted_version(request))
    if exc is not None:
        return refused(request, exc, lambda extra: _register(request, row, request.POST, edited=rcode, **extra))
    messages.success(request, f"已保存整改事项 {rcode}" if done.changed else f"整改事项 {rcode} 没有变化")
    return _back(code, year, rcode)


@login_required
@require_POST
def step(request: Request, code: str, year: int, rcode: str) -> HttpResponse:
    """A step of one item; 整改完成 needs its note (the comment), which the page shows as the
    item's closure note."""
    row = access.get_year_or_404(request.user, code, year)
    moved, exc = service_call(flow.transition, actor_for(request.user), code, year, Ref("rectification", "", rcode),
                              request.POST.get("action", ""), request.POST.get("comment", ""),
                              stage=workflow.RECTIFICATION, version=posted_version(request))
    if exc is not None:
        return refused(request, exc, lambda extra: _register(request, row, **extra))
    messages.success(request, f"整改事项 {rcode}：已由「{moved.before}」改为「{moved.status}」")
    return _back(code, year, rcode)

