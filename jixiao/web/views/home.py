"""The start page (departments the user may see) and the department home."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join

from jixiao.budget import models as m
from jixiao.core import quality, workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_rate, fmt_score
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.history import object_key
from jixiao.services.reviews import latest_reviews
from jixiao.web import access, presenters
from jixiao.web.data import Scored, latest_year
from jixiao.web.views.common import Request, page_context, scored_year_page


@login_required
def index(request: Request) -> HttpResponse:
    departments = list(access.visible_departments(request.user).prefetch_related("years"))
    rows: list[dict[str, Any]] = [
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
def department_latest(request: Request, code: str) -> HttpResponse:
    department = access.get_department_or_404(request.user, code)
    row = latest_year(department)
    if row is None:
        raise Http404("该部门还没有年度数据")
    return redirect("web:department", code, row.year)


# The home page's reminders: the quality findings of this severity on the projects, the first few
# of them (every finding is in the quality section below).
REMINDER_SEVERITY = "警告"
REMINDERS = 20
# Quality errors listed in the to-do; the rest are in the quality section below it.
TODO_ERRORS = 20


def _warnings(data: Scored) -> list[str]:
    return [f"{f.location}：{f.message}" for f in data.findings()
            if f.project is not None and f.severity == REMINDER_SEVERITY][:REMINDERS]


def duties(roles: set[str] | frozenset[str]) -> set[str]:
    """The self-evaluation states in which a record waits for one of ``roles``: for each role, the
    sources of the furthest forward step (one that needs no comment, unlike a return or an
    unlock) the workflow rules give it. Earlier steps it may also take are optional for it (a
    department admin may also submit), and a return is never a duty."""
    forward = [t for t in workflow.stage(workflow.SELF_EVALUATION).transitions if not t.comment_required]
    waiting: set[str] = set()
    for role in roles:
        mine = [t for t in forward if role in t.roles]
        if mine:
            waiting.update(mine[-1].sources)
    return waiting


def _todo(request: Request, row: m.DepartmentYear, data: Scored) -> dict:
    """What needs this user's action: workflow steps waiting at the user's roles, with the return
    comment where a record came back, and quality errors on records the user can still edit."""
    actor = actor_for(request.user)
    roles = actor.roles_in(row.department)
    waiting = duties(roles)
    code, year = row.department.code, row.year
    # (project code or None, history key, label, status, page)
    records: list[tuple[str | None, str, str, str, str]] = [
        (None, object_key(code, year, Ref("year")), "部门整体", row.status,
         reverse("web:evaluation", args=[code, year]))]
    if not workflow.locked(row.status):  # a locked year keeps its projects read-only
        records += [(p.code, object_key(code, year, Ref("project", p.code)), f"{p.code} {p.name}", p.status,
                     reverse("web:project", args=[code, year, p.code])) for p in data.dy.projects]
    returned = returned_statuses() & waiting
    comments = return_comments(row) if any(r[3] in returned for r in records) else {}
    steps = []
    for _, key, label, status, url in records:
        if status not in waiting:
            continue
        actions = flow.actions(actor, row.department, status)
        if actions:
            steps.append({"url": url, "label": label, "status": status,
                          "actions": "、".join(a.label for a in actions), "comment": comments.get(key, "")})
    editable = {owner: url for owner, _, _, status, url in records if workflow.editable(status, roles)}
    errors = [{"url": editable[f.project], "location": f.location, "message": f.message}
              for f in data.findings() if f.project in editable and quality.blocking([f])]
    return {"steps": steps, "errors": errors[:TODO_ERRORS], "more_errors": max(0, len(errors) - TODO_ERRORS)}


def returned_statuses() -> set[str]:
    """The self-evaluation states a return (退回) leads to, as the workflow rules say."""
    return {t.target for t in workflow.stage(workflow.SELF_EVALUATION).transitions if t.action == "return"}


def return_comments(row: m.DepartmentYear, field: str = "status") -> dict[str, str]:
    """The comment of the latest return of each record still in the returned state, by object
    key: the latest status change of a record, when it was a return (``field="goal_status"``:
    of its goals)."""
    returned = returned_statuses()
    out: dict[str, str] = {}
    latest: set[str] = set()
    logs = (m.ChangeLog.objects.filter(department=row.department.code, year=row.year, field=field)
            .order_by("-when", "-id"))
    for log in logs.values("object_key", "reason", "who", "after"):
        if log["object_key"] in latest:
            continue
        latest.add(log["object_key"])
        if log["after"] in returned:
            out[log["object_key"]] = f"{log['who']}：{log['reason']}"
    return out


def _quality_html(data: Scored) -> str:
    summary = presenters.quality_summary(data.dy, data.findings())
    for kind in summary["kinds"]:
        # one join instead of a template loop over every message
        kind["messages_html"] = format_html_join(
            "", "<li>{}：{}</li>", ((f["location"], f["message"]) for f in kind["messages"]))
    return render_to_string("web/_quality.html", {"quality": summary})


@scored_year_page
def department(request: Request, row: m.DepartmentYear, data: Scored) -> HttpResponse:
    res = data.result
    code, year = row.department.code, row.year
    # Formatted once per scored version of the year; only reviews and the user's to-do vary.
    projects = data.memo("home_projects", lambda: presenters.project_rows(
        res, {p.code: p.status for p in data.dy.projects},
        lambda pcode: reverse("web:project", args=[code, year, pcode])))
    reviews = {k: fmt_score(r.score) for k, r in latest_reviews(row).items()}
    ctx = page_context(
        request, row, data=data, result=res,
        budget=presenters.amount(res.budget), executed=presenters.amount(res.executed),
        rate=fmt_rate(res.execution.rate), total=fmt_score(res.total),
        by_source=[(k, presenters.amount(b), presenters.amount(e), fmt_rate(presenters.rate(e, b)))
                   for k, (b, e) in res.by_source.items() if b or e],
        by_nature=[(k, presenters.amount(b), presenters.amount(e), fmt_rate(presenters.rate(e, b)))
                   for k, (b, e) in res.by_nature.items() if b or e],
        projects=[{**r, "review": reviews.get(r["code"], "")} for r in projects] if reviews else projects,
        warnings=data.memo("home_warnings", lambda: _warnings(data)), todo=_todo(request, row, data),
        # hundreds of findings: rendered once per version, not on every view
        quality_html=data.memo("home_quality", lambda: _quality_html(data)),
        origin_demo=data.dy.origin == "示例" or any(p.origin == "示例" for p in data.dy.projects),
    )
    return render(request, "web/department.html", ctx)
