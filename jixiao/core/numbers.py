"""Numbers as units write them: full-width digits, thousands separators, Chinese numerals.

Arabic numerals stay on the ``Decimal`` path end to end. Only the integer part of a Chinese
numeral goes through cn2an (which returns ``int`` for integers); the digits after 点 are mapped
one by one here, so no float ever touches a value.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Full-width ASCII (U+FF01..U+FF5E) maps onto ASCII by a fixed offset; the ideographic space and
# a few look-alike dashes/tildes that forms contain are folded explicitly.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x2212: ord("-"), 0x301C: ord("~"), 0x00A0: 0x20})
# Look-alike operators that published tables contain (a box-drawing "═" typed for "=", the
# slanted "⩾"/"⩽", small-form "﹥﹤﹦"): folded here so every reader sees one operator.
_FOLD.update({0x2550: ord("="), 0xFE66: ord("="), 0xFE65: ord(">"), 0xFE64: ord("<"),
              0x2A7E: ord("≥"), 0x2A7D: ord("≤"), 0x2267: ord("≥"), 0x2266: ord("≤")})
_SPACES = re.compile(r"\s+")

CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
CN_UNITS = "十百千万亿拾佰仟"
_CN_DIGIT_VALUE = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
# A Chinese numeral: an optional sign word, integer part, optional 点 and digits.
CN_NUMBER = rf"负?[{CN_DIGITS}{CN_UNITS}]+(?:点[{CN_DIGITS}]+)?"
ARABIC_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_ARABIC_FULL = re.compile(rf"(?:{ARABIC_NUMBER})")
WELL_FORMED = _ARABIC_FULL  # an Arabic number with three-digit thousands groups ("1,234.5"; not "7,00.0,77")
_CN_FULL = re.compile(CN_NUMBER)


def normalize(text: str) -> str:
    """Fold full-width characters to half-width, trim, and collapse runs of whitespace.

    Chinese characters are kept as they are; ``≥``/``≤`` are not full-width forms and stay.
    """
    return _SPACES.sub(" ", text.translate(_FOLD)).strip()


def _cn_to_decimal(text: str) -> Decimal:
    negative = text.startswith("负")
    body = text[1:] if negative else text
    whole, _, frac = body.partition("点")
    if not whole:
        raise ValueError(f"「{text}」缺少整数部分")
    # Imported here: cn2an takes a quarter of a second or more to import and only Chinese
    # numerals need it.
    import cn2an  # noqa: PLC0415 — lazy: a slow import most inputs never need

    try:
        integer = cn2an.cn2an(whole, "normal")
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"「{text}」不是有效的中文数字") from exc
    if not isinstance(integer, int):
        raise ValueError(f"「{text}」不是有效的中文数字")
    digits = "".join(str(_CN_DIGIT_VALUE[ch]) for ch in frac)
    value = Decimal(f"{integer}.{digits}") if digits else Decimal(integer)
    return -value if negative else value


@lru_cache(maxsize=65536)
def parse_decimal(text: str) -> Decimal:
    """Parse one number written with Arabic or Chinese numerals into an exact ``Decimal``.

    Accepts "1,234.5", "８.５", "-12.5", "一千一百五十三点二五", "壹佰", "十二".
    Raises ``ValueError`` with a Chinese reason for anything else.
    """
    if text is None:
        raise ValueError("数值为空")
    folded = normalize(str(text)).replace(" ", "")
    if not folded:
        raise ValueError("数值为空")
    if _ARABIC_FULL.fullmatch(folded):
        try:
            return Decimal(folded.replace(",", ""))
        except InvalidOperation as exc:  # regex already guards this; kept for a clear message
            raise ValueError(f"「{text}」不是有效的数字") from exc
    if _CN_FULL.fullmatch(folded):
        return _cn_to_decimal(folded)
    raise ValueError(f"「{text}」不是有效的数字")
