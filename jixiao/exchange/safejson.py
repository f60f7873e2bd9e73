"""JSON read strictly, for files and API bodies alike: every problem a user can fix is an
``InputError`` naming its JSON path, and nothing a hostile document does reaches a traceback.

- nesting deeper than ``json.max_depth`` is refused before the parser recurses (the standard
  parser would raise RecursionError on ``[[[…]]]`` 100,000 deep);
- a key given twice in one object is an error (the standard parser silently keeps the last one);
- a number literal longer than ``json.max_number_chars`` and ``NaN``/``Infinity`` are errors;
  numbers with a fraction or an exponent become ``Decimal``, never ``float``.

Limits: the ``json`` section of ``jixiao/rules/limits.json``.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section

# A string literal (skipped whole, so brackets inside strings do not count) or a bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class _Duplicates(dict):
    """An object in which some key appeared more than once (the keys are kept in ``repeated``)."""

    repeated: list[str]


class _BadNumber:
    """A number literal that is refused; kept in place so the path of the problem can be named."""

    def __init__(self, text: str, reason: str):
        self.text, self.reason = text, reason


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in out and key not in repeated:
            repeated.append(key)
        out[key] = value
    if not repeated:
        return out
    dup = _Duplicates(out)
    dup.repeated = repeated
    return dup


def _number_parser(limit: int, kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > limit:
            return _BadNumber(text, f"数字过长（{len(text)} 个字符，最多 {limit} 个）")
        try:
            return kind(text)
        except (ValueError, InvalidOperation):
            return _BadNumber(text, "不是有效数字")
    return parse


def _constant(text: str) -> _BadNumber:
    return _BadNumber(text, f"「{text}」不是有效数字（JSON 中不允许 NaN 或 Infinity）")


def _depth(text: str, limit: int) -> tuple[int, int] | None:
    """(line, column) where nesting first goes deeper than ``limit``, or None."""
    depth = 0
    for m in _TOKENS.finditer(text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, m.start()) + 1
                return line, m.start() - text.rfind("\n", 0, m.start())
        elif ch in "]}":
            depth -= 1
    return None


def _walk(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    """Every refused number and repeated key below ``value`` with its JSON path. The depth was
    checked before parsing, so this recursion is bounded."""
    if isinstance(value, dict):
        for key in getattr(value, "repeated", ()):
            out.append((f"{path}.{key}", f"字段「{key}」在同一对象中出现了多次，请只保留一个"))
        for key, item in value.items():
            _walk(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", out)
    elif isinstance(value, _BadNumber):
        shown = value.text if len(value.text) <= 24 else value.text[:20] + "…"
        out.append((path, f"数字「{shown}」{value.reason}" if not value.reason.startswith("「") else value.reason))


def loads(text: str, source: str) -> Any:
    """The parsed document (plain dicts and lists; Decimal for non-integers), or ``InputError``
    with every problem, each located as ``source: $.path``."""
    limits = section("json")
    deep = _depth(text, limits["max_depth"])
    if deep is not None:
        raise InputError([Problem(
            source, f"JSON 嵌套层数超过 {limits['max_depth']} 层（第 {deep[0]} 行第 {deep[1]} 列），"
                    "不是有效的交换格式文件，拒绝读取")])
    digits = limits["max_number_chars"]
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_float=_number_parser(digits, Decimal),
                          parse_int=_number_parser(digits, int), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）："
                                          "请检查括号、引号和逗号")]) from None
    except RecursionError:  # the depth check above makes this unreachable; a last guard
        raise InputError([Problem(source, "JSON 嵌套过深，拒绝读取")]) from None
    found: list[tuple[str, str]] = []
    _walk(data, "$", found)
    if found:
        raise InputError([Problem(f"{source}: {path}", message) for path, message in found])
    return data
