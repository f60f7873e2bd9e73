"""The database ⇄ ``jixiao.core.enterprise`` boundary. ``save_ledger`` replaces one department's
snapshot for one year in a single transaction, after every row has been checked; the year keeps
the rule set it was first counted under."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable

from django.db import transaction

from jixiao.budget.models import Department
from jixiao.core import enterprise as ent
from jixiao.core.errors import InputError, Problem
from jixiao.enterprise import models as m
from jixiao.enterprise import records
from jixiao.investment.dbrows import capacity_problems, to_core, to_rows
from jixiao.investment.store import department

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "enterprise-2022.json"
SYSTEM_USER = "系统"
MODELS = {"enterprises": m.Enterprise, "recognitions": m.Recognition, "stats": m.MonthlyStat,
          "published": m.PublishedTotal, "visits": m.Visit, "tickets": m.Ticket, "ticket_events": m.TicketEvent,
          "plans": m.Plan, "plan_measures": m.PlanMeasure, "briefings": m.Briefing}
SHEETS = {t.key: t.sheet for t in records.TABLES}


def _rules(rule_sets: Iterable[ent.EnterpriseRules] | None) -> list[ent.EnterpriseRules]:
    return list(rule_sets) if rule_sets is not None else ent.load_rules()


def ledger_years(code: str) -> list[int]:
    return list(m.EnterpriseYear.objects.filter(department__code=code).order_by("year").values_list("year", flat=True))


def year_row(code: str, year: int) -> m.EnterpriseYear:
    row = m.EnterpriseYear.objects.filter(department=department(code), year=year).first()
    if row is None:
        raise InputError(f"部门“{code}”没有{year}年度的企业服务台账，请先导入（jixiao enterprise import）", "企业服务台账")
    return row


def load_ledger(code: str, year: int) -> ent.EnterpriseLedger:
    row = year_row(code, year)
    rows = {t.key: to_core(t, MODELS[t.key].objects.filter(ledger=row)) for t in records.TABLES}
    tickets = {t.ticket_id: t for t in rows["tickets"]}
    for e in rows["ticket_events"]:
        tickets[e.ticket_id].events.append(e)
    plans = {p.plan_id: p for p in rows["plans"]}
    for measure in rows["plan_measures"]:
        plans[measure.plan_id].measures.append(measure)
    return ent.EnterpriseLedger(code, year, origin=row.origin, **{
        k: v for k, v in rows.items() if k not in ("ticket_events", "plan_measures")})


def year_rules(code: str, year: int, rule_sets: Iterable[ent.EnterpriseRules] | None = None) -> ent.EnterpriseRules:
    row = year_row(code, year)
    for r in _rules(rule_sets):
        if (r.id, r.version) == (row.rule_id, row.rule_version):
            return r
    raise InputError(f"找不到 {row.rule_id} v{row.rule_version} 版企业服务统计规则；该年度曾按此版本统计，请恢复该规则文件",
                     "规则")


def load_summary(code: str, year: int, rule_sets: Iterable[ent.EnterpriseRules] | None = None,
                 as_of: date | None = None) -> ent.EnterpriseSummary:
    return ent.summarize(load_ledger(code, year), year_rules(code, year, rule_sets), as_of)


def save_ledger(ledger: ent.EnterpriseLedger, user: str = SYSTEM_USER, reason: str = "",
                rule_sets: Iterable[ent.EnterpriseRules] | None = None) -> ent.EnterpriseSummary:
    """Replace the department's snapshot of ``ledger.year``; all or nothing."""
    dept: Department = department(ledger.department)
    existing = m.EnterpriseYear.objects.filter(department=dept, year=ledger.year).first()
    sets = _rules(rule_sets)
    rules = (next((r for r in sets if (r.id, r.version) == (existing.rule_id, existing.rule_version)), None)
             if existing else None) or ent.select_rules(sets, ledger.year)

    def where(table: str, i: int, attr: str) -> str:
        return f"{SHEETS[table]}[{i + 1}].{attr}"

    problems: list[Problem] = ent.check_ledger(ledger, rules, where)
    rows = records.flat(ledger)
    for t in records.TABLES:
        problems += capacity_problems(MODELS[t.key], t, rows[t.key], lambda i, a, t=t: where(t.key, i, a))
    if problems:
        raise InputError(problems)
    summary = ent.summarize(ledger, rules)
    with transaction.atomic():
        if existing:
            existing.delete()
        row = m.EnterpriseYear.objects.create(department=dept, year=ledger.year, rule_id=rules.id,
                                              rule_version=rules.version, origin=ledger.origin, saved_by=user,
                                              reason=reason[:300])
        for t in records.TABLES:
            MODELS[t.key].objects.bulk_create(to_rows(MODELS[t.key], t, rows[t.key], ledger=row), batch_size=500)
    return summary


def enterprise_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored snapshot; nothing when the department has none that year."""
    if not m.EnterpriseYear.objects.filter(department__code=code, year=year).exists():
        return {}
    return ent.enterprise_feeds(load_summary(code, year))


def load_demo_ledger(dy: Any) -> str:
    """(Re)load the illustrative enterprise ledger of the demo department (a DEMO_LOADERS entry)."""
    ledger = records.read_json(DEMO_FILE)
    if ledger.department != dy.department.code:
        return ""
    ledger.origin = "示例"
    s = save_ledger(ledger, reason="载入示例企业服务台账")
    feeds = ent.enterprise_feeds(s)
    return (f"已载入示例企业服务台账 {ledger.year} 年度：规上工业企业 {feeds['enterprise.above_scale_count']}，"
            f"产值 {feeds['enterprise.above_scale_output']}，走访 {feeds['enterprise.visit_person_times']}（示例数据）")
