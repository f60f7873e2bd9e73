"""The demo department reproduces every figure of the seed report by computation from its data."""
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.core.display import fmt_amount, fmt_rate, fmt_score
from jixiao.core.scoring import score_department
from jixiao.exchange import read_file

DEMO = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"
D = Decimal


@pytest.fixture(scope="module")
def demo():
    dy = read_file(DEMO)
    return dy, score_department(dy)


def test_department_budget_and_execution(demo):
    _, res = demo
    assert (res.budget, res.executed) == (D("1153.25"), D("1104.37"))
    assert fmt_rate(res.execution.rate, 2) == "95.76%"
    assert fmt_rate(res.execution.rate) == "95.8%"


def test_fund_sources_and_natures(demo):
    _, res = demo
    assert res.by_source["一般公共预算"][1] == D("1104.37")
    for other in ("政府性基金预算", "国有资本经营预算", "其他"):
        assert res.by_source[other] == (D("0"), D("0"))
    assert res.by_nature["基本支出"][1] == D("491.48")
    assert res.by_nature["项目支出"][1] == D("612.89")


def test_eleven_projects_sum_to_project_expenditure(demo):
    dy, res = demo
    assert len(res.projects) == 11
    assert sum(p.executed for p in res.projects) == D("612.89")
    assert sum(p.budget for p in res.projects) == res.by_nature["项目支出"][0]


@pytest.mark.parametrize("name, budget, executed, rate", [
    ("仲裁解除用地合同经费", "207.5", "185.3", "89.3%"),
    ("企业服务工作经费", "150", "149.58", "99.7%"),
    ("广州开发区穗港科技合作园用地摸查及产业提升规划", "94.6", "86", "90.9%"),
])
def test_named_projects(demo, name, budget, executed, rate):
    _, res = demo
    (p,) = [p for p in res.projects if p.name == name]
    assert (fmt_amount(p.budget), fmt_amount(p.executed), fmt_rate(p.execution.rate)) == (budget, executed, rate)


def test_investment_indicators_and_their_implied_targets(demo):
    _, res = demo
    by_name = {i.name: i for i in res.indicators}
    fdi = by_name["实际利用外资"]
    assert fmt_rate(fdi.over_completion, 2) == "20.67%"
    registered = by_name["注册项目数"]
    assert fmt_rate(registered.ratio, 0) == "121%"


def test_score_and_grade(demo):
    _, res = demo
    assert res.total == D("96") and fmt_score(res.total) == "96"
    assert res.grade == "优"


def test_illustrative_values_are_marked(demo):
    dy, _ = demo
    named = {"仲裁解除用地合同经费", "企业服务工作经费", "广州开发区穗港科技合作园用地摸查及产业提升规划"}
    assert {p.name: p.origin for p in dy.projects if p.name in named} == dict.fromkeys(named, "报告")
    assert [p.origin for p in dy.projects if p.name not in named] == ["示例"] * 8
    # the split by line is not in the report
    assert dy.budget_lines and {line.origin for line in dy.budget_lines} == {"示例"}
