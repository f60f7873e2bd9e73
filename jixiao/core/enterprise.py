"""Enterprise services and economic monitoring (企业服务与经济运行监测): enterprises and their
专精特新 recognitions, the statistics bureau's monthly figures, visits, issue tickets (问题直通车),
一企一策 plans and policy briefings, and the year's aggregates. Pure functions over dataclasses.

Two counting rules drive the published figures and are easy to get wrong:
- growth is Σ current ÷ Σ the bureau's *same-scope* prior-year figures − 1, over the enterprises in
  scope this year; last year's published total is kept for reference and never used, because
  the set of above-scale firms changes every year;
- visits are counted in person-visits (人次): every staff member on a visit counts once.
Thresholds (规上 / 限上), the industry table, ticket transitions and deadlines are a dated rule
set under ``jixiao/rules/enterprise/``. Money is 万元.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from jixiao.core.display import fmt_rate, fmt_value
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import (
    RuleReader,
    RuleSetHeader,
    Where,
    count_samples,
    duplicate_problems,
    load_rule_files,
    newest_in_force,
)

RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / "enterprise"

LEVELS: tuple[str, ...] = ("国家级", "省级", "市级", "区级")
TICKET_STATUSES: tuple[str, ...] = ("受理", "转办", "办理中", "办结", "回访")
TICKET_SOURCES: tuple[str, ...] = ("走访", "热线", "平台", "座谈", "来函")
SATISFACTION: tuple[str, ...] = ("", "满意", "基本满意", "不满意")
MEASURE_STATUSES: tuple[str, ...] = ("未开始", "推进中", "已完成")
PRICE_BASES: tuple[str, ...] = ("现价", "不变价")
ABOVE_SCALE = "规上工业"
WAN_PER_YI = Decimal(10000)


# ---------------------------------------------------------------- the ledger rows

@dataclass
class Enterprise:
    uscc: str
    name: str
    industry_code: str  # GB/T 4754-2017 小类 (4 digits)
    main_revenue: Decimal | None = None  # 上年主营业务收入（万元）: what 规上/限上 status is judged on
    ownership: str = ""
    street: str = ""
    address: str = ""
    parcel_id: str = ""  # link to the land ledger
    high_tech: bool = False
    officer: str = ""  # 服务专员
    note: str = ""
    origin: str = "录入"

    @property
    def division(self) -> str:
        return self.industry_code[:2]


@dataclass
class Recognition:
    """One recognition (专精特新 "小巨人", 专精特新中小企业 …) at one level, with its validity."""

    uscc: str
    program: str
    level: str  # one of LEVELS
    recognised_on: date
    batch: str = ""
    expires_on: date | None = None
    origin: str = "录入"


@dataclass
class MonthlyStat:
    """One enterprise-month as supplied by the statistics bureau, in one data vintage. The prior
    figures are the bureau's same-scope (同口径) prior-year values for the same month."""

    uscc: str
    month: int
    vintage: date  # 数据版本（统计局报送日期）: the newest vintage of an enterprise-month wins
    output: Decimal | None = None  # 工业总产值（万元）
    output_prior: Decimal | None = None  # 上年同期工业总产值（同口径）
    sales: Decimal | None = None  # 商品销售额 / 营业额（万元）
    sales_prior: Decimal | None = None
    main_revenue: Decimal | None = None
    price_basis: str = "现价"
    origin: str = "录入"


@dataclass
class PublishedTotal:
    """Last year's published total (上年公布数), kept beside the computed growth for reference."""

    measure: str  # 规上工业总产值 / 限上商贸销售额
    year: int
    value: Decimal  # 万元
    source: str = ""
    origin: str = "录入"


@dataclass
class Visit:
    visit_id: str
    date: date
    uscc: str
    staff: list[str]  # everyone who went: each counts one person-visit
    leader_involved: bool = False
    purpose: str = ""
    issues_raised: str = ""
    origin: str = "录入"

    @property
    def person_visits(self) -> int:
        return len(self.staff)


@dataclass
class TicketEvent:
    ticket_id: str
    status: str  # one of TICKET_STATUSES
    date: date
    note: str = ""
    origin: str = "录入"


@dataclass
class Ticket:
    """An issue ticket (问题直通车). Its status is the last of its events."""

    ticket_id: str
    uscc: str
    category: str
    description: str
    received_on: date
    source: str = "走访"
    assigned_dept: str = ""
    deadline: date | None = None  # blank: the rule set's default for the category
    resolution: str = ""
    satisfaction: str = ""
    events: list[TicketEvent] = field(default_factory=list)
    origin: str = "录入"

    @property
    def status(self) -> str:
        return self.events[-1].status if self.events else "受理"

    def reached(self, status: str) -> date | None:
        return next((e.date for e in self.events if e.status == status), None)


@dataclass
class PlanMeasure:
    plan_id: str
    measure: str
    owner_dept: str = ""
    due_on: date | None = None
    status: str = "未开始"
    origin: str = "录入"


@dataclass
class Plan:
    """一企一策: one enterprise's service plan."""

    plan_id: str
    uscc: str
    title: str
    goals: str = ""
    started_on: date | None = None
    reviewed_on: date | None = None
    measures: list[PlanMeasure] = field(default_factory=list)
    origin: str = "录入"


@dataclass
class Briefing:
    briefing_id: str
    date: date
    topic: str
    policies: str = ""
    organiser: str = ""
    enterprise_count: int | None = None
    person_count: int | None = None
    origin: str = "录入"


@dataclass
class EnterpriseLedger:
    department: str
    year: int
    enterprises: list[Enterprise] = field(default_factory=list)
    recognitions: list[Recognition] = field(default_factory=list)
    stats: list[MonthlyStat] = field(default_factory=list)
    published: list[PublishedTotal] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    briefings: list[Briefing] = field(default_factory=list)
    origin: str = "录入"


# ---------------------------------------------------------------- rule sets

@dataclass(frozen=True)
class EnterpriseRules(RuleSetHeader):
    industrial_divisions: tuple[str, ...]  # 2-digit divisions counted as industry (采矿、制造、电热气水)
    above_scale_min: Decimal  # 规上工业: 主营业务收入 ≥ this (万元)
    above_quota: Mapping[str, tuple[str, Decimal]]  # division → (trade type, minimum 万元)
    divisions: Mapping[str, str]  # 2-digit code → GB/T 4754 大类名称
    tags: Mapping[str, str]  # division → the park's key-industry name
    specialised_programs: tuple[str, ...]
    specialised_counting: str  # "exclusive": each firm once at its highest level; "inclusive"
    transitions: Mapping[str, tuple[str, ...]]
    closed_status: str
    deadline_days: Mapping[str, int]  # category → days; "默认" for the rest
    warn_days: int


def parse_rules(data: Mapping[str, Any], source: str = "规则") -> EnterpriseRules:
    r = RuleReader(data, source)
    get = r.get
    header = r.header()
    scale = get(data, "above_scale_industry") or {}
    quota = get(data, "above_quota_trade") or {}
    spec = get(data, "specialised") or {}
    tickets = get(data, "tickets") or {}
    above_quota = {}
    for trade, entry in quota.items():
        for division in (entry.get("divisions") or []) if isinstance(entry, Mapping) else []:
            above_quota[str(division)] = (trade, r.dec(entry.get("min_revenue"),
                                                       f"$.above_quota_trade.{trade}.min_revenue"))
    transitions = {k: tuple(v) for k, v in (get(tickets, "transitions", "$.tickets") or {}).items()}
    for status, targets in transitions.items():
        for s in (status, *targets):
            if s not in TICKET_STATUSES:
                r.problem("$.tickets.transitions", f"“{s}”不是工单状态")
    counting = get(spec, "counting", "$.specialised")
    if counting not in ("exclusive", "inclusive", None):
        r.problem("$.specialised.counting", "应为 exclusive（按最高级别各计一次）或 inclusive（各级分别计）")
    deadlines = get(tickets, "deadline_days", "$.tickets") or {}
    if "默认" not in deadlines:
        r.problem("$.tickets.deadline_days", "须有“默认”办理时限")
    return r.done(EnterpriseRules(
        **header,
        industrial_divisions=tuple(str(d) for d in get(scale, "divisions", "$.above_scale_industry") or ()),
        above_scale_min=r.dec(get(scale, "min_revenue", "$.above_scale_industry"),
                              "$.above_scale_industry.min_revenue"),
        above_quota=above_quota, divisions=dict(get(data, "divisions") or {}),
        tags=dict(data.get("industry_tags") or {}),
        specialised_programs=tuple(get(spec, "programs", "$.specialised") or ()),
        specialised_counting=str(counting), transitions=transitions,
        closed_status=str(get(tickets, "closed_status", "$.tickets")),
        deadline_days={k: int(v) for k, v in deadlines.items()},
        warn_days=int(get(tickets, "warn_days", "$.tickets") or 0),
    ))


def load_rules(directory: Path = RULES_DIR) -> list[EnterpriseRules]:
    return load_rule_files(directory, parse_rules)


def select_rules(rule_sets: Iterable[EnterpriseRules], year: int) -> EnterpriseRules:
    return newest_in_force(rule_sets, year, "企业服务统计规则", "enterprise")


# ---------------------------------------------------------------- status

def scale_status(e: Enterprise, rules: EnterpriseRules) -> str:
    """规上工业, 限上批发 / 限上零售 / 限上住宿 / 限上餐饮, or "" — from the industry division and
    the revenue the status is judged on, with the rule set's thresholds (inclusive ≥)."""
    if e.main_revenue is None:
        return ""
    if e.division in rules.industrial_divisions:
        return ABOVE_SCALE if e.main_revenue >= rules.above_scale_min else ""
    if e.division in rules.above_quota:
        trade, minimum = rules.above_quota[e.division]
        return f"限上{trade}" if e.main_revenue >= minimum else ""
    return ""


def is_above_quota(status: str) -> bool:
    return status.startswith("限上")


# ---------------------------------------------------------------- tickets

def deadline_of(t: Ticket, rules: EnterpriseRules) -> date:
    if t.deadline is not None:
        return t.deadline
    days = rules.deadline_days.get(t.category, rules.deadline_days["默认"])
    return t.received_on + timedelta(days=days)


def transition_problem(current: str | None, new: str, rules: EnterpriseRules) -> str | None:
    """Why ``current`` → ``new`` is not allowed, or None. A ticket starts at 受理."""
    if current is None:
        return None if new == "受理" else f"工单应从“受理”开始，不能直接为“{new}”"
    allowed = rules.transitions.get(current, ())
    if new not in allowed:
        nxt = "、".join(allowed) or "（已结束，不能再变更）"
        return f"不能从“{current}”变为“{new}”，下一步只能是：{nxt}"
    return None


def advance(t: Ticket, status: str, when: date, rules: EnterpriseRules, note: str = "",
            satisfaction: str = "") -> Ticket:
    """The ticket one step further along its closed loop; an illegal step is an InputError."""
    where = f"工单 {t.ticket_id}"
    problem = transition_problem(t.status if t.events else None, status, rules)
    if problem:
        raise InputError(problem, where)
    if t.events and when < t.events[-1].date:
        raise InputError(
            f"日期 {when.isoformat()} 早于上一步“{t.events[-1].status}”的 {t.events[-1].date.isoformat()}", where
        )
    if status == "回访" and satisfaction not in SATISFACTION[1:]:
        raise InputError(f"回访须记录满意度：{'、'.join(SATISFACTION[1:])}", where)
    return replace(t, events=[*t.events, TicketEvent(t.ticket_id, status, when, note)],
                   satisfaction=satisfaction or t.satisfaction)


@dataclass(frozen=True)
class Overdue:
    flag: str  # 按期办结 / 逾期办结 / 逾期 / 临期 / 正常
    deadline: date
    days_late: int  # > 0 when late (days past the deadline, at closing or at ``as_of``)
    days_left: int | None  # for open tickets


def overdue(t: Ticket, rules: EnterpriseRules, as_of: date) -> Overdue:
    """A ticket is late when it is closed (办结) after its deadline, or still open after it; an
    open ticket within ``warn_days`` of its deadline is 临期. The deadline day itself is in time."""
    deadline = deadline_of(t, rules)
    closed = t.reached(rules.closed_status)
    if closed is not None and closed <= as_of:
        late = (closed - deadline).days
        return Overdue("逾期办结" if late > 0 else "按期办结", deadline, max(late, 0), None)
    left = (deadline - as_of).days
    if left < 0:
        return Overdue("逾期", deadline, -left, left)
    return Overdue("临期" if left <= rules.warn_days else "正常", deadline, 0, left)


def check_ticket(t: Ticket, rules: EnterpriseRules, where: Callable[[int, str], str]) -> list[Problem]:
    """The stored history must be a legal walk of the state machine, in date order."""
    problems: list[Problem] = []
    current: str | None = None
    last: date | None = None
    for i, e in enumerate(t.events):
        problem = transition_problem(current, e.status, rules)
        if problem:
            problems.append(Problem(where(i, "status"), f"工单“{t.ticket_id}”：{problem}", "状态"))
        if last is not None and e.date < last:
            problems.append(Problem(where(i, "date"), f"工单“{t.ticket_id}”：日期早于上一步", "日期"))
        if i == 0 and e.date != t.received_on:
            problems.append(Problem(where(i, "date"),
                                    f"工单“{t.ticket_id}”：受理日期应与收到日期 {t.received_on.isoformat()} 一致",
                                    "日期"))
        current, last = e.status, e.date
    if not t.events:
        problems.append(Problem(where(-1, "status"), f"工单“{t.ticket_id}”没有办理过程，至少应有“受理”", "状态"))
    if current == "回访" and t.satisfaction not in SATISFACTION[1:]:
        problems.append(Problem(where(-1, "satisfaction"), f"工单“{t.ticket_id}”已回访，须记录满意度", "满意度"))
    return problems


# ---------------------------------------------------------------- validation

def check_ledger(ledger: EnterpriseLedger, rules: EnterpriseRules, where: Where) -> list[Problem]:
    problems = duplicate_problems(ledger.enterprises, "uscc", "统一社会信用代码",
                                  lambda i, a: where("enterprises", i, a))
    known = {e.uscc for e in ledger.enterprises}
    for i, e in enumerate(ledger.enterprises):
        if len(e.industry_code) != 4 or not e.industry_code.isdigit():
            problems.append(Problem(where("enterprises", i, "industry_code"),
                                    f"行业代码“{e.industry_code}”应为 GB/T 4754-2017 的4位小类代码", "行业代码"))
        elif e.division not in rules.divisions:
            problems.append(Problem(where("enterprises", i, "industry_code"),
                                    f"行业代码“{e.industry_code}”的大类“{e.division}”不在 GB/T 4754-2017 大类表中",
                                    "行业代码"))

    def enterprise_ref(table: str, rows: list[Any]) -> None:
        for i, r in enumerate(rows):
            if r.uscc not in known:
                problems.append(Problem(where(table, i, "uscc"), f"企业“{r.uscc}”不在企业名录中，请先登记",
                                        "统一社会信用代码"))

    for table in ("recognitions", "stats", "visits", "tickets", "plans"):
        enterprise_ref(table, getattr(ledger, table))
    for i, r in enumerate(ledger.recognitions):
        if r.expires_on and r.expires_on < r.recognised_on:
            problems.append(Problem(where("recognitions", i, "expires_on"), "有效期截止日期早于认定日期", "有效期至"))
    seen: dict[tuple[str, int, date], int] = {}
    for i, s in enumerate(ledger.stats):
        if not 1 <= s.month <= 12:
            problems.append(Problem(where("stats", i, "month"), "月份应为1到12", "月份"))
        key = (s.uscc, s.month, s.vintage)
        if key in seen:
            problems.append(Problem(where("stats", i, "vintage"),
                                    f"企业“{s.uscc}”{s.month}月的 {s.vintage.isoformat()} 版数据重复"
                                    f"（与第{seen[key] + 1}条相同）",
                                    "数据版本"))
        seen.setdefault(key, i)
        for cur, prior, title in (("output", "output_prior", "上年同期工业总产值（同口径）"),
                                  ("sales", "sales_prior", "上年同期销售额（同口径）")):
            if getattr(s, cur) is not None and getattr(s, prior) is None:
                problems.append(Problem(where("stats", i, prior),
                                        "须填写统计局提供的上年同期同口径数（增速只按同口径计算）", title))
    for table, attr, title in (("visits", "visit_id", "走访编号"), ("tickets", "ticket_id", "工单编号"),
                               ("plans", "plan_id", "方案编号"), ("briefings", "briefing_id", "宣讲会编号")):
        problems += duplicate_problems(getattr(ledger, table), attr, title, partial(where, table))
    for i, v in enumerate(ledger.visits):
        if not v.staff:
            problems.append(Problem(where("visits", i, "staff"), "须填写参加走访的人员", "走访人员"))
    events = event_rows(ledger)
    for i, t in enumerate(ledger.tickets):
        rows = events.get(t.ticket_id, [])
        problems += check_ticket(t, rules, _ticket_where(where, i, rows))
    return problems


def _ticket_where(where: Where, i: int, rows: list[int]) -> Callable[[int, str], str]:
    """Locations for ticket ``i``'s checks: event ``j`` at its row of the flat event table (the
    ticket itself when there is no such event)."""
    def at(j: int, a: str) -> str:
        return where("ticket_events", rows[j], a) if 0 <= j < len(rows) else where("tickets", i, a)
    return at


def event_rows(ledger: EnterpriseLedger) -> dict[str, list[int]]:
    """Ticket id → the positions of its events in the flat event table (files keep one table)."""
    out: dict[str, list[int]] = {}
    n = 0
    for t in ledger.tickets:
        out[t.ticket_id] = list(range(n, n + len(t.events)))
        n += len(t.events)
    return out


# ---------------------------------------------------------------- aggregates

def latest_stats(stats: Iterable[MonthlyStat]) -> list[MonthlyStat]:
    """One row per enterprise-month: the newest vintage (the bureau revises its figures)."""
    best: dict[tuple[str, int], MonthlyStat] = {}
    for s in stats:
        key = (s.uscc, s.month)
        if key not in best or s.vintage > best[key].vintage:
            best[key] = s
    return sorted(best.values(), key=lambda s: (s.uscc, s.month))


def growth(current: Decimal, prior: Decimal) -> Decimal | None:
    return current / prior - 1 if prior > 0 else None


@dataclass
class Aggregate:
    """Current total, same-scope prior total, and the enterprises behind them."""

    enterprises: int = 0
    current: Decimal = Decimal(0)
    prior: Decimal = Decimal(0)

    @property
    def growth(self) -> Decimal | None:
        return growth(self.current, self.prior)

    def as_dict(self) -> dict[str, Any]:
        return {"enterprises": self.enterprises, "current_wan": fmt_value(self.current, 2),
                "current_yi": fmt_value(self.current / WAN_PER_YI, 2), "prior_same_scope_wan": fmt_value(self.prior, 2),
                "growth": fmt_rate(self.growth, 2)}


@dataclass
class Division:
    code: str
    name: str
    tag: str
    total: Aggregate

    @property
    def growing(self) -> bool:
        g = self.total.growth
        return g is not None and g > 0


@dataclass
class EnterpriseSummary:
    department: str
    year: int
    rule_id: str
    rule_version: int
    illustrative_rules: bool
    enterprises: int
    above_scale: Aggregate
    divisions: list[Division]
    above_quota: Aggregate
    quota_by_trade: dict[str, Aggregate]
    published_prior: dict[str, Decimal]  # measure → last year's published total (reference only)
    latest_vintage: date | None
    person_visits: int
    visits: int
    enterprises_visited: int
    leader_visits: int
    briefings: int
    briefing_people: int
    tickets: int
    tickets_closed: int
    tickets_by_status: dict[str, int]
    tickets_by_flag: dict[str, int]
    median_days_to_close: Decimal | None
    satisfaction: dict[str, int]
    plans: int
    plan_measures_done: int
    plan_measures: int
    specialised_counting: str
    specialised_exclusive: dict[str, int]  # level → firms whose highest level it is
    specialised_inclusive: dict[str, int]  # level → firms holding that level
    sample_rows: int

    @property
    def closure_rate(self) -> Decimal | None:
        return Decimal(self.tickets_closed) / Decimal(self.tickets) if self.tickets else None

    @property
    def specialised_reported(self) -> dict[str, int]:
        return self.specialised_exclusive if self.specialised_counting == "exclusive" else self.specialised_inclusive

    @property
    def growing_divisions(self) -> list[Division]:
        return [d for d in self.divisions if d.growing]

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department, "year": self.year,
            "rule_set": {"id": self.rule_id, "version": self.rule_version, "illustrative": self.illustrative_rules},
            "enterprises": self.enterprises,
            "above_scale_industry": {**self.above_scale.as_dict(), "growth_basis": "同口径（统计局提供的上年同期数）"},
            "industry_divisions": len(self.divisions),
            "growing_divisions": [d.tag or d.name for d in self.growing_divisions],
            "by_division": [
                {"code": d.code, "name": d.name, "tag": d.tag, **d.total.as_dict()} for d in self.divisions
            ],
            "above_quota_trade": self.above_quota.as_dict(),
            "above_quota_by_trade": {k: v.as_dict() for k, v in self.quota_by_trade.items()},
            "published_prior_reference_wan": {k: fmt_value(v, 2) for k, v in self.published_prior.items()},
            "latest_vintage": self.latest_vintage.isoformat() if self.latest_vintage else None,
            "person_visits": self.person_visits, "visits": self.visits,
            "enterprises_visited": self.enterprises_visited, "leader_visits": self.leader_visits,
            "policy_briefings": self.briefings, "briefing_people": self.briefing_people,
            "tickets": {"received": self.tickets, "closed": self.tickets_closed,
                        "closure_rate": fmt_rate(self.closure_rate, 1), "by_status": self.tickets_by_status,
                        "by_flag": self.tickets_by_flag,
                        "median_days_to_close": None if self.median_days_to_close is None
                        else fmt_value(self.median_days_to_close, 1),
                        "satisfaction": self.satisfaction},
            "plans": {"enterprises": self.plans, "measures": self.plan_measures,
                      "measures_done": self.plan_measures_done},
            "specialised": {"counting": self.specialised_counting, "reported": self.specialised_reported,
                            "exclusive": self.specialised_exclusive, "inclusive": self.specialised_inclusive},
            "sample_rows": self.sample_rows,
        }


def _median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    values = sorted(values)
    mid = len(values) // 2
    return Decimal(values[mid]) if len(values) % 2 else Decimal(values[mid - 1] + values[mid]) / 2


def summarize(ledger: EnterpriseLedger, rules: EnterpriseRules, as_of: date | None = None) -> EnterpriseSummary:
    """The year's totals. Tickets are judged at ``as_of`` (default: the year's last day)."""
    year = ledger.year
    as_of = as_of or date(year, 12, 31)
    status = {e.uscc: scale_status(e, rules) for e in ledger.enterprises}
    by_uscc = {e.uscc: e for e in ledger.enterprises}
    stats = latest_stats(ledger.stats)
    scale = Aggregate(enterprises=sum(1 for s in status.values() if s == ABOVE_SCALE))
    quota = Aggregate(enterprises=sum(1 for s in status.values() if is_above_quota(s)))
    divisions: dict[str, Aggregate] = {}
    trades: dict[str, Aggregate] = {}
    for e in ledger.enterprises:
        if status[e.uscc] == ABOVE_SCALE:
            divisions.setdefault(e.division, Aggregate()).enterprises += 1
        elif is_above_quota(status[e.uscc]):
            trades.setdefault(status[e.uscc], Aggregate()).enterprises += 1
    for s in stats:
        st = status.get(s.uscc, "")
        if st == ABOVE_SCALE and s.output is not None:
            for agg in (scale, divisions[by_uscc[s.uscc].division]):
                agg.current += s.output
                agg.prior += s.output_prior or Decimal(0)
        elif is_above_quota(st) and s.sales is not None:
            for agg in (quota, trades[st]):
                agg.current += s.sales
                agg.prior += s.sales_prior or Decimal(0)
    visits = [v for v in ledger.visits if v.date.year == year]
    briefings = [b for b in ledger.briefings if b.date.year == year]
    tickets = [t for t in ledger.tickets if t.received_on.year == year]
    by_status = dict.fromkeys(TICKET_STATUSES, 0)
    flags: dict[str, int] = {}
    close_days: list[int] = []
    satisfaction: dict[str, int] = {}
    closed = 0
    for t in tickets:
        by_status[t.status] += 1
        flag = overdue(t, rules, as_of).flag
        flags[flag] = flags.get(flag, 0) + 1
        done = t.reached(rules.closed_status)
        if done is not None and done <= as_of:
            closed += 1
            close_days.append((done - t.received_on).days)
        if t.satisfaction:
            satisfaction[t.satisfaction] = satisfaction.get(t.satisfaction, 0) + 1
    year_end = date(year, 12, 31)
    held: dict[str, set[str]] = {}
    for r in ledger.recognitions:
        valid = r.recognised_on <= year_end and (r.expires_on is None or r.expires_on >= year_end)
        if valid and r.program in rules.specialised_programs:
            held.setdefault(r.uscc, set()).add(r.level)
    inclusive = {lv: sum(1 for levels in held.values() if lv in levels) for lv in LEVELS}
    exclusive = dict.fromkeys(LEVELS, 0)
    for levels in held.values():
        exclusive[min(levels, key=LEVELS.index)] += 1
    measures = [m for p in ledger.plans for m in p.measures]
    return EnterpriseSummary(
        department=ledger.department, year=year, rule_id=rules.id, rule_version=rules.version,
        illustrative_rules=rules.illustrative, enterprises=len(ledger.enterprises), above_scale=scale,
        divisions=sorted((Division(code, rules.divisions.get(code, ""), rules.tags.get(code, ""), agg)
                          for code, agg in divisions.items()), key=lambda d: -d.total.current),
        above_quota=quota, quota_by_trade=trades,
        published_prior={p.measure: p.value for p in ledger.published if p.year == year - 1},
        latest_vintage=max((s.vintage for s in stats), default=None),
        person_visits=sum(v.person_visits for v in visits), visits=len(visits),
        enterprises_visited=len({v.uscc for v in visits}), leader_visits=sum(1 for v in visits if v.leader_involved),
        briefings=len(briefings), briefing_people=sum(b.person_count or 0 for b in briefings),
        tickets=len(tickets), tickets_closed=closed, tickets_by_status=by_status, tickets_by_flag=flags,
        median_days_to_close=_median(close_days), satisfaction=satisfaction,
        plans=len({p.uscc for p in ledger.plans}), plan_measures=len(measures),
        plan_measures_done=sum(1 for m in measures if m.status == "已完成"),
        specialised_counting=rules.specialised_counting, specialised_exclusive=exclusive,
        specialised_inclusive=inclusive,
        sample_rows=count_samples([*ledger.enterprises, *ledger.recognitions, *ledger.stats, *ledger.published,
                                   *ledger.visits, *ledger.tickets, *ledger.plans, *ledger.briefings]),
    )


def enterprise_feeds(s: EnterpriseSummary) -> dict[str, str]:
    """Indicator actuals, in the units the indicators are set in."""
    feeds = {
        "enterprise.above_scale_count": f"{s.above_scale.enterprises}家",
        "enterprise.above_scale_output": f"{fmt_value(s.above_scale.current / WAN_PER_YI, 2)}亿元",
        "enterprise.above_quota_count": f"{s.above_quota.enterprises}家",
        "enterprise.above_quota_sales": f"{fmt_value(s.above_quota.current / WAN_PER_YI, 2)}亿元",
        "enterprise.visit_person_times": f"{s.person_visits}人次",
        "enterprise.policy_briefings": f"{s.briefings}次",
        "enterprise.industry_divisions": f"{len(s.divisions)}个",
    }
    # a growth rate without a same-scope base is no figure at all: leave the indicator as typed
    if s.above_scale.growth is not None:
        feeds["enterprise.above_scale_output_growth"] = fmt_rate(s.above_scale.growth, 1)
    if s.above_quota.growth is not None:
        feeds["enterprise.above_quota_sales_growth"] = fmt_rate(s.above_quota.growth, 2)
    return feeds
