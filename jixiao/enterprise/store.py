"""The database ⇄ ``jixiao.core.enterprise`` boundary. ``save_ledger`` replaces one department's
snapshot for one year in a single transaction, after every row has been checked, logging per
record and field what changed; the year keeps the rule set it was first counted under."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable

from jixiao.core import enterprise as ent
from jixiao.enterprise import models as m
from jixiao.enterprise import records
from jixiao.ledgers.store import SYSTEM_USER, SnapshotLedger, demo_ledger, department

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "enterprise-2022.json"
LEDGER = SnapshotLedger(
    year_model=m.EnterpriseYear, change_model=m.EnterpriseChange, tables=records.TABLES,
    models={"enterprises": m.Enterprise, "recognitions": m.Recognition, "stats": m.MonthlyStat,
            "published": m.PublishedTotal, "visits": m.Visit, "tickets": m.Ticket, "ticket_events": m.TicketEvent,
            "plans": m.Plan, "plan_measures": m.PlanMeasure, "briefings": m.Briefing},
    noun="企业服务台账", command="enterprise", rules_what="企业服务统计规则", load_rules=ent.load_rules,
    select_rules=ent.select_rules,
)


def ledger_years(code: str) -> list[int]:
    return LEDGER.years(code)


def load_ledger(code: str, year: int) -> ent.EnterpriseLedger:
    row = LEDGER.year_row(code, year)
    rows = LEDGER.load_tables(row)
    tickets = {t.ticket_id: t for t in rows["tickets"]}
    for e in rows["ticket_events"]:
        tickets[e.ticket_id].events.append(e)
    plans = {p.plan_id: p for p in rows["plans"]}
    for measure in rows["plan_measures"]:
        plans[measure.plan_id].measures.append(measure)
    return ent.EnterpriseLedger(code, year, origin=row.origin, **{
        k: v for k, v in rows.items() if k not in ("ticket_events", "plan_measures")})


def year_rules(code: str, year: int, rule_sets: Iterable[ent.EnterpriseRules] | None = None) -> ent.EnterpriseRules:
    return LEDGER.rules_of(LEDGER.year_row(code, year), rule_sets)


def load_summary(code: str, year: int, rule_sets: Iterable[ent.EnterpriseRules] | None = None,
                 as_of: date | None = None) -> ent.EnterpriseSummary:
    return ent.summarize(load_ledger(code, year), year_rules(code, year, rule_sets), as_of)


def save_ledger(ledger: ent.EnterpriseLedger, user: Any = SYSTEM_USER, reason: str = "",
                rule_sets: Iterable[ent.EnterpriseRules] | None = None) -> ent.EnterpriseSummary:
    """Replace the department's snapshot of ``ledger.year``; all or nothing."""
    dept = department(ledger.department)
    rules = LEDGER.rules_for(dept, ledger.year, rule_sets)
    rows = records.flat(ledger)
    LEDGER.check(rows, ent.check_ledger(ledger, rules, LEDGER.where))
    summary = ent.summarize(ledger, rules)
    LEDGER.replace(dept, ledger.year, rows, rules, user, reason, ledger.origin)
    return summary


def history(code: str, year: int) -> list[m.EnterpriseChange]:
    return LEDGER.history(code, year)


def enterprise_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored snapshot; nothing when the department has none that year."""
    return ent.enterprise_feeds(load_summary(code, year)) if LEDGER.exists(code, year) else {}


def load_demo_ledger(dy: Any) -> str:
    """(Re)load the illustrative enterprise ledger of the demo department (a DEMO_LOADERS entry)."""
    ledger = demo_ledger(records.read_json, DEMO_FILE, dy)
    if ledger is None:
        return ""
    feeds = ent.enterprise_feeds(save_ledger(ledger, reason="载入示例企业服务台账"))
    return (f"已载入示例企业服务台账 {ledger.year} 年度：规上工业企业 {feeds['enterprise.above_scale_count']}，"
            f"产值 {feeds['enterprise.above_scale_output']}，走访 {feeds['enterprise.visit_person_times']}（示例数据）")
