"""Pages of the enterprise ledger: the economic overview (output by industry division as an
ECharts chart, same-scope growth, visits, briefings, 专精特新), the enterprise list and one
enterprise's page (statistics, visits, tickets, plans), and the ticket queue with overdue
warnings. Access goes through ``jixiao.web.access``: another department's ledger is a 404."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.core import enterprise as ent
from jixiao.core.display import DASH, fmt_rate, fmt_value
from jixiao.core.model import sum_known
from jixiao.enterprise import models as em
from jixiao.enterprise import store
from jixiao.web import access, ledger_forms
from jixiao.web.views.common import page_context

FLAG_CLASS = {"逾期": "overdue", "逾期办结": "overdue", "临期": "due-soon"}


def _context(request: HttpRequest, code: str, year: int) -> dict[str, Any]:
    row = access.get_year_or_404(request.user, code, year)
    ledger_row = em.EnterpriseYear.objects.filter(department=row.department, year=year).first()
    return page_context(request, row, enterprise_year=ledger_row, enterprise_years=store.ledger_years(code))


def _as_of(year: int) -> date:
    # a past year is judged at its end; the current year today
    return min(date.today(), date(year, 12, 31))


@login_required
def overview(request: HttpRequest, code: str, year: int) -> HttpResponse:
    ctx = _context(request, code, year)
    if ctx["enterprise_year"] is None:
        return render(request, "enterprise/overview.html", ctx)
    s = store.load_summary(code, year, as_of=_as_of(year))
    ctx.update(s=s, data=s.as_dict(), feeds=ledger_forms.feed_rows(ent.enterprise_feeds(s)),
               chart=_division_chart(s, ctx["animation"]))
    return render(request, "enterprise/overview.html", ctx)


def _division_chart(s: ent.EnterpriseSummary, animation: bool) -> dict:
    names = [f"{d.tag or d.name}（{d.code}）" for d in s.divisions]
    yi = ent.WAN_PER_YI
    return {
        "animation": animation,
        "title": {"text": "规上工业总产值（亿元）与同口径增速，按行业大类", "left": "center",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 60, "top": 50, "bottom": 110},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 30, "interval": 0}},
        "yAxis": [{"type": "value", "name": "亿元"}, {"type": "value", "name": "%"}],
        "series": [
            {"type": "bar", "name": "本年",
             "data": [float(fmt_value(d.total.current / yi, 2)) for d in s.divisions]},
            {"type": "bar", "name": "上年同期（同口径）",
             "data": [float(fmt_value(d.total.prior / yi, 2)) for d in s.divisions]},
            {"type": "line", "name": "增速", "yAxisIndex": 1,
             "data": [None if d.total.growth is None else float(fmt_value(d.total.growth * 100, 2))
                      for d in s.divisions]},
        ],
    }


@login_required
def enterprise_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    ctx = _context(request, code, year)
    if ctx["enterprise_year"] is None:
        return render(request, "enterprise/list.html", ctx)
    ledger = store.load_ledger(code, year)
    rules = store.year_rules(code, year)
    f = {k: request.GET.get(k, "").strip() for k in ("status", "division", "q")}
    items = []
    for e in sorted(ledger.enterprises, key=lambda e: e.uscc):
        status = ent.scale_status(e, rules) or "其他"
        if f["status"] and status != f["status"] or f["division"] and e.division != f["division"]:
            continue
        if f["q"] and f["q"] not in e.name and f["q"].upper() not in e.uscc:
            continue
        items.append({"e": e, "status": status, "division": rules.divisions.get(e.division, "")})
    options = {"statuses": sorted({ent.scale_status(e, rules) or "其他" for e in ledger.enterprises}),
               "divisions": sorted({(e.division, rules.divisions.get(e.division, "")) for e in ledger.enterprises})}
    ctx.update(items=items, filters=f, options=options, count=len(items))
    return render(request, "enterprise/list.html", ctx)


@login_required
def enterprise_detail(request: HttpRequest, code: str, year: int, uscc: str) -> HttpResponse:
    ctx = _context(request, code, year)
    if ctx["enterprise_year"] is None:
        raise Http404("本年度尚无企业服务台账")
    ledger = store.load_ledger(code, year)
    e = next((x for x in ledger.enterprises if x.uscc == uscc), None)
    if e is None:
        raise Http404("未找到该企业")
    rules = store.year_rules(code, year)
    stats = [s for s in ent.latest_stats(ledger.stats) if s.uscc == uscc]
    # an industrial firm reports output, a trading firm sales: the page shows whichever it has;
    # a month left blank leaves the total unknown ("—"), never counted as 0
    current = sum_known(s.output if s.output is not None else s.sales for s in stats)
    prior = sum_known(s.output_prior if s.output is not None else s.sales_prior for s in stats)
    as_of = _as_of(year)
    tickets = []
    for t in ledger.tickets:
        if t.uscc == uscc:
            o = ent.overdue(t, rules, as_of)
            tickets.append({"t": t, "o": o, "cls": FLAG_CLASS.get(o.flag, "")})
    ctx.update(e=e, status=ent.scale_status(e, rules) or "—", division=rules.divisions.get(e.division, ""),
               stats=stats, total=_amount(current), prior=_amount(prior),
               growth=fmt_rate(ent.growth(current, prior) if current is not None and prior else None, 2),
               visits=[v for v in ledger.visits if v.uscc == uscc], tickets=tickets,
               plans=[p for p in ledger.plans if p.uscc == uscc],
               recognitions=[r for r in ledger.recognitions if r.uscc == uscc],
               revisions=sum(1 for s in ledger.stats if s.uscc == uscc) - len(stats))
    return render(request, "enterprise/detail.html", ctx)


def _amount(d: Decimal | None) -> str:
    return DASH if d is None else fmt_value(d, 2)


@login_required
def ticket_queue(request: HttpRequest, code: str, year: int) -> HttpResponse:
    ctx = _context(request, code, year)
    if ctx["enterprise_year"] is None:
        return render(request, "enterprise/tickets.html", ctx)
    ledger = store.load_ledger(code, year)
    rules = store.year_rules(code, year)
    as_of = _as_of(year)
    names = {e.uscc: e.name for e in ledger.enterprises}
    show_all = request.GET.get("all") == "1"
    rows: list[dict[str, Any]] = []
    for t in ledger.tickets:
        o = ent.overdue(t, rules, as_of)
        if not show_all and t.reached(rules.closed_status):
            continue
        rows.append({"t": t, "o": o, "name": names.get(t.uscc, t.uscc), "cls": FLAG_CLASS.get(o.flag, "")})
    # the most urgent first: overdue by days late, then by the nearest deadline
    rows.sort(key=lambda r: (r["o"].flag not in ("逾期",), -r["o"].days_late, r["o"].deadline))
    warnings = [r for r in rows if r["o"].flag in ("逾期", "临期")]
    ctx.update(rows=rows, warnings=warnings, as_of=as_of, show_all=show_all, transitions=rules.transitions)
    return render(request, "enterprise/tickets.html", ctx)
