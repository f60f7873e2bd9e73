"""The database ⇄ ``jixiao.core.invest`` boundary. ``save_ledger`` replaces one department's
pipeline snapshot for one year in a single transaction after every row has been checked; the
year keeps the rule set it was first counted under."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from django.db import transaction

from jixiao.budget import models as budget
from jixiao.core import invest
from jixiao.core.errors import InputError, Problem
from jixiao.investment import models as m
from jixiao.investment import records
from jixiao.investment.dbrows import capacity_problems, to_core, to_rows

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "invest-2022.json"
SYSTEM_USER = "系统"
MODELS = {"projects": m.Project, "credits": m.Credit, "fdi": m.FdiInflow, "events": m.PromotionEvent,
          "visits": m.LeaderVisit}


def department(code: str) -> budget.Department:
    try:
        return budget.Department.objects.get(code=code)
    except budget.Department.DoesNotExist:
        raise InputError(f"部门“{code}”不存在，请先导入该部门的年度数据（jixiao import）", "部门编码") from None


def _rules(rule_sets: Iterable[invest.InvestRules] | None) -> list[invest.InvestRules]:
    return list(rule_sets) if rule_sets is not None else invest.load_rules()


def ledger_years(code: str) -> list[int]:
    return list(m.InvestYear.objects.filter(department__code=code).order_by("year").values_list("year", flat=True))


def year_row(code: str, year: int) -> m.InvestYear:
    row = m.InvestYear.objects.filter(department=department(code), year=year).first()
    if row is None:
        raise InputError(f"部门“{code}”没有{year}年度的招商台账，请先导入（jixiao invest import）", "招商台账")
    return row


def load_ledger(code: str, year: int) -> invest.InvestLedger:
    row = year_row(code, year)
    tables = {t.key: to_core(t, MODELS[t.key].objects.filter(ledger=row)) for t in records.TABLES}
    return invest.InvestLedger(code, year, row.unit, origin=row.origin, **tables)


def year_rules(code: str, year: int, rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestRules:
    row = year_row(code, year)
    for r in _rules(rule_sets):
        if (r.id, r.version) == (row.rule_id, row.rule_version):
            return r
    raise InputError(f"找不到 {row.rule_id} v{row.rule_version} 版招商统计规则；该年度曾按此版本统计，请恢复该规则文件",
                     "规则")


def load_summary(code: str, year: int, rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestSummary:
    return invest.summarize(load_ledger(code, year), year_rules(code, year, rule_sets))


def save_ledger(ledger: invest.InvestLedger, user: str = SYSTEM_USER, reason: str = "",
                rule_sets: Iterable[invest.InvestRules] | None = None) -> invest.InvestSummary:
    """Replace the department's snapshot of ``ledger.year``; all or nothing."""
    dept = department(ledger.department)
    existing = m.InvestYear.objects.filter(department=dept, year=ledger.year).first()
    sets = _rules(rule_sets)
    rules = (next((r for r in sets if (r.id, r.version) == (existing.rule_id, existing.rule_version)), None)
             if existing else None) or invest.select_rules(sets, ledger.year)

    sheets = {t.key: t.sheet for t in records.TABLES}

    def where(table: str, i: int, attr: str) -> str:
        return f"{sheets[table]}[{i + 1}].{attr}"

    problems: list[Problem] = invest.check_ledger(ledger, where, rules.max_share)
    for t in records.TABLES:
        problems += capacity_problems(MODELS[t.key], t, getattr(ledger, t.key),
                                      lambda i, a, t=t: where(t.key, i, a))
    if problems:
        raise InputError(problems)
    summary = invest.summarize(ledger, rules)
    with transaction.atomic():
        if existing:
            existing.delete()
        row = m.InvestYear.objects.create(department=dept, year=ledger.year, unit=ledger.unit, rule_id=rules.id,
                                          rule_version=rules.version, origin=ledger.origin, saved_by=user,
                                          reason=reason[:300])
        for t in records.TABLES:
            MODELS[t.key].objects.bulk_create(to_rows(MODELS[t.key], t, getattr(ledger, t.key), ledger=row))
    return summary


def invest_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored snapshot; nothing when the department has none that year."""
    if not m.InvestYear.objects.filter(department__code=code, year=year).exists():
        return {}
    return invest.invest_feeds(load_summary(code, year))


def load_demo_ledger(dy: Any) -> str:
    """(Re)load the illustrative pipeline of the demo department (a DEMO_LOADERS entry)."""
    ledger = records.read_json(DEMO_FILE)
    if ledger.department != dy.department.code:
        return ""
    ledger.origin = "示例"
    save_ledger(ledger, reason="载入示例招商台账")
    s = load_summary(ledger.department, ledger.year)
    feeds = invest.invest_feeds(s)
    return (f"已载入示例招商台账 {ledger.year} 年度：项目 {len(ledger.projects)} 个，新洽谈入库 {feeds['invest.pool_entered']}，"
            f"注册 {feeds['invest.registered']}，实际利用外资 {feeds['invest.fdi_usd']}（示例数据）")
