"""Amounts with their unit ("1153.25 万元", "17.75亿元", "1810 万美元"): parse and convert.

Units are data: each money unit names its currency and its factor to that currency's base unit.
Conversion is exact ``Decimal`` arithmetic and only within one currency — exchange rates are
not a rule this system knows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from jixiao.core.numbers import ARABIC_NUMBER, CN_NUMBER, normalize, parse_decimal

# unit -> (currency, factor to the currency's base unit)
MONEY_UNITS: dict[str, tuple[str, Decimal]] = {
    "元": ("CNY", Decimal(1)),
    "千元": ("CNY", Decimal(1000)),
    "万元": ("CNY", Decimal(10000)),
    "百万元": ("CNY", Decimal(1000000)),
    "亿元": ("CNY", Decimal(100000000)),
    "美元": ("USD", Decimal(1)),
    "万美元": ("USD", Decimal(10000)),
    "亿美元": ("USD", Decimal(100000000)),
    "欧元": ("EUR", Decimal(1)),
    "万欧元": ("EUR", Decimal(10000)),
    "港元": ("HKD", Decimal(1)),
    "万港元": ("HKD", Decimal(10000)),
}
# Spellings seen in forms, folded onto the canonical unit names above.
UNIT_ALIASES: dict[str, str] = {
    "人民币元": "元",
    "万元人民币": "万元",
    "美金": "美元",
    "万美金": "万美元",
    "港币": "港元",
    "万港币": "万港元",
}
# Magnitude prefixes for non-money units ("万人" = 10000 人), used to compare counts.
MAGNITUDES: dict[str, Decimal] = {"千": Decimal(1000), "万": Decimal(10000), "亿": Decimal(100000000)}

_UNITS_LONGEST_FIRST = sorted((*MONEY_UNITS, *UNIT_ALIASES), key=len, reverse=True)
_AMOUNT = re.compile(rf"^({ARABIC_NUMBER}|{CN_NUMBER})\s*(.*?)\s*整?$")


def canonical_unit(unit: str) -> str:
    unit = normalize(unit).replace(" ", "")
    return UNIT_ALIASES.get(unit, unit)


def is_money_unit(unit: str) -> bool:
    return canonical_unit(unit) in MONEY_UNITS


@lru_cache(maxsize=4096)
def unit_factor(src: str, dst: str) -> Decimal | None:
    """Factor f such that a value in ``src`` times f is the value in ``dst``; None if the two
    units measure different things (other currency, other kind of count)."""
    src, dst = canonical_unit(src), canonical_unit(dst)
    if src == dst:
        return Decimal(1)
    if src in MONEY_UNITS or dst in MONEY_UNITS:
        if src not in MONEY_UNITS or dst not in MONEY_UNITS:
            return None
        (cur_s, f_s), (cur_d, f_d) = MONEY_UNITS[src], MONEY_UNITS[dst]
        return f_s / f_d if cur_s == cur_d else None
    base_s, mag_s = _split_magnitude(src)
    base_d, mag_d = _split_magnitude(dst)
    if base_s != base_d or not base_s:
        return None
    return mag_s / mag_d


def _split_magnitude(unit: str) -> tuple[str, Decimal]:
    if len(unit) > 1 and unit[0] in MAGNITUDES:
        return unit[1:], MAGNITUDES[unit[0]]
    return unit, Decimal(1)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    unit: str  # "万元", "元", "亿元", "万美元", "美元", …

    def to(self, unit: str) -> Amount:
        """The same amount in another unit of the same currency (exact)."""
        target = canonical_unit(unit)
        if target not in MONEY_UNITS:
            raise ValueError(f"「{unit}」不是可识别的金额单位")
        factor = unit_factor(self.unit, target)
        if factor is None:
            raise ValueError(f"「{self.unit}」与「{unit}」币种不同，不能直接换算")
        return Amount(self.value * factor, target)

    @property
    def currency(self) -> str:
        return MONEY_UNITS[canonical_unit(self.unit)][0]


def parse_amount(text: str, default_unit: str = "万元") -> Amount:
    """Parse "1153.25 万元", "17.75亿元", "1810 万美元", "1,234.5元", "一千一百五十三点二五万元",
    "-12.5万元"; a bare number takes ``default_unit``. Raises ``ValueError`` (Chinese) otherwise."""
    if text is None or not normalize(str(text)):
        raise ValueError("金额为空")
    folded = normalize(str(text))
    if canonical_unit(folded) in MONEY_UNITS:
        raise ValueError(f"「{text}」只有单位，缺少金额数值")
    # Try every split of "number + unit": the longest known unit suffix wins, so "一百万元" reads
    # as 100 万元 (the unit the form meant), not 1000000 元.
    for unit in _UNITS_LONGEST_FIRST:
        if folded.endswith((unit, unit + "整")):
            number = folded[: folded.rfind(unit)].strip()
            # "一千元" is 1000 元, not 1 千元: a Chinese numeral owns its own 千/百.
            if unit[0] in "千百" and number and not number[-1].isdigit():
                continue
            if number:
                try:
                    return Amount(parse_decimal(number), canonical_unit(unit))
                except ValueError:
                    continue
    match = _AMOUNT.match(folded)
    if match and not match.group(2):
        return Amount(parse_decimal(match.group(1)), canonical_unit(default_unit))
    if match:
        raise ValueError(f"「{text}」的单位「{match.group(2)}」不是可识别的金额单位")
    raise ValueError(f"「{text}」不是有效的金额，应写成数字加单位，如“1153.25万元”")
