"""Reading targets (年度指标值) and actual values (实际完成值)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from jixiao.core.targets import (
    Deadline,
    Target,
    TargetError,
    actual_date,
    deadline_met,
    parse_actual,
    parse_target,
    target_missing,
    unreadable_figure,
)


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


# ------------------------------------------------------------ what real tables write (real-work.md §3)

@pytest.mark.parametrize(("text", "op"), [("═95%", "="), ("≧90%", ">="), ("≦3%", "<="), ("＝100%", "="),
                                          (">＝98%", ">="), ("⩾80%", ">="), ("﹤5次", "<")])
def test_look_alike_operators_fold(text: str, op: str) -> None:
    assert parse_target(text).op == op


@pytest.mark.parametrize("text", ["见附件", "详见附件", "N/A"])
def test_more_placeholders(text: str) -> None:
    assert target_missing(text)


@pytest.mark.parametrize("text", ["到5次", "第3份", "计划数/实际数×100%", "完成3个乡镇改造"])
def test_digits_that_do_not_parse_are_unreadable_not_qualitative(text: str) -> None:
    with pytest.raises(TargetError, match="含有数字"):
        parse_target(text)


def test_digits_inside_brackets_are_a_reference_not_a_figure() -> None:
    assert parse_target("符合《档案管理规范》（DA/T 22-2015）").op == "qualitative"


@pytest.mark.parametrize("text", ["7,00.0,77", "1.234.5", "12,34", "1O0%", "10l%"])
def test_malformed_numbers_are_unreadable(text: str) -> None:
    with pytest.raises(TargetError, match="写法有误"):
        parse_target(text)
    assert parse_actual(text) == (None, "", False)
    assert unreadable_figure(text)


def test_trailing_remark_and_second_quantity_are_notes() -> None:
    t = parse_target("≥85%（按上年标准）")
    assert (t.op, t.value, t.percent, t.second_quantity) == (">=", D("85"), True, False)
    assert "按上年标准" in t.note
    t = parse_target("至少80人、每人每月25元")
    assert (t.op, t.value, t.unit, t.second_quantity, t.note) == (">=", D("80"), "人", True, "每人每月25元")


@pytest.mark.parametrize(("name", "op"), [("预算调整率", "<="), ("人均培训成本", "<="), ("“三公”经费控制率", "<="),
                                          ("结转结余率", "<="), ("安全事故率", "<="), ("成本节约率", ">="),
                                          ("培训合格率", ">="), ("经费执行率", ">=")])
def test_bare_number_takes_its_direction_from_the_name(name: str, op: str) -> None:
    assert parse_target("3%", "", name).op == op
    assert parse_target("3%", "", name).implied
    assert parse_target("≥3%", "", name).op == ">="  # a written operator wins


@pytest.mark.parametrize(("text", "deadline"), [
    ("10月前", Deadline(None, 10, 31)), ("11月底前完成", Deadline(None, 11, 31)),
    ("2022年12月31日前", Deadline(2022, 12, 31)), ("≤12月31日", Deadline(None, 12, 31)),
    ("9月中旬前", Deadline(None, 9, 20)), ("年底前", Deadline(None, 12, 31)), ("2023-06-30前", Deadline(2023, 6, 30)),
])
def test_deadlines(text: str, deadline: Deadline) -> None:
    t = parse_target(text)
    assert (t.op, t.deadline) == ("qualitative", deadline)


@pytest.mark.parametrize(("deadline", "actual", "met"), [
    ("10月前", "9月", True), ("10月前", "10月", True), ("10月前", "11月", False),
    ("2022年12月31日前", "2022-09-30", True), ("2022年12月31日前", "2023年1月5日", False),
    ("9月15日前", "9月", None), ("9月15日前", "9月10日", True), ("11月底前", "已于10月完成", True),
])
def test_deadline_against_months_and_dates(deadline: str, actual: str, met: bool | None) -> None:
    target, written = parse_target(deadline).deadline, actual_date(actual)
    assert target is not None and written is not None
    assert deadline_met(target, written) is met
