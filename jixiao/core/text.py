"""Which text values the whole system can carry: the one check every reader applies (the exchange
format, the Excel workbooks and forms, the web forms and the API, the park ledgers).

A value that passes here can be stored on SQLite and PostgreSQL, written into every form and the
Word report, and shown without looking like something it is not. Refused, with the reason:

- NUL and other control characters (C0 except tab and line breaks, which only codes refuse; DEL; C1): they
  make the .xlsx and .docx writers fail and PostgreSQL refuses NUL;
- non-characters (U+FFFE, U+FFFF, U+FDD0..U+FDEF, the last two of every plane) and lone
  surrogates: they cannot be encoded as UTF-8;
- bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069, U+200E/U+200F, U+061C):
  they make a name read backwards ("项目\u202e名称");
- zero-width and invisible characters (U+200B..U+200D, U+2060, U+FEFF, U+00AD): they make a code
  that looks like another ("B01" + U+200B).

Codes are identities compared character by character, so they are NFKC-normalised first
(full-width "Ｐ０１" is "P01"); names and free text keep what the user wrote.

Numbers too: a decimal with an absurd exponent (``1e999999999``, ``1e-999999999``) or thousands
of digits is refused here, before any arithmetic or the database sees it (PostgreSQL and the
``decimal`` context would fail on it differently). Limits: ``numbers`` in ``rules/limits.json``.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from jixiao.core.limits import section

_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_INVISIBLE = frozenset([0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063,
                        0x2064, 0xFEFF])
_LINE_BREAKS = frozenset("\t\n\r")
# Codes are identities (NFKC-normalised by the readers) and one line; every other text may hold
# line breaks (a name wrapped in its Excel cell round-trips exactly). Field names of core/model.py.
CODE_FIELDS = frozenset({"code", "parent_code", "indicator", "project"})
ONE_LINE_FIELDS = CODE_FIELDS


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def character_problem(ch: str, multiline: bool = False) -> str:
    """Why the character ``ch`` cannot be stored ("" when it can)."""
    cp = ord(ch)
    if cp == 0:
        return "含有空字符（NUL）"
    if 0xD800 <= cp <= 0xDFFF:
        return f"含有不成对的代理字符（U+{cp:04X}），不是有效的 Unicode 文本"
    if _is_noncharacter(cp):
        return f"含有非字符（U+{cp:04X}）"
    if cp in _BIDI:
        return f"含有改变文字方向的控制字符（U+{cp:04X}），会使文字显示顺序与实际不符"
    if cp in _INVISIBLE:
        return f"含有不可见字符（U+{cp:04X}），会使内容看起来与实际不同"
    if ch in _LINE_BREAKS:
        return "" if multiline else "含有换行符或制表符，编码只能是一行文字"
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return f"含有控制字符（U+{cp:04X}）"
    return ""


def _class(codes: Iterable[int | tuple[int, int]]) -> str:
    parts = []
    for c in codes:
        lo, hi = c if isinstance(c, tuple) else (c, c)
        parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
    return "[" + "".join(parts) + "]"


# Every refused character in one class, so a whole column is checked at C speed and only a hit
# is looked at character by character (for the message).
_REFUSED = [(0x00, 0x08), 0x0B, 0x0C, (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), (0xFDD0, 0xFDEF),
            *[(p * 0x10000 + 0xFFFE, p * 0x10000 + 0xFFFF) for p in range(17)], *sorted(_BIDI), *sorted(_INVISIBLE)]
REFUSED = re.compile(_class(_REFUSED))
REFUSED_ONE_LINE = re.compile(_class([*_REFUSED, 0x09, 0x0A, 0x0D]))


def text_problem(value: str, multiline: bool = False) -> str:
    """Why ``value`` cannot be carried by the system ("" when it can). ``multiline``: tabs and line
    breaks are allowed (every text but a code)."""
    hit = (REFUSED if multiline else REFUSED_ONE_LINE).search(value)
    return character_problem(hit.group(), multiline) if hit else ""


def normalize_code(value: str) -> str:
    """A code as the system stores it: NFKC (full-width letters and digits become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", value).strip()


def shown(value: object, width: int = 24) -> str:
    """A value as quoted in a message: long ones cut, so a 5,000-digit number is not echoed."""
    text = str(value)
    return text if len(text) <= width else text[: width - 4] + "…"


def number_problem(value: Decimal) -> str:
    """Why ``value`` is not a number the system can carry ("" when it is): not finite, more
    digits than ``numbers.max_digits``, or an exponent beyond ``numbers.max_exponent``."""
    if not value.is_finite():
        return f"「{shown(value)}」不是有效数字"
    if value.is_zero():
        return ""
    limits = section("numbers")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    magnitude = value.adjusted()
    if abs(magnitude) > limits["max_exponent"] or abs(exponent) > limits["max_exponent"] + limits["max_digits"]:
        return f"数值「{shown(value)}」数量级超出可保存的范围"
    significant = len(digits)
    while significant > 1 and digits[significant - 1] == 0:  # "1.000…" is one digit, not fifty
        significant -= 1
    if significant > limits["max_digits"]:
        return f"数值「{shown(value)}」位数过多（{significant} 位，最多 {limits['max_digits']} 位）"
    return ""
