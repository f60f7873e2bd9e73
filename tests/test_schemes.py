"""Scoring schemes (评分方案) as data: every shipped file loads, adds up, and encodes its rule."""
from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest

from jixiao.core.errors import InputError
from jixiao.core.schemes import SCHEME_DIR, list_schemes, load_scheme, scheme_from_dict

SHIPPED = ("central-2020", "central-101", "sichuan-10-90", "hubei-20-40-40", "dept-default", "dept-step-2022",
           "decision-process-15-20-35-30", "output-40-benefit-40-satisfaction-20",
           "execution-10-output-40-benefit-30-satisfaction-20")


def test_all_shipped_schemes_are_listed() -> None:
    assert {t.id for t in list_schemes()} == set(SHIPPED)


@pytest.mark.parametrize("scheme_id", SHIPPED)
def test_scheme_adds_up_and_has_provenance(scheme_id: str) -> None:
    t = load_scheme(scheme_id)
    own_block = t.execution.weight if t.execution.level1 is None else D(0)
    assert own_block + sum(c.weight for c in t.categories) == t.total == D(100)
    assert t.version and t.source
    assert any(tag in t.source for tag in ("confirmed", "recalled", "inferred"))
    assert [g.name for g in t.grades] == ["优", "良", "中", "差"]
    assert [g.min for g in t.grades] == [D(90), D(80), D(60), D(0)]
    assert t.over_completion_margin == D("0.2")
    assert t.ref == f"{t.id}@{t.version}"


@pytest.mark.parametrize(
    ("scheme_id", "execution", "split"),
    [
        ("central-2020", 10, {"产出指标": 50, "效益指标": 30, "满意度指标": 10}),
        ("central-101", 10, {"产出指标": 40, "成本指标": 10, "效益指标": 30, "满意度指标": 10}),
        ("sichuan-10-90", 10, {"产出指标": 60, "效益指标": 30}),
        ("hubei-20-40-40", 20, {"产出指标": 40, "效益指标": 40}),
        ("dept-default", 10, {"预算编制": 10, "预算执行": 30, "绩效管理": 10, "履职效能": 35, "社会效应": 15}),
    ],
)
def test_weights(scheme_id: str, execution: int, split: dict[str, int]) -> None:
    t = load_scheme(scheme_id)
    assert t.execution.weight == execution
    assert {c.level1: c.weight for c in t.categories} == {k: D(v) for k, v in split.items()}


def test_taxonomies() -> None:
    old, new = load_scheme("central-2020"), load_scheme("central-101")
    assert "成本指标" in old.category("产出指标").level2
    assert "可持续影响指标" in old.category("效益指标").level2
    assert new.category("成本指标") is not None
    assert "成本指标" not in new.category("产出指标").level2
    assert "服务对象满意度指标" in load_scheme("sichuan-10-90").category("效益指标").level2


def test_department_schemes_put_execution_inside_budget_execution() -> None:
    default, step = load_scheme("dept-default"), load_scheme("dept-step-2022")
    assert default.kind == step.kind == "department"
    assert default.execution.level1 == step.execution.level1 == "预算执行"
    assert default.execution.strategy == "proportional"
    assert (step.execution.strategy, step.execution.step, step.execution.step_points, step.execution.step_rounding) == (
        "step_deduction", D(5), D(2), "ceil",
    )
    assert [c.level1 for c in default.categories] == [c.level1 for c in step.categories]


def test_qualitative_bands() -> None:
    q = load_scheme("central-2020").qualitative
    assert tuple(q["达成"]) == (D("0.8"), D("1"), D("1"))
    assert tuple(q["部分达成"]) == (D("0.6"), D("0.8"), D("0.7"))
    assert tuple(q["未达成"]) == (D("0"), D("0.6"), D("0.3"))
    assert q["达成"].contains(D("0.8")) and q["达成"].contains(D("1"))
    assert not q["部分达成"].contains(D("0.8"))  # upper bound exclusive below 1
    assert q["部分达成"].contains(D("0.6")) and q["未达成"].contains(D("0"))
    assert not q["未达成"].contains(D("0.6"))


def test_unknown_scheme_names_the_known_ones() -> None:
    with pytest.raises(InputError, match="central-2020"):
        load_scheme("no-such-scheme")
    with pytest.raises(InputError):
        load_scheme("../schemes/central-2020")


def _raw(scheme_id: str) -> dict:
    with (SCHEME_DIR / f"{scheme_id}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def test_broken_scheme_reports_every_problem() -> None:
    data = copy.deepcopy(_raw("central-2020"))
    data["categories"][0]["weight"] = 55
    data["execution"]["strategy"] = "lottery"
    data["qualitative"]["部分达成"]["default"] = 0.9
    data["grades"] = [g for g in data["grades"] if g["grade"] != "差"]
    with pytest.raises(InputError) as exc:
        scheme_from_dict(data, "x.json")
    messages = " ".join(p.message for p in exc.value.problems)
    assert len(exc.value.problems) == 4
    assert "合计 105" in messages and "计分方式" in messages and "默认比例" in messages and "下限应为 0" in messages


def test_step_deduction_needs_step_and_points() -> None:
    data = copy.deepcopy(_raw("dept-step-2022"))
    del data["execution"]["step_points"]
    with pytest.raises(InputError, match="step_points"):
        scheme_from_dict(data)


def test_execution_level1_must_exist() -> None:
    data = copy.deepcopy(_raw("dept-default"))
    data["execution"]["level1"] = "不存在"
    with pytest.raises(InputError, match="不存在"):
        scheme_from_dict(data)
