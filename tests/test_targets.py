"""Reading targets (年度指标值) and actual values (实际完成值)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from jixiao.core.targets import Target, TargetError, parse_actual, parse_target, target_missing


@pytest.mark.parametrize(
    ("text", "op", "value", "unit", "percent"),
    [
        ("≥7个", ">=", D("7"), "个", False),
        ("＞＝７个", ">=", D("7"), "个", False),
        (">=7个", ">=", D("7"), "个", False),
        ("≥50个", ">=", D("50"), "个", False),
        (">5家", ">", D("5"), "家", False),
        ("＞5家", ">", D("5"), "家", False),
        ("≤90万元", "<=", D("90"), "万元", False),
        ("<=90万元", "<=", D("90"), "万元", False),
        ("＜3次", "<", D("3"), "次", False),
        ("=100%", "=", D("100"), "%", True),
        ("≥100百分比", ">=", D("100"), "%", True),
        ("不低于95%", ">=", D("95"), "%", True),
        ("不少于十个", ">=", D("10"), "个", False),
        ("大于等于3项", ">=", D("3"), "项", False),
        ("至少2次", ">=", D("2"), "次", False),
        ("90%以上", ">=", D("90"), "%", True),
        ("不高于5%", "<=", D("5"), "%", True),
        ("不超过90万元", "<=", D("90"), "万元", False),
        ("控制在90万元以内", "<=", D("90"), "万元", False),
        ("10%以下", "<=", D("10"), "%", True),
        ("≤九十万元", "<=", D("90"), "万元", False),
        ("百分之九十五", ">=", D("95"), "%", True),
        ("≥1.5万人", ">=", D("1.5"), "万人", False),
        ("≥1,500万美元", ">=", D("1500"), "万美元", False),
    ],
)
def test_quantitative_targets(text: str, op: str, value: D, unit: str, percent: bool) -> None:
    t = parse_target(text)
    assert (t.op, t.value, t.high, t.unit, t.percent, t.text) == (op, value, None, unit, percent, text)


@pytest.mark.parametrize("text", ["100%", "8个", "十个"])
def test_bare_quantity_is_a_floor(text: str) -> None:
    assert parse_target(text).op == ">="


@pytest.mark.parametrize("text", ["90%-95%", "90%～95%", "90%至95%", "90-95%", "90%~95%"])
def test_range(text: str) -> None:
    t = parse_target(text)
    assert (t.op, t.value, t.high, t.unit, t.percent) == ("range", D("90"), D("95"), "%", True)


def test_range_with_count_unit() -> None:
    assert parse_target("3-5个") == Target("range", D("3"), D("5"), "个", False, "3-5个")


@pytest.mark.parametrize(
    "text",
    [
        "按期完成", "达成预期指标", "严格执行相关制度规定", "效果明显", "≤12月31日", "12月底前",
        "2022年12月前", "不低于上年水平", "一般", "十分明显", "显著提升",
    ],
)
def test_qualitative(text: str) -> None:
    t = parse_target(text)
    assert t.op == "qualitative"
    assert t.value is None and t.high is None
    assert not t.quantitative


def test_unit_column_supplies_missing_unit() -> None:
    assert parse_target("≥7", "个").unit == "个"
    t = parse_target("≥95", "%")
    assert (t.unit, t.percent) == ("%", True)
    assert parse_target("≥95", "百分比").percent
    # the text's own unit wins over the column
    assert parse_target("≥7家", "个").unit == "家"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "为空"),
        ("   ", "为空"),
        ("≈5", "运算符"),
        ("±5%", "运算符"),
        ("≥", "缺少数值"),
        ("≥abc个", "没有可识别的数值"),
        ("≥5个3", "无法识别"),
        ("95%-90%", "下限大于上限"),
        ("不低于5%以下", "矛盾"),
        ("90%-95个", "单位不一致"),
    ],
)
def test_unparseable_targets_raise_with_chinese_reason(text: str, reason: str) -> None:
    with pytest.raises(TargetError, match=reason):
        parse_target(text)


@pytest.mark.parametrize("text", [None, "", "  ", "—", "——", "-", "－", "/", "／", "无", "不适用", " 不适用 "])
def test_placeholders_mean_no_target(text: str | None) -> None:
    # A placeholder is a blank to fill in, never a qualitative target that scores as 达成.
    assert target_missing(text)
    if text is not None and text.strip():
        with pytest.raises(TargetError, match="表示没有指标值"):
            parse_target(text)


@pytest.mark.parametrize("text", ["无投诉", "≥1个", "按期完成", "-5%"])
def test_text_around_a_placeholder_word_is_a_target(text: str) -> None:
    assert not target_missing(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8.5个", (D("8.5"), "个", False)),
        ("1810万美元", (D("1810"), "万美元", False)),
        ("1810 万美元", (D("1810"), "万美元", False)),
        ("95.8%", (D("95.8"), "%", True)),
        ("９５．８％", (D("95.8"), "%", True)),
        ("100%（全部完成）", (D("100"), "%", True)),
        ("完成8个", (D("8"), "个", False)),
        ("十个", (D("10"), "个", False)),
        ("≥95%", (D("95"), "%", True)),
        ("0", (D("0"), "", False)),
        ("-3.5%", (D("-3.5"), "%", True)),
        ("达成预期指标", (None, "", False)),
        ("12月20日完成", (None, "", False)),
        ("效果一般", (None, "", False)),
        ("", (None, "", False)),
        (None, (None, "", False)),
    ],
)
def test_parse_actual(text: str | None, expected: tuple[D | None, str, bool]) -> None:
    assert parse_actual(text) == expected
