"""Mid-year monitoring: time progress, warning boundaries, forecasts, indicator warnings, the
submission rule, the CLI and the Word report on the demo department."""
from __future__ import annotations

import copy
import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from docx import Document

from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.cli import main
from jixiao.core.display import fmt_pct_number
from jixiao.core.errors import InputError
from jixiao.core.model import Checkpoint, Department, DepartmentYear, FundLine, Indicator, IndicatorProgress, Project
from jixiao.core.monitoring import (
    RULES_PATH,
    assess_department,
    assess_indicator,
    assess_project,
    department_submission_problems,
    execution_progress,
    forecast,
    load_monitoring_rules,
    review_monitoring,
    rules_from_dict,
    submission_problems,
    time_progress,
    warning_level,
)
from jixiao.core.schemes import load_scheme
from jixiao.web.demo import load_web_demo

D = Decimal
DEMO_FILE = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"
RULES = load_monitoring_rules()
RULE = load_scheme("central-2020").execution


def project(budget: str, monthly: list[str], code: str = "X01", origin: str = "录入", **kw) -> Project:
    return Project(
        code=code, name="测试项目", funds=[FundLine("一般公共预算", D(budget), D(0))],
        monthly_executed={m: D(v) for m, v in enumerate(monthly, start=1)}, origin=origin, **kw,
    )


# ---------------------------------------------------------------- time and levels


def test_time_progress_july_and_june():
    assert time_progress(7) == D(7) / D(12)
    assert fmt_pct_number(time_progress(7), 1) == "58.3"
    assert time_progress(6) == D("0.5")


@pytest.mark.parametrize("month", [0, 13, -1])
def test_time_progress_rejects_bad_month(month):
    with pytest.raises(InputError, match="1～12"):
        time_progress(month)


@pytest.mark.parametrize(
    ("execution", "level"),
    [("0.5", "green"), ("0.6", "green"), ("0.4999", "yellow"), ("0.4", "yellow"), ("0.3999", "red"), ("0", "red")],
)
def test_warning_boundaries_june(execution, level):
    assert warning_level(D("0.5"), D(execution), D("1"), RULES) == level


def test_warning_boundaries_july_exact_fractions():
    t = time_progress(7)
    at_t = execution_progress(project("12", ["1"] * 7), 7)  # 7 / 12
    at_band = execution_progress(project("120", ["58"] + ["0"] * 6), 7)  # 58/120 = t − 10pp
    below = execution_progress(project("120", ["57.99"] + ["0"] * 6), 7)
    assert warning_level(t, at_t, None, RULES) == "green"
    assert warning_level(t, at_band, None, RULES) == "yellow"
    assert warning_level(t, below, None, RULES) == "red"


def test_forecast_floor_makes_red():
    assert warning_level(D("0.5"), D("0.6"), D("0.8999"), RULES) == "red"
    assert warning_level(D("0.5"), D("0.6"), D("0.9"), RULES) == "green"


def test_margins_are_configurable():
    narrow = dataclasses.replace(RULES, yellow_band=D("0.05"), forecast_floor=D("0.8"))
    assert warning_level(D("0.5"), D("0.44"), D("0.85"), narrow) == "red"
    assert warning_level(D("0.5"), D("0.45"), D("0.85"), narrow) == "yellow"


# ---------------------------------------------------------------- forecast

FLAT = ["10"] * 12  # 120 a year
BACK = ["2"] * 7 + ["5", "5", "10", "20", "66"]  # 120, most of it in December
FRONT = ["20", "20", "20", "15", "10", "10", "5", "5", "5", "4", "3", "3"]  # 120


def test_forecast_flat_linear_is_exact():
    f = forecast(project("120", FLAT[:7]), 7, rule=RULE)
    assert f.method == "linear" and "线性" in f.description
    assert f.executed == D(120) and f.rate == D(1) and f.score == D(10)


def test_forecast_back_loaded_linear_underestimates_history_corrects():
    p = project("120", BACK[:7])
    linear = forecast(p, 7, rule=RULE)
    assert linear.executed == D(24)  # 14 × 12 / 7
    assert linear.rate == D("0.2") and linear.score == D(2)
    hist = forecast(p, 7, [{m: D(v) for m, v in enumerate(BACK, 1)}], rule=RULE, basis="本项目 2021年 的")
    assert hist.method == "history" and "本项目 2021年 的月度支出规律" in hist.description
    assert hist.executed == D(120) and hist.score == D(10)


def test_forecast_front_loaded_linear_overestimates_history_corrects():
    p = project("120", FRONT[:7])
    linear = forecast(p, 7, rule=RULE)
    assert linear.executed > D(120) and linear.score == D(10)  # capped at full marks
    hist = forecast(
        p, 7, [{m: D(v) for m, v in enumerate(FRONT, 1)}, {m: D(v) for m, v in enumerate(FRONT, 1)}], rule=RULE
    )
    assert hist.executed == D(120)


def test_forecast_history_without_spending_falls_back_to_linear():
    f = forecast(project("120", FLAT[:7]), 7, [{m: D(0) for m in range(1, 13)}], rule=RULE)
    assert f.method == "linear" and "无法按以往规律推算" in f.description


def test_forecast_step_rule_from_template():
    step = load_scheme("dept-step-2022").execution
    f = forecast(project("100", ["7"] * 6), 6, rule=step)  # 84 of 100
    assert f.rate == D("0.84") and f.score < step.weight


# ---------------------------------------------------------------- indicators and submission


def ind(target: str, code: str = "I1") -> Indicator:
    return Indicator(code, "产出指标", "数量指标", "指标", target, D(10))


@pytest.mark.parametrize(
    ("target", "forecast_text", "likelihood", "level"),
    [
        ("≥10公顷", "10公顷", "确定能", "green"),
        ("≥10公顷", "8公顷", "确定能", "yellow"),
        ("≥10公顷", "10公顷", "有可能", "yellow"),
        ("≥10公顷", "10公顷", "完全不可能", "red"),
        ("≤90万元", "95万元", "确定能", "yellow"),
        ("≤90万元", "80万元", "确定能", "green"),
        ("按期完成", "部分节点未按期完成", "确定能", "yellow"),
    ],
)
def test_indicator_levels(target, forecast_text, likelihood, level):
    got = assess_indicator(ind(target), IndicatorProgress("I1", "", forecast_text, likelihood), RULES)
    assert got.level == level


def test_projected_completion_ratio():
    got = assess_indicator(ind("≥10公顷"), IndicatorProgress("I1", "4公顷", "8公顷", "有可能"), RULES)
    assert got.projected_completion == D("0.8") and got.progress_rate == D("0.4")
    assert any("80.0%" in r for r in got.reasons)


def test_red_funds_cannot_be_submitted_without_measures():
    cp = Checkpoint(month=7)
    p = project("100", ["1"] * 7, checkpoints=[cp])
    assessed = assess_project(p, 7, RULES, rule=RULE)
    assert assessed.level == "red"
    problems = submission_problems(cp, assessed)
    assert [pr.field for pr in problems] == ["纠偏措施"] and "资金执行" in problems[0].location
    cp.measures = "加快合同签订和支付进度。"
    assert submission_problems(cp, assess_project(p, 7, RULES, rule=RULE)) == []


def test_impossible_indicator_cannot_be_submitted_without_measures():
    prog = IndicatorProgress("I1", "2个", "10个", "完全不可能")
    cp = Checkpoint(month=7, indicators=[prog])
    p = project("12", ["1"] * 7, checkpoints=[cp], indicators=[ind("≥10个")])
    problems = submission_problems(cp, assess_project(p, 7, RULES, rule=RULE))
    assert len(problems) == 1 and problems[0].field == "纠偏措施" and "完全不可能" in problems[0].message
    prog.measures = "调整实施方案，增加人员。"
    assert submission_problems(cp, assess_project(p, 7, RULES, rule=RULE)) == []


def test_yellow_items_do_not_block_submission_but_bad_causes_do():
    prog = IndicatorProgress("I1", "", "10个", "有可能", causes=["天气"])
    cp = Checkpoint(month=7, indicators=[prog], causes=["经费"])
    p = project("12", ["1"] * 7, checkpoints=[cp], indicators=[ind("≥10个")])
    problems = submission_problems(cp, assess_project(p, 7, RULES, rule=RULE))
    assert sorted(pr.field for pr in problems) == ["偏差原因", "偏差原因"]


# ---------------------------------------------------------------- key monitoring, rules


def test_key_monitoring_threshold_inclusive():
    assert assess_project(project("100", ["1"]), 1, RULES, rule=RULE).key_monitoring
    assert not assess_project(project("99.99", ["1"]), 1, RULES, rule=RULE).key_monitoring
    assert assess_project(project("1000000", ["1"]), 1, RULES, money_unit="元", rule=RULE).key_monitoring


def test_bad_rules_report_every_problem():
    data = json.loads(json.dumps(dataclasses.asdict(RULES), default=str))  # wrong shape on purpose
    with pytest.raises(InputError) as exc:
        rules_from_dict(data)
    fields = " ".join(p.location for p in exc.value.problems)
    assert "cutoff_month" not in fields and "yellow_band_pp" in fields and "forecast_floor_pct" in fields


def test_rules_file_values():
    assert RULES.cutoff_month == 7 and RULES.yellow_band == D("0.1") and RULES.forecast_floor == D("0.9")
    assert RULES.key_project_budget == D(100) and RULES.key_project_unit == "万元"
    assert RULES.likelihood_levels == {"确定能": "green", "有可能": "yellow", "完全不可能": "red"}


# ---------------------------------------------------------------- the demo department


def test_demo_assessment(demo_dy):
    r = assess_department(demo_dy, 7)
    assert fmt_pct_number(r.time_progress, 1) == "58.3"
    assert r.origin == "示例" and all(p.origin == "示例" for p in r.projects)
    p01 = r.project("P01")
    assert p01.executed_to_date == D("44.47") and p01.key_monitoring and p01.level == "red"
    assert not r.project("P03").key_monitoring
    assert r.totals.budget == sum((p.budget for p in demo_dy.projects), D(0))
    assert r.key_monitoring
    levels = [w.level for w in r.warnings]
    assert levels == sorted(levels, key=["red", "yellow", "green"].index)
    assert any(w.indicator == "P01-I4" and "80.0%" in w.message for w in r.warnings)
    assert department_submission_problems(demo_dy, r) == []


def test_demo_history_profile_forecast(demo_dy):
    earlier = copy.deepcopy(demo_dy)
    earlier.year = 2021
    r = assess_department(demo_dy, 7, history=[earlier])
    p01 = r.project("P01")
    assert p01.forecast.method == "history" and "本项目 2021年" in p01.forecast.description
    assert p01.forecast.executed == D("185.30")  # the same profile gives back the year's total


def test_cli_json_from_file(capsys, tmp_path):
    out = tmp_path / "m.docx"
    assert main(["monitor", "--file", str(DEMO_FILE), "--month", "7", "--json", "--docx", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["time_progress"] == "58.3" and data["origin"] == "示例"
    p01 = data["projects"][0]
    assert p01["code"] == "P01" and p01["origin"] == "示例" and p01["key_monitoring"] is True
    assert (p01["budget"], p01["executed_to_date"], p01["execution_progress"]) == ("207.5", "44.47", "21.4")
    assert p01["level"] == "red" and p01["forecast"]["method"] == "linear"
    assert p01["forecast"]["rate"] == "36.7" and "线性" in p01["forecast"]["description"]
    assert {i["code"] for i in p01["indicators"] if i["reported"]} == {"P01-I1", "P01-I3", "P01-I4"}
    assert data["warnings"] and data["warnings"][0]["level"] == "red"

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "示例" in text and "序时进度为 58.3%" in text
    cells = [c.text for t in Document(str(out)).tables for row in t.rows for c in row.cells]
    assert "与仲裁委沟通加快开庭安排，按合同节点支付律师费。" in cells


def test_cli_text_marks_sample_data(capsys):
    assert main(["monitor", "--file", str(DEMO_FILE)]) == 0
    out = capsys.readouterr().out
    assert "〔含示例数据〕" in out and "P01 仲裁解除用地合同经费〔示例〕" in out and "序时进度 58.3%" in out


@pytest.mark.parametrize("argv", [["--month", "13"], ["--month", "0"]])
def test_cli_bad_month_exit_2(capsys, argv):
    assert main(["monitor", "--file", str(DEMO_FILE), *argv]) == 2
    assert "截止月份" in capsys.readouterr().err


def test_cli_from_database(stored_demo, capsys):
    assert main(["monitor", "--department", "demo", "--year", "2022", "--month", "6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["time_progress"] == "50.0" and len(data["projects"]) == len(stored_demo.projects)
    assert main(["monitor", "--department", "missing", "--year", "2022"]) == 2


def test_entered_monthly_data_is_not_marked_sample():
    assert assess_project(project("10", ["1"], origin="录入"), 1, RULES, rule=RULE).origin == "录入"
    assert assess_project(project("10", ["1"], origin="报告"), 1, RULES, rule=RULE).origin == "示例"


def test_department_key_monitoring_follows_rules(demo_dy):
    assert assess_department(demo_dy, 7).key_monitoring
    assert not assess_department(demo_dy, 7, dataclasses.replace(RULES, key_all_departments=False)).key_monitoring


def test_cli_uses_earlier_stored_years(stored_demo, capsys):
    earlier = copy.deepcopy(stored_demo)
    earlier.year = 2021
    save_department_year(earlier, who="pytest", reason="上年数据")
    assert main(["monitor", "--department", "demo", "--year", "2022", "--json"]) == 0
    p01 = json.loads(capsys.readouterr().out)["projects"][0]
    assert p01["forecast"]["method"] == "history" and p01["forecast"]["executed"] == "185.3"
    assert "本项目 2021年 的月度支出规律" in p01["forecast"]["description"]


def test_cli_bad_rules_file_exit_2(tmp_path, capsys):
    bad = tmp_path / "rules.json"
    bad.write_text('{"id": "x", "cutoff_month": 13}', encoding="utf-8")
    assert main(["monitor", "--file", str(DEMO_FILE), "--rules", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "截止月份应为 1～12 的整数" in err and "yellow_band_pp" in err and "Traceback" not in err


# ---------------------------------------------------------------- web pages


@pytest.fixture
def web_demo(stored_demo, settings):
    # the demo logins get real password hashes; a fast hasher keeps these tests quick
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    load_web_demo(stored_demo)
    return stored_demo


def _login(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_web_department_page_with_chart(web_demo, client):
    _login(client, "jingban")
    r = client.get("/d/demo/2022/monitoring/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "58.3%" in html and "含示例数据" in html and "须填写纠偏措施" in html
    script = re.search(r'<script id="chart-monitoring" type="application/json">(.*?)</script>', html, re.S)
    chart = json.loads(script.group(1))
    bars = chart["series"][0]
    assert [d["value"] for d in bars["data"]][:2] == [21.4, 58.1]
    assert bars["data"][0]["itemStyle"]["color"] == "#c62828"
    assert bars["markLine"]["data"][0]["yAxis"] == 58.3 and bars["markLine"]["data"][1]["yAxis"] == 48.3
    assert "vendor/echarts/echarts" in html
    assert "50.0%" in client.get("/d/demo/2022/monitoring/?month=6").content.decode()


def test_web_bad_month_is_refused(web_demo, client):
    _login(client, "jingban")
    r = client.get("/d/demo/2022/monitoring/?month=13")
    assert r.status_code == 400 and "截止月份应为 1～12 的整数" in r.content.decode()


def test_web_scoping(web_demo, client):
    assert client.get("/d/demo/2022/monitoring/").status_code == 302  # to the login page
    _login(client, "jingban-b")
    assert client.get("/d/demo/2022/monitoring/").status_code == 404
    bureau = web_demo.department.parent_code
    assert client.get(f"/bureau/{bureau}/2022/monitoring/").status_code == 404


def test_web_bureau_sees_warnings_across_departments(web_demo, client):
    _login(client, "caizheng")
    bureau = web_demo.department.parent_code
    r = client.get(f"/bureau/{bureau}/2022/monitoring/")
    assert r.status_code == 200
    names = {row["department"].code for row in r.context["rows"]}
    assert names == set(m.Department.objects.filter(parent__code=bureau).values_list("code", flat=True))
    assert len(names) >= 2
    warned = {w["department"].code for w in r.context["warnings"]}
    assert "demo" in warned
    levels = [w["level"] for w in r.context["warnings"]]
    assert levels == sorted(levels, key=["red", "yellow", "green"].index)


# ---------------------------------------------------------------- findings for jixiao check


def test_review_monitoring_findings_have_stable_codes_and_data_severities(demo_dy):
    findings = review_monitoring(demo_dy, 7)
    codes = {f.code for f in findings}
    assert codes <= set(RULES.checks) and {"M-WARNING-RED", "M-WARNING-YELLOW", "M-NOT-REPORTED"} <= codes
    assert all(f.severity == RULES.checks[f.code][0] for f in findings)
    assert not [f for f in findings if f.severity == "错误"]  # the demo's checkpoints carry their measures
    red = next(f for f in findings if f.code == "M-WARNING-RED" and f.project == "P01")
    assert red.field == "资金执行" and "序时进度" in red.message and red.numbers["截止月份"] == "7月"


def test_review_monitoring_errors_are_what_submission_refuses():
    prog = IndicatorProgress("I1", "2个", "10个", "完全不可能", causes=["天气"])
    cp = Checkpoint(month=7, indicators=[prog, IndicatorProgress("I9")])
    p = project("100", ["1"] * 7, checkpoints=[cp], indicators=[ind("≥10个")])
    dy = DepartmentYear(Department("t", "测试"), 2023, projects=[p])
    errors = [(f.code, f.indicator, f.field) for f in review_monitoring(dy) if f.severity == "错误"]
    assert sorted(errors, key=str) == sorted([
        ("M-MEASURES-MISSING", None, "资金纠偏措施"), ("M-CAUSE-UNKNOWN", "I1", "偏差原因"),
        ("M-MEASURES-MISSING", "I1", "纠偏措施"), ("M-INDICATOR-UNKNOWN", None, "指标编码"),
    ], key=str)
    assert len(errors) == len(submission_problems(cp, assess_project(p, 7, RULES, rule=RULE)))
    cp.measures, prog.measures, prog.causes, cp.indicators = "加快支付。", "增加人员。", ["人员保障"], [prog]
    assert not [f for f in review_monitoring(dy) if f.severity == "错误"]


def test_monitoring_check_severities_are_data(tmp_path):
    data = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    data["checks"]["M-WARNING-YELLOW"]["severity"] = "警告"
    assert rules_from_dict(data).checks["M-WARNING-YELLOW"] == ("警告", "黄色预警")
    del data["checks"]["M-NOT-REPORTED"]
    data["checks"]["M-WARNING-RED"]["severity"] = "严重"
    with pytest.raises(InputError) as exc:
        rules_from_dict(data)
    where = {p.location for p in exc.value.problems}
    assert {"监控规则: checks.M-NOT-REPORTED", "监控规则: checks.M-WARNING-RED.severity"} <= where
    del data["checks"]  # a locality's file without checks uses the default catalogue
    data["checks"] = None
    assert rules_from_dict(data).checks == RULES.checks
