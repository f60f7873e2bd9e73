"""The number filters of every template (a builtin: no ``{% load %}`` needed), one rule each,
all from ``jixiao.core.display`` (the one place where values are rounded):

- ``|score``  a score or weight: 2 decimals, trailing zeros trimmed ("96", "9.58");
- ``|money``  an amount in the year's money unit (万元): thousands separators, 2 decimals
  ("1,153.25");
- ``|rate``   a fraction as a percentage ("95.8%");
- ``|year``   a year as written ("2022", never "2,022" or "2,022.00").

A blank value (None, "") is "—"; text that is not a number is shown as it is.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from jixiao.core.display import DASH, fmt_amount_fixed, fmt_rate, fmt_score

register = template.Library()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _show(value: Any, d: Decimal | None, fmt: Any) -> str:
    if d is not None:
        return str(fmt(d))
    return DASH if value is None or value == "" else str(value)


@register.filter
def score(value: Any) -> str:
    return _show(value, _decimal(value), fmt_score)


@register.filter
def money(value: Any) -> str:
    return _show(value, _decimal(value), fmt_amount_fixed)


@register.filter
def rate(value: Any) -> str:
    return _show(value, _decimal(value), fmt_rate)


@register.filter
def year(value: Any) -> str:
    d = _decimal(value)
    return _show(value, d if d is None or d == d.to_integral_value() else None, lambda x: int(x))
