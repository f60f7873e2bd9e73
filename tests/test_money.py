"""Numbers, amounts with units, and the display rounding rule."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.display import (
    fmt_amount,
    fmt_amount_fixed,
    fmt_decimal,
    fmt_pct_number,
    fmt_rate,
    fmt_score,
    fmt_value,
)
from jixiao.core.money import Amount, parse_amount, unit_factor
from jixiao.core.numbers import normalize, parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("＞＝７个", ">=7个"),
        ("  95.8％  ", "95.8%"),
        ("１，２３４．５", "1,234.5"),
        ("≥ 　100  个", "≥ 100 个"),
        ("达成预期指标", "达成预期指标"),
    ],
)
def test_normalize_folds_full_width_and_spaces(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", D("1234.5")),
        ("８.５", D("8.5")),
        ("-12.5", D("-12.5")),
        ("0", D("0")),
        ("一千一百五十三点二五", D("1153.25")),
        ("壹佰", D("100")),
        ("十二", D("12")),
        ("两百", D("200")),
        ("负五", D("-5")),
        ("零点零五", D("0.05")),
    ],
)
def test_parse_decimal(text: str, expected: D) -> None:
    value = parse_decimal(text)
    assert value == expected
    assert isinstance(value, D)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "12个", "1,23"])
def test_parse_decimal_rejects_with_chinese_reason(text: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_decimal(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_parse_decimal_keeps_arabic_exact() -> None:
    # a float detour would turn this into 0.30000000000000004-ish noise
    assert parse_decimal("0.1") + parse_decimal("0.2") == D("0.3")
    assert str(parse_decimal("1153.250")) == "1153.250"


# stack.md §7 cases
@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1153.25 万元", D("1153.25"), "万元"),
        ("17.75亿元", D("17.75"), "亿元"),
        ("1810 万美元", D("1810"), "万美元"),
        ("1,234.5元", D("1234.5"), "元"),
        ("1,234,567.89元", D("1234567.89"), "元"),
        ("一千一百五十三点二五万元", D("1153.25"), "万元"),
        ("壹佰万元", D("100"), "万元"),
        ("壹佰万元整", D("100"), "万元"),
        ("-12.5万元", D("-12.5"), "万元"),
        ("１１５３．２５万元", D("1153.25"), "万元"),
        ("一千元", D("1000"), "元"),
        ("5千元", D("5"), "千元"),
        ("86", D("86"), "万元"),
    ],
)
def test_parse_amount(text: str, value: D, unit: str) -> None:
    assert parse_amount(text) == Amount(value, unit)


def test_parse_amount_default_unit() -> None:
    assert parse_amount("12.5", default_unit="元") == Amount(D("12.5"), "元")


@pytest.mark.parametrize("text", ["", "abc", "万元", "12斤", "十七点七五亿"])
def test_parse_amount_garbage(text: str) -> None:
    with pytest.raises(ValueError) as exc:
        parse_amount(text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_amount_conversion_is_exact_within_currency() -> None:
    assert parse_amount("17.75亿元").to("万元").value == D("177500")
    assert parse_amount("1153.25万元").to("元").value == D("11532500")
    assert parse_amount("1810万美元").to("美元").value == D("18100000")
    assert parse_amount("3元").to("万元").value == D("0.0003")


def test_amount_conversion_refuses_other_currency_or_non_money() -> None:
    with pytest.raises(ValueError, match="币种"):
        parse_amount("1810万美元").to("万元")
    with pytest.raises(ValueError, match="金额单位"):
        parse_amount("12万元").to("个")


def test_unit_factor_for_counts_and_money() -> None:
    assert unit_factor("万人", "人") == D("10000")
    assert unit_factor("亿元", "万元") == D("10000")
    assert unit_factor("个", "个") == D(1)
    assert unit_factor("个", "家") is None
    assert unit_factor("万美元", "万元") is None
    assert unit_factor("万元", "万人") is None


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_amount_round_trip_conversion(value: D) -> None:
    assert Amount(value, "万元").to("元").to("万元").value == value


# ------------------------------------------------------------ display


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("1153.25"), "1153.25"), (D("86.00"), "86"), (D("185.30"), "185.3"), (D("0.005"), "0.01"), (D("-0.001"), "0")],
)
def test_fmt_amount(value: D, expected: str) -> None:
    assert fmt_amount(value) == expected


def test_fmt_amount_fixed() -> None:
    assert fmt_amount_fixed(D("1153.25")) == "1,153.25"
    assert fmt_amount_fixed(D("1104.365")) == "1,104.37"  # half up, not banker's
    assert fmt_amount_fixed(D("0")) == "0.00"


def test_fmt_rate_and_pct_number() -> None:
    rate = D("1104.37") / D("1153.25")
    assert fmt_rate(rate) == "95.8%"
    assert fmt_rate(rate, 2) == "95.76%"
    assert fmt_rate(None) == "—"
    assert fmt_pct_number(rate) == "95.76"
    assert fmt_pct_number(D("0.89345")) == "89.35"
    assert fmt_pct_number(D("0.00125"), 1) == "0.1"


def test_fmt_score() -> None:
    assert fmt_score(D("96")) == "96"
    assert fmt_score(D("9.576")) == "9.58"
    assert fmt_score(D("3.50")) == "3.5"
    assert fmt_score(D("89.995")) == "90"
    assert fmt_score(None) == "—"


def test_fmt_decimal_and_value() -> None:
    assert fmt_decimal(D("4"), 2) == "4.00"
    assert fmt_decimal(D("2.5"), 0) == "3"  # half up: 2.5 → 3 (banker's rounding would give 2)
    assert fmt_value(D("89.97")) == "89.97"
    assert fmt_value(D("1.23456")) == "1.2346"
    assert fmt_value(D("1E+3")) == "1000"
