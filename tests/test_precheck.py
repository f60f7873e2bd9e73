"""预检: every rule of the default 复核 pack has a case that triggers it and a near miss; the
reviewer's score is the self-score less the pack's deductions; ``jixiao precheck`` exit codes."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from jixiao import exchange
from jixiao.core.model import Department, DepartmentYear, FundLine, Indicator, Project
from jixiao.core.precheck import load_pack, run_pack
from jixiao.core.scoring import score_department

D = Decimal


def ind(code: str, name: str, target: str, actual: str, weight: str, level1: str = "产出指标",
        level2: str = "数量指标", **kw) -> Indicator:
    return Indicator(code=code, level1=level1, level2=level2, name=name, target_text=target, actual_text=actual,
                     weight=D(weight), **kw)


def base() -> list[Indicator]:
    """A training project's indicators that pass every rule: 90 points beside execution's 10."""
    return [
        ind("I1", "职业技能培训人次", "≥200人次", "236人次", "30"),
        ind("I2", "培训考核合格率", "≥95%", "97%", "20", level2="质量指标"),
        ind("I3", "培训完成时间", "11月底前", "10月", "10", level2="时效指标"),
        ind("I4", "参训学员持证上岗率", "≥90%", "93%", "20", level1="效益指标", level2="社会效益指标"),
        ind("I5", "参训学员满意度", "≥90%", "95%", "10", level1="满意度指标", level2="服务对象满意度指标",
            data_source="参训学员问卷调查"),
    ]


def run(indicators: list[Indicator], evidence=None, **dy_fields):
    p = Project(code="P01", name="职业技能培训补助项目", goal="开展职业技能培训，提高学员持证上岗水平",
                funds=[FundLine("一般公共预算", D("100"), D("100"))], indicators=indicators)
    dy = DepartmentYear(department=Department("case", "示例单位"), year=2025, projects=[p], **dy_fields)
    return run_pack(dy, score_department(dy), load_pack(), evidence)


def codes(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in result.findings:
        out.setdefault(f.code, set()).add(f.indicator)
    return out


def test_the_clean_case_has_no_finding_and_the_same_scores():
    result = run(base())
    assert result.findings == []
    assert all(r.self_score == r.review_score for r in result.indicators)


def with_(i: int, **changes) -> list[Indicator]:
    rows = base()
    for k, v in changes.items():
        setattr(rows[i], k, v)
    return rows


CASES = [
    # (rule, indicators that trigger it, the near miss)
    ("R-WEIGHTS-100", with_(0, weight=D("25")), with_(0, weight=D("30"))),
    ("R-EMPTY-TARGET", with_(1, target_text="—"), with_(1, target_text="≥95%")),
    ("R-VAGUE-TARGET", with_(3, target_text="有所提升", actual_text="有所提升"),
     with_(3, target_text="持证上岗率提升至90%", actual_text="93%")),
    ("R-QUALITATIVE-NO-CRITERION", with_(3, target_text="明显提升", actual_text="明显提升"),
     with_(3, target_text="通过省级验收", actual_text="通过省级验收")),
    ("R-SATISFACTION-NO-SURVEY", with_(4, data_source="工作台账"), with_(4, data_source="现场问卷调查")),
    ("R-OVER-130", with_(0, actual_text="300人次"), with_(0, actual_text="250人次")),
    ("R-TIMELINESS-PARTIAL", with_(2, actual_text="12月", stated_score=D("10")),
     with_(2, actual_text="11月", stated_score=D("10"))),
    ("R-QUANTITY-IS-SPENDING", with_(0, name="培训资金拨付到位率", target_text="100%", actual_text="100%"),
     with_(0, name="培训到场学员数", target_text="≥200人次", actual_text="236人次")),
    ("R-NO-REASON", with_(0, actual_text="180人次"), with_(0, actual_text="180人次",
                                                        deviation_reason="受疫情影响延期两期，扣 3 分")),
    ("R-REASON-MISMATCH", with_(0, actual_text="180人次", deviation_reason="两期延期，扣 5 分"),
     with_(0, actual_text="180人次", deviation_reason="两期延期，扣 3 分")),
    ("R-UNRELATED", with_(1, name="道路绿化养护面积", target_text="≥95%", actual_text="97%"),
     with_(1, name="培训教材发放覆盖率", target_text="≥95%", actual_text="97%")),
]


@pytest.mark.parametrize("rule, hit, miss", CASES, ids=[c[0] for c in CASES])
def test_each_rule_triggers_and_its_near_miss_does_not(rule, hit, miss):
    assert rule in codes(run(hit)), [f.code for f in run(hit).findings]
    assert rule not in codes(run(miss)), [f.message for f in run(miss).findings]


def test_duplicates_count_once_and_the_effect_one_loses():
    rows = base()
    rows.append(ind("I6", "职业技能培训人次", "≥200人次", "236人次", "0", level1="效益指标", level2="社会效益指标"))
    rows[3].weight = D("20")
    result = run(rows)
    assert codes(result).get("R-DUPLICATE") == {"I6"}
    near = base()
    near.append(ind("I6", "职业技能培训人次", "≥200人次", "236人次", "0"))  # both 产出: another rule's business
    assert "R-DUPLICATE" not in codes(run(near))


def test_evidence_is_required_only_where_it_is_known():
    assert "R-NO-EVIDENCE" not in codes(run(base()))  # a file: unknown, not deducted
    result = run(base(), evidence={("P01", "I1"): 2, ("P01", "I2"): 1, ("P01", "I3"): 1, ("P01", "I4"): 1,
                                    ("P01", "I5"): 1})
    assert "R-NO-EVIDENCE" not in codes(result)
    result = run(base(), evidence={("P01", "I2"): 1, ("P01", "I3"): 1, ("P01", "I4"): 1, ("P01", "I5"): 1})
    assert codes(result)["R-NO-EVIDENCE"] == {"I1"}
    review = next(r for r in result.indicators if r.code == "I1")
    assert (review.self_score, review.review_score, review.difference) == (D("30"), D("0"), D("30"))


def test_the_project_count_stated_in_the_narrative_must_match():
    assert "R-PROJECT-COUNT" in codes(run(base(), work_tasks="全年共实施 3 个项目。"))
    assert "R-PROJECT-COUNT" not in codes(run(base(), work_tasks="全年共实施 1 个项目。"))
    assert run(base(), work_tasks="全年共实施 3 个项目。").blocking


def test_deductions_never_take_more_than_the_weight():
    rows = with_(4, target_text="—", data_source="", stated_score=D("10"))  # two 100 % rules at once
    review = next(r for r in run(rows).indicators if r.code == "I5")
    assert review.review_score == 0


def test_the_vague_deduction_is_sixty_percent_of_the_weight():
    rows = with_(3, target_text="有所提升", actual_text="有所提升")
    result = run(rows)
    f = next(f for f in result.findings if f.code == "R-VAGUE-TARGET")
    assert f.deduction == D("12") and f.severity == "P1"


def test_the_demo_gets_findings_with_severities(cli):
    ran = cli("precheck", "jixiao/data/demo/department-2022.json", "--json")
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert doc["findings"] and {f["severity"] for f in doc["findings"]} <= {"P0", "P1", "P2"}
    assert all({"code", "severity", "message", "indicator"} <= f.keys() for f in doc["findings"])


def test_precheck_exit_codes(cli, tmp_path):
    dy = exchange.read_file("jixiao/data/demo/department-2022.json")
    dy.work_tasks = "全年共实施 12 个项目。"
    path = tmp_path / "p0.json"
    exchange.write_file(dy, path)
    assert cli("precheck", path).returncode == 1
    missing = cli("precheck", tmp_path / "none.json")
    assert missing.returncode == 2 and "找不到" in missing.stderr
    assert cli("precheck", path, "--pack", "none").returncode == 2
