"""Indicator, execution, project and department scores and their traces."""
from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.model import BudgetLine, Department, DepartmentYear, FundLine, Indicator, Project
from jixiao.core.results import Cause
from jixiao.core.schemes import load_scheme
from jixiao.core.scoring import (
    OVER_COMPLETION_FLAG,
    TABLE_SCHEME_NOTE,
    budget_feeds,
    check_weights,
    choose_scheme,
    grade_for,
    score_department,
    score_execution,
    score_indicator,
    score_project,
    subtotals,
)

CENTRAL = load_scheme("central-2020")
DEPT_STEP = load_scheme("dept-step-2022")
DEPT = load_scheme("dept-default")


def ind(target: str, actual: str | None, weight: str = "4", **kw: object) -> Indicator:
    fields: dict = {"code": "I01", "level1": "产出指标", "level2": "数量指标", "name": "测试指标",
                    "target_text": target, "weight": D(weight), "actual_text": actual}
    fields.update(kw)
    return Indicator(**fields)


def score(target: str, actual: str | None, weight: str = "4", **kw: object) -> D | None:
    return score_indicator(ind(target, actual, weight, **kw), CENTRAL).score


# ------------------------------------------------------------ quantitative


def test_positive_over_completion_trace_and_flag() -> None:
    r = score_indicator(ind("≥7个", "8.5个"), CENTRAL)
    assert r.score == D(4)
    assert r.ratio == D("8.5") / D(7)
    assert r.over_completion == D("8.5") / D(7) - 1
    assert r.flags == [OVER_COMPLETION_FLAG]
    assert r.trace == (
        "实际完成值 8.5 ÷ 指标值 7 = 121.43%，超过 100% 按满分计：4.00 分"
        "（超额 21.43%，超过 20% 的提示线，请说明指标值是否偏低）"
    )


def test_over_completion_below_margin_is_not_flagged() -> None:
    r = score_indicator(ind("≥15个", "16.5个"), CENTRAL)
    assert r.score == D(4) and r.flags == [] and r.over_completion == D("0.1")
    exactly = score_indicator(ind("≥10个", "12个"), CENTRAL)  # 20% is on the line, not over it
    assert exactly.flags == []


def test_positive_partial_is_proportional() -> None:
    r = score_indicator(ind("≥7个", "6个"), CENTRAL)
    assert r.score == D(4) * (D(6) / D(7))
    assert r.trace == "实际完成值 6 ÷ 指标值 7 = 85.71%：4 × 85.71% = 3.43 分"
    assert r.over_completion is None


def test_negative_indicator() -> None:
    under = score_indicator(ind("≤90万元", "89.97万元"), CENTRAL)
    assert under.score == D(4)
    assert under.trace.startswith("反向指标：指标值 90 ÷ 实际完成值 89.97")
    assert under.flags == []  # over-completion is a positive-indicator notion
    assert score("≤90万元", "95万元") == D(4) * D(90) / D(95)


def test_negative_indicator_with_zero_actual_is_full() -> None:
    assert score("≤5次", "0次") == D(4)
    assert score("≤0", "0") == D(4)


def test_zero_target_on_positive() -> None:
    assert score("≥0个", "0个") == D(4)
    assert score("≥0个", "3个") == D(4)
    assert score("≥0%", "-2%") == D(0)


def test_equal_target_means_reach_it_in_the_direction_of_the_name() -> None:
    # "=95%" in these tables means 达到95%: exceeding it is met (10号: met or exceeded = full marks)
    assert score("=100%", "100%") == D(4)
    assert score("=100%", "98%") == D(4) * D("0.98")
    assert score("=100%", "250%") == D(4)
    assert score("═95%", "97%") == D(4)  # a look-alike "=" reads the same
    assert score("=0", "0") == D(4)
    assert score("=0起", "1起") == D(0)  # "=0": none allowed
    # a ceiling by meaning: the lower the better
    assert score("=3%", "6%", name="预算调整率") == D(2)
    assert score("=3%", "1%", name="预算调整率") == D(4)


def test_range_target() -> None:
    assert score("90%-95%", "92%") == D(4)
    assert score("90%-95%", "90%") == D(4)
    assert score("90%-95%", "95%") == D(4)
    assert score("90%-95%", "81%") == D(4) * D(81) / D(90)
    assert score("90%-95%", "100%") == D(4) * D(95) / D(100)


def test_percent_targets() -> None:
    assert score("≥100百分比", "98%") == D(4) * D("0.98")
    assert score("≥90%", "95%") == D(4)
    assert score("≥95", "96", unit="%") == D(4)


def test_full_width_and_chinese_numeral_targets() -> None:
    assert score("＞＝７个", "８.５个") == D(4)
    assert score("不少于十个", "5个") == D(2)


def test_money_units_are_converted() -> None:
    r = score_indicator(ind("≥15亿元", "177500万元"), CENTRAL)
    assert r.score == D(4)
    assert "折合" in r.trace
    assert score("≥1000万美元", "1810万美元") == D(4)


def unscorable(target: str, actual: str | None, weight: str = "4", **kw: object) -> tuple[Cause | None, str | None]:
    r = score_indicator(ind(target, actual, weight, **kw), CENTRAL)
    assert r.score is None and not r.computable and r.trace == r.reason
    return r.cause, r.reason


def test_incompatible_units_are_not_computable() -> None:
    for target, actual, why in (
        ("≥10个", "12家", "无法换算"), ("≥10万元", "12万美元", "无法换算"), ("≥10个", "95%", "无法比较")
    ):
        cause, reason = unscorable(target, actual)
        assert cause == Cause.UNSCORABLE and reason is not None and why in reason


def test_text_actual_on_quantitative_target_is_not_computable() -> None:
    cause, reason = unscorable("≥7个", "已完成")
    assert cause == Cause.UNSCORABLE and reason is not None and "没有数值" in reason


def test_unreadable_target_is_not_computable() -> None:
    cause, reason = unscorable("≈5", "5")
    assert cause == Cause.UNREADABLE_TARGET and reason is not None and "运算符「≈」" in reason


def test_missing_actual() -> None:
    r = score_indicator(ind("≥7个", None), CENTRAL)
    assert (r.score, r.ratio, r.trace) == (None, None, "未填写实际完成值，无法计分")
    assert r.cause == Cause.MISSING_ACTUAL and not r.computable
    assert score_indicator(ind("≥7个", "  "), CENTRAL).cause == Cause.MISSING_ACTUAL


@pytest.mark.parametrize(
    ("target", "actual", "weight", "cause", "reason"),
    [
        ("≥7个", "8个", None, Cause.MISSING_WEIGHT, "未填写分值，无法计分"),
        ("—", "8个", "4", Cause.MISSING_TARGET, "未填写指标值，无法计分"),
        ("／", "8个", "4", Cause.MISSING_TARGET, "未填写指标值，无法计分"),
        ("不适用", "已完成", "4", Cause.MISSING_TARGET, "未填写指标值，无法计分"),
        (None, "8个", "4", Cause.MISSING_TARGET, "未填写指标值，无法计分"),
        ("", None, None, Cause.MISSING_WEIGHT, "未填写分值、指标值、实际完成值，无法计分"),
    ],
)
def test_blank_weight_or_target_is_not_computable(target, actual, weight, cause, reason) -> None:
    r = score_indicator(Indicator("I01", "产出指标", "数量指标", "测试指标", target,
                                  None if weight is None else D(weight), actual_text=actual), CENTRAL)
    assert (r.score, r.cause, r.reason) == (None, cause, reason)
    assert r.weight == (None if weight is None else D(weight))


@given(target=st.one_of(st.none(), st.text(max_size=12)), actual=st.one_of(st.none(), st.text(max_size=12)),
       weight=st.one_of(st.none(), st.decimals(min_value="0", max_value="50", places=2)))
def test_any_filled_in_text_gives_a_result_never_an_exception(target, actual, weight) -> None:
    # Whatever a user typed, scoring answers: a score, or no score with the reason.
    r = score_indicator(Indicator("I01", "产出指标", "数量指标", "x", target, weight, actual_text=actual), CENTRAL)
    assert (r.score is None) == (r.reason is not None) == (r.cause is not None)
    assert r.trace


def test_actual_text_argument_overrides_and_feed_is_named() -> None:
    r = score_indicator(ind("≥90%", "50%"), CENTRAL, actual_text="95.76%", feed="budget.execution_rate")
    assert r.score == D(4)
    assert r.feed == "budget.execution_rate" and r.actual_text == "95.76%"
    assert r.trace.startswith("实际完成值取自「预算执行数据：预算执行率」：95.76%；")


# ------------------------------------------------------------ qualitative


def test_qualitative_bands_defaults() -> None:
    assert score("效果明显", "效果明显", "5", achievement="达成") == D(5)
    r = score_indicator(ind("效果明显", "一般", "5", achievement="部分达成"), CENTRAL)
    assert r.score == D("3.5") and r.trace == "定性指标：部分达成，按 70% 计：3.50 分"
    assert score("效果明显", "较差", "5", achievement="未达成") == D("1.5")


def test_qualitative_inference_from_actual_text() -> None:
    assert score("按期完成", "达成预期指标") == D(4)
    assert score("按期完成", "按期完成") == D(4)
    assert score("严格执行相关制度规定", "已严格执行相关制度规定") == D(4)
    assert score("按期完成", "未完成") == D(4) * D("0.3")
    assert score("按期完成", "部分完成") == D(4) * D("0.7")
    cause, reason = unscorable("效果明显", "一般")
    assert cause == Cause.UNSCORABLE and reason is not None and "判断达成程度" in reason


@pytest.mark.parametrize(
    ("level", "ratio"),
    [("达成", "0.8"), ("达成", "1"), ("部分达成", "0.6"), ("部分达成", "0.79"), ("未达成", "0"), ("未达成", "0.59")],
)
def test_override_inside_band(level: str, ratio: str) -> None:
    r = score_indicator(
        ind("效果明显", "x", "10", achievement=level, ratio_override=D(ratio), override_reason="依据"), CENTRAL
    )
    assert r.score == D(10) * D(ratio)
    assert "依据" in r.trace


@pytest.mark.parametrize(
    ("level", "ratio"),
    [("达成", "0.79"), ("达成", "1.01"), ("部分达成", "0.8"), ("未达成", "0.6"), ("未达成", "-0.1")],
)
def test_override_outside_band_is_not_computable(level: str, ratio: str) -> None:
    cause, reason = unscorable("效果明显", "x", "10", achievement=level, ratio_override=D(ratio))
    assert cause == Cause.UNSCORABLE and reason is not None and "得分比例应在" in reason


# ------------------------------------------------------------ execution


def test_execution_proportional_is_exact() -> None:
    r = score_execution(D("1153.25"), D("1104.37"), CENTRAL.execution)
    assert r.rate == D("1104.37") / D("1153.25")
    assert r.score == D(10) * D("1104.37") / D("1153.25")
    assert str(r.score).startswith("9.576")
    assert r.trace == "执行数 1104.37 ÷ 全年预算数 1153.25 = 95.76%；按比例计分：10 × 95.76% = 9.58 分"


def test_execution_step_deduction() -> None:
    r = score_execution(D("1153.25"), D("1104.37"), DEPT_STEP.execution)
    assert r.score == D(8)
    assert r.trace == "执行数 1104.37 ÷ 全年预算数 1153.25 = 95.76%；每低于 5% 扣 2 分，差 4.24%，扣 2 分：8.00 分"
    assert score_execution(D(100), D(100), DEPT_STEP.execution).score == D(10)
    assert score_execution(D(100), D(95), DEPT_STEP.execution).score == D(8)  # exactly one step
    assert score_execution(D(100), D("94.99"), DEPT_STEP.execution).score == D(6)
    assert score_execution(D(100), D(10), DEPT_STEP.execution).score == D(0)  # floored at 0


def test_execution_over_100_and_zero_budget() -> None:
    assert score_execution(D(100), D(120), CENTRAL.execution).score == D(10)
    assert score_execution(D(100), D(100), CENTRAL.execution).score == D(10)
    zero = score_execution(D(0), D(5), CENTRAL.execution)
    assert (zero.rate, zero.score) == (None, D(0))
    assert "全年预算数为 0" in zero.trace


@given(
    budget=st.decimals(min_value="0.01", max_value="100000", places=2),
    executed=st.decimals(min_value="0", max_value="200000", places=2),
    scheme=st.sampled_from([CENTRAL, DEPT_STEP, load_scheme("hubei-20-40-40")]),
)
def test_execution_score_bounded(budget: D, executed: D, scheme) -> None:
    r = score_execution(budget, executed, scheme.execution)
    assert D(0) <= r.score <= scheme.execution.weight


# ------------------------------------------------------------ grades


@pytest.mark.parametrize(
    ("total", "grade"),
    [("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"),
     ("0", "差")],
)
def test_grade_boundaries(total: str, grade: str) -> None:
    assert grade_for(D(total), CENTRAL) == grade


# ------------------------------------------------------------ properties

weights = st.decimals(min_value="0", max_value="50", places=2)
values = st.decimals(min_value="0", max_value="100000", places=3)
ops = st.sampled_from(["≥", "≤", ">", "<", "="])


@given(op=ops, a=values, b=values, w=weights)
def test_score_between_zero_and_weight(op: str, a: D, b: D, w: D) -> None:
    s = score(f"{op}{a}个", f"{b}个", str(w))
    assert s is not None and D(0) <= s <= w


@given(a=values, b1=values, b2=values, w=weights)
def test_positive_is_monotone_in_actual(a: D, b1: D, b2: D, w: D) -> None:
    lo, hi = sorted((b1, b2))
    assert score(f"≥{a}", str(lo), str(w)) <= score(f"≥{a}", str(hi), str(w))


@given(a=values, b1=values, b2=values, w=weights)
def test_negative_is_monotone_in_actual(a: D, b1: D, b2: D, w: D) -> None:
    lo, hi = sorted((b1, b2))
    assert score(f"≤{a}", str(lo), str(w)) >= score(f"≤{a}", str(hi), str(w))


@given(low=values, span=values, b=values, w=weights)
def test_range_bounded(low: D, span: D, b: D, w: D) -> None:
    s = score(f"{low}-{low + span}", str(b), str(w))
    assert s is not None and D(0) <= s <= w


# ------------------------------------------------------------ projects and departments


def _project(
    code: str = "P01", budget: str = "207.5", executed: str = "185.3", indicators: list[Indicator] | None = None
) -> Project:
    return Project(
        code=code, name="仲裁解除用地合同经费",
        funds=[FundLine("一般公共预算", D(budget), D(executed))],
        indicators=indicators if indicators is not None else [
            ind("≥2个", "2个", "50", code="I1"),
            ind("≥90%", "95%", "30", code="I2", level1="效益指标", level2="社会效益指标"),
            ind("≥90%", None, "10", code="I3", level1="满意度指标", level2="服务对象满意度指标"),
        ],
    )


def test_score_project_sums_exact_parts() -> None:
    p = _project()
    p.indicators[2].actual_text = "80%"
    r = score_project(p, CENTRAL)
    execution = D(10) * D("185.3") / D("207.5")
    assert r.execution.score == execution
    assert r.total == execution + D(50) + D(30) + D(10) * D(80) / D(90)
    assert r.grade == "优" and r.computable and r.reason is None
    assert r.budget == D("207.5") and r.executed == D("185.3")
    assert r.trace == "预算执行率 8.93 + 产出指标 50.00 + 效益指标 30.00 + 满意度指标 8.89 = 97.82 分，等级：优"


def test_total_over_a_missing_actual_is_not_verifiable() -> None:
    r = score_project(_project(), CENTRAL)  # I3 has no actual value
    assert (r.total, r.grade) == (None, None) and not r.computable
    assert r.reason == "总分无法核实：1 项指标未填写实际完成值"
    assert r.trace == "总分无法核实：1 项指标未填写实际完成值（已计分部分合计 88.93 分）"


def test_total_over_blank_weights_and_budget_says_what_is_missing() -> None:
    p = _project()
    p.indicators[2].actual_text = "95%"
    for i in p.indicators:
        i.weight = None
    p.funds.append(FundLine("政府性基金预算", None, D("3")))
    r = score_project(p, CENTRAL)
    assert r.budget is None and r.executed == D("188.3")
    assert (r.execution.score, r.execution.rate) == (None, None)
    assert r.execution.reason == "未填写全年预算数，无法计算执行率"
    assert r.reason == "总分无法核实：3 项指标未填写分值、预算执行率未计分（未填写全年预算数，无法计算执行率）"
    assert all(i.cause == Cause.MISSING_WEIGHT for i in r.indicators)


def test_execution_with_blank_figures() -> None:
    r = score_execution(D(100), None, CENTRAL.execution)
    assert (r.rate, r.score, r.weight, r.computable) == (None, None, D(10), False)
    assert r.trace == "未填写执行数，无法计算执行率"
    assert score_execution(None, None, CENTRAL.execution).reason == "未填写全年预算数、执行数，无法计算执行率"


def test_score_project_uses_feeds() -> None:
    p = _project(indicators=[ind("≥3个", "1个", "50", feed="land.count")])
    assert score_project(p, CENTRAL).total < score_project(p, CENTRAL, {"land.count": "3个"}).total
    assert score_project(p, CENTRAL, {"other": "3个"}).indicators[0].feed is None


def _department(projects: list[Project]) -> DepartmentYear:
    return DepartmentYear(
        department=Department(code="demo", name="示例部门"),
        year=2022,
        department_template="dept-step-2022",
        budget_lines=[
            BudgetLine("一般公共预算", "基本支出", D("500"), D("491.48")),
            BudgetLine("一般公共预算", "项目支出", D("653.25"), D("612.89"), carry_over=D("10")),
        ],
        indicators=[
            Indicator("D01", "预算执行", "预算执行", "项目支出执行率", "≥90%", D(10), actual_text="80%",
                      feed="budget.project_execution_rate"),
            Indicator("D02", "预算执行", "预算执行", "结转结余率", "≤10%", D(10), feed="budget.carry_over_rate"),
            Indicator("D03", "绩效管理", "绩效评价", "项目自评覆盖率", "=100%", D(10),
                      feed="projects.self_evaluated_share"),
            Indicator("D04", "预算编制", "目标设定", "绩效目标合理性", "合理", D(10), actual_text="合理",
                      achievement="达成"),
            Indicator("D05", "履职效能", "数量指标", "招商项目数", "≥5个", D(35), actual_text="5个"),
            Indicator("D06", "社会效应", "满意度", "满意度", "≥90%", D(15), actual_text="95%"),
        ],
        projects=projects,
    )


def test_budget_feeds() -> None:
    complete = _project("P01")
    complete.indicators[2].actual_text = "95%"
    dy = _department([complete, _project("P02")])
    feeds = budget_feeds(dy)
    assert feeds == {
        "budget.execution_rate": "95.76%",
        "budget.project_execution_rate": "93.82%",
        "budget.carry_over_rate": "0.87%",
        "projects.count": "2个",
        "projects.self_evaluated_share": "50.00%",
    }


def test_budget_feeds_skip_zero_denominators() -> None:
    dy = _department([])
    dy.budget_lines = []
    assert budget_feeds(dy) == {"projects.count": "0个"}


def test_score_department() -> None:
    dy = _department([_project("P01")])
    r = score_department(dy, {"projects.self_evaluated_share": "100%"})
    assert r.scheme == "dept-step-2022@2022.1" and r.project_scheme == "central-2020@2020.1"
    assert r.execution.score == D(8)
    by_code = {i.code: i for i in r.indicators}
    assert by_code["D01"].feed == "budget.project_execution_rate" and by_code["D01"].score == D(10)
    assert by_code["D02"].trace.startswith("实际完成值取自「预算执行数据：结转结余率」：0.87%；")
    assert by_code["D03"].actual_text == "100%" and by_code["D03"].score == D(10)  # caller's feed wins
    assert r.total == D(8) + D(10) * 4 + D(35) + D(15)
    assert r.grade == "优"
    assert list(r.by_source) == ["一般公共预算", "政府性基金预算", "国有资本经营预算", "其他"]
    assert r.by_source["一般公共预算"] == (D("1153.25"), D("1104.37"))
    assert r.by_source["其他"] == (D(0), D(0))
    assert r.by_nature == {"基本支出": (D("500"), D("491.48")), "项目支出": (D("653.25"), D("612.89"))}
    assert [p.code for p in r.projects] == ["P01"]
    assert "预算执行 28.00（含预算执行率 8.00）" in r.trace


def test_department_with_a_blank_budget_line() -> None:
    dy = _department([_project("P01")])
    dy.budget_lines[0].executed = None
    assert dy.budget == D("1153.25") and dy.executed is None
    feeds = budget_feeds(dy)
    assert "budget.execution_rate" not in feeds and feeds["budget.project_execution_rate"] == "93.82%"
    r = score_department(dy)
    assert r.by_source["一般公共预算"] == (D("1153.25"), None) and r.by_source["其他"] == (D(0), D(0))
    assert r.by_nature["项目支出"] == (D("653.25"), D("612.89"))
    assert r.total is None and r.reason == "总分无法核实：预算执行率未计分（未填写执行数，无法计算执行率）"
    assert r.projects[0].execution.computable  # the project's own funds are complete


def test_check_weights_with_blank_weights() -> None:
    inds = _department([]).indicators
    inds[0].weight = None  # 预算执行: the class and the grand total cannot be checked yet
    assert check_weights(inds, DEPT) == []
    inds[4].weight = D(30)  # 履职效能 is complete and wrong: still reported
    assert [p.message for p in check_weights(inds, DEPT)] == ["「履职效能」分值合计 30 分，评分方案规定 35 分"]


def test_check_weights_ok_and_mismatch() -> None:
    good = _department([]).indicators
    assert check_weights(good, DEPT) == []  # 预算执行 = 10 (execution) + 10 + 10
    shifted = list(good)
    shifted[0] = Indicator("D01", "预算执行", "预算执行", "x", "≥90%", D(20))
    shifted[3] = Indicator("D04", "预算编制", "目标设定", "y", "合理", D(0))
    messages = [p.message for p in check_weights(shifted, DEPT)]
    assert messages == [
        "「预算编制」分值合计 0 分，评分方案规定 10 分", "「预算执行」分值合计 40 分，评分方案规定 30 分",
    ]
    unknown = [p.message for p in check_weights([*good, Indicator("D09", "神秘指标", "x", "z", "≥1个", D(1))], DEPT)]
    assert any("一级指标「神秘指标」不在评分方案" in m for m in unknown)


def test_check_weights_project() -> None:
    p = _project()
    assert check_weights(p.indicators, CENTRAL) == []
    p.indicators[0].weight = D(45)
    messages = [p.message for p in check_weights(p.indicators, CENTRAL)]
    assert any("合计 95" in m for m in messages) and any("产出指标" in m for m in messages)


def test_check_weights_allows_moving_points_of_an_absent_class() -> None:
    inds = [ind("≥2个", "2个", "55", code="I1"), ind("≥90%", "95%", "35", code="I2", level1="效益指标")]
    assert check_weights(inds, CENTRAL) == []
    short = [ind("≥2个", "2个", "50", code="I1"), ind("≥90%", "95%", "35", code="I2", level1="效益指标")]
    assert check_weights(short, CENTRAL)


def test_over_completion_margin_comes_from_the_scheme() -> None:
    lenient = dataclasses.replace(CENTRAL, version="lenient", over_completion_margin=D("0.5"))
    assert score_indicator(ind("≥7个", "8.5个"), CENTRAL).flags == [OVER_COMPLETION_FLAG]
    relaxed = score_indicator(ind("≥7个", "8.5个"), lenient)  # same row, other scheme
    assert relaxed.flags == [] and "提示线" not in relaxed.trace
    assert relaxed.over_completion == D("8.5") / D(7) - 1


def test_weight_scales_and_results_are_independent() -> None:
    a = score_indicator(ind("≥7个", "8.5个", "4"), CENTRAL)
    b = score_indicator(ind("≥7个", "8.5个", "6"), CENTRAL)
    assert (a.score, b.score) == (D(4), D(6))
    a.flags.append("人工备注")
    assert b.flags == [OVER_COMPLETION_FLAG]
    assert score_indicator(ind("≥7个", "8.5个"), CENTRAL).flags == [OVER_COMPLETION_FLAG]


# ------------------------------------------------------------ traces

# The text of every branch of the quantitative and qualitative rules, as users read it.
BRANCH_TRACES = [
    ("≥7个", "8.5个", "实际完成值 8.5 ÷ 指标值 7 = 121.43%，超过 100% 按满分计：5.00 分"
                      "（超额 21.43%，超过 20% 的提示线，请说明指标值是否偏低）"),
    ("≥7个", "6个", "实际完成值 6 ÷ 指标值 7 = 85.71%：5 × 85.71% = 4.29 分"),
    ("≥0个", "0个", "指标值为 0，实际完成值 0 已达到指标值，按满分计：5.00 分"),
    ("≤90万元", "89.97万元", "反向指标：指标值 90 ÷ 实际完成值 89.97 = 100.03%，超过 100% 按满分计：5.00 分"),
    ("≤90万元", "120万元", "反向指标：指标值 90 ÷ 实际完成值 120 = 75.00%：5 × 75.00% = 3.75 分"),
    ("≤0万元", "5万元", "反向指标：指标值 0，实际完成值 5 超过指标值：0.00 分"),
    ("=100%", "96%", "指标值「=」按达到指标值理解：实际完成值 96 ÷ 指标值 100 = 96.00%：5 × 96.00% = 4.80 分"),
    ("=0个", "1个", "指标值「=」按达到指标值理解：反向指标：指标值 0，实际完成值 1 超过指标值：0.00 分"),
    ("90%-95%", "93%", "实际完成值 93 在区间 90～95 内，按满分计：5.00 分"),
    ("90%-95%", "80%", "实际完成值 80 低于区间 90～95 的下限：80 ÷ 90 = 88.89%：5 × 88.89% = 4.44 分"),
    ("90%-95%", "99%", "实际完成值 99 高于区间 90～95 的上限：95 ÷ 99 = 95.96%：5 × 95.96% = 4.80 分"),
    ("≤800万元", "0.0785亿元", "反向指标：指标值 800 ÷ 实际完成值 785 = 101.91%"
                               "（实际完成值 0.0785亿元 折合 785万元），超过 100% 按满分计：5.00 分"),
    ("≥15个", "16.5个", "实际完成值 16.5 ÷ 指标值 15 = 110.00%，超过 100% 按满分计：5.00 分"),
    ("按期完成", "已按期完成", "定性指标：由实际完成值判断为达成，按 100% 计：5.00 分"),
    ("有效提升", "部分完成", "定性指标：由实际完成值判断为部分达成，按 70% 计：3.50 分"),
    ("≥95%", "0%", "实际完成值 0 ÷ 指标值 95 = 0.00%：0.00 分"),
]


def test_trace_of_every_branch() -> None:
    inds = [ind(t, a, "5", code=f"I{i:02d}") for i, (t, a, _) in enumerate(BRANCH_TRACES)]
    fed = ind("≥95%", "1%", "5", code="F01", feed="budget.execution_rate")
    p = Project(code="P01", name="项目", funds=[FundLine("一般公共预算", D("100"), D("50"))], indicators=[*inds, fed])
    project = score_project(p, CENTRAL, {"budget.execution_rate": "95.76%"})
    assert [r.trace for r in project.indicators[:-1]] == [text for _, _, text in BRANCH_TRACES]
    assert project.indicators[-1].trace == (
        "实际完成值取自「预算执行数据：预算执行率」：95.76%；"
        "实际完成值 95.76 ÷ 指标值 95 = 100.80%，超过 100% 按满分计：5.00 分"
    )
    assert project.execution.trace == "执行数 50 ÷ 全年预算数 100 = 50.00%；按比例计分：10 × 50.00% = 5.00 分"
    assert project.trace.endswith(f"= {project.total:.2f} 分，等级：{project.grade}")


def test_results_are_plain_data() -> None:
    # Scoring the same row twice gives equal results, and a stored (pickled) copy reads the same.
    r = score_indicator(ind("≥7个", "6个", "5"), CENTRAL)
    assert r == score_indicator(ind("≥7个", "6个", "5"), CENTRAL)
    assert pickle.loads(pickle.dumps(r)).trace == BRANCH_TRACES[1][2]


def test_text_written_by_users_shows_as_written_in_traces() -> None:
    # Braces in a feed name or an evaluator's reason are text, not placeholders of the trace.
    fed = score_indicator(ind("≥90%", "50%"), CENTRAL, actual_text="95%", feed="台账{临时}")
    assert fed.trace.startswith("实际完成值取自「台账{临时}」：95%；")
    adjusted = score_indicator(ind("效果明显", "x", "10", achievement="达成", ratio_override=D("0.9"),
                                   override_reason="见附件{2}"), CENTRAL)
    assert adjusted.trace == "定性指标：达成，按 90% 计（评价人在档内调整：见附件{2}）：9.00 分"


def test_execution_trace_of_every_branch() -> None:
    expected = {
        (True, "1153.25", "1104.37"): "执行数 1104.37 ÷ 全年预算数 1153.25 = 95.76%；按比例计分：10 × 95.76% = 9.58 分",
        (True, "100", "120"): "执行数 120 ÷ 全年预算数 100 = 120.00%，按满分计：10.00 分",
        (True, "100", "50"): "执行数 50 ÷ 全年预算数 100 = 50.00%；按比例计分：10 × 50.00% = 5.00 分",
        (False, "1153.25", "1104.37"):
            "执行数 1104.37 ÷ 全年预算数 1153.25 = 95.76%；每低于 5% 扣 2 分，差 4.24%，扣 2 分：8.00 分",
        (False, "100", "120"): "执行数 120 ÷ 全年预算数 100 = 120.00%；每低于 5% 扣 2 分，未低于 100%：10.00 分",
        (False, "100", "50"): "执行数 50 ÷ 全年预算数 100 = 50.00%；每低于 5% 扣 2 分，差 50%，扣 10 分：0.00 分",
    }
    for (proportional, budget, executed), text in expected.items():
        rule = CENTRAL.execution if proportional else DEPT_STEP.execution
        assert score_execution(D(budget), D(executed), rule).trace == text


# ------------------------------------------------------------ the table's own scheme (real-work.md §2)

def _table(rows: list[tuple[str, str, str, str]], budget: str = "100", executed: str = "96") -> Project:
    """rows: (code, level1, name, weight); every target met ("≥1个" / "1个")."""
    inds = [Indicator(code, level1, "x", name, "≥1个", D(weight), actual_text="1个")
            for code, level1, name, weight in rows]
    return Project(code="P01", name="项目", funds=[FundLine("一般公共预算", D(budget), D(executed))], indicators=inds)


def test_a_table_that_fits_the_declared_scheme_uses_it() -> None:
    p = _table([("I1", "产出指标", "a", "50"), ("I2", "效益指标", "b", "30"), ("I3", "满意度指标", "c", "10")])
    choice = choose_scheme(p.indicators, CENTRAL)
    assert (choice.how, choice.scheme.ref) == ("declared", CENTRAL.ref)
    assert score_project(p, CENTRAL).total == D("99.6")  # 9.6 + 90


def test_a_table_of_another_shipped_scheme_is_scored_with_it() -> None:
    p = _table([("I1", "产出指标", "a", "40"), ("I2", "效益指标", "b", "40"), ("I3", "满意度指标", "c", "20")])
    choice = choose_scheme(p.indicators, CENTRAL)
    assert (choice.how, choice.scheme.id) == ("inferred", "output-40-benefit-40-satisfaction-20")
    result = score_project(p, CENTRAL)
    assert result.total == D(100) and result.scheme == choice.scheme.ref  # no execution block: 40 + 40 + 20
    assert "适用评分方案" in result.trace


def test_a_budget_execution_row_is_the_execution_indicator() -> None:
    p = _table([("A1", "项目决策", "a", "15"), ("B1", "项目管理", "预算执行率", "10"), ("B2", "项目管理", "b", "10"),
                ("C1", "项目产出", "c", "35"), ("D1", "项目效益", "d", "30")])
    p.indicators[1].target_text, p.indicators[1].actual_text = "100%", "96%"
    choice = choose_scheme(p.indicators, CENTRAL)
    assert (choice.scheme.id, choice.execution_row, choice.scheme.execution.weight) == (
        "decision-process-15-20-35-30", "B1", D(10))
    result = score_project(p, CENTRAL)
    row = next(r for r in result.indicators if r.code == "B1")
    assert row.score == D("9.6") and "按预算执行率规则计分" in row.trace  # 10 × 96/100 from the funds
    assert result.total == D("99.6")  # counted once, through the row


def test_a_table_that_fits_no_scheme_is_scored_with_its_own_weights() -> None:
    p = _table([("I1", "产出指标", "a", "60"), ("I2", "效益指标", "b", "20"), ("I3", "满意度指标", "c", "10")])
    choice = choose_scheme(p.indicators, CENTRAL)
    assert choice.how == "table" and choice.problems
    result = score_project(p, CENTRAL)
    assert result.trace.startswith(TABLE_SCHEME_NOTE) and result.total == D("99.6")
    no_exec = _table([("I1", "产出指标", "a", "70"), ("I2", "效益指标", "b", "30")])
    assert score_project(no_exec, CENTRAL).total == D(100)  # the rows make 100: no execution block added


def test_subtotal_rows_are_kept_and_only_leaves_are_summed() -> None:
    p = _table([("S1", "产出指标", "一、示范区建设", "15"), ("I1", "产出指标", "a", "5"), ("I2", "产出指标", "b", "5"),
                ("I3", "产出指标", "c", "5"), ("I4", "产出指标", "d", "35"), ("I5", "效益指标", "e", "30"),
                ("I6", "满意度指标", "f", "10")])
    p.indicators[0].target_text = p.indicators[0].actual_text = None
    assert subtotals(p.indicators) == {"S1": ("I1", "I2", "I3")}
    result = score_project(p, CENTRAL)
    assert result.total == D("99.6") and result.indicators[0].score == D(15)
    assert result.indicators[0].children == ("I1", "I2", "I3")
    # a group name with a target is an indicator, not a subtotal
    p.indicators[0].target_text, p.indicators[0].actual_text = "≥1个", "1个"
    assert subtotals(p.indicators) == {}


def test_deadline_targets_against_months() -> None:
    assert score("10月前", "9月") == D(4)
    assert score("11月底前完成", "2023-11-30") == D(4)
    assert score("10月前", "12月") == D(4) * D("0.3")  # late: the 未达成 band's default
    r = score_indicator(ind("11月底前", "100%"), CENTRAL)
    assert r.score == D(4) and r.flags == ["时限指标以百分比填报"]
    r = score_indicator(ind("9月15日前", "9月"), CENTRAL)
    assert r.score is None and r.cause == Cause.UNSCORABLE and "只写到月份" in (r.reason or "")
    assert score("按期完成", "按期完成") == D(4)


def test_ceiling_by_meaning_and_unreadable_actuals() -> None:
    assert score("3%", "0%", name="预算调整率") == D(4)
    assert score("3%", "6%", name="预算调整率") == D(2)
    assert score("3%", "6%", name="培训合格率") == D(4)  # a floor: 6 ≥ 3
    r = score_indicator(ind("≥100人", "1O0人"), CENTRAL)
    assert r.score is None and r.cause == Cause.UNREADABLE_ACTUAL


def test_a_department_without_indicators_has_no_total_to_grade() -> None:
    dy = DepartmentYear(department=Department(code="d", name="部门"), year=2023,
                        budget_lines=[BudgetLine("一般公共预算", "基本支出", D("240"), D("87"))])
    result = score_department(dy)
    assert result.total is None and result.grade is None and "未设绩效指标" in (result.reason or "")
    assert result.execution.score == D("3.625")  # the budget figures are still scored (10 × 36.25%)
