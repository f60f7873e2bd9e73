"""Scoring schemes (评分方案): how 100 points split into execution and indicator classes, the qualitative
bands, the over-completion margin and the grade bands. One JSON file per scheme under
``jixiao/rules/schemes/``; localities differ by data, never by code.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from jixiao.core.errors import InputError, Problem

SCHEME_DIR = Path(__file__).resolve().parent.parent / "rules" / "schemes"
STRATEGIES = ("proportional", "step_deduction")
STEP_ROUNDINGS = ("ceil", "floor")
KINDS = ("project", "department")
ACHIEVEMENT_LEVELS = ("达成", "部分达成", "未达成")


class QualitativeBand(NamedTuple):
    """Share of an indicator's points for one qualitative level: low inclusive, high exclusive
    (except a high of 1, which is reachable); ``default`` is used unless the evaluator chooses."""

    low: Decimal
    high: Decimal
    default: Decimal

    def contains(self, ratio: Decimal) -> bool:
        return self.low <= ratio < self.high or (ratio == self.high == 1)


class Grade(NamedTuple):
    name: str  # 优 / 良 / 中 / 差
    min: Decimal  # lower bound, inclusive


@dataclass(frozen=True)
class ExecutionRule:
    weight: Decimal
    strategy: str  # "proportional" | "step_deduction"
    step: Decimal | None = None  # percentage points per step, e.g. 5
    step_points: Decimal | None = None  # points lost per step, e.g. 2
    step_rounding: str = "ceil"  # a partial step counts as a whole one ("ceil") or not ("floor")
    level1: str | None = None  # the 一级 class it belongs to; None = its own block
    name: str = "预算执行率"


@dataclass(frozen=True)
class Category:
    level1: str
    weight: Decimal
    level2: tuple[str, ...]
    # other names tables give the same class ("项目管理" for 项目过程, "产出" for 产出指标)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scheme:
    id: str
    version: str
    name: str
    kind: str  # "project" | "department"
    total: Decimal
    execution: ExecutionRule
    categories: tuple[Category, ...]
    qualitative: dict[str, QualitativeBand]
    over_completion_margin: Decimal
    grades: tuple[Grade, ...]  # highest first
    source: str = ""

    @property
    def ref(self) -> str:
        """"<id>@<version>", the way results name the scheme they used."""
        return f"{self.id}@{self.version}"

    def category(self, level1: str) -> Category | None:
        """The class a table's 一级指标 names, by its name or one of its aliases."""
        for cat in self.categories:
            if cat.level1 == level1 or level1 in cat.aliases:
                return cat
        return None

    def class_of(self, level1: str) -> str | None:
        """The scheme's own name of the class a table calls ``level1``; None if it has none."""
        cat = self.category(level1)
        return cat.level1 if cat is not None else None

    def __hash__(self) -> int:
        # The dict field rules out the generated hash; id@version names the file's content.
        return hash((self.id, self.version))


def _dec(value: Any, where: str, problems: list[Problem]) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            # str() first: a float from plain json.load must not bring its binary noise along
            return Decimal(str(value))
        except ArithmeticError:
            pass
    problems.append(Problem(where, f"应为数值，实际为「{value}」"))
    return Decimal(0)


def scheme_from_dict(data: dict[str, Any], where: str = "方案") -> Scheme:
    """Build and check a scheme; every problem is collected into one ``InputError``."""
    problems: list[Problem] = []

    def need(key: str) -> Any:
        if key not in data:
            problems.append(Problem(f"{where}: $.{key}", "缺少此项"))
            return None
        return data[key]

    ex = need("execution") or {}
    execution = ExecutionRule(
        weight=_dec(ex.get("weight", 0), f"{where}: $.execution.weight", problems),
        strategy=ex.get("strategy", "proportional"),
        step=_dec(ex["step"], f"{where}: $.execution.step", problems) if ex.get("step") is not None else None,
        step_points=(
            _dec(ex["step_points"], f"{where}: $.execution.step_points", problems)
            if ex.get("step_points") is not None else None
        ),
        step_rounding=ex.get("step_rounding", "ceil"),
        level1=ex.get("level1"),
        name=ex.get("name", "预算执行率"),
    )
    if execution.strategy not in STRATEGIES:
        problems.append(Problem(f"{where}: $.execution.strategy", f"计分方式应为 {'/'.join(STRATEGIES)}"))
    if execution.strategy == "step_deduction" and not (execution.step and execution.step_points):
        problems.append(Problem(f"{where}: $.execution", "按档扣分须给出 step（每档百分点）和 step_points（每档扣分）"))
    if execution.step_rounding not in STEP_ROUNDINGS:
        problems.append(Problem(f"{where}: $.execution.step_rounding", "应为 ceil 或 floor"))

    categories = tuple(
        Category(
            level1=c["level1"],
            weight=_dec(c["weight"], f"{where}: $.categories[{i}].weight", problems),
            level2=tuple(c.get("level2", ())),
            aliases=tuple(c.get("aliases", ())),
        )
        for i, c in enumerate(need("categories") or ())
    )
    total = _dec(need("total") or 0, f"{where}: $.total", problems)
    if execution.level1 is not None:
        owner = next((c for c in categories if c.level1 == execution.level1), None)
        if owner is None:
            problems.append(Problem(f"{where}: $.execution.level1",
                                    f"一级指标「{execution.level1}」不在 categories 中"))
        elif owner.weight < execution.weight:
            problems.append(Problem(f"{where}: $.execution.weight",
                                    f"执行率分值大于所属一级指标「{owner.level1}」的分值"))
        weight_sum = sum((c.weight for c in categories), Decimal(0))
    else:
        weight_sum = execution.weight + sum((c.weight for c in categories), Decimal(0))
    if weight_sum != total:
        problems.append(Problem(f"{where}: $.categories", f"各部分分值合计 {weight_sum}，与总分 {total} 不一致"))

    qualitative: dict[str, QualitativeBand] = {}
    for level in ACHIEVEMENT_LEVELS:
        band = (need("qualitative") or {}).get(level)
        if band is None:
            problems.append(Problem(f"{where}: $.qualitative", f"缺少定性档次「{level}」"))
            continue
        loc = f"{where}: $.qualitative.{level}"
        qb = QualitativeBand(*(_dec(band.get(k), loc, problems) for k in ("low", "high", "default")))
        if not (0 <= qb.low < qb.high <= 1 and qb.contains(qb.default)):
            problems.append(Problem(loc, "档次须满足 0 ≤ 下限 < 上限 ≤ 1，且默认比例在档次内"))
        qualitative[level] = qb

    grades = tuple(
        sorted(
            (Grade(g["grade"], _dec(g["min"], f"{where}: $.grades", problems)) for g in need("grades") or ()),
            key=lambda g: g.min,
            reverse=True,
        )
    )
    if grades and grades[-1].min != 0:
        problems.append(Problem(f"{where}: $.grades", "最低等级的下限应为 0，否则低分没有等级"))
    for key in ("id", "version", "name", "kind"):
        need(key)
    margin = _dec(data.get("over_completion_margin", "0.2"), f"{where}: $.over_completion_margin", problems)
    if data.get("kind") not in KINDS:
        problems.append(Problem(f"{where}: $.kind", "应为 project 或 department"))
    if problems:
        raise InputError(problems)
    return Scheme(
        id=str(data["id"]),
        version=str(data["version"]),
        name=data["name"],
        kind=data["kind"],
        total=total,
        execution=execution,
        categories=categories,
        qualitative=qualitative,
        over_completion_margin=margin,
        grades=grades,
        source=str(data.get("source", "")),
    )


def _read(path: Path) -> Scheme:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh, parse_float=Decimal, parse_int=Decimal)
    return scheme_from_dict(data, where=f"rules/schemes/{path.name}")


@lru_cache(maxsize=64)
def load_scheme(scheme_id: str) -> Scheme:
    """The scheme ``rules/schemes/<scheme_id>.json``; ``InputError`` if there is none."""
    path = SCHEME_DIR / f"{scheme_id}.json"
    if "/" in scheme_id or "\\" in scheme_id or not path.is_file():
        known = "、".join(sorted(p.stem for p in SCHEME_DIR.glob("*.json")))
        raise InputError(f"没有名为「{scheme_id}」的评分方案；可用方案：{known}", location="评分方案")
    return _read(path)


def list_schemes() -> list[Scheme]:
    return [load_scheme(p.stem) for p in sorted(SCHEME_DIR.glob("*.json"))]
