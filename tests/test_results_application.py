"""结果应用 rules (rules/results.json) and the pure proposal: each grade's consequence and the
proposed amount 全年预算 × factor, the review's grade replacing the self-evaluation's, and no
proposal (with the reason) when the grade or the budget is missing."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jixiao.core.errors import InputError
from jixiao.core.results import ExecutionResult, ProjectResult
from jixiao.core.results_application import RULES_PATH, load_results_rules, propose, rules_from_dict


def _project(total: str | None, grade: str | None, budget: str | None = "207.5") -> ProjectResult:
    execution = ExecutionResult(None, None, None, Decimal(10), None, [])
    return ProjectResult(code="P01", name="仲裁解除用地合同经费", budget=Decimal(budget) if budget else None,
                         executed=None, execution=execution, indicators=[],
                         total=Decimal(total) if total else None, grade=grade, trace_steps=[],
                         reason=None if total else "总分无法核实：1 项指标未填写分值")


def test_shipped_rules_give_every_grade_a_consequence_and_a_source():
    data = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    assert data["source"] and data["in_force"]
    for variant in data["variants"]:
        rules = load_results_rules(variant["id"])
        assert rules.source, variant["id"]
        assert set(rules.grades) == {"优", "良", "中", "差"}
        factors = [rules.grades[g].factor for g in ("优", "良", "中", "差")]
        assert factors == sorted(factors, reverse=True)  # a lower grade never gets more


def test_default_consequences():
    rules = load_results_rules()
    assert [rules.grades[g].consequence for g in ("优", "良", "中", "差")] == [
        "优先保障", "正常安排", "压减", "取消或大幅压减"]


@pytest.mark.parametrize("grade", ["优", "良", "中", "差"])
def test_proposal_is_the_budget_times_the_grade_factor(grade):
    rules = load_results_rules()
    p = propose(_project("80", grade), rules)
    assert p.proposed == Decimal("207.5") * rules.grades[grade].factor
    assert isinstance(p.proposed, Decimal) and p.grade_basis == "自评" and p.reason is None


def test_the_review_grade_is_the_one_in_force():
    rules = load_results_rules()
    p = propose(_project("92", "优"), rules, reviewed=(Decimal("75"), "中"))
    assert (p.grade, p.grade_basis, p.score) == ("中", "复核", Decimal("75"))
    assert p.consequence is not None and p.consequence.consequence == "压减"
    assert p.proposed == Decimal("207.5") * rules.grades["中"].factor


def test_no_proposal_without_a_grade_or_a_budget():
    rules = load_results_rules()
    p = propose(_project(None, None), rules)
    assert p.proposed is None and "总分无法核实" in (p.reason or "")
    p = propose(_project("95", "优", budget=None), rules)
    assert p.proposed is None and p.consequence is not None and "未填写全年预算" in (p.reason or "")


def test_local_variant_changes_the_consequence():
    local = load_results_rules("dazhou-commerce")
    p = propose(_project("50", "差"), local)
    assert p.consequence is not None and p.consequence.consequence == "取消或暂停下年度安排"
    assert p.proposed == Decimal(0)


def test_bad_rules_are_refused_with_the_place():
    data = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    data["variants"][0]["grades"]["中"]["factor"] = "九折"
    with pytest.raises(InputError) as caught:
        rules_from_dict(data)
    assert "grades.中" in str(caught.value) and "九折" in str(caught.value)
    with pytest.raises(InputError, match="没有方案"):
        rules_from_dict(data, "no-such")
