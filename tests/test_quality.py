"""Goal-quality review and consistency checks: every Q-… code has a case that triggers it and a
near miss that does not; the demo department has no errors; the built tables from the issue
(93 vs 94, 31.00% vs 31.08%, 9 for 86.2% execution) are caught with the right code."""
from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import excel, exchange
from jixiao.cli import check_cmds, main
from jixiao.core.display import fmt_pct_number, fmt_score
from jixiao.core.errors import InputError
from jixiao.core.model import (
    BudgetLine,
    Department,
    DepartmentYear,
    FundLine,
    Indicator,
    Project,
    Rectification,
    Stated,
)
from jixiao.core.quality import (
    blocking,
    department_summary,
    draft_problems_text,
    has_year_end_data,
    load_rules,
    review,
    review_goals,
    review_year_end,
    summarize,
)
from jixiao.core.quality.rules import RULES_FILE, rules_from_dict
from jixiao.core.scoring import score_department
from jixiao.excel import write_form
from jixiao.excel.importing import ImportOutcome
from jixiao.services.findings import import_summary

DEMO = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo" / "department-2022.json"


def ind(code, level1, level2, name, target, weight, actual, **kw) -> Indicator:
    return Indicator(code=code, level1=level1, level2=level2, name=name, target_text=target,
                     weight=D(weight), actual_text=actual, **kw)


def base() -> DepartmentYear:
    """A department-year that passes every check: the near miss every case starts from."""
    project = Project(
        code="P01", name="职业技能培训", funds=[FundLine("一般公共预算", D("100"), D("95"))],
        indicators=[
            ind("I1", "产出指标", "数量指标", "培训人数", "≥100人", "20", "100人"),
            ind("I2", "产出指标", "质量指标", "培训合格率", "≥95%", "15", "96%"),
            ind("I3", "产出指标", "时效指标", "完成时间", "按期完成", "15", "按期完成"),
            ind("I4", "效益指标", "社会效益指标", "就业人数", "≥50人", "30", "52人"),
            ind("I5", "满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", "10", "95%"),
        ],
        problems="培训场地不足，部分班次延后。", measures="协调区职业学校场地，按季度排班。",
    )
    return DepartmentYear(
        department=Department(code="t", name="测试局"), year=2023,
        project_template="central-2020", department_template="dept-default",
        budget_lines=[
            BudgetLine("一般公共预算", "基本支出", D("200"), D("195")),
            BudgetLine("一般公共预算", "项目支出", D("100"), D("95")),
        ],
        indicators=[
            ind("D1", "预算编制", "目标设定", "绩效目标覆盖率", "100%", "10", "100%"),
            ind("D2", "预算执行", "预算管理", "结转结余率", "≤10%", "10", "3%"),  # 290 of 300 spent
            ind("D3", "预算执行", "资产管理", "资产账实相符率", "100%", "10", "100%"),
            ind("D4", "绩效管理", "绩效评价", "自评覆盖率", "100%", "10", "100%"),
            ind("D5", "履职效能", "数量指标", "办理事项数", "≥200件", "20", "210件"),
            ind("D6", "履职效能", "时效指标", "按时办结率", "≥95%", "15", "97%"),
            ind("D7", "社会效应", "社会效益", "群众投诉办结率", "≥90%", "10", "92%"),
            ind("D8", "社会效应", "满意度", "服务对象满意度", "≥90%", "5", "93%"),
        ],
        projects=[project],
        problems="部分项目绩效目标细化不足。", measures="组织绩效目标编制培训。",
    )


def codes(dy: DepartmentYear) -> set[str]:
    return {f.code for f in review(dy)}


def p1(dy: DepartmentYear) -> Project:
    return dy.projects[0]


def pi(dy: DepartmentYear, code: str) -> Indicator:
    return next(i for i in p1(dy).indicators if i.code == code)


def di(dy: DepartmentYear, code: str) -> Indicator:
    return next(i for i in dy.indicators if i.code == code)


def setattrs(obj, **kw) -> None:
    for k, v in kw.items():
        setattr(obj, k, v)


def with_(fn: Callable[[DepartmentYear], None]) -> DepartmentYear:
    dy = base()
    fn(dy)
    return dy


# ------------------------------------------------------------------ trigger / near-miss table

def _three_indicators(dy):
    p1(dy).indicators = [
        ind("I1", "产出指标", "数量指标", "培训人数", "≥100人", "50", "100人"),
        ind("I4", "效益指标", "社会效益指标", "就业人数", "≥50人", "30", "52人"),
        ind("I5", "满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", "10", "95%"),
    ]


def _four_indicators(dy):
    _three_indicators(dy)
    p1(dy).indicators[0].weight = D("30")
    p1(dy).indicators.insert(1, ind("I2", "产出指标", "质量指标", "培训合格率", "≥95%", "20", "96%"))


def _stated_parts(dy, total):
    """The issue's table: execution 10 + 16 + 15 + 15 + 27 + 10 adds to 93."""
    p = p1(dy)
    p.funds[0].executed = D("100")
    setattrs(pi(dy, "I1"), actual_text="80人", deviation_reason="报名人数不足", stated_score=D("16"))
    setattrs(pi(dy, "I4"), actual_text="45人", deviation_reason="企业用工需求下降", stated_score=D("27"))
    for code, score in (("I2", "15"), ("I3", "15"), ("I5", "10")):
        pi(dy, code).stated_score = D(score)
    p.stated = Stated(execution_score=D("10"), total=D(total))


def _rate(dy, stated):
    p = p1(dy)
    p.funds[0].executed = D("31.08")
    p.execution_explanation = "项目于四季度才开工，大部分合同款按进度在次年支付。"
    p.stated = Stated(execution_rate=D(stated))


def _subtotal(dy, stated):
    parent = ind("S1", "产出指标", "数量指标", "一、培训实施", None, "35", None, stated_score=D(stated))
    p1(dy).indicators.insert(0, parent)


def _weights(dy, *weights):
    for code, weight in zip(("I1", "I2", "I3", "I4", "I5"), weights, strict=True):
        pi(dy, code).weight = D(weight)


def _execution_86(dy, stated):
    p = p1(dy)
    p.funds[0].executed = D("86.2")
    p.execution_explanation = "培训补贴按实际人数结算，余款收回。"
    p.stated = Stated(execution_score=D(stated))


CASES = [
    # code, trigger, near miss
    ("Q-MISSING-WEIGHT",
     lambda dy: setattr(pi(dy, "I1"), "weight", None),
     lambda dy: setattr(pi(dy, "I1"), "weight", D("20"))),
    ("Q-MISSING-TARGET",
     lambda dy: setattr(pi(dy, "I1"), "target_text", "—"),
     lambda dy: setattr(pi(dy, "I1"), "target_text", "≥100人")),
    ("Q-MISSING-BUDGET",
     lambda dy: setattr(p1(dy).funds[0], "budget", None),
     lambda dy: setattr(dy.budget_lines[0], "budget", D("0"))),  # 0 is a figure, not a blank
    ("Q-MISSING-EXECUTED",
     lambda dy: setattr(p1(dy).funds[0], "executed", None),
     lambda dy: setattrs(p1(dy).funds[0], executed=D("0")) or setattr(p1(dy), "execution_explanation", "项目暂停")),
    ("Q-TOTAL-UNVERIFIED",
     lambda dy: setattr(pi(dy, "I1"), "actual_text", None) or setattr(p1(dy), "stated", Stated(total=D("99.5"))),
     lambda dy: setattr(p1(dy), "stated", Stated(total=D("99.5")))),
    ("Q-TARGET-UNREADABLE",
     lambda dy: setattr(pi(dy, "I1"), "target_text", "≥abc人"),
     lambda dy: setattr(pi(dy, "I1"), "target_text", "≥120人")),
    ("Q-TARGET-VAGUE",
     lambda dy: setattr(pi(dy, "I3"), "target_text", "有效提高培训质量"),
     lambda dy: setattr(pi(dy, "I3"), "target_text", "合格率提高到95%以上")),
    ("Q-UNIT-MISSING",
     lambda dy: setattrs(pi(dy, "I1"), target_text="≥100", actual_text="100"),
     lambda dy: setattrs(pi(dy, "I1"), target_text="≥100", actual_text="100", unit="人")),
    ("Q-UNIT-MISMATCH",
     lambda dy: setattrs(pi(dy, "I2"), target_text="≥95人", actual_text="96人"),
     lambda dy: setattrs(pi(dy, "I2"), name="培训合格人数", target_text="≥95人", actual_text="96人")),
    ("Q-INPUT-AS-OUTPUT",
     lambda dy: setattrs(pi(dy, "I2"), name="资金到位率", target_text="100%", actual_text="100%"),
     lambda dy: setattrs(di(dy, "D2"), name="预算执行率", target_text="≥90%", actual_text="95%")),
    ("Q-CATEGORY-MISSING",
     lambda dy: setattrs(pi(dy, "I5"), level1="效益指标", level2="社会效益指标"),
     lambda dy: setattrs(pi(dy, "I5"), level2="服务对象满意度指标")),
    ("Q-SATISFACTION-MISSING",
     lambda dy: setattrs(di(dy, "D8"), level2="社会效益", name="政策知晓率"),
     lambda dy: setattrs(di(dy, "D8"), level2="社会效益", name="企业满意率")),
    ("Q-TOO-FEW", _three_indicators, _four_indicators),
    ("Q-DUPLICATE",
     lambda dy: setattrs(pi(dy, "I4"), name="培训 人数", level1="产出指标", level2="数量指标", weight=D("20"))
     or setattrs(pi(dy, "I1"), weight=D("30"), level1="效益指标", level2="社会效益指标"),
     lambda dy: setattrs(pi(dy, "I4"), name="培训后就业人数")),
    ("Q-WEIGHT-SUM",
     lambda dy: setattr(pi(dy, "I1"), "weight", D("21")),
     lambda dy: setattrs(pi(dy, "I1"), weight=D("21")) or setattrs(pi(dy, "I2"), weight=D("14"))),
    ("Q-LEVEL1-UNKNOWN",
     lambda dy: setattr(pi(dy, "I1"), "level1", "产出"),
     lambda dy: setattr(pi(dy, "I1"), "level1", "产出指标")),
    ("Q-UPPER-BOUND-OUTPUT",
     lambda dy: setattrs(pi(dy, "I1"), target_text="≤100人", actual_text="100人"),
     lambda dy: setattrs(pi(dy, "I1"), level2="成本指标", name="培训成本", target_text="≤90万元",
                         actual_text="85万元")),
    ("Q-TARGET-BELOW-LAST-YEAR",
     lambda dy: setattr(pi(dy, "I1"), "last_year_actual", "120人"),
     lambda dy: setattr(pi(dy, "I1"), "last_year_actual", "100人")),
    ("Q-TARGET-LOW",
     lambda dy: setattr(pi(dy, "I4"), "actual_text", "61人"),
     lambda dy: setattr(pi(dy, "I4"), "actual_text", "60人")),
    ("Q-MISSING-ACTUAL",
     lambda dy: setattr(pi(dy, "I1"), "actual_text", None),
     lambda dy: setattr(pi(dy, "I1"), "actual_text", "101人")),
    ("Q-UNSCORABLE",
     lambda dy: setattr(pi(dy, "I1"), "actual_text", "已完成"),
     lambda dy: setattr(pi(dy, "I1"), "actual_text", "已完成100人")),
    ("Q-FULL-MARKS-MISSED",
     lambda dy: setattrs(pi(dy, "I4"), actual_text="45人", deviation_reason="用工需求下降", stated_score=D("30")),
     lambda dy: setattrs(pi(dy, "I4"), actual_text="45人", deviation_reason="用工需求下降", stated_score=D("27"))),
    ("Q-DEDUCTED-MET",  # Huanggang: target 98%, actual 98%, scored 0.98 × points
     lambda dy: setattrs(pi(dy, "I5"), target_text="≥98%", actual_text="98%", stated_score=D("9.8")),
     lambda dy: setattrs(pi(dy, "I5"), target_text="≥98%", actual_text="98%", stated_score=D("10"))),
    ("Q-SCORE-MISMATCH",  # 86.2% execution scored 9 of 10 under proportional scoring
     lambda dy: _execution_86(dy, "9"),
     lambda dy: _execution_86(dy, "8.62")),
    ("Q-SCORE-ABOVE-WEIGHT",
     lambda dy: setattr(pi(dy, "I5"), "stated_score", D("12")),
     lambda dy: setattr(pi(dy, "I5"), "stated_score", D("10"))),
    ("Q-TOTAL-MISMATCH",  # scores add to 93 while 94 is stated
     lambda dy: _stated_parts(dy, "94"),
     lambda dy: _stated_parts(dy, "93")),
    ("Q-RATE-MISMATCH",  # 31.00% printed where the figures give 31.08%
     lambda dy: _rate(dy, "31.00"),
     lambda dy: _rate(dy, "31.1")),
    ("Q-GRADE-MISMATCH",
     lambda dy: setattr(p1(dy), "stated", Stated(total=D("89.99"), grade="优")),
     lambda dy: setattr(p1(dy), "stated", Stated(grade="优"))),
    ("Q-OVERSPEND",
     lambda dy: setattr(p1(dy).funds[0], "executed", D("100.01")),
     lambda dy: setattr(p1(dy).funds[0], "executed", D("100"))),
    ("Q-EXECUTION-UNEXPLAINED",
     lambda dy: setattr(p1(dy).funds[0], "executed", D("89.99")),
     lambda dy: setattr(p1(dy).funds[0], "executed", D("90"))),
    ("Q-CUT-TARGETS-CLAIMED",
     lambda dy: setattr(p1(dy).funds[0], "initial", D("120")),
     lambda dy: setattr(p1(dy).funds[0], "initial", D("120"))
     or setattrs(pi(dy, "I1"), actual_text="90人", deviation_reason="预算调减后压缩培训班次")),
    ("Q-DEVIATION-REASON-MISSING",
     lambda dy: setattr(pi(dy, "I1"), "actual_text", "90人"),
     lambda dy: setattrs(pi(dy, "I1"), actual_text="90人", deviation_reason="两个班次因场地延至次年")),
    ("Q-BOILERPLATE",
     lambda dy: setattr(dy, "problems", "暂无。"),
     lambda dy: setattr(dy, "problems", "无固定培训场地，部分班次延后。")),
    ("Q-SCHEME-INFERRED",  # 产出 40 + 效益 40 + 满意度 20, no execution block: a shipped scheme
     lambda dy: _weights(dy, "15", "15", "10", "40", "20"),
     lambda dy: _weights(dy, "20", "15", "15", "30", "10")),
    ("Q-SCHEME-MISMATCH",  # 10 + 产出 55 + 效益 25 + 满意度 10: 100 points, split like no scheme
     lambda dy: _weights(dy, "25", "15", "15", "25", "10"),
     lambda dy: _weights(dy, "25", "10", "15", "30", "10")),
    ("Q-LEVEL1-MISSING",
     lambda dy: setattr(pi(dy, "I1"), "level1", ""),
     lambda dy: setattr(pi(dy, "I1"), "level1", "产出指标")),
    ("Q-TARGET-SECOND-QUANTITY",
     lambda dy: setattr(pi(dy, "I1"), "target_text", "≥100人、每人每天补贴50元"),
     lambda dy: setattr(pi(dy, "I1"), "target_text", "≥100人（含外聘讲师）")),
    ("Q-ACTUAL-UNREADABLE",
     lambda dy: setattr(pi(dy, "I1"), "actual_text", "1O0人"),
     lambda dy: setattr(pi(dy, "I1"), "actual_text", "100人")),
    ("Q-DEADLINE-AS-RATE",
     lambda dy: setattrs(pi(dy, "I3"), target_text="11月底前完成", actual_text="100%"),
     lambda dy: setattrs(pi(dy, "I3"), target_text="11月底前完成", actual_text="10月")),
    ("Q-CARRYOVER-MISMATCH",  # 96.67% spent, 0% carried over: 3.33% unaccounted for
     lambda dy: setattr(di(dy, "D2"), "actual_text", "0%"),
     lambda dy: setattr(di(dy, "D2"), "actual_text", "3.33%")),
    ("Q-SUBTOTAL-MISMATCH",  # 一、培训实施 35 = I1 20 + I2 15, its score 33 stated for 35
     lambda dy: _subtotal(dy, "33"),
     lambda dy: _subtotal(dy, "35")),
    ("Q-FUND-LINE-IDLE",
     lambda dy: p1(dy).funds.append(FundLine("政府性基金预算", D("20"), D("0"))),
     lambda dy: p1(dy).funds.append(FundLine("政府性基金预算", D("20"), D("19")))),
    ("Q-NARRATIVE-FIGURE",  # D5 办理事项数 is 210件 in the data
     lambda dy: setattr(dy, "achievements", "全年办理事项数230件，群众满意。"),
     lambda dy: setattr(dy, "achievements", "全年办理事项数210件，群众满意。")),
]


def test_base_department_has_no_findings():
    assert review(base()) == []


@pytest.mark.parametrize("code,trigger,near", CASES, ids=[c[0] for c in CASES])
def test_check_triggers_and_near_miss_does_not(code, trigger, near):
    hit = [f for f in review(with_(trigger)) if f.code == code]
    assert hit, f"{code} not raised"
    f = hit[0]
    rules = load_rules()
    assert f.severity == rules.severity(code)
    assert f.message and f.location
    assert f.location.startswith(("部门整体", "项目 P01「职业技能培训」"))
    assert code not in codes(with_(near))


def test_every_catalogued_check_has_a_case():
    assert {c[0] for c in CASES} == set(load_rules().checks)


# ------------------------------------------------------------------ details of single checks

def test_finding_names_project_indicator_field_and_numbers():
    f = next(f for f in review(with_(lambda dy: setattr(pi(dy, "I4"), "actual_text", "61人")))
             if f.code == "Q-TARGET-LOW")
    assert (f.project, f.indicator, f.field) == ("P01", "I4", "指标值")
    assert f.location == "项目 P01「职业技能培训」 / 指标 I4「就业人数」 / 指标值"
    assert f.numbers["超额比例"] == "22.00%"


def test_total_mismatch_states_the_sum_of_parts():
    f = next(f for f in review(with_(lambda dy: _stated_parts(dy, "94"))) if f.code == "Q-TOTAL-MISMATCH")
    assert f.numbers == {"填报总分": "94", "各项填报得分合计": "93"}
    assert f.severity == "错误"


def test_total_without_stated_parts_is_compared_with_computed():
    dy = with_(lambda dy: setattr(p1(dy), "stated", Stated(total=D("99.5"))))  # computed 99.5
    assert "Q-TOTAL-MISMATCH" not in codes(dy)
    dy = with_(lambda dy: setattr(p1(dy), "stated", Stated(total=D("98"))))
    f = next(f for f in review(dy) if f.code == "Q-TOTAL-MISMATCH")
    assert f.numbers["按实际完成值计算的总分"] == "99.5"


def test_rate_mismatch_at_stated_precision():
    f = next(f for f in review(with_(lambda dy: _rate(dy, "31.00"))) if f.code == "Q-RATE-MISMATCH")
    assert "31.08%" in f.message
    assert f.numbers["计算执行率"] == "31.0800%"
    assert "Q-RATE-MISMATCH" not in codes(with_(lambda dy: _rate(dy, "31.08")))
    assert "Q-RATE-MISMATCH" in codes(with_(lambda dy: _rate(dy, "31.0")))


def test_execution_score_mismatch_names_both_scores():
    f = next(f for f in review(with_(lambda dy: _execution_86(dy, "9"))) if f.code == "Q-SCORE-MISMATCH")
    assert (f.numbers["填报得分"], f.numbers["计算得分"], f.field) == ("9", "8.62", "预算执行率得分")
    # 8.6 is the stated value rounded, within the tolerance
    assert "Q-SCORE-MISMATCH" not in codes(with_(lambda dy: _execution_86(dy, "8.6")))


def test_indicator_score_mismatch_when_target_missed():
    def stated(score):
        return lambda dy: setattrs(pi(dy, "I4"), actual_text="45人", deviation_reason="用工需求下降",
                                   stated_score=D(score))
    assert "Q-SCORE-MISMATCH" in codes(with_(stated("25")))
    assert "Q-SCORE-MISMATCH" not in codes(with_(stated("27")))


def test_qualitative_stated_score_inside_its_band_is_accepted():
    def level(achievement, score):
        return lambda dy: setattrs(pi(dy, "I3"), actual_text="部分节点延期", achievement=achievement,
                                   deviation_reason="供应商延期交付", stated_score=D(score))
    assert "Q-FULL-MARKS-MISSED" in codes(with_(level("部分达成", "15")))
    assert not {"Q-SCORE-MISMATCH", "Q-FULL-MARKS-MISSED"} & codes(with_(level("部分达成", "9")))
    assert "Q-SCORE-MISMATCH" in codes(with_(level("部分达成", "6")))
    assert "Q-SCORE-MISMATCH" not in codes(with_(level("达成", "13.5")))


def test_deduction_for_a_target_set_too_low_needs_a_reason():
    def over(reason):
        return lambda dy: setattrs(pi(dy, "I4"), actual_text="70人", stated_score=D("27"), deviation_reason=reason)
    assert "Q-DEDUCTED-MET" in codes(with_(over("")))
    assert "Q-DEDUCTED-MET" not in codes(with_(over("年初指标值明显偏低，按偏离度调减 3 分")))


def test_grade_checked_against_computed_total_when_no_total_stated():
    assert "Q-GRADE-MISMATCH" in codes(with_(lambda dy: setattr(p1(dy), "stated", Stated(grade="良"))))


def test_department_level_checks():
    def dept(dy):
        dy.budget_lines[0].executed = D("201")
        dy.stated = Stated(execution_rate=D("98.6"), total=D("120"))  # 296 / 300 = 98.67%
        dy.measures = "无"
    found = {f.code: f for f in review(with_(dept))}
    assert found["Q-OVERSPEND"].project is None
    assert found["Q-RATE-MISMATCH"].location == "部门整体 / 预算执行率"
    assert found["Q-SCORE-ABOVE-WEIGHT"].field == "总分"
    assert found["Q-BOILERPLATE"].field == "下一步改进措施"


def test_department_rate_matches_at_one_decimal():
    dy = base()
    dy.stated = Stated(execution_rate=D("96.7"))  # 290 / 300 = 96.666…%
    assert "Q-RATE-MISMATCH" not in codes(dy)


def test_negative_target_weaker_than_last_year():
    assert "Q-TARGET-BELOW-LAST-YEAR" in codes(with_(lambda dy: setattr(di(dy, "D2"), "last_year_actual", "5%")))
    assert "Q-TARGET-BELOW-LAST-YEAR" not in codes(with_(lambda dy: setattr(di(dy, "D2"), "last_year_actual", "12%")))


def test_unit_mismatch_exceptions_and_percent_counts():
    assert "Q-UNIT-MISMATCH" in codes(with_(lambda dy: setattrs(pi(dy, "I1"), target_text="≥95%", actual_text="96%")))
    frequency = lambda dy: setattrs(pi(dy, "I1"), name="巡查频率", target_text="≥4次", actual_text="4次")  # noqa: E731
    assert "Q-UNIT-MISMATCH" not in codes(with_(frequency))


def test_budget_cut_flag_and_initial_budget_both_count():
    assert "Q-CUT-TARGETS-CLAIMED" in codes(with_(lambda dy: setattr(p1(dy), "budget_cut_midyear", True)))


def test_boilerplate_in_project_and_rectifications():
    def fill(dy):
        p1(dy).measures = "／"
        dy.rectifications = [Rectification(problem="暂无问题", measure="按期整改", project="P01")]
    found = [f for f in review(with_(fill)) if f.code == "Q-BOILERPLATE"]
    assert {(f.project, f.field) for f in found} == {("P01", "改进措施"), ("P01", "整改事项 1 问题")}


def test_unscorable_indicators_are_all_reported_and_other_checks_still_run():
    def broken(dy):
        pi(dy, "I1").actual_text = "已完成"
        pi(dy, "I2").actual_text = "合格"
        pi(dy, "I4").actual_text = "61人"
    found = review(with_(broken))
    assert {f.indicator for f in found if f.code == "Q-UNSCORABLE"} == {"I1", "I2"}
    assert "Q-TARGET-LOW" in {f.code for f in found}
    assert "Q-MISSING-ACTUAL" not in {f.code for f in found}


def test_blank_values_are_findings_and_the_other_checks_still_run():
    def blanks(dy):
        pi(dy, "I1").weight = None
        setattrs(pi(dy, "I2"), name="资金到位率", target_text="/")  # no target, still an input indicator
        pi(dy, "I4").actual_text = "61人"
        p1(dy).funds[0].executed = None
    found = review(with_(blanks))
    by_code: dict[str, list] = {}
    for f in found:
        by_code.setdefault(f.code, []).append(f)
    assert [f.indicator for f in by_code["Q-MISSING-WEIGHT"]] == ["I1"]
    assert [(f.indicator, f.field) for f in by_code["Q-MISSING-TARGET"]] == [("I2", "指标值")]
    assert "「/」表示没有指标值" in by_code["Q-MISSING-TARGET"][0].message
    assert [f.field for f in by_code["Q-MISSING-EXECUTED"]] == ["执行数"]
    assert {"Q-INPUT-AS-OUTPUT", "Q-TARGET-LOW"} <= set(by_code)
    # a blank is not also a wrong sum, an unreadable target, a missing actual or a 0 % execution
    assert not {"Q-WEIGHT-SUM", "Q-TARGET-UNREADABLE", "Q-MISSING-ACTUAL", "Q-UNSCORABLE",
                "Q-EXECUTION-UNEXPLAINED", "Q-RATE-MISMATCH"} & set(by_code)
    assert all(f.severity == "错误" for code in ("Q-MISSING-WEIGHT", "Q-MISSING-TARGET", "Q-MISSING-EXECUTED")
               for f in by_code[code])


def test_a_blank_draft_is_reviewed_in_one_round():
    dy = base()
    for i in [*dy.indicators, *p1(dy).indicators]:
        setattrs(i, weight=None, target_text=None, actual_text=None)
    dy.budget_lines[1].budget = None
    found = review(dy)
    counts = {code: sum(1 for f in found if f.code == code) for code in {f.code for f in found}}
    assert counts == {"Q-MISSING-WEIGHT": 13, "Q-MISSING-TARGET": 13, "Q-MISSING-BUDGET": 1}


def test_stated_total_over_incomplete_parts_cannot_be_verified():
    dy = with_(lambda dy: setattr(pi(dy, "I1"), "actual_text", None)
               or setattr(p1(dy), "stated", Stated(total=D("80"))))
    f = next(f for f in review(dy) if f.code == "Q-TOTAL-UNVERIFIED")
    assert f.severity == "提示"
    assert "总分无法核实：1 项指标未填写实际完成值" in f.message
    assert "Q-TOTAL-MISMATCH" not in codes(dy)


def test_goal_stage_runs_no_year_end_checks():
    dy = base()
    for i in [*dy.indicators, *p1(dy).indicators]:
        i.actual_text = None
    assert not has_year_end_data(dy)
    assert review(dy) == []
    dy.projects[0].indicators[0].target_text = "有效提高"
    assert [f.code for f in review(dy)] == ["Q-TARGET-VAGUE"]


def test_review_goals_and_year_end_split():
    dy = with_(lambda dy: setattr(pi(dy, "I4"), "actual_text", "61人"))
    assert review_goals(dy) == []
    assert [f.code for f in review_year_end(dy, score_department(dy))] == ["Q-TARGET-LOW"]


# ------------------------------------------------------------------ rules as data

def test_rules_per_scheme_override_and_explicit_rules():
    assert load_rules("dept-default").min_indicators == 8
    assert load_rules("central-2020").min_indicators == load_rules().min_indicators
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["schemes"]["central-2020"] = {"target_low_margin": "0.30"}
    lenient = rules_from_dict(data, "central-2020")
    dy = with_(lambda dy: setattr(pi(dy, "I4"), "actual_text", "61人"))
    assert "Q-TARGET-LOW" not in {f.code for f in review(dy, rules=lenient)}


def test_bad_rules_file_lists_every_problem():
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    data["defaults"]["whole_score_places"] = "abc"
    data["defaults"]["vague_words"] = "有效"
    data["checks"]["Q-TARGET-LOW"]["severity"] = "严重"
    with pytest.raises(InputError) as exc:
        rules_from_dict(data)
    assert len(exc.value.problems) == 3


def test_severity_policy():
    rules = load_rules()
    errors = {c for c, chk in rules.checks.items() if chk.severity == "错误"}
    assert {"Q-TOTAL-MISMATCH", "Q-RATE-MISMATCH", "Q-SCORE-MISMATCH", "Q-WEIGHT-SUM",
            "Q-SCORE-ABOVE-WEIGHT", "Q-GRADE-MISMATCH", "Q-OVERSPEND"} <= errors
    for judgement in ("Q-TARGET-LOW", "Q-TARGET-VAGUE", "Q-SATISFACTION-MISSING", "Q-BOILERPLATE",
                      "Q-CATEGORY-MISSING", "Q-INPUT-AS-OUTPUT"):
        assert rules.severity(judgement) in ("警告", "提示")


# ------------------------------------------------------------------ the demo department

def test_demo_has_no_errors_and_flags_the_seeds_low_targets():
    dy = exchange.read_file(DEMO)
    found = review(dy)
    assert not blocking(found), [f for f in found if f.severity == "错误"]
    low = {f.indicator: f for f in found if f.code == "Q-TARGET-LOW"}
    assert low["D08"].numbers["超额比例"] == "20.67%"  # 实际利用外资 1810 vs 1500


# ------------------------------------------------------------------ summary, gate and draft

def test_summary_blocking_and_draft():
    def mess(dy):
        _stated_parts(dy, "94")
        dy.problems = "暂无"
    dy = with_(mess)
    found = review(dy)
    s = summarize(found)
    assert s["total"] == len(found)
    assert s["by_code"]["Q-TOTAL-MISMATCH"]["count"] == 1
    assert s["by_project"]["P01"]["错误"] >= 1 and s["by_project"]["部门整体"]["警告"] == 1
    assert s["blocking"] and blocking(found)
    assert not blocking([f for f in found if f.severity != "错误"])
    row = department_summary(dy, found)
    assert (row["department"], row["year"], row["total"]) == ("t", 2023, len(found))
    text = draft_problems_text(found)
    assert text.startswith(f"经系统审核，本年度绩效目标设置和自评填报共发现问题 {len(found)} 项")
    assert "一是总分与各项得分合计不符" in text and "问题或措施为套话" in text
    assert draft_problems_text([]) == "经系统审核，未发现绩效目标设置和自评填报方面的问题。"


# ------------------------------------------------------------------ CLI

def test_cli_check_demo_json(capsys):
    assert main(["check", str(DEMO), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["findings"] and all({"code", "severity", "message", "location"} <= set(f) for f in out["findings"])
    assert out["summary"]["by_severity"]["错误"] == 0


def test_cli_check_exit_1_on_errors_and_text_grouped_by_project(tmp_path, capsys):
    path = tmp_path / "t.json"
    exchange.write_file(with_(lambda dy: _stated_parts(dy, "94")), path)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "项目 P01「职业技能培训」（1 项）" in out
    assert "[错误] Q-TOTAL-MISMATCH" in out and "改正后才能提交" in out


def test_cli_check_unreadable_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"broken": ', encoding="utf-8")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "JSON" in err and "Traceback" not in err
    assert main(["check", str(tmp_path / "missing.json")]) == 2


def test_import_summary_counts_findings_with_ledger_feeds(db, demo_dy):
    text = import_summary(demo_dy, "demo.json")
    assert text.startswith("质量审核：发现 ")
    assert "[警告] Q-TARGET-LOW 指标值设置偏低、超额完成较多" in text and "错误 0 项" in text
    # the suggested command lists exactly these findings: the stored year, with the ledger feeds
    assert "查看详情：jixiao check --department demo --year 2022" in text
    assert import_summary(base(), "t.json") == "质量审核：未发现问题。"


def test_cli_check_bulk_workbook(tmp_path, capsys):
    dy = with_(lambda dy: _rate(dy, "31.00"))
    path = tmp_path / "bulk.xlsx"
    write_form(dy, score_department(dy), "bulk", path)
    assert main(["check", str(path), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [f["code"] for f in found] == ["Q-RATE-MISMATCH"]


def test_cli_check_project_forms_reviews_projects_only(tmp_path, capsys, monkeypatch):
    path = tmp_path / "self-eval.xlsx"
    path.write_bytes(b"")
    projects = with_(lambda dy: setattr(pi(dy, "I4"), "actual_text", "61人")).projects
    monkeypatch.setattr(check_cmds, "read_if_published", lambda p: None)  # a jixiao form, not a published table
    monkeypatch.setattr(excel, "import_file",
                        lambda p: ImportOutcome(projects, form="project-forms", department_code="t", year=2023))
    assert main(["check", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["project"]) for f in found] == [("Q-TARGET-LOW", "P01")]


def test_full_marks_within_rounding_of_the_computed_score_is_accepted():
    def near_full(dy):
        setattrs(pi(dy, "I1"), target_text="≥1000人", actual_text="999人", deviation_reason="1人缺考",
                 stated_score=D("20"))  # computed 19.98
    assert not {"Q-FULL-MARKS-MISSED", "Q-SCORE-MISMATCH"} & codes(with_(near_full))


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999999.99"), places=2)


@settings(max_examples=150, deadline=None)
@given(budget=amounts, share=st.decimals(min_value=D("0"), max_value=D("1"), places=4), places=st.integers(0, 3))
def test_property_a_correctly_rounded_stated_rate_never_mismatches(budget, share, places):
    executed = (budget * share).quantize(D("0.01"))
    dy = base()
    p = p1(dy)
    p.funds[0] = FundLine("一般公共预算", budget, executed)
    p.execution_explanation = "说明"
    rate = executed / budget
    p.stated = Stated(execution_rate=D(fmt_pct_number(rate, places)))
    assert "Q-RATE-MISMATCH" not in codes(dy)
    p.stated = Stated(execution_rate=D(fmt_pct_number(rate, places)) + D(1).scaleb(-places))
    assert "Q-RATE-MISMATCH" in codes(dy)


@settings(max_examples=100, deadline=None)
@given(actual=st.integers(min_value=1, max_value=99))
def test_property_stated_score_equal_to_computed_is_never_flagged(actual):
    def fill(dy):
        setattrs(pi(dy, "I1"), actual_text=f"{actual}人", deviation_reason="未满员")
    dy = with_(fill)
    computed = next(r for r in score_department(dy).projects[0].indicators if r.code == "I1").score
    pi(dy, "I1").stated_score = D(fmt_score(computed))
    assert not {"Q-SCORE-MISMATCH", "Q-FULL-MARKS-MISSED", "Q-DEDUCTED-MET"} & codes(dy)


def test_a_file_of_project_tables_has_no_department_block_to_review():
    dy = with_(lambda dy: setattr(dy, "indicators", []))
    assert "Q-TOO-FEW" not in {f.code for f in review(dy) if f.project is None}
    dy.projects = []  # a report of budget figures only: the department has no indicator at all
    assert "Q-TOO-FEW" in {f.code for f in review(dy) if f.project is None}


def test_figures_in_the_narrative_are_checked_against_the_data_at_submission():
    """712 人次 in the data (and in one section), 721 in another: a warning with both values,
    the same the drafted report gives — so it is seen before submitting."""
    dy = exchange.read_file(DEMO)
    assert [f for f in review(dy) if f.code == "Q-NARRATIVE-FIGURE"] == []
    dy.achievements += "全年出动走访企业712人次。"
    dy.problems += "全年出动走访企业721人次。"
    found = [f for f in review(dy) if f.code == "Q-NARRATIVE-FIGURE"]
    assert found and all(f.severity == "警告" for f in found)
    text = " ".join(f.message for f in found)
    assert "721人次" in text and "712人次" in text
