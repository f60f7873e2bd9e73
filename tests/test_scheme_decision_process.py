"""The four-block frame of many local evaluation tables (决策 15 + 过程 20 + 产出 35 + 效益 30), added
as data only: the recipe "add a scoring scheme" of CONTRIBUTING.md, done once."""
from __future__ import annotations

from decimal import Decimal as D

from jixiao.core import model
from jixiao.core.quality import review_goals
from jixiao.core.schemes import load_scheme
from jixiao.core.scoring import check_weights, score_project

SCHEME = "decision-process-15-20-35-30"


def _indicator(code: str, level1: str, level2: str, weight: str, target: str, actual: str) -> model.Indicator:
    return model.Indicator(code=code, level1=level1, level2=level2, name=f"{level2}{code}", target_text=target,
                           weight=D(weight), actual_text=actual)


def _project() -> model.Project:
    return model.Project(
        code="P1", name="老旧小区改造", funds=[model.FundLine("一般公共预算", D("200"), D("180"))],
        indicators=[
            _indicator("I1", "项目决策", "项目立项", "5", "按期完成", "按期完成"),
            _indicator("I2", "项目决策", "绩效目标", "5", "按期完成", "按期完成"),
            _indicator("I3", "项目决策", "资金投入", "5", "按期完成", "按期完成"),
            _indicator("I4", "项目过程", "资金管理", "15", "按期完成", "按期完成"),
            _indicator("I5", "项目产出", "产出数量", "35", "≥20个", "16个"),
            _indicator("I6", "项目效益", "满意度", "30", "≥90%", "95%"),
        ],
    )


def test_the_scheme_adds_up_with_execution_inside_the_process_block():
    s = load_scheme(SCHEME)
    weights = {c.level1: c.weight for c in s.categories}
    assert weights == {"项目决策": 15, "项目过程": 20, "项目产出": 35, "项目效益": 30}
    assert (s.execution.level1, s.execution.weight) == ("项目过程", D(5))
    assert sum(c.weight for c in s.categories) == s.total == D(100)


def test_a_project_in_the_four_block_frame_scores_and_its_weights_fit():
    p = _project()
    s = load_scheme(SCHEME)
    assert check_weights(p.indicators, s) == []
    result = score_project(p, s)
    # execution 180/200 = 90% of 5 = 4.5; quantity 16/20 = 80% of 35 = 28; the rest full marks
    assert result.execution.score == D("4.5")
    assert result.total == D(15) + D(15) + D(28) + D(30) + D("4.5")
    assert result.grade == "优"  # 92.5


def test_goal_review_knows_the_frame_s_first_level_classes():
    p = _project()
    dy = model.DepartmentYear(department=model.Department("t", "测试单位"), year=2026, project_template=SCHEME,
                              projects=[p])
    assert not [f for f in review_goals(dy) if f.code in ("Q-LEVEL1-UNKNOWN", "Q-WEIGHT-SUM")]
