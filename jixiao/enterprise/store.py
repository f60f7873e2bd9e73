"""The enterprise ledger in the shared ledger storage (``jixiao.ledgers.store``): its declaration
(``LEDGER``) and the reads the pages, commands and feeds need. Writing is
``jixiao.services.ledgers``'; a year keeps the rule set it was first counted under."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from jixiao.core import enterprise as ent
from jixiao.enterprise import models as m
from jixiao.enterprise import records
from jixiao.ledgers.store import Ledger, TableStore

LEDGER = Ledger(
    key="enterprise", noun="企业服务台账", command="enterprise", year_model=m.EnterpriseYear,
    change_model=m.EnterpriseChange,
    tables=(
        TableStore(records.ENTERPRISES, m.Enterprise),
        TableStore(records.RECOGNITIONS, m.Recognition),
        TableStore(records.STATS, m.MonthlyStat),
        TableStore(records.PUBLISHED, m.PublishedTotal),
        TableStore(records.VISITS, m.Visit),
        TableStore(records.TICKETS, m.Ticket),
        TableStore(records.TICKET_EVENTS, m.TicketEvent),
        TableStore(records.PLANS, m.Plan),
        TableStore(records.PLAN_MEASURES, m.PlanMeasure),
        TableStore(records.BRIEFINGS, m.Briefing),
    ),
    rules_what="企业服务统计规则", counted="统计", load_rules=ent.load_rules, newest_rules=ent.select_rules,
    header=records.header, build=records.build, flat=records.flat, check=ent.check_ledger,
)


def ledger_years(code: str) -> list[int]:
    return LEDGER.years(code)


def load_ledger(code: str, year: int) -> ent.EnterpriseLedger:
    return LEDGER.load(code, year)


def year_rules(code: str, year: int, rule_sets: Iterable[ent.EnterpriseRules] | None = None) -> ent.EnterpriseRules:
    return LEDGER.rules_of(LEDGER.year_row(code, year), rule_sets)


def load_summary(code: str, year: int, rule_sets: Iterable[ent.EnterpriseRules] | None = None,
                 as_of: date | None = None) -> ent.EnterpriseSummary:
    return ent.summarize(load_ledger(code, year), year_rules(code, year, rule_sets), as_of)


def history(code: str, year: int) -> list[m.EnterpriseChange]:
    return LEDGER.history(code, year)


def enterprise_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored year; nothing when the department has none that year."""
    return ent.enterprise_feeds(load_summary(code, year)) if LEDGER.exists(code, year) else {}
