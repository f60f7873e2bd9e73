"""结果应用: what a project's grade means for next year's budget. Pure: no Django.

The consequence of each grade (优 → 优先保障 …) and the factor applied to this year's full-year
budget come from ``rules/results.json`` (a default and local variants, each with its source);
nothing here names a grade or a percentage. The grade used is the finance review's (复核) when
there is one, else the self-evaluation's — the review is the result in force.

(``jixiao.core.results`` is a different thing: the dataclasses scoring returns.)
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jixiao.core.errors import InputError, Problem
from jixiao.core.results import ProjectResult

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "results.json"
SELF, REVIEWED = "自评", "复核"


@dataclass(frozen=True)
class Consequence:
    grade: str
    consequence: str  # e.g. 压减
    factor: Decimal  # next year's proposal = this year's budget × factor
    note: str
    rectification: bool = False  # the grade needs a rectification item with a deadline


@dataclass(frozen=True)
class ResultsRules:
    id: str
    version: int
    variant: str
    label: str
    source: str  # of the variant
    basis: str  # what the factor multiplies, as users know it (本年度全年预算)
    grades: dict[str, Consequence]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}/{self.variant}"


@dataclass(frozen=True)
class Proposal:
    """One project's consequence and proposed amount for next year."""

    project: str
    name: str
    score: Decimal | None
    grade: str | None
    grade_basis: str  # 自评 / 复核
    budget: Decimal | None  # this year's full-year budget
    consequence: Consequence | None
    proposed: Decimal | None  # None: see ``reason``
    reason: str | None  # Chinese, why there is no proposal


def _factor(raw: Any, where: str, problems: list[Problem]) -> Decimal:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        problems.append(Problem(where, f"系数「{raw}」不是数字", "系数"))
        return Decimal(0)
    if not value.is_finite() or value < 0:
        problems.append(Problem(where, f"系数「{raw}」应为不小于 0 的数", "系数"))
    return value


def rules_from_dict(data: dict[str, Any], variant: str | None = None, source: str = "results.json") -> ResultsRules:
    """The variant ``variant`` (default: the file's ``in_force``) of a results rules document."""
    problems: list[Problem] = []
    wanted = variant or data.get("in_force")
    found = next((v for v in data.get("variants", []) if v.get("id") == wanted), None)
    if found is None:
        ids = "、".join(str(v.get("id")) for v in data.get("variants", []))
        raise InputError([Problem(f"{source}: $.in_force", f"没有方案「{wanted}」，现有：{ids}", "方案")])
    grades = {}
    for grade, spec in found.get("grades", {}).items():
        where = f"{source}: $.variants[{wanted}].grades.{grade}"
        grades[grade] = Consequence(grade, str(spec.get("consequence", "")), _factor(spec.get("factor"), where,
                                                                                     problems),
                                    str(spec.get("note", "")), bool(spec.get("rectification", False)))
    if problems:
        raise InputError(problems)
    return ResultsRules(id=str(data["id"]), version=int(data["version"]), variant=str(wanted),
                        label=str(found.get("label", wanted)), source=str(found.get("source", data.get("source", ""))),
                        basis=str(data.get("basis", "")), grades=grades)


@lru_cache(maxsize=8)
def load_results_rules(variant: str | None = None, path: Path = RULES_PATH) -> ResultsRules:
    return rules_from_dict(json.loads(path.read_text(encoding="utf-8")), variant, path.name)


def propose(result: ProjectResult, rules: ResultsRules, reviewed: tuple[Decimal, str] | None = None) -> Proposal:
    """The consequence of the project's grade (``reviewed`` = the review's (score, grade) in force,
    which replaces the self-evaluation's) and next year's proposed amount."""
    score, grade, basis = (reviewed[0], reviewed[1], REVIEWED) if reviewed else (result.total, result.grade, SELF)

    def made(consequence: Consequence | None, proposed: Decimal | None, reason: str | None) -> Proposal:
        return Proposal(result.code, result.name, score, grade, basis, result.budget, consequence, proposed, reason)

    if grade is None:
        why = f"（{result.reason}）" if result.reason else ""
        return made(None, None, f"自评总分无法核实{why}，暂不能提出建议")
    consequence = rules.grades.get(grade)
    if consequence is None:
        return made(None, None, f"结果应用规则没有等级「{grade}」的安排")
    if result.budget is None:
        return made(consequence, None, "未填写全年预算，无法计算建议安排数")
    return made(consequence, result.budget * consequence.factor, None)
