"""Indicator targets (年度指标值) and actual values (实际完成值) as units write them.

"≥7个", "不少于十个", "≤90万元", "90%-95%", "≥100百分比", "按期完成", "≤12月31日" → ``Target``.

Conventions the forms imply but never state:
- A bare quantity ("100%", "8个") is a floor, i.e. ``>=``: in these tables a plain number means
  "reach at least this", and treating it as ``=`` would punish over-achievement.
- Dates and deadlines ("≤12月31日", "12月底前") are qualitative: the evaluator judges 按期 or not;
  converting to days late would need a calendar rule no source gives.
- A word operator followed by no number ("不低于上年水平") is a qualitative description, while a
  symbol operator without a number ("≥", "≥abc个") is an error: the unit clearly meant a figure.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jixiao.core.money import MONEY_UNITS, canonical_unit
from jixiao.core.numbers import CN_DIGITS, CN_UNITS, normalize, parse_decimal

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "targets.json"
OPS: tuple[str, ...] = (">=", ">", "<=", "<", "=", "range", "qualitative")
POSITIVE_OPS = frozenset({">=", ">"})
NEGATIVE_OPS = frozenset({"<=", "<"})

# Symbol prefixes, longest first so ">=" wins over ">".
_SYMBOL_OPS: tuple[tuple[str, str], ...] = (
    (">=", ">="), ("=>", ">="), ("≥", ">="), ("≧", ">="),
    ("<=", "<="), ("=<", "<="), ("≤", "<="), ("≦", "<="),
    ("==", "="), (">", ">"), ("<", "<"), ("=", "="),
)
_WORD_OPS: tuple[tuple[str, str], ...] = (
    ("大于或等于", ">="), ("大于等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("至少", ">="), ("达到", ">="),
    ("小于或等于", "<="), ("小于等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不多于", "<="),
    ("不大于", "<="), ("最多", "<="), ("控制在", "<="),
    ("大于", ">"), ("高于", ">"), ("多于", ">"), ("超过", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"),
    ("等于", "="),
)
_SUFFIX_OPS: tuple[tuple[str, str], ...] = (
    ("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<="),
)
# Characters that start an operator we do not know; better to refuse than to guess.
_UNKNOWN_OP_CHARS = "≈≒~±≠!≮≯≃≅"
_PERCENT_WORDS = ("%", "百分比", "百分点", "‰")

_NUM = rf"(?:\d+(?:\.\d+)?|负?[{CN_DIGITS}{CN_UNITS}]+(?:点[{CN_DIGITS}]+)?)"
_LEAD_NUMBER = re.compile(rf"^([+-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|{_NUM})(.*)$")
_RANGE = re.compile(rf"^({_NUM})([^\d~\-至到—]*)(?:-|~|至|到|—)({_NUM})(.*)$")
_PERCENT_OF = re.compile(rf"百分之({_NUM})")
_DATE = re.compile(
    r"\d{1,2}月\d{1,2}日|\d{1,2}月(?:底|末|前|份|中旬|上旬|下旬)|\d{4}年(?:\d{1,2}月|底|末|前|内)"
    r"|年底|年末|月底|按期|按时|如期|及时"
)
_PARENTHESES = re.compile(r"[(（][^)）]*[)）]")
_UNIT_STOP = re.compile(r"[\s,，;；、。:：!！?？\d]")
# A bare Chinese numeral only counts as a quantity before one of these measure words; otherwise
# "一般" or "十分明显" would read as numbers.
_COUNT_UNITS = frozenset(
    [
        "个", "项", "次", "家", "人", "人次", "场", "件", "宗", "份", "篇", "期", "批", "名", "所", "座", "条",
        "台", "套", "户", "间", "处", "栋", "亩", "公顷", "平方米", "米", "千米", "公里", "天", "日", "周", "月",
        "个月", "年", "小时", "分钟", "元", "万元", "亿元", "美元", "万美元", "%",
    ]
)


# Fast paths for the plain forms that make up most rows ("≥7个", "95.8%", "≤90万元"): one regex,
# no normalisation. Anything else (full-width, words, Chinese numerals, dates) takes the full parser.
_FAST_OPS = {"": None, "≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", ">": ">", "<": "<", "=": "="}
_FAST = re.compile(r"^(≥|≤|>=|<=|>|<|=)?(\d+(?:\.\d+)?)([^\d\s.,，;；、:：()（）~\-月年日以至到]{0,6})$")
_FAST_ACTUAL = re.compile(r"^(\d+(?:\.\d+)?)([^\d\s.,，;；、:：()（）~\-月年日以至到]{0,6})$")


class TargetError(ValueError):
    """A target text that cannot be read; the message is Chinese and says why."""


@lru_cache(maxsize=1)
def _placeholders() -> frozenset[str]:
    with RULES_FILE.open(encoding="utf-8") as fh:
        words = json.load(fh)["no_target_placeholders"]
    return frozenset(normalize(w).replace(" ", "") for w in words)


@lru_cache(maxsize=65536)  # asked once per indicator scored; targets repeat across a batch
def target_missing(text: str | None) -> bool:
    """Whether no target is filled in: None, an empty cell, or a placeholder that means "none"
    ("—", "/", "无", "不适用" …, listed in ``rules/targets.json``). Such an indicator is a draft to
    complete, not a qualitative target."""
    if text is None:
        return True
    body = normalize(str(text)).replace(" ", "")
    return not body or body in _placeholders()


@dataclass(frozen=True)
class Target:
    op: str  # one of OPS
    value: Decimal | None  # the target figure; the lower bound of a range
    high: Decimal | None  # upper bound of a range
    unit: str
    percent: bool
    text: str  # as written

    @property
    def quantitative(self) -> bool:
        return self.op != "qualitative"


def _percent_unit(unit: str) -> bool:
    return unit in _PERCENT_WORDS


def _split_number(rest: str) -> tuple[str, str] | None:
    """Split "十万元" / "7个" into (number, unit); a Chinese numeral gives back a trailing 万/亿
    when that makes a money unit, so "九十万元" is 90 万元 as written."""
    match = _LEAD_NUMBER.match(rest)
    if not match:
        return None
    number, unit = match.group(1), match.group(2).strip()
    if (number[-1] in "万亿" and len(number) > 1 and not number[-2].isdigit()
            and canonical_unit(number[-1] + unit) in MONEY_UNITS):
        number, unit = number[:-1], number[-1] + unit
    return number, unit


def _is_cn(number: str) -> bool:
    return not any(ch.isdigit() for ch in number)


@lru_cache(maxsize=4096)
def _clean_unit(unit: str) -> str:
    return canonical_unit(_PARENTHESES.sub("", unit))


def _qualitative(text: str, unit: str) -> Target:
    return Target("qualitative", None, None, unit, False, text)


def _strip_operator(body: str) -> tuple[str | None, bool, str]:
    """Return (op, op_is_symbol, rest) with a leading operator removed."""
    for symbol, op in _SYMBOL_OPS:
        if body.startswith(symbol):
            return op, True, body[len(symbol):]
    for word, op in _WORD_OPS:
        if body.startswith(word):
            return op, False, body[len(word):]
    return None, False, body


@lru_cache(maxsize=65536)
def parse_target(text: str | None, unit: str = "") -> Target:
    """Read a target as written; ``unit`` is the 度量单位 column, used when the text has none.
    A blank target (None, empty, a placeholder) raises ``TargetError`` like an unreadable one."""
    if isinstance(text, str) and (fast := _FAST.match(text)):
        op, number, found = fast.groups()
        found_unit = _clean_unit(found) if found else ""
        if found_unit in _COUNT_UNITS or found_unit in MONEY_UNITS or not found_unit or _percent_unit(found_unit):
            column_unit = _clean_unit(unit) if unit else ""
            percent = _percent_unit(found_unit) or (not found_unit and _percent_unit(column_unit))
            final_unit = "%" if percent else (found_unit or column_unit)
            return Target(_FAST_OPS[op or ""] or ">=", Decimal(number), None, final_unit, percent, text)
    if text is None or not normalize(str(text)):
        raise TargetError("指标值为空，请填写如“≥7个”“≤90万元”或“按期完成”")
    if target_missing(text):
        raise TargetError(f"指标值「{text}」表示没有指标值，请填写如“≥7个”“≤90万元”或“按期完成”")
    original = str(text)
    body = normalize(original).replace(" ", "")
    column_unit = _clean_unit(unit or "")
    column_percent = _percent_unit(column_unit)
    if column_percent:
        column_unit = "%"
    if _DATE.search(body):
        return _qualitative(original, column_unit)
    if body[0] in _UNKNOWN_OP_CHARS:
        raise TargetError(f"指标值「{original}」的运算符「{body[0]}」无法识别，请使用 ≥、≤、=、区间或文字描述")
    body = _PERCENT_OF.sub(r"\1%", body)
    op, symbolic, rest = _strip_operator(body)
    for word, suffix_op in _SUFFIX_OPS:
        if rest.endswith(word):
            if op is not None and op != suffix_op and not (op == "<" and suffix_op == "<="):
                raise TargetError(f"指标值「{original}」前后的比较方向相互矛盾")
            op = op or suffix_op
            rest = rest[: -len(word)]
            break
    if not rest:
        if symbolic or op is not None:
            raise TargetError(f"指标值「{original}」在运算符后缺少数值")
        return _qualitative(original, column_unit)
    if op is None:
        ranged = _RANGE.match(rest)
        if ranged:
            return _range_target(original, ranged, column_unit)
    split = _split_number(rest)
    if split is None or (_is_cn(split[0]) and op is None and _clean_unit(split[1]) not in _COUNT_UNITS):
        if symbolic:
            raise TargetError(f"指标值「{original}」在运算符后没有可识别的数值")
        return _qualitative(original, column_unit)
    number, raw_unit = split
    if any(ch.isdigit() for ch in raw_unit):
        raise TargetError(f"指标值「{original}」中“{raw_unit}”无法识别，一个指标值只能写一个数值或一个区间")
    try:
        value = parse_decimal(number)
    except ValueError as exc:
        raise TargetError(f"指标值「{original}」的数值无法识别：{exc}") from exc
    found_unit = _clean_unit(raw_unit)
    percent = _percent_unit(found_unit) or (not found_unit and column_percent)
    final_unit = "%" if percent else (found_unit or column_unit)
    return Target(op or ">=", value, None, final_unit, percent, original)


def _range_target(original: str, match: re.Match[str], column_unit: str) -> Target:
    low_unit, high_unit = _clean_unit(match.group(2)), _clean_unit(match.group(4))
    if low_unit and high_unit and low_unit != high_unit:
        raise TargetError(f"指标值「{original}」区间两端的单位不一致")
    unit = high_unit or low_unit or column_unit
    if any(ch.isdigit() for ch in unit):
        raise TargetError(f"指标值「{original}」的区间无法识别")
    try:
        low, high = parse_decimal(match.group(1)), parse_decimal(match.group(3))
    except ValueError as exc:
        raise TargetError(f"指标值「{original}」的区间数值无法识别：{exc}") from exc
    if low > high:
        raise TargetError(f"指标值「{original}」的区间下限大于上限")
    percent = _percent_unit(unit)
    return Target("range", low, high, "%" if percent else unit, percent, original)


# Words a unit may put before the figure of an actual value ("完成8个", "约95%").
_ACTUAL_PREFIXES = ("实际完成", "已完成", "完成", "实际", "共计", "共", "约", "达到", "累计")


@lru_cache(maxsize=65536)
def parse_actual(text: str | None) -> tuple[Decimal | None, str, bool]:
    """(number, unit, percent) of an actual value; (None, "", False) when it is text or a date."""
    if text is None:
        return None, "", False
    fast = _FAST_ACTUAL.match(text)
    if fast:
        number, found = fast.groups()
        found_unit = _clean_unit(found) if found else ""
        if found_unit in _COUNT_UNITS or found_unit in MONEY_UNITS or not found_unit or _percent_unit(found_unit):
            percent = _percent_unit(found_unit)
            return Decimal(number), "%" if percent else found_unit, percent
    body = _PERCENT_OF.sub(r"\1%", normalize(str(text)).replace(" ", ""))
    if not body or _DATE.search(body):
        return None, "", False
    _, _, body = _strip_operator(body)
    for prefix in _ACTUAL_PREFIXES:
        if body.startswith(prefix):
            body = body[len(prefix):]
            break
    split = _split_number(body)
    if split is None:
        return None, "", False
    number, rest = split
    unit = _clean_unit(_UNIT_STOP.split(_PARENTHESES.sub("", rest), maxsplit=1)[0])
    if _is_cn(number) and unit not in _COUNT_UNITS:
        return None, "", False
    try:
        value = parse_decimal(number)
    except ValueError:
        return None, "", False
    percent = _percent_unit(unit)
    return value, "%" if percent else unit, percent
