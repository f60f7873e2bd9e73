"""事前绩效评估 at 项目入库: when a proposal must be assessed, how the expert panel's scores
combine, what the conclusion is and how much is cut. The numbers are rules data
(``jixiao/rules/exante.json``: thresholds per locality, the two scoring systems, the panel
method, the conclusion bands). Pure: no Django.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from jixiao.core.display import fmt_amount, fmt_rate, fmt_score
from jixiao.core.errors import Problem

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "exante.json"
KINDS = ("新增", "延续")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Item:
    key: str
    name: str
    points: Decimal
    basis: str


@dataclass(frozen=True)
class Dimension:
    name: str
    items: tuple[Item, ...]

    @property
    def points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))


@dataclass(frozen=True)
class System:
    key: str  # "project" / "policy"
    label: str
    dimensions: tuple[Dimension, ...]

    def items(self) -> list[Item]:
        return [i for d in self.dimensions for i in d.items]


@dataclass(frozen=True)
class Rules:
    version: str
    money_unit: str
    localities: dict[str, dict[str, str]]
    trim_from: int
    min_experts: int
    conclusions: tuple[tuple[Decimal, str], ...]  # (lower bound, label), highest first
    supported: frozenset[str]
    systems: dict[str, System]


@cache
def load_rules() -> Rules:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    systems = {
        key: System(key, s["label"], tuple(
            Dimension(d["name"], tuple(Item(i["key"], i["name"], Decimal(i["points"]), i.get("basis", ""))
                                       for i in d["items"]))
            for d in s["dimensions"]))
        for key, s in data["systems"].items()}
    bands = sorted(((Decimal(c["min"]), c["label"]) for c in data["conclusions"]), reverse=True)
    return Rules(data["version"], data.get("money_unit", "万元"), data["localities"], int(data["panel"]["trim_from"]),
                 int(data["panel"]["min_experts"]), tuple(bands), frozenset(data["supported"]), systems)


def system_for(policy: bool) -> System:
    return load_rules().systems["policy" if policy else "project"]


@dataclass(frozen=True)
class Trigger:
    required: bool
    reason: str  # Chinese, with the figures and the threshold that decided


def trigger(kind: str, requested: Decimal, last_year: Decimal | None, locality: str = "default") -> Trigger:
    """Whether a proposal must have an ex-ante assessment, and why (or why not)."""
    rules = load_rules()
    t = rules.localities.get(locality) or rules.localities["default"]
    unit = rules.money_unit
    new_min, rate_min = Decimal(t["new_min"]), Decimal(t["growth_rate_min"])
    amount_min = Decimal(t["growth_amount_min"])
    asked = f"{fmt_amount(requested)} {unit}"
    if kind == "新增":
        if requested >= new_min:
            return Trigger(True, f"新增项目申请 {asked}，达到 {fmt_amount(new_min)} {unit}，须开展事前绩效评估")
        return Trigger(False, f"新增项目申请 {asked}，低于 {fmt_amount(new_min)} {unit}，可不开展事前绩效评估")
    if last_year is None or last_year <= 0:
        return Trigger(True, "延续项目未填写上年预算数，无法判断增幅，按须开展事前绩效评估处理")
    growth = requested - last_year
    rate = growth / last_year * HUNDRED
    if rate >= rate_min or growth >= amount_min:
        why = (f"增幅 {fmt_rate(rate / HUNDRED)} 达到 {fmt_score(rate_min)}%" if rate >= rate_min
               else f"增加 {fmt_amount(growth)} {unit}，达到 {fmt_amount(amount_min)} {unit}")
        return Trigger(True, f"延续项目申请 {asked}，上年 {fmt_amount(last_year)} {unit}，{why}，须开展事前绩效评估")
    return Trigger(False, f"延续项目申请 {asked}，比上年增加 {fmt_amount(growth)} {unit}"
                          f"（{fmt_rate(rate / HUNDRED)}），未达到增幅 {fmt_score(rate_min)}% 或增加 "
                          f"{fmt_amount(amount_min)} {unit}，可不开展事前绩效评估")


def score_problems(system: System, items: Mapping[str, Decimal | None], where: str = "评分") -> list[Problem]:
    """Every item scored, each between 0 and its points."""
    out: list[Problem] = []
    for item in system.items():
        v = items.get(item.key)
        if v is None:
            out.append(Problem(f"{where}：{item.key}", f"“{item.name}”未评分", item.name))
        elif v < 0 or v > item.points:
            out.append(Problem(f"{where}：{item.key}", f"“{item.name}”的得分 {fmt_score(v)} 应在 0 到 "
                                                     f"{fmt_score(item.points)} 之间", item.name))
    unknown = sorted(set(items) - {i.key for i in system.items()})
    out += [Problem(f"{where}：{k}", "评分表中没有这一项", k) for k in unknown]
    return out


def total(items: Mapping[str, Decimal]) -> Decimal:
    return sum(items.values(), Decimal(0))


@dataclass(frozen=True)
class Panel:
    score: Decimal
    used: tuple[Decimal, ...]  # the expert totals that count
    dropped: tuple[Decimal, ...]  # the highest and lowest, when the panel is large enough
    method: str  # Chinese, e.g. "5 名专家评分去掉一个最高分和一个最低分后取平均"


def panel_score(totals: Sequence[Decimal]) -> Panel:
    """The panel's score from its experts' totals: the mean, or with ``trim_from`` experts or more
    the mean without one highest and one lowest."""
    if not totals:
        raise ValueError("no expert scores")
    rules = load_rules()
    ordered = sorted(totals)
    dropped: tuple[Decimal, ...] = ()
    if len(ordered) >= rules.trim_from:
        used, dropped = tuple(ordered[1:-1]), (ordered[-1], ordered[0])
        method = f"{len(ordered)} 名专家评分去掉一个最高分和一个最低分后取平均"
    else:
        used = tuple(ordered)
        method = f"{len(ordered)} 名专家评分取平均"
    return Panel(sum(used, Decimal(0)) / len(used), used, dropped, method)


def conclusion(score: Decimal) -> str:
    for lower, label in load_rules().conclusions:
        if score >= lower:
            return label
    return load_rules().conclusions[-1][1]


def supported(label: str) -> bool:
    return label in load_rules().supported


@dataclass(frozen=True)
class Cut:
    amount: Decimal  # 核减额
    rate: Decimal | None  # 核减率 as a fraction; None when nothing was requested


def cut(requested: Decimal, approved: Decimal) -> Cut:
    amount = requested - approved
    return Cut(amount, amount / requested if requested else None)


def total_cut(pairs: Sequence[tuple[Decimal, Decimal]]) -> Cut:
    """核减额 and 核减率 over many proposals: (requested, approved) each."""
    requested = sum((r for r, _ in pairs), Decimal(0))
    approved = sum((a for _, a in pairs), Decimal(0))
    return cut(requested, approved)
