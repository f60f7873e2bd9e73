"""Ledger rows ⇄ Django model rows, shared by the investment and enterprise ledgers. A model's
columns carry the same names as the dataclass attributes in the ledger's ``Table`` specs."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Iterable

from django.db import models

from jixiao.core.errors import Problem
from jixiao.investment.tables import Table


def capacity_problems(model: type[models.Model], table: Table, rows: Iterable[Any],
                      where: Callable[[int, str], str]) -> list[Problem]:
    """Values the columns cannot hold exactly, reported instead of silently rounded or cut."""
    problems = []
    for i, obj in enumerate(rows):
        for spec in table.specs:
            f = model._meta.get_field(spec.attr)
            value = getattr(obj, spec.attr)
            if isinstance(f, models.DecimalField) and isinstance(value, Decimal):
                exp = value.normalize().as_tuple().exponent
                places = -exp if isinstance(exp, int) and exp < 0 else 0
                whole = len(str(int(value))) if value >= 1 else 0
                if places > f.decimal_places:
                    problems.append(Problem(where(i, spec.attr), f"最多保留{f.decimal_places}位小数", spec.title))
                elif whole > f.max_digits - f.decimal_places:
                    problems.append(Problem(where(i, spec.attr), "数值过大，请检查单位", spec.title))
            elif isinstance(f, models.CharField) and isinstance(value, str) and len(value) > f.max_length:
                problems.append(Problem(where(i, spec.attr), f"不能超过{f.max_length}个字", spec.title))
            elif isinstance(f, models.PositiveIntegerField) and isinstance(value, int) and value > 2_147_483_647:
                problems.append(Problem(where(i, spec.attr), "数值过大", spec.title))
    return problems


def to_rows(model: type[models.Model], table: Table, objs: Iterable[Any], **extra: Any) -> list[models.Model]:
    out = []
    for pos, obj in enumerate(objs):
        values = {s.attr: getattr(obj, s.attr) for s in table.specs}
        if any(f.name == "position" for f in model._meta.fields):
            values["position"] = pos
        out.append(model(**values, **extra))
    return out


def to_core(table: Table, rows: Iterable[models.Model], **extra: Any) -> list[Any]:
    return [table.cls(**{s.attr: getattr(r, s.attr) for s in table.specs}, **extra) for r in rows]
