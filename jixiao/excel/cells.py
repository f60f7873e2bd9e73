"""Cell values ⇄ domain values: the conversions every sheet reader and writer shares.

calamine hands back numbers as ``float``; a float never becomes money directly. An integral
float becomes an integer ``Decimal`` and any other float goes through ``repr`` (the shortest text
that reads back as the same float), which is the number the user typed as long as it has at most
15 significant digits. Text cells go through ``jixiao.core.numbers`` so that full-width digits,
thousands separators and Chinese numerals are understood.
"""
from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation

from jixiao.core.numbers import normalize, parse_decimal
from jixiao.core.text import number_problem

# A text starting with one of these would be taken as a formula by a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@")
# Floats carry 15 significant digits safely; a Decimal with more is written as text.
_SAFE_DIGITS = 15
YES = "是"
NO = "否"
_TRUE = {"是", "y", "yes", "true", "1", "√", "★"}
_FALSE = {"否", "n", "no", "false", "0", ""}
_UNIT_IN_HEADER = re.compile(r"^(.*?)[（(]\s*([^（）()]*?)\s*[)）]\s*$")


def col_letter(col: int) -> str:
    """0-based column index → "A", "B", …, "AA"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def addr(sheet: str, row: int, col: int) -> str:
    """0-based row/column → "自评表!F12"."""
    return f"{sheet}!{col_letter(col)}{row + 1}"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def float_to_decimal(value: float) -> Decimal:
    if value.is_integer() and abs(value) < 2**53:
        return Decimal(int(value))
    return Decimal(repr(value))


def to_decimal(value: object) -> Decimal | None:
    """A cell as an exact Decimal; None for an empty cell. Raises ValueError (Chinese)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("应为数字，不能是逻辑值")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("不是有效数字")
        return float_to_decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta)):
        raise ValueError(f"应为数字，单元格是日期/时间「{value}」")
    text = str(value).strip()
    try:
        # Fast path for the plain and scientific notations the bulk writer itself produces.
        number = Decimal(text)
        if number.is_finite():
            return _carried(number)
    except InvalidOperation:
        pass
    return _carried(parse_decimal(text.rstrip("%")))


def _carried(number: Decimal) -> Decimal:
    """``number`` unless its exponent or digits are beyond what the system carries (1e999999999)."""
    why = number_problem(number)
    if why:
        raise ValueError(why)
    return number


def to_int(value: object) -> int | None:
    number = to_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"应为整数，收到「{value}」")
    return int(number)


def to_text(value: object) -> str:
    """A cell as text: numbers keep the digits the user typed (1.0 → "1")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float):
        return str(float_to_decimal(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize(to_text(value)).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"应填“是”或“否”，收到「{value}」")


def decimal_cell(value: Decimal) -> float | str:
    """How a Decimal is written so that ``to_decimal`` reads back the identical Decimal: a number
    when the float is exact enough and carries no trailing zeros, otherwise its exact text."""
    if value.is_finite():
        digits = value.as_tuple().digits
        if len(digits) <= _SAFE_DIGITS:
            as_float = float(value)
            if str(float_to_decimal(as_float)) == str(value):
                return as_float
    return str(value)


def needs_escape(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def label_key(text: object) -> str:
    """A header or label as compared: full-width folded, spaces and colons removed."""
    folded = normalize(to_text(text))
    return re.sub(r"[\s:：*＊★]", "", folded)


def split_unit(header: str) -> tuple[str, str]:
    """"全年预算数（万元）" → ("全年预算数", "万元"); no parentheses → (header, "")."""
    match = _UNIT_IN_HEADER.match(header)
    if match:
        return match.group(1).strip(), match.group(2)
    return header, ""
