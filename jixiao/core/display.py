"""Number formatting — the one place where values are rounded.

The rounding rule: ROUND_HALF_UP (四舍五入, as on the published forms), applied only when a value
is turned into text here. Every computation elsewhere keeps exact ``Decimal`` values, so a total
is the sum of exact parts, never of rounded ones, and a grade is decided on the exact total.

Rates are passed as fractions (0.9576…) and shown as percentages.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_QUANTS = {places: Decimal(1).scaleb(-places) for places in range(9)}
_HUNDRED = Decimal(100)
DASH = "—"


def _round(d: Decimal, places: int) -> Decimal:
    rounded = d.quantize(_QUANTS[places], rounding=ROUND_HALF_UP)
    # -0.00 would read as a negative value on a form
    return rounded if rounded else rounded.copy_abs()


# fmt_decimal and fmt_value sit on the scoring hot path (several calls per indicator trace), so
# they are written flat. After quantizing to at most 6 places, str() never switches to exponent
# notation (that needs an adjusted exponent below -6 or a positive exponent), and it is several
# times cheaper than format(); more places fall back to format(…, "f").
def fmt_decimal(d: Decimal, places: int) -> str:
    """Fixed number of decimals: fmt_decimal(Decimal("4"), 2) == "4.00"."""
    rounded = d.quantize(_QUANTS[places], ROUND_HALF_UP)
    text = str(rounded) if places <= 6 else f"{rounded:f}"
    return text[1:] if text[0] == "-" and not rounded else text


def fmt_value(d: Decimal, places: int = 4) -> str:
    """Up to ``places`` decimals, trailing zeros trimmed: "8.5", "89.97", "7"."""
    rounded = d.quantize(_QUANTS[places], ROUND_HALF_UP)
    text = str(rounded) if places <= 6 else f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fmt_amount(d: Decimal) -> str:
    """An amount for prose: up to 2 decimals, trailing zeros trimmed ("1153.25", "86", "185.3")."""
    return fmt_value(d, 2)


def fmt_amount_fixed(d: Decimal) -> str:
    """An amount for tables: 2 decimals with thousands separators ("1,153.25")."""
    return f"{_round(d, 2):,.2f}"


def fmt_rate(fraction: Decimal | None, places: int = 1) -> str:
    """A fraction as a percentage with a fixed number of decimals: 0.95761… → "95.8%"."""
    if fraction is None:
        return DASH
    return f"{fmt_decimal(fraction * _HUNDRED, places)}%"


def fmt_pct_number(fraction: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage number without the sign, for JSON: 0.95761… → "95.76"."""
    if fraction is None:
        return DASH
    return fmt_decimal(fraction * _HUNDRED, places)


def fmt_score(d: Decimal | None) -> str:
    """A score: 2 decimals, trailing zeros trimmed ("96", "9.58", "3.5")."""
    if d is None:
        return DASH
    return fmt_value(d, 2)
