"""Result types of the rules engine: what a score is, and the trace of how it was computed.

Values are exact ``Decimal``; nothing here is rounded. Rounding for display happens once, in
``jixiao.core.display``.

Traces. A result keeps how its figure was obtained as ``trace_steps``: a list of steps, each a
``(template, values)`` pair such as

    ("实际完成值 {actual:value} ÷ 指标值 {target:value} = {ratio:pct}%", {"actual": b, "target": a, "ratio": r})

The engine records steps while it computes and formats nothing; ``trace`` joins the formatted
steps into the Chinese text when someone reads it. A batch over a whole city computes a million
numbers but reads few of its 300,000 explanations, so formatting only what is read keeps the
batch fast, and the text is still decided by the branch the computation took (there is no
second copy of the scoring logic that explains it afterwards).

Templates are constant strings written in ``jixiao.core.scoring``; text that users wrote
(targets, actual values, feed names) always travels as a value, never inside a template, so a
brace in it is just a brace. A placeholder ``{name:kind}`` shows a Decimal with one of the
display rules in ``FORMATS``; ``{name}`` shows a string as it is.

Incomplete work. Blank is a state, not an error (docs: real-work.md §1). A figure that cannot be
computed — an indicator without weight, target or actual value, an execution rate without budget
or executed amount, a total over such parts — is ``None``, never 0, and the result says why:

- ``computable``: whether the figure (``score`` / ``total``) exists;
- ``reason``: Chinese, set exactly when it does not ("未填写分值，无法计分",
  "总分无法核实：3 项指标未填写分值");
- ``cause`` (indicators only): which of ``Cause`` it is, for checks that report each kind under
  its own finding code.
"""
from __future__ import annotations

import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from jixiao.core.display import fmt_decimal, fmt_value

HUNDRED = Decimal(100)

TraceStep = tuple[str, dict[str, Any]]  # (template, values)

# How a Decimal value is shown in a trace, by the kind named in its placeholder.
FORMATS: dict[str, Callable[[Decimal], str]] = {
    "value": fmt_value,  # up to 4 decimals, trailing zeros trimmed: 8.5, 89.97, 7
    "value2": lambda d: fmt_value(d, 2),  # up to 2 decimals, trimmed
    "pts": lambda d: fmt_decimal(d, 2),  # points, always 2 decimals: 4.00
    "pct": lambda d: fmt_decimal(d * HUNDRED, 2),  # a fraction as a percent number: 85.71
    "pct_value": lambda d: fmt_value(d * HUNDRED),  # a fraction as a percent number, trimmed: 20
    "pct_value2": lambda d: fmt_value(d * HUNDRED, 2),  # the same with at most 2 decimals
}


class _TraceFormatter(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec:
            return str(value)
        return FORMATS[format_spec](value)


_FORMATTER = _TraceFormatter()


def format_steps(steps: Iterable[TraceStep]) -> str:
    """The Chinese text of a trace: every step formatted, joined without separators."""
    return "".join(_FORMATTER.vformat(template, (), values) for template, values in steps)


class Cause(StrEnum):
    """Why an indicator has no score."""

    MISSING_WEIGHT = "missing_weight"  # 分值 blank
    MISSING_TARGET = "missing_target"  # 年度指标值 blank or a placeholder ("—", "/", "无" …)
    MISSING_ACTUAL = "missing_actual"  # 实际完成值 not reported (yet)
    UNREADABLE_TARGET = "unreadable_target"  # the target text cannot be read
    UNREADABLE_ACTUAL = "unreadable_actual"  # the actual value carries digits that are no figure ("到5次")
    UNSCORABLE = "unscorable"  # the actual value (or the evaluator's level) cannot be scored


@dataclass(slots=True)
class IndicatorResult:
    code: str
    level1: str
    level2: str
    name: str
    weight: Decimal | None  # None = not filled in
    score: Decimal | None  # None = not computable, see ``reason``
    ratio: Decimal | None  # completion ratio before capping (B/A, A/B, band ratio …)
    trace_steps: list[TraceStep]  # how the score was obtained (or why not); ``trace`` is its text
    over_completion: Decimal | None = None  # actual/target − 1 on positive indicators, when > 0
    flags: list[str] = field(default_factory=list)  # e.g. "超额完成较多"
    feed: str | None = None  # the feed that supplied the actual value, if any
    actual_text: str | None = None  # the actual value used (after any feed)
    reason: str | None = None  # Chinese, why there is no score; None when there is one
    cause: Cause | None = None  # the kind of ``reason``
    # codes of the rows this one is the subtotal of ("一、示范区建设 15 = 5 + 5 + 5"); a subtotal's
    # score is its children's sum and no total counts it
    children: tuple[str, ...] = ()

    @property
    def computable(self) -> bool:
        return self.score is not None

    @property
    def trace(self) -> str:
        """Chinese explanation with the numbers substituted."""
        return format_steps(self.trace_steps)


@dataclass(slots=True)
class ExecutionResult:
    budget: Decimal | None  # None = blank
    executed: Decimal | None  # None = blank
    rate: Decimal | None  # fraction (0.9576…); None when the budget is 0 or a figure is blank
    weight: Decimal
    score: Decimal | None  # None = not computable (a figure is blank), see ``reason``
    trace_steps: list[TraceStep]
    reason: str | None = None  # Chinese, why there is no score
    # code of the indicator row that is the execution rate (预算执行率 inside the table): its
    # result carries this score, so a total counts it once, through that row
    row: str | None = None

    @property
    def computable(self) -> bool:
        return self.score is not None

    @property
    def counted(self) -> bool:
        """Whether the execution score is a part of the total of its own (not through a row, not
        a scheme without an execution block)."""
        return self.row is None and self.weight != 0

    @property
    def trace(self) -> str:
        return format_steps(self.trace_steps)


@dataclass(slots=True)
class ProjectResult:
    code: str
    name: str
    budget: Decimal | None
    executed: Decimal | None
    execution: ExecutionResult
    indicators: list[IndicatorResult]
    total: Decimal | None  # None = cannot be verified: some part is not computable, see ``reason``
    grade: str | None  # None with the total
    trace_steps: list[TraceStep]
    reason: str | None = None  # e.g. "总分无法核实：3 项指标未填写分值"
    scheme: str = ""  # "<id>@<version>" of the scheme scored with ("table@1": the table's own weights)

    @property
    def computable(self) -> bool:
        return self.total is not None

    @property
    def trace(self) -> str:
        return format_steps(self.trace_steps)


@dataclass(slots=True)
class DepartmentResult:
    code: str
    name: str
    year: int
    money_unit: str
    budget: Decimal | None
    executed: Decimal | None
    # fund source / nature -> (budget, executed) over all sources; None where a line is blank
    by_source: dict[str, tuple[Decimal | None, Decimal | None]]
    by_nature: dict[str, tuple[Decimal | None, Decimal | None]]
    execution: ExecutionResult
    indicators: list[IndicatorResult]
    total: Decimal | None  # the department's own total; None = cannot be verified, see ``reason``
    grade: str | None
    trace_steps: list[TraceStep]
    projects: list[ProjectResult]
    scheme: str  # "<id>@<version>" of the department scoring scheme used
    project_scheme: str  # "<id>@<version>" of the project scheme
    reason: str | None = None

    @property
    def computable(self) -> bool:
        return self.total is not None

    @property
    def trace(self) -> str:
        return format_steps(self.trace_steps)
