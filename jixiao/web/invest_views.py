"""Pages of the investment ledger: the pipeline board by stage with raw and credited totals, FDI
arrivals, events and leaders' visits. Access goes through ``jixiao.web.access``: another
department's ledger is a 404."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.core import invest
from jixiao.core.display import fmt_value
from jixiao.invest import models as im
from jixiao.invest import store
from jixiao.web import access, ledger_forms
from jixiao.web.views.common import page_context


@login_required
def board(request: HttpRequest, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    ledger_row = im.InvestYear.objects.filter(department=row.department, year=year).first()
    ctx: dict[str, Any] = page_context(request, row, invest_year=ledger_row, invest_years=store.ledger_years(code))
    if ledger_row is None:
        return render(request, "invest/board.html", ctx)
    ledger = store.load_ledger(code, year)
    rules = store.year_rules(code, year)
    s = invest.summarize(ledger, rules)
    shares = {c.project_id: c.share for c in ledger.credits if c.unit == ledger.unit}
    partners: dict[str, list[str]] = {}
    for c in ledger.credits:
        if c.unit != ledger.unit:
            partners.setdefault(c.project_id, []).append(f"{c.unit} {fmt_value(c.share)}")
    columns = []
    for stage in invest.ALL_STAGES:
        cards = [{"p": p, "date": getattr(p, invest.STAGE_DATES[stage]),
                  "share": fmt_value(shares[p.project_id]) if p.project_id in shares else "0",
                  "partners": "、".join(partners.get(p.project_id, []))}
                 for p in sorted(ledger.projects, key=lambda p: p.project_id) if p.stage == stage]
        columns.append({"stage": stage, "cards": cards})
    data = s.as_dict()
    measures = [("新洽谈入库项目（个）", data["pool_entered"]), ("签约项目（个）", data["signed"]),
                ("注册项目（个）", data["registered"]),
                (f"协议投资总额（{s.amount_unit}）", data["agreed_investment"]),
                (f"协议达产年产值/营收（{s.amount_unit}）", data["agreed_output"]),
                (f"实际利用外资（{s.fdi_unit}）", data["fdi"])]
    fdi = [{"f": f, "usd": fmt_value(invest.fdi_usd(f, rules.fdi_unit), 2), "counted": f.arrival_date.year == year}
           for f in sorted(ledger.fdi, key=lambda f: f.arrival_date)]
    ctx.update(s=s, data=data, columns=columns, measures=measures, fdi=fdi, unit=ledger.unit,
               events=sorted(ledger.events, key=lambda e: e.date), visits=sorted(ledger.visits, key=lambda v: v.date),
               feeds=ledger_forms.feed_rows(invest.invest_feeds(s)), rules=rules)
    return render(request, "invest/board.html", ctx)
