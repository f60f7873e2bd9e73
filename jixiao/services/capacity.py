"""Whether an unsaved model row can be stored exactly: the one capacity check of the application
layer, used by every store before it writes.

A value the column cannot hold as given — a decimal that would be rounded, a text that would be
cut, an integer outside the column's range — is reported as a ``Problem`` naming the field (its
``verbose_name``) and the place it came from, instead of being silently changed by the database.

Decimal columns: on SQLite a plain ``DecimalField`` is kept as an 8-byte float, exact only to
``SIGNIFICANT_DIGITS`` significant digits (and Django reads it back through a 15-digit context),
so such a column is refused more digits than that on every database, so that a value stores
identically on SQLite and PostgreSQL. A field that stores its decimals exactly (it declares
``stores_decimals_exactly = True``, e.g. ``jixiao.ledgers.fields.MoneyField``, kept as text on
SQLite and ``numeric`` on PostgreSQL) is limited only by its ``max_digits``/``decimal_places``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal

from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from jixiao.core.errors import Problem
from jixiao.core.text import REFUSED, REFUSED_ONE_LINE, number_problem, text_problem

# SQLite keeps NUMERIC values as 8-byte floats, exact to 15 significant digits.
SIGNIFICANT_DIGITS = 15

# the portable ranges (those of PostgreSQL; SQLite accepts more but they would not move)
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def problems_for(instance: models.Model, location: str) -> list[Problem]:
    """Every value of ``instance`` (unsaved) its column cannot store exactly; empty when all fit.

    ``location`` says where the row came from (``"demo.json: $.projects[2]"``, ``"宗地[3]"``);
    each problem carries it and the field's ``verbose_name``."""
    return [Problem(location=location, message=f"「{f.verbose_name}」{message}", field=str(f.verbose_name))
            for f, message in row_problems(instance)]


def row_problems(instance: models.Model) -> list[tuple[models.Field, str]]:
    """(field, why) for every value of ``instance`` its column cannot store exactly."""
    out = []
    for f, check in checks(type(instance)):
        value = getattr(instance, f.attname)
        if value is not None:
            message = check(value)
            if message:
                out.append((f, message))
    return out


Check = Callable[[object], str]


@functools.cache
def checks(model: type[models.Model]) -> tuple[tuple[models.Field, Check], ...]:
    """The columns of ``model`` that can refuse a value, each with its check, built once per model
    (a bulk import checks hundreds of thousands of values: the dispatch on the field's type is
    done here, not per value). Columns that hold any value of their type (booleans, JSON, dates,
    relations) have no check."""
    out: list[tuple[models.Field, Check]] = []
    for f in model._meta.concrete_fields:
        if isinstance(f, (models.CharField, models.TextField)):
            out.append((f, _text_check(f)))
        elif isinstance(f, models.IntegerField) and not f.primary_key:
            out.append((f, _integer_check(f)))
        elif isinstance(f, models.DecimalField):
            out.append((f, functools.partial(field_problem, f)))
    return tuple(out)


def _integer_check(f: models.Field) -> Check:
    """``field_problem`` of an integer column, with the range looked up once."""
    low, high = _INTEGER_RANGES.get(f.get_internal_type(), (None, None))

    def check(value: object) -> str:
        if type(value) is int and (low is None or value >= low) and (high is None or value <= high):
            return ""
        return field_problem(f, value)
    return check


def _text_check(f: models.Field) -> Check:
    """``field_problem`` of a text column, with the common case (an allowed text that fits) done
    by one regular-expression search and one length comparison."""
    refused = REFUSED_ONE_LINE if f.name.endswith("code") else REFUSED
    longest = f.max_length if isinstance(f, models.CharField) else None

    def check(value: object) -> str:
        if isinstance(value, str) and refused.search(value) is None and (longest is None or len(value) <= longest):
            return ""
        return field_problem(f, value)
    return check


def field_problem(f: models.Field, value: object) -> str:
    """Why column ``f`` cannot store ``value`` exactly, without the field's name ("" when it can)."""
    if isinstance(f, (models.CharField, models.TextField)) and isinstance(value, str):
        # the characters every reader refuses (core/text.py): NUL, controls, bidi, zero-width …
        why = text_problem(value, multiline=not f.name.endswith("code"))
        if why:
            return why
    if isinstance(f, models.CharField) and isinstance(value, str) and f.max_length:
        if len(value) > f.max_length:
            return f"内容过长（{len(value)} 字），最多 {f.max_length} 字"
    elif isinstance(f, models.DecimalField):
        if isinstance(value, float):
            return f"数值「{value!r}」是浮点数，无法精确保存，请以文本或 Decimal 提供"
        if isinstance(value, Decimal):
            exact = getattr(f, "stores_decimals_exactly", False)
            return decimal_problem(value, f.max_digits, f.decimal_places,
                                   None if exact else SIGNIFICANT_DIGITS)
    elif isinstance(f, models.IntegerField) and isinstance(value, int) and not isinstance(value, bool):
        low, high = _INTEGER_RANGES.get(f.get_internal_type(), (None, None))
        if low is not None and value < low:
            return f"数值「{value}」不能小于 {low}"
        if high is not None and value > high:
            return f"数值「{value}」过大，最大为 {high}"
    return ""


def decimal_problem(value: Decimal, max_digits: int | None, places: int | None,
                    significant: int | None = SIGNIFICANT_DIGITS) -> str:
    """Why ``value`` does not fit ``max_digits``/``places`` exactly (empty when it does)."""
    absurd = number_problem(value)  # 1e999999999 would overflow normalize() below
    if absurd:
        return absurd
    if value.is_zero():
        return ""
    exact = value.normalize()
    exponent = exact.as_tuple().exponent
    assert isinstance(exponent, int)
    if places is not None and exponent < -places:
        return f"数值「{value}」超过 {places} 位小数，无法精确保存"
    if max_digits is not None and places is not None and exact.adjusted() + 1 > max_digits - places:
        return f"数值「{value}」过大，整数部分最多 {max_digits - places} 位"
    if significant is not None and len(exact.as_tuple().digits) > significant:
        return f"数值「{value}」有效数字超过 {significant} 位，无法精确保存"
    return ""
