"""Result types of the rules engine: what a score is, and the trace of how it was computed.

Values are exact ``Decimal``; nothing here is rounded. Rounding for display happens once, in
``jixiao.core.display``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class IndicatorResult:
    code: str
    level1: str
    level2: str
    name: str
    weight: Decimal
    score: Decimal | None  # None when no actual value has been reported yet
    ratio: Decimal | None  # completion ratio before capping (B/A, A/B, band ratio …)
    trace: str  # Chinese explanation with the numbers substituted
    over_completion: Decimal | None = None  # actual/target − 1 on positive indicators, when > 0
    flags: list[str] = field(default_factory=list)  # e.g. "超额完成较多"
    feed: str | None = None  # the feed that supplied the actual value, if any
    actual_text: str | None = None  # the actual value used (after any feed)


@dataclass
class ExecutionResult:
    budget: Decimal
    executed: Decimal
    rate: Decimal | None  # fraction (0.9576…), None when the budget is 0
    weight: Decimal
    score: Decimal
    trace: str


@dataclass
class ProjectResult:
    code: str
    name: str
    budget: Decimal
    executed: Decimal
    execution: ExecutionResult
    indicators: list[IndicatorResult]
    total: Decimal
    grade: str
    trace: str


@dataclass
class DepartmentResult:
    code: str
    name: str
    year: int
    money_unit: str
    budget: Decimal
    executed: Decimal
    by_source: dict[str, tuple[Decimal, Decimal]]  # fund source -> (budget, executed), all sources
    by_nature: dict[str, tuple[Decimal, Decimal]]  # nature -> (budget, executed)
    execution: ExecutionResult
    indicators: list[IndicatorResult]
    total: Decimal
    grade: str
    trace: str
    projects: list[ProjectResult]
    template: str  # "<id>@<version>" of the department template used
    project_template: str
