"""The investment ledger in the shared ledger storage (``jixiao.ledgers.store``): its declaration
(``LEDGER``) and the reads the pages, commands and feeds need. Writing is
``jixiao.services.ledgers``'; a year keeps the rule set it was first counted under."""
from __future__ import annotations

from collections.abc import Iterable

from jixiao.core import invest
from jixiao.invest import models as m
from jixiao.invest import records
from jixiao.ledgers.store import Ledger, TableStore

LEDGER = Ledger(
    key="invest", noun="招商台账", command="invest", year_model=m.InvestYear, change_model=m.InvestChange,
    tables=(
        TableStore(records.PROJECTS, m.Project),
        TableStore(records.CREDITS, m.Credit),
        TableStore(records.FDI, m.FdiInflow),
        TableStore(records.EVENTS, m.PromotionEvent),
        TableStore(records.VISITS, m.LeaderVisit),
    ),
    rules_what="招商统计规则", counted="统计", load_rules=invest.load_rules, newest_rules=invest.select_rules,
    header=records.header, build=records.build, flat=records.flat, check=invest.check_ledger,
)


def ledger_years(code: str) -> list[int]:
    return LEDGER.years(code)


def load_ledger(code: str, year: int) -> invest.InvestLedger:
    return LEDGER.load(code, year)


def year_rules(code: str, year: int, rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestRules:
    return LEDGER.rules_of(LEDGER.year_row(code, year), rule_sets)


def load_summary(code: str, year: int, rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestSummary:
    return invest.summarize(load_ledger(code, year), year_rules(code, year, rule_sets))


def history(code: str, year: int) -> list[m.InvestChange]:
    return LEDGER.history(code, year)


def invest_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored year; nothing when the department has none that year."""
    return invest.invest_feeds(load_summary(code, year)) if LEDGER.exists(code, year) else {}
