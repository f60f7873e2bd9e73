"""The database ⇄ ``jixiao.core.invest`` boundary. ``save_ledger`` replaces one department's
pipeline snapshot for one year in a single transaction after every row has been checked, logging
per record and field what changed; the year keeps the rule set it was first counted under."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from jixiao.core import invest
from jixiao.investment import models as m
from jixiao.investment import records
from jixiao.ledgers.store import SYSTEM_USER, SnapshotLedger, demo_ledger, department

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "invest-2022.json"
LEDGER = SnapshotLedger(
    year_model=m.InvestYear, change_model=m.InvestChange, tables=records.TABLES,
    models={"projects": m.Project, "credits": m.Credit, "fdi": m.FdiInflow, "events": m.PromotionEvent,
            "visits": m.LeaderVisit},
    noun="招商台账", command="invest", rules_what="招商统计规则", load_rules=invest.load_rules,
    select_rules=invest.select_rules,
)


def ledger_years(code: str) -> list[int]:
    return LEDGER.years(code)


def load_ledger(code: str, year: int) -> invest.InvestLedger:
    row = LEDGER.year_row(code, year)
    return invest.InvestLedger(code, year, row.unit, origin=row.origin, **LEDGER.load_tables(row))


def year_rules(code: str, year: int, rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestRules:
    return LEDGER.rules_of(LEDGER.year_row(code, year), rule_sets)


def load_summary(code: str, year: int, rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestSummary:
    return invest.summarize(load_ledger(code, year), year_rules(code, year, rule_sets))


def save_ledger(ledger: invest.InvestLedger, user: Any = SYSTEM_USER, reason: str = "",
                rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestSummary:
    """Replace the department's snapshot of ``ledger.year``; all or nothing."""
    dept = department(ledger.department)
    rules = LEDGER.rules_for(dept, ledger.year, rule_sets)
    rows = records.flat(ledger)
    LEDGER.check(rows, invest.check_ledger(ledger, LEDGER.where, rules.max_share))
    summary = invest.summarize(ledger, rules)
    LEDGER.replace(dept, ledger.year, rows, rules, user, reason, ledger.origin, unit=ledger.unit)
    return summary


def history(code: str, year: int) -> list[m.InvestChange]:
    return LEDGER.history(code, year)


def invest_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored snapshot; nothing when the department has none that year."""
    return invest.invest_feeds(load_summary(code, year)) if LEDGER.exists(code, year) else {}


def load_demo_ledger(dy: Any) -> str:
    """(Re)load the illustrative pipeline of the demo department (a DEMO_LOADERS entry)."""
    ledger = demo_ledger(records.read_json, DEMO_FILE, dy)
    if ledger is None:
        return ""
    feeds = invest.invest_feeds(save_ledger(ledger, reason="载入示例招商台账"))
    return (f"已载入示例招商台账 {ledger.year} 年度：项目 {len(ledger.projects)} 个，新洽谈入库 {feeds['invest.pool_entered']}，"
            f"注册 {feeds['invest.registered']}，实际利用外资 {feeds['invest.fdi_usd']}（示例数据）")
