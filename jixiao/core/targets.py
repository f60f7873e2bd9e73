"""Indicator targets (年度指标值) and actual values (实际完成值) as units write them.

"≥7个", "不少于十个", "≤90万元", "90%-95%", "≥100百分比", "按期完成", "≤12月31日" → ``Target``.

Conventions the forms imply but never state:
- A bare quantity ("100%", "8个") is a floor, i.e. ``>=``: in these tables a plain number means
  "reach at least this", and treating it as ``=`` would punish over-achievement — unless the
  indicator's name makes it a ceiling (成本, 经费, 调整率, 事故率 …: ``ceiling_name_words`` in
  ``rules/targets.json``); the name is passed as ``name`` (``indicator_target`` does it).
- Dates and deadlines ("≤12月31日", "12月底前", "10月前") keep the qualitative kind (the evaluator may
  still judge 按期 or not) and carry a ``Deadline``: scoring compares it with the month or date in
  the actual value (``actual_date``). A month deadline ("10月前") runs to the end of that month.
- A word operator followed by no number ("不低于上年水平") is a qualitative description, while a
  symbol operator without a number ("≥", "≥abc个") is an error: the unit clearly meant a figure.
- Text that carries digits but is neither a quantity, a range nor a date ("到5次", "第3份",
  "计划数/实际数×100%") is unreadable, never silently qualitative: the unit wrote a figure that
  cannot be checked. Digits inside brackets (a standard's number, a remark) do not count.
- A remark in brackets ("≥85%（按上年标准）") is kept as ``note``; a second quantity after a
  separator ("至少80人、每人每月25元") is kept as ``note`` with ``second_quantity`` set.
- A number must be well formed: thousands groups have three digits ("12,34", "7,00.0,77" and
  "1.234.5" are unreadable, never 1234 or 700.077); letters inside a number ("1O0%") are not guessed.
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jixiao.core.model import Indicator
from jixiao.core.money import MONEY_UNITS, canonical_unit
from jixiao.core.numbers import CN_DIGITS, CN_UNITS, normalize, parse_decimal

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "targets.json"
DEADLINE_END = 31  # a month deadline runs to the month's end; no month has a later day
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
_BRACKETED = re.compile(r"[(（][^)）]*[)）]|《[^》]*》|“[^”]*”|\[[^\]]*\]|【[^】]*】")
# After a number: a second group or point with digits ("7,00.0,77", "12,34", "1.234.5") or a
# letter that OCR puts for a digit ("1O0", "10l") means the number is malformed.
_MALFORMED_TAIL = re.compile(r"^(?:[.,]\d|[OoIl][\d%])")
_SEPARATORS = re.compile(r"[、,;/]")
_ISO_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
_MONTH_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})[日号])?(上旬|中旬|下旬)?")
_YEAR_END = re.compile(r"(?:(\d{4})年)?(?:年底|年末|年内|年度内|底前|末前)")
_DECADE_DAYS = {"上旬": 10, "中旬": 20, "下旬": DEADLINE_END}
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
def _rules() -> dict[str, tuple[str, ...]]:
    with RULES_FILE.open(encoding="utf-8") as fh:
        data = json.load(fh)
    keys = ("no_target_placeholders", "ceiling_name_words", "ceiling_name_exceptions", "execution_indicator_names")
    return {key: tuple(normalize(w).replace(" ", "") for w in data[key]) for key in keys}


def _placeholders() -> frozenset[str]:
    return frozenset(_rules()["no_target_placeholders"])


@lru_cache(maxsize=4096)
def ceiling_by_meaning(name: str) -> bool:
    """Whether an indicator of this name is better the lower it is (成本, 经费, 调整率, 事故率 …),
    so that a number written without an operator is a ceiling (≤). Word lists: rules data."""
    body = normalize(name or "").replace(" ", "")
    rules = _rules()
    return any(w in body for w in rules["ceiling_name_words"]) and not any(
        w in body for w in rules["ceiling_name_exceptions"])


@lru_cache(maxsize=4096)
def is_execution_indicator(name: str) -> bool:
    """Whether an indicator row is the budget execution rate (预算执行率 …) inside the table."""
    body = normalize(name or "").replace(" ", "")
    return body in _rules()["execution_indicator_names"]


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
class Deadline:
    """A point in time a target must be met by: ``day`` DEADLINE_END for "the end of the month"."""

    year: int | None
    month: int
    day: int

    def shown(self) -> str:
        year = f"{self.year}年" if self.year else ""
        day = "底" if self.day == DEADLINE_END else f"{self.day}日"
        return f"{year}{self.month}月{day}"


@dataclass(frozen=True)
class ActualDate:
    """A month or a date written as an actual value ("9月", "2022-09-30"); ``day`` None = month only."""

    year: int | None
    month: int
    day: int | None


@dataclass(frozen=True)
class Target:
    op: str  # one of OPS
    value: Decimal | None  # the target figure; the lower bound of a range
    high: Decimal | None  # upper bound of a range
    unit: str
    percent: bool
    text: str  # as written
    note: str = ""  # a remark or a second quantity kept beside the figure
    second_quantity: bool = False  # the text holds a second figure, kept in ``note`` only
    deadline: Deadline | None = None  # a time target ("10月前"), kind qualitative
    implied: bool = False  # no operator written: the direction is the convention's (or the name's)

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


def parse_target(text: str | None, unit: str = "", name: str = "") -> Target:
    """Read a target as written; ``unit`` is the 度量单位 column, used when the text has none;
    ``name`` (the indicator's) turns a number written without an operator into a ceiling when the
    name means "the lower the better" (``ceiling_by_meaning``).
    A blank target (None, empty, a placeholder) raises ``TargetError`` like an unreadable one."""
    target = _parse_target(text, unit)
    if target.implied and name and target.op == ">=" and ceiling_by_meaning(name):
        return dataclasses.replace(target, op="<=")
    return target


@lru_cache(maxsize=65536)  # the text and the unit only: names differ on every row, texts repeat
def _parse_target(text: str | None, unit: str) -> Target:
    if isinstance(text, str) and (fast := _FAST.match(text)):
        op, number, found = fast.groups()
        found_unit = _clean_unit(found) if found else ""
        if found_unit in _COUNT_UNITS or found_unit in MONEY_UNITS or not found_unit or _percent_unit(found_unit):
            column_unit = _clean_unit(unit) if unit else ""
            percent = _percent_unit(found_unit) or (not found_unit and _percent_unit(column_unit))
            final_unit = "%" if percent else (found_unit or column_unit)
            if op:
                return Target(_FAST_OPS[op] or ">=", Decimal(number), None, final_unit, percent, text)
            return Target(">=", Decimal(number), None, final_unit, percent, text, implied=True)
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
    deadline = parse_deadline(body)
    if deadline is not None or _DATE.search(body):
        return Target("qualitative", None, None, column_unit, False, original, deadline=deadline)
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
        return _described(original, column_unit)
    if op is None:
        ranged = _RANGE.match(rest)
        if ranged:
            return _range_target(original, ranged, column_unit)
    split = _split_number(rest)
    if split is None or (_is_cn(split[0]) and op is None and _clean_unit(split[1]) not in _COUNT_UNITS):
        if symbolic:
            raise TargetError(f"指标值「{original}」在运算符后没有可识别的数值")
        return _described(original, column_unit)
    number, raw_unit = split
    if _MALFORMED_TAIL.match(raw_unit):
        raise TargetError(f"指标值「{original}」中的数字写法有误（千分位应为三位一组，数字中不能夹字母），无法识别")
    note, second = _PARENTHESES.findall(raw_unit), False
    bare_unit = _PARENTHESES.sub("", raw_unit)
    if any(ch.isdigit() for ch in bare_unit):
        parts = _SEPARATORS.split(bare_unit, maxsplit=1)
        head, tail = parts[0], (parts[1] if len(parts) > 1 else "")
        if any(ch.isdigit() for ch in head) or not tail:
            raise TargetError(f"指标值「{original}」中“{raw_unit}”无法识别，一个指标值只能写一个数值或一个区间")
        bare_unit, note, second = head, [*note, tail], True
    try:
        value = parse_decimal(number)
    except ValueError as exc:
        raise TargetError(f"指标值「{original}」的数值无法识别：{exc}") from exc
    found_unit = _clean_unit(bare_unit)
    percent = _percent_unit(found_unit) or (not found_unit and column_percent)
    final_unit = "%" if percent else (found_unit or column_unit)
    return Target(op or ">=", value, None, final_unit, percent, original,
                  note="；".join(note), second_quantity=second, implied=op is None)


def _described(original: str, column_unit: str) -> Target:
    """A described target; digits outside brackets mean a figure that cannot be read."""
    body = _BRACKETED.sub("", normalize(original))
    if any(ch.isdigit() for ch in body):
        raise TargetError(f"指标值「{original}」含有数字，但不是可识别的数值、区间或完成时限；"
                          "请写成如“≥5次”“90%-95%”“10月底前”，或不含数字的完成标准")
    return _qualitative(original, column_unit)


def indicator_target(ind: Indicator) -> Target:
    """The target of an indicator as scoring and the checks read it: its text, its unit column,
    and its name for the direction of a bare number."""
    return parse_target(ind.target_text, ind.unit, ind.name)


def parse_deadline(text: str) -> Deadline | None:
    """The deadline in a target ("10月前", "11月底前完成", "2022年12月31日前", "≤12月31日", "年底前",
    "2022-12-31前"); None when the text names no month or date."""
    body = normalize(text).replace(" ", "")
    iso = _ISO_DATE.search(body)
    if iso:
        return _deadline(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    month = _MONTH_DATE.search(body)
    if month:
        year = int(month.group(1)) if month.group(1) else None
        if month.group(3):
            day = int(month.group(3))
        else:
            day = _DECADE_DAYS.get(month.group(4) or "", DEADLINE_END)
        return _deadline(year, int(month.group(2)), day)
    end = _YEAR_END.search(body)
    if end:
        return _deadline(int(end.group(1)) if end.group(1) else None, 12, DEADLINE_END)
    return None


def _deadline(year: int | None, month: int, day: int) -> Deadline | None:
    if not (1 <= month <= 12 and 1 <= day <= DEADLINE_END):
        return None
    return Deadline(year, month, day)


@lru_cache(maxsize=65536)
def actual_date(text: str | None) -> ActualDate | None:
    """The month or date an actual value names ("9月", "已于9月完成", "2022-09-30", "2022年9月30日");
    None when it names none."""
    if not text:
        return None
    body = normalize(text).replace(" ", "")
    iso = _ISO_DATE.search(body)
    if iso:
        year, month, iso_day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        return ActualDate(year, month, iso_day) if 1 <= month <= 12 and 1 <= iso_day <= DEADLINE_END else None
    found = _MONTH_DATE.search(body)
    if found:
        month = int(found.group(2))
        day = int(found.group(3)) if found.group(3) else None
        if not 1 <= month <= 12 or (day is not None and not 1 <= day <= DEADLINE_END):
            return None
        return ActualDate(int(found.group(1)) if found.group(1) else None, month, day)
    return None


def deadline_met(deadline: Deadline, actual: ActualDate) -> bool | None:
    """Whether ``actual`` is no later than ``deadline``; None when the actual names only the
    deadline's month and the deadline is a day inside it (the form does not say which day).
    Years are compared only when both are written."""
    if deadline.year is not None and actual.year is not None and deadline.year != actual.year:
        return actual.year < deadline.year
    if actual.month != deadline.month:
        return actual.month < deadline.month
    if actual.day is None:
        return True if deadline.day == DEADLINE_END else None
    return actual.day <= deadline.day


def unreadable_figure(text: str | None) -> bool:
    """Whether an actual value carries digits that ``parse_actual`` cannot read as a figure and
    that are not a date: "到5次", "7,00.0,77元", "1O0%" — a figure was meant but cannot be checked."""
    if not text:
        return False
    body = _BRACKETED.sub("", normalize(text))
    if not any(ch.isdigit() for ch in body) or actual_date(text) is not None or _DATE.search(body):
        return False
    value, _, _ = parse_actual(text)
    return value is None


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
    if _MALFORMED_TAIL.match(rest):
        return None, "", False  # "7,00.0,77", "1O0%": a malformed number is no figure (unreadable_figure)
    unit = _clean_unit(_UNIT_STOP.split(_PARENTHESES.sub("", rest), maxsplit=1)[0])
    if _is_cn(number) and unit not in _COUNT_UNITS:
        return None, "", False
    try:
        value = parse_decimal(number)
    except ValueError:
        return None, "", False
    percent = _percent_unit(unit)
    return value, "%" if percent else unit, percent
