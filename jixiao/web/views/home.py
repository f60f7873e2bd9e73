"""The start page (departments the user may see) and the department home."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join

from jixiao.budget import models as m
from jixiao.core import quality, workflow
from jixiao.core.display import fmt_amount_fixed, fmt_rate, fmt_score
from jixiao.core.workflow import available_actions
from jixiao.web import access, presenters
from jixiao.web.data import Scored, latest_year
from jixiao.web.edits import latest_reviews, project_key
from jixiao.web.views.common import page_context, scored_year_page


@login_required
def index(request):
    departments = list(access.visible_departments(request.user).prefetch_related("years"))
    rows = [
        {"department": d, "years": sorted((y.year for y in d.years.all()), reverse=True),
         "roles": sorted(access.roles_in(request.user, d))}
        for d in departments
    ]
    with_years = [r for r in rows if r["years"]]
    if len(with_years) == 1 and len(rows) == 1:
        r = with_years[0]
        return redirect("web:department", r["department"].code, r["years"][0])
    return render(request, "web/index.html", {"rows": rows, "bureaus": access.bureaus(request.user)})


@login_required
def department_latest(request, code: str):
    department = access.get_department_or_404(request.user, code)
    row = latest_year(department)
    if row is None:
        raise Http404("该部门还没有年度数据")
    return redirect("web:department", code, row.year)


def _warnings(data) -> list[str]:
    out = []
    for p, pr in zip(data.dy.projects, data.result.projects):
        if pr.execution.rate is not None and pr.execution.rate < presenters.LOW_RATE and not p.execution_explanation.strip():
            out.append(f"{p.code} {p.name}：预算执行率 {fmt_rate(pr.execution.rate)}，低于 90%，尚未说明原因")
        missing = [i.name for i in pr.indicators if i.score is None]
        if missing:
            out.append(f"{p.code} {p.name}：{len(missing)} 项指标尚未填报实际完成值（{'、'.join(missing[:3])}{'…' if len(missing) > 3 else ''}）")
        for i in pr.indicators:
            for flag in i.flags:
                out.append(f"{p.code} {p.name}：{i.name} {flag}")
    return out


# The records waiting at each role's step of the workflow: what that role has to act on. Other
# actions a role may take (a department admin may also submit, anyone may return) are optional.
DUTIES = {"经办人": ("草稿", "退回"), "部门管理员": ("已提交",), "财政审核": ("已审核",)}
# Quality errors listed in the to-do; the rest are in the quality section below it.
TODO_ERRORS = 20


def _todo(request, row, data) -> dict:
    """What needs this user's action: workflow steps waiting at the user's roles, with the return
    comment where a record came back, and quality errors on records the user can still edit."""
    roles = access.roles_in(request.user, row.department)
    waiting = {s for r in roles for s in DUTIES.get(r, ())}
    code, year = row.department.code, row.year
    records = [(None, f"{code}/{year}", "部门整体", row.status, reverse("web:evaluation", args=[code, year]))]
    if row.status != "锁定":  # a locked year keeps its projects read-only
        records += [(p.code, project_key(row, p.code), f"{p.code} {p.name}", p.status,
                     reverse("web:project", args=[code, year, p.code])) for p in data.dy.projects]
    comments = return_comments(row) if any(r[3] == "退回" and r[3] in waiting for r in records) else {}
    steps = []
    for _, key, label, status, url in records:
        if status not in waiting:
            continue
        actions = available_actions(status, roles)
        if actions:
            steps.append({"url": url, "label": label, "status": status,
                          "actions": "、".join(a.label for a in actions), "comment": comments.get(key, "")})
    editable = {owner: url for owner, _, _, status, url in records if workflow.editable(status, roles)}
    errors = [{"url": editable[f.project], "location": f.location, "message": f.message}
              for f in data.findings() if f.project in editable and quality.blocking([f])]
    return {"steps": steps, "errors": errors[:TODO_ERRORS], "more_errors": max(0, len(errors) - TODO_ERRORS)}


def return_comments(row: m.DepartmentYear) -> dict[str, str]:
    """The comment of the latest return (退回) of each record still in 退回, by object key."""
    out: dict[str, str] = {}
    logs = m.ChangeLog.objects.filter(department=row.department.code, year=row.year, field="status",
                                      after="退回").order_by("-when", "-id")
    for log in logs.values("object_key", "reason", "who", "when"):
        out.setdefault(log["object_key"], f"{log['who']}：{log['reason']}")
    return out


def _quality_html(data) -> str:
    summary = presenters.quality_summary(data.dy, data.findings())
    for kind in summary["kinds"]:
        # one join instead of a template loop over every message
        kind["messages_html"] = format_html_join(
            "", "<li>{}：{}</li>", ((f["location"], f["message"]) for f in kind["messages"]))
    return render_to_string("web/_quality.html", {"quality": summary})


@scored_year_page
def department(request, row: m.DepartmentYear, data: Scored):
    res = data.result
    code, year = row.department.code, row.year
    # Formatted once per scored version of the year; only reviews and the user's to-do vary.
    projects = data.memo("home_projects", lambda: presenters.project_rows(
        res, {p.code: p.status for p in data.dy.projects}, lambda pcode: reverse("web:project", args=[code, year, pcode])))
    reviews = {k: fmt_score(r.score) for k, r in latest_reviews(row).items()}
    ctx = page_context(
        request, row, data=data, result=res,
        budget=fmt_amount_fixed(res.budget), executed=fmt_amount_fixed(res.executed),
        rate=fmt_rate(res.execution.rate), total=fmt_score(res.total),
        by_source=[(k, fmt_amount_fixed(b), fmt_amount_fixed(e), fmt_rate(presenters.rate(e, b)))
                   for k, (b, e) in res.by_source.items() if b or e],
        by_nature=[(k, fmt_amount_fixed(b), fmt_amount_fixed(e), fmt_rate(presenters.rate(e, b)))
                   for k, (b, e) in res.by_nature.items() if b or e],
        projects=[{**r, "review": reviews.get(r["code"], "")} for r in projects] if reviews else projects,
        warnings=data.memo("home_warnings", lambda: _warnings(data)), todo=_todo(request, row, data),
        # hundreds of findings: rendered once per version, not on every view
        quality_html=data.memo("home_quality", lambda: _quality_html(data)),
        origin_demo=data.dy.origin == "示例" or any(p.origin == "示例" for p in data.dy.projects),
    )
    return render(request, "web/department.html", ctx)
