"""The investment-promotion pipeline (招商引资台账): projects and their stage dates, credit shares
between units, foreign-capital inflows, promotion events and leaders' company visits, and the
year's aggregates. Pure functions over dataclasses — no Django here.

Counting follows the event, not the project: a project counts in the year its 入库 / 签约 / 注册
date falls in, whatever stage it has reached since. Shared projects count by the credit share
stored for the unit (never an assumed 0.5); FDI counts in the year the money arrived. Amounts
keep their unit and currency; foreign amounts are converted with the rate recorded on the row,
and every rule choice comes from a dated rule set under ``jixiao/rules/invest/``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from jixiao.core.display import fmt_value
from jixiao.core.errors import Problem
from jixiao.core.ledger import (
    RuleReader,
    RuleSetHeader,
    Where,
    count_samples,
    duplicate_problems,
    load_rule_files,
    newest_in_force,
)
from jixiao.core.money import MONEY_UNITS, Amount, canonical_unit

RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / "invest"

STAGES: tuple[str, ...] = ("线索", "新洽谈入库", "签约", "注册", "落地", "动工", "投产", "达产")
CLOSED_STAGES: tuple[str, ...] = ("终止", "流失")
ALL_STAGES: tuple[str, ...] = STAGES + CLOSED_STAGES
# the date attribute that records reaching each stage, in pipeline order
STAGE_DATES: dict[str, str] = {
    "线索": "first_contact_date", "新洽谈入库": "entered_pool_date", "签约": "signed_date",
    "注册": "registered_date", "落地": "landed_date", "动工": "started_date", "投产": "production_date",
    "达产": "full_production_date", "终止": "closed_date", "流失": "closed_date",
}
MEASURES: tuple[str, ...] = ("入库", "签约", "注册")
MEASURE_DATES: dict[str, str] = {"入库": "entered_pool_date", "签约": "signed_date", "注册": "registered_date"}
CREDIT_ROLES: tuple[str, ...] = ("首谈", "落地", "协办", "独立引进")
FDI_TYPES: tuple[str, ...] = ("新设", "增资", "并购", "股东贷款", "利润再投资")
EVENT_TYPES: tuple[str, ...] = ("推介会", "园区招商交流活动", "考察", "展会", "云招商")
VISIT_PURPOSES: tuple[str, ...] = ("招商", "服务")
CNY, USD = "CNY", "USD"


# ---------------------------------------------------------------- the ledger rows

@dataclass
class Project:
    """One investment project. Amounts are in their own unit (万元, 亿元, 万美元 …); a foreign-currency
    amount needs ``fx_rate_cny`` (元 per unit of that currency) and its source."""

    project_id: str
    name: str
    stage: str  # current stage, one of ALL_STAGES
    investor: str = ""
    investor_region: str = ""  # e.g. 中国香港、德国、广东省外
    is_foreign: bool = False
    industry_code: str = ""  # GB/T 4754-2017
    industry_tag: str = ""  # 区重点产业
    source_channel: str = ""  # 推介会 / 以商招商 / 领导走访 …
    first_contact_date: date | None = None
    entered_pool_date: date | None = None
    signed_date: date | None = None
    registered_date: date | None = None
    landed_date: date | None = None
    started_date: date | None = None
    production_date: date | None = None
    full_production_date: date | None = None
    closed_date: date | None = None  # 终止/流失
    agreement_no: str = ""
    agreed_investment: Decimal | None = None  # 协议投资额
    agreed_investment_unit: str = "万元"
    agreed_output: Decimal | None = None  # 协议达产年产值/营收
    agreed_output_unit: str = "万元"
    fx_rate_cny: Decimal | None = None  # 元人民币 per 1 unit of the agreement's foreign currency
    fx_rate_source: str = ""
    registered_uscc: str = ""
    registered_capital: Decimal | None = None
    registered_capital_unit: str = "万元"
    officer: str = ""  # 责任人
    note: str = ""
    origin: str = "录入"


@dataclass
class Credit:
    """The share of one project credited to one unit (招商成效分成)."""

    project_id: str
    unit: str
    share: Decimal  # in (0, 1]; Σ per project ≤ the rule set's maximum
    role: str = "独立引进"
    counts_for: list[str] = field(default_factory=lambda: list(MEASURES))
    amount_split: bool = True  # agreed amounts credited × share (else in full)
    note: str = ""
    origin: str = "录入"


@dataclass
class FdiInflow:
    """One arrival of foreign capital (实际利用外资), as verified by the commerce bureau."""

    fdi_id: str
    arrival_date: date
    amount: Decimal  # in ``unit``
    unit: str  # 万美元 / 万港元 / 万欧元 / 美元 …
    type: str = "新设"
    project_id: str = ""
    enterprise_uscc: str = ""
    enterprise: str = ""
    fx_rate_usd: Decimal | None = None  # 美元 per 1 unit of the original currency (not needed for USD)
    fx_rate_source: str = ""
    credited_unit: str = ""  # blank = the ledger's own unit
    share: Decimal = Decimal("1")
    verified_by: str = ""
    note: str = ""
    origin: str = "录入"


@dataclass
class PromotionEvent:
    """A promotion event (招商推介会) or park exchange activity (园区招商交流活动)."""

    event_id: str
    date: date
    type: str  # one of EVENT_TYPES
    title: str
    place: str = ""
    outside_district: bool = False  # 区外举办
    organiser: str = ""
    partners: str = ""
    attendees: int | None = None
    leads_generated: int | None = None
    projects_signed: int | None = None
    note: str = ""
    origin: str = "录入"


@dataclass
class LeaderVisit:
    """A district leader leading a visit to a company (区领导带队拜访企业)."""

    visit_id: str
    date: date
    leaders: str
    enterprise: str
    city: str = ""  # 拜访地所在城市
    outside_city: bool = False  # 赴市外
    purpose: str = "招商"
    outcome: str = ""
    follow_up: str = ""  # 跟进事项
    note: str = ""
    origin: str = "录入"


@dataclass
class InvestLedger:
    """One department's pipeline snapshot for one year. ``unit`` is the name under which the
    department is credited in ``Credit.unit``."""

    department: str
    year: int
    unit: str
    projects: list[Project] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    fdi: list[FdiInflow] = field(default_factory=list)
    events: list[PromotionEvent] = field(default_factory=list)
    visits: list[LeaderVisit] = field(default_factory=list)
    origin: str = "录入"


# ---------------------------------------------------------------- rule sets

@dataclass(frozen=True)
class InvestRules(RuleSetHeader):
    max_share: Decimal  # Σ credit share per project
    amount_project_set: str  # the measure whose projects carry the agreed totals (签约)
    amount_unit: str  # unit the agreed totals are reported in (亿元)
    fdi_unit: str  # 万美元
    promotion_types: tuple[str, ...]
    exchange_types: tuple[str, ...]
    visits_outside_city_only: bool
    visits_distinct_enterprises: bool


def parse_rules(data: Mapping[str, Any], source: str = "规则") -> InvestRules:
    """A rule set from its JSON; every missing or malformed entry is reported together."""
    r = RuleReader(data, source)
    get = r.get
    header = r.header()
    credit = get(data, "credit") or {}
    amounts = get(data, "agreed_amounts") or {}
    events = get(data, "events") or {}
    visits = get(data, "leader_visits") or {}
    max_share = r.dec(get(credit, "max_share_per_project", "$.credit"), "$.credit.max_share_per_project",
                      "应为数值，如 1")
    project_set = get(amounts, "project_set", "$.agreed_amounts")
    if project_set is not None and project_set not in MEASURES:
        r.problem("$.agreed_amounts.project_set", f"应为{'、'.join(MEASURES)}之一")
    for path, unit in (("$.agreed_amounts.unit", get(amounts, "unit", "$.agreed_amounts")),
                       ("$.fdi_unit", get(data, "fdi_unit"))):
        if unit is not None and canonical_unit(str(unit)) not in MONEY_UNITS:
            r.problem(path, f"“{unit}”不是金额单位")
    types = {k: tuple(get(events, k, "$.events") or ()) for k in ("promotion_types", "exchange_types")}
    for k, values in types.items():
        for t in values:
            if t not in EVENT_TYPES:
                r.problem(f"$.events.{k}", f"活动类型“{t}”不受支持，可用：{'、'.join(EVENT_TYPES)}")
    return r.done(InvestRules(
        **header, max_share=max_share, amount_project_set=str(project_set),
        amount_unit=str(amounts.get("unit", "亿元")), fdi_unit=str(data.get("fdi_unit", "万美元")),
        promotion_types=types["promotion_types"], exchange_types=types["exchange_types"],
        visits_outside_city_only=bool(get(visits, "outside_city_only", "$.leader_visits")),
        visits_distinct_enterprises=bool(get(visits, "distinct_enterprises", "$.leader_visits")),
    ))


def load_rules(directory: Path = RULES_DIR) -> list[InvestRules]:
    return load_rule_files(directory, parse_rules)


def select_rules(rule_sets: Iterable[InvestRules], year: int) -> InvestRules:
    """The newest rule set in force at the year's end."""
    return newest_in_force(rule_sets, year, "招商统计规则", "invest")


# ---------------------------------------------------------------- money

def currency_of(unit: str) -> str | None:
    entry = MONEY_UNITS.get(canonical_unit(unit))
    return entry[0] if entry else None


def _base(value: Decimal, unit: str) -> Decimal:
    """The amount in its currency's base unit (元, 美元, 港元 …)."""
    return value * MONEY_UNITS[canonical_unit(unit)][1]


def to_cny(value: Decimal, unit: str, fx_rate_cny: Decimal | None, target: str = "万元") -> Decimal:
    """An amount in ``target`` (a CNY unit); foreign currency through ``fx_rate_cny`` (元 per unit)."""
    if currency_of(unit) == CNY:
        return Amount(value, unit).to(target).value
    if fx_rate_cny is None:
        raise ValueError(f"“{unit}”金额须填写折合人民币汇率")
    return _base(value, unit) * fx_rate_cny / MONEY_UNITS[canonical_unit(target)][1]


def to_usd(value: Decimal, unit: str, fx_rate_usd: Decimal | None, target: str = "万美元") -> Decimal:
    """An amount in ``target`` (a USD unit); other currencies through ``fx_rate_usd`` (美元 per unit)."""
    if currency_of(unit) == USD:
        return Amount(value, unit).to(target).value
    if fx_rate_usd is None:
        raise ValueError(f"“{unit}”到资须填写折合美元汇率")
    return _base(value, unit) * fx_rate_usd / MONEY_UNITS[canonical_unit(target)][1]


def fdi_usd(f: FdiInflow, target: str = "万美元") -> Decimal:
    return to_usd(f.amount, f.unit, f.fx_rate_usd, target)


# ---------------------------------------------------------------- validation

def check_ledger(ledger: InvestLedger, rules: InvestRules, where: Where) -> list[Problem]:
    """Cross-row checks, every problem located: unique ids, credits of known projects with
    Σ share ≤ the rule set's ``max_share`` per project, stage dates in pipeline order, currencies
    with rates."""
    max_share = rules.max_share
    problems: list[Problem] = []
    for table, attr, title in (("projects", "project_id", "项目编号"), ("fdi", "fdi_id", "到资编号"),
                               ("events", "event_id", "活动编号"), ("visits", "visit_id", "拜访编号")):
        problems += duplicate_problems(getattr(ledger, table), attr, title, partial(where, table))
    for i, p in enumerate(ledger.projects):
        problems += _check_project(p, partial(where, "projects", i))
    names = {p.project_id: p.name for p in ledger.projects}
    totals: dict[str, Decimal] = {}
    first_row: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    for i, c in enumerate(ledger.credits):
        if c.project_id not in names:
            problems.append(Problem(where("credits", i, "project_id"), f"项目“{c.project_id}”不在项目台账中",
                                    "项目编号"))
            continue
        if not Decimal(0) < c.share <= Decimal(1):
            problems.append(Problem(where("credits", i, "share"), "分成比例应大于0且不超过1", "分成比例"))
        if (c.project_id, c.unit) in pairs:
            problems.append(Problem(where("credits", i, "unit"),
                                    f"单位“{c.unit}”在项目“{c.project_id}”中已有分成"
                                    f"（第{pairs[(c.project_id, c.unit)] + 1}条）",
                                    "计分单位"))
        pairs.setdefault((c.project_id, c.unit), i)
        bad = [m for m in c.counts_for if m not in MEASURES]
        if bad:
            problems.append(Problem(where("credits", i, "counts_for"),
                                    f"“{'、'.join(bad)}”不是计分环节，可用：{'、'.join(MEASURES)}", "计分环节"))
        totals[c.project_id] = totals.get(c.project_id, Decimal(0)) + c.share
        first_row.setdefault(c.project_id, i)
    for pid, total in totals.items():
        if total > max_share:
            problems.append(Problem(where("credits", first_row[pid], "share"),
                                    f"项目“{pid}”（{names[pid]}）各单位分成合计 {fmt_value(total)}，"
                                    f"超过 {fmt_value(max_share)}",
                                    "分成比例"))
    for i, f in enumerate(ledger.fdi):
        problems += _check_fdi(f, names, partial(where, "fdi", i))
    return problems


def _check_project(p: Project, where: Callable[[str], str]) -> list[Problem]:
    problems: list[Problem] = []
    if p.stage not in ALL_STAGES:
        problems.append(Problem(where("stage"), f"“{p.stage}”不是项目阶段，可用：{'、'.join(ALL_STAGES)}", "当前阶段"))
        return problems
    if getattr(p, STAGE_DATES[p.stage]) is None:
        problems.append(Problem(where(STAGE_DATES[p.stage]), f"项目处于“{p.stage}”阶段，须填写该阶段日期", "阶段日期"))
    if p.stage in STAGES:
        reached = STAGES.index(p.stage)
        for later in STAGES[reached + 1:]:
            if getattr(p, STAGE_DATES[later]) is not None:
                problems.append(Problem(where(STAGE_DATES[later]),
                                        f"项目当前阶段为“{p.stage}”，却已填写“{later}”日期；请更正当前阶段或日期",
                                        "阶段日期"))
    previous: tuple[str, date] | None = None
    for stage in STAGES:
        d = getattr(p, STAGE_DATES[stage])
        if d is None:
            continue
        if previous and d < previous[1]:
            problems.append(Problem(where(STAGE_DATES[stage]),
                                    f"“{stage}”日期 {d.isoformat()} 早于“{previous[0]}”日期 {previous[1].isoformat()}",
                                    "阶段日期"))
        previous = (stage, d)
    if p.closed_date is not None and p.stage not in CLOSED_STAGES:
        problems.append(Problem(where("closed_date"), "只有终止或流失的项目才填写终止日期", "终止日期"))
    for attr, unit_attr in (("agreed_investment", "agreed_investment_unit"), ("agreed_output", "agreed_output_unit"),
                            ("registered_capital", "registered_capital_unit")):
        unit = getattr(p, unit_attr)
        currency = currency_of(unit)
        if currency is None:
            problems.append(Problem(where(unit_attr), f"“{unit}”不是金额单位（如 万元、亿元、万美元）", "币种单位"))
        elif (currency != CNY and getattr(p, attr) is not None and attr != "registered_capital"
              and (p.fx_rate_cny is None or not p.fx_rate_source.strip())):
            problems.append(Problem(where("fx_rate_cny"),
                                    f"协议金额以“{unit}”计，须填写折合人民币汇率及汇率来源", "折人民币汇率"))
    if p.signed_date is None and (p.agreed_investment is not None or p.agreed_output is not None):
        problems.append(Problem(where("signed_date"), "填写了协议金额的项目须填写签约日期", "签约日期"))
    return problems


def _check_fdi(f: FdiInflow, projects: Mapping[str, str], where: Callable[[str], str]) -> list[Problem]:
    problems: list[Problem] = []
    currency = currency_of(f.unit)
    if currency is None:
        problems.append(Problem(where("unit"), f"“{f.unit}”不是金额单位（如 万美元、万港元）", "原币单位"))
    elif currency != USD and (f.fx_rate_usd is None or f.fx_rate_usd <= 0 or not f.fx_rate_source.strip()):
        problems.append(Problem(where("fx_rate_usd"), f"原币为“{f.unit}”，须填写折合美元汇率及汇率来源", "折美元汇率"))
    if f.project_id and f.project_id not in projects:
        problems.append(Problem(where("project_id"), f"项目“{f.project_id}”不在项目台账中", "项目编号"))
    if not Decimal(0) < f.share <= Decimal(1):
        problems.append(Problem(where("share"), "计入比例应大于0且不超过1", "计入比例"))
    return problems


# ---------------------------------------------------------------- aggregates

@dataclass(frozen=True)
class Tally:
    """One measure, raw (every project with the event in the year) beside credited (Σ share)."""

    raw: Decimal
    credited: Decimal
    ids: tuple[str, ...]  # the projects (or FDI arrivals) counted

    def as_dict(self, places: int = 2) -> dict[str, Any]:
        return {"raw": fmt_value(self.raw, places), "credited": fmt_value(self.credited, places),
                "ids": list(self.ids)}


@dataclass
class InvestSummary:
    department: str
    year: int
    unit: str
    rule_id: str
    rule_version: int
    illustrative_rules: bool
    amount_unit: str
    fdi_unit: str
    pool: Tally
    signed: Tally
    registered: Tally
    agreed_investment: Tally  # in amount_unit
    agreed_output: Tally
    fdi: Tally  # in fdi_unit
    fdi_by_currency: dict[str, Decimal]  # original unit → converted total in fdi_unit
    promotion_events: int
    exchange_events: int
    exchange_outside_district: int
    leader_visits: int
    leader_visit_rows: int
    by_stage: dict[str, int]
    sample_rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department, "year": self.year, "unit": self.unit,
            "rule_set": {"id": self.rule_id, "version": self.rule_version, "illustrative": self.illustrative_rules},
            "pool_entered": self.pool.as_dict(), "signed": self.signed.as_dict(),
            "registered": self.registered.as_dict(),
            "agreed_investment": {**self.agreed_investment.as_dict(4), "unit": self.amount_unit},
            "agreed_output": {**self.agreed_output.as_dict(4), "unit": self.amount_unit},
            "fdi": {**self.fdi.as_dict(2), "unit": self.fdi_unit,
                    "by_currency": {k: fmt_value(v, 2) for k, v in self.fdi_by_currency.items()}},
            "promotion_events": self.promotion_events, "exchange_events": self.exchange_events,
            "exchange_events_outside_district": self.exchange_outside_district,
            "leader_visits": self.leader_visits, "leader_visit_rows": self.leader_visit_rows,
            "by_stage": self.by_stage, "sample_rows": self.sample_rows,
        }


def _in_year(d: date | None, year: int) -> bool:
    return d is not None and d.year == year


def credit_of(ledger: InvestLedger, project_id: str, measure: str) -> Credit | None:
    """The ledger unit's credit on a project for one measure, if any."""
    for c in ledger.credits:
        if c.project_id == project_id and c.unit == ledger.unit and measure in c.counts_for:
            return c
    return None


def _tally(ledger: InvestLedger, measure: str) -> Tally:
    attr = MEASURE_DATES[measure]
    hits = [p for p in ledger.projects if _in_year(getattr(p, attr), ledger.year)]
    credited = Decimal(0)
    for p in hits:
        c = credit_of(ledger, p.project_id, measure)
        credited += c.share if c else Decimal(0)
    return Tally(Decimal(len(hits)), credited, tuple(p.project_id for p in hits))


def _amounts(ledger: InvestLedger, rules: InvestRules, attr: str) -> Tally:
    """Agreed amounts over the projects of the rule's measure in the year, in the report unit;
    credited × share only where the unit's credit says the amount is split."""
    measure = rules.amount_project_set
    date_attr = MEASURE_DATES[measure]
    raw = credited = Decimal(0)
    ids = []
    for p in ledger.projects:
        value = getattr(p, attr)
        if value is None or not _in_year(getattr(p, date_attr), ledger.year):
            continue
        amount = to_cny(value, getattr(p, attr + "_unit"), p.fx_rate_cny, rules.amount_unit)
        raw += amount
        ids.append(p.project_id)
        c = credit_of(ledger, p.project_id, measure)
        if c is not None:
            credited += amount * c.share if c.amount_split else amount
    return Tally(raw, credited, tuple(ids))


def summarize(ledger: InvestLedger, rules: InvestRules) -> InvestSummary:
    year = ledger.year
    raw_fdi = credited_fdi = Decimal(0)
    fdi_ids = []
    by_currency: dict[str, Decimal] = {}
    for f in ledger.fdi:
        if f.arrival_date.year != year:
            continue  # FDI counts when the money arrives, not when the project was signed
        usd = fdi_usd(f, rules.fdi_unit)
        raw_fdi += usd
        fdi_ids.append(f.fdi_id)
        by_currency[canonical_unit(f.unit)] = by_currency.get(canonical_unit(f.unit), Decimal(0)) + usd
        if (f.credited_unit or ledger.unit) == ledger.unit:
            credited_fdi += usd * f.share
    events = [e for e in ledger.events if e.date.year == year]
    exchange = [e for e in events if e.type in rules.exchange_types]
    visits = [v for v in ledger.visits if v.date.year == year
              and (v.outside_city or not rules.visits_outside_city_only)]
    visit_count = len({v.enterprise for v in visits}) if rules.visits_distinct_enterprises else len(visits)
    by_stage = dict.fromkeys(ALL_STAGES, 0)
    for p in ledger.projects:
        by_stage[p.stage] += 1
    return InvestSummary(
        department=ledger.department, year=year, unit=ledger.unit, rule_id=rules.id, rule_version=rules.version,
        illustrative_rules=rules.illustrative, amount_unit=rules.amount_unit, fdi_unit=rules.fdi_unit,
        pool=_tally(ledger, "入库"), signed=_tally(ledger, "签约"), registered=_tally(ledger, "注册"),
        agreed_investment=_amounts(ledger, rules, "agreed_investment"),
        agreed_output=_amounts(ledger, rules, "agreed_output"),
        fdi=Tally(raw_fdi, credited_fdi, tuple(fdi_ids)), fdi_by_currency=by_currency,
        promotion_events=sum(1 for e in events if e.type in rules.promotion_types),
        exchange_events=len(exchange), exchange_outside_district=sum(1 for e in exchange if e.outside_district),
        leader_visits=visit_count, leader_visit_rows=len(visits), by_stage=by_stage,
        sample_rows=count_samples([*ledger.projects, *ledger.credits, *ledger.fdi, *ledger.events, *ledger.visits]),
    )


def invest_feeds(s: InvestSummary) -> dict[str, str]:
    """Indicator actuals: always the credited figures, in the units the indicators are set in."""
    return {
        "invest.fdi_usd": f"{fmt_value(s.fdi.credited, 2)}{s.fdi_unit}",
        "invest.pool_entered": f"{fmt_value(s.pool.credited, 2)}个",
        "invest.signed": f"{fmt_value(s.signed.credited, 2)}个",
        "invest.registered": f"{fmt_value(s.registered.credited, 2)}个",
        "invest.agreed_investment": f"{fmt_value(s.agreed_investment.credited, 2)}{s.amount_unit}",
        "invest.agreed_output": f"{fmt_value(s.agreed_output.credited, 2)}{s.amount_unit}",
        "invest.promotion_events": f"{s.promotion_events}次",
        "invest.leader_visits": f"{s.leader_visits}家",
        "invest.exchange_events": f"{s.exchange_events}场",
    }
