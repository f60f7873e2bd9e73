"""JSON read strictly, for files and API bodies alike: every problem a user can fix is an
``InputError`` naming its JSON path, and nothing a hostile document does reaches a traceback.

- nesting deeper than ``json.max_depth`` is refused, at the JSON path where it passes the limit
  (``[[[…]]]`` 100,000 deep stops the parser at the interpreter's recursion limit, which is
  caught: checking the depth after parsing saves a second scan of every file);
- a key given twice in one object is an error (the standard parser silently keeps the last one);
- a number literal longer than ``json.max_number_chars`` and ``NaN``/``Infinity`` are errors;
  numbers with a fraction or an exponent become ``Decimal``, never ``float``.

Limits: the ``json`` section of ``jixiao/rules/limits.json``.
"""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section


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


class _TooDeep(Exception):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def _walk(value: Any, path: str, out: list[tuple[str, str]], room: int) -> None:
    """Every refused number and repeated key below ``value`` with its JSON path; ``_TooDeep`` where
    the nesting passes the limit (``room`` is how many more levels may follow). The recursion is
    bounded by the limit, and the C parser before it by the interpreter's recursion limit."""
    if isinstance(value, dict):
        if room <= 0:
            raise _TooDeep(path)
        for key in getattr(value, "repeated", ()):
            out.append((f"{path}.{key}", f"字段「{key}」在同一对象中出现了多次，请只保留一个"))
        for key, item in value.items():
            if isinstance(item, (dict, list, _BadNumber)):
                _walk(item, f"{path}.{key}", out, room - 1)
    elif isinstance(value, list):
        if room <= 0:
            raise _TooDeep(path)
        for i, item in enumerate(value):
            if isinstance(item, (dict, list, _BadNumber)):
                _walk(item, f"{path}[{i}]", out, room - 1)
    elif isinstance(value, _BadNumber):
        shown = value.text if len(value.text) <= 24 else value.text[:20] + "…"
        out.append((path, f"数字「{shown}」{value.reason}" if not value.reason.startswith("「") else value.reason))


def loads(text: str, source: str) -> Any:
    """The parsed document (plain dicts and lists; Decimal for non-integers), or ``InputError``
    with every problem, each located as ``source: $.path``."""
    limits = section("json")
    too_deep = f"JSON 嵌套层数超过 {limits['max_depth']} 层"
    digits = limits["max_number_chars"]
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_float=_number_parser(digits, Decimal),
                          parse_int=_number_parser(digits, int), parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）："
                                          "请检查括号、引号和逗号")]) from None
    except RecursionError:  # deeper than the interpreter's recursion limit, far past ours
        raise InputError([Problem(source, f"{too_deep}，不是有效的交换格式文件，拒绝读取")]) from None
    found: list[tuple[str, str]] = []
    try:
        _walk(data, "$", found, limits["max_depth"])
    except _TooDeep as exc:
        raise InputError([Problem(f"{source}: {exc.path}", f"{too_deep}，不是有效的交换格式文件，拒绝读取")]) from None
    if found:
        raise InputError([Problem(f"{source}: {path}", message) for path, message in found])
    return data
