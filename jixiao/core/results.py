"""Result types of the rules engine: what a score is, and the trace of how it was computed.

Values are exact ``Decimal``; nothing here is rounded. Rounding for display happens once, in
``jixiao.core.display``.

Traces are formatted on first read. A batch over a whole city computes a million numbers but
reads few of its 300,000 Chinese explanations, so the engine passes a ``Deferred`` as ``trace``
and the attribute turns it into the text (once, then keeps the string) when someone reads it.
To callers ``trace`` is an ordinary ``str`` field: constructor argument, attribute, ``repr``,
``==``, ``dataclasses.asdict``/``replace`` and pickling all see the formatted text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class Deferred(tuple):
    """Text that is built by calling ``(fn, *args)`` when first asked for: ``Deferred((fn, a, b))``.
    The arguments must be values that do not change afterwards (strings, Decimals, frozen
    objects, tuples). A tuple, so that making one costs no Python call: the engine makes one per
    distinct outcome and most are never formatted. The result attribute that holds it keeps the
    text once formatted."""

    __slots__ = ()

    def text(self) -> str:
        return self[0](*self[1:])

    def __repr__(self) -> str:
        return f"Deferred({self.text()!r})"


def text_of(value: str | Deferred) -> str:
    return value if value.__class__ is str else value.text()  # type: ignore[union-attr]


class _TraceAttribute:
    """Replaces the slot of a result's ``trace`` field: stores what it is given (a ``str`` or a
    ``Deferred``) in that slot and always reads back a ``str``, formatting a ``Deferred`` once."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self._slot.__get__(obj, owner)
        if value.__class__ is str:
            return value
        text = value.text()
        self._slot.__set__(obj, text)
        return text

    def __set__(self, obj: Any, value: str | Deferred) -> None:
        self._slot.__set__(obj, value)


def _lazy_trace(cls: type) -> type:
    cls.trace = _TraceAttribute(cls.__dict__["trace"])  # type: ignore[attr-defined]
    return cls


@_lazy_trace
@dataclass(slots=True)
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


@_lazy_trace
@dataclass(slots=True)
class ExecutionResult:
    budget: Decimal
    executed: Decimal
    rate: Decimal | None  # fraction (0.9576…), None when the budget is 0
    weight: Decimal
    score: Decimal
    trace: str


@_lazy_trace
@dataclass(slots=True)
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


@_lazy_trace
@dataclass(slots=True)
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
    scheme: str  # "<id>@<version>" of the department scoring scheme used
    project_scheme: str  # "<id>@<version>" of the project scheme
