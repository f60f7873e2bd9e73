"""The value rules of 实际完成值 (jixiao.core.values): what is refused, what is asked, and that
every entry point that edits an actual value (the application layer, the API) applies them."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from web_support import client_for, load_site

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core.errors import InputError
from jixiao.core.model import Indicator
from jixiao.core.values import RULES_FILE, Unconfirmed, check_actual, load_value_rules, rules_from_dict
from jixiao.services import imports, records
from jixiao.services.actor import Actor, actor_for

RULES = load_value_rules()


def satisfaction() -> Indicator:
    return Indicator("I1", "满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", Decimal(10))


def count() -> Indicator:
    return Indicator("I2", "产出指标", "数量指标", "开展社区服务活动场次", "≥24场", Decimal(20),
                     last_year_actual="25场")


@pytest.mark.parametrize(("ind", "text", "says"), [
    (count(), "-5", "不能为负数"),
    (count(), "-5场", "不能为负数"),
    (satisfaction(), "-5%", "不能为负数"),
    (satisfaction(), "120%", "应在 0%～100% 之间"),
    (satisfaction(), "120", "应在 0%～100% 之间"),
    (count(), "100000000000000000场", "超出合理范围"),
    (count(), "26个", "请按「场」填写"),
    (satisfaction(), "26场", "无法换算"),
])
def test_refused_values(ind: Indicator, text: str, says: str) -> None:
    check = check_actual(ind, text, RULES)
    assert check.refusals and says in check.refusals[0], check
    assert not check.questions


def test_a_fraction_against_a_percent_target_asks_whether_it_is_a_percent() -> None:
    check = check_actual(satisfaction(), "0.96", RULES)
    assert not check.refusals
    assert len(check.questions) == 1
    assert "是否为 96%？" in check.questions[0].message
    assert check.questions[0].suggestion == "96%"


@pytest.mark.parametrize("text", ["300场", "2场"])
def test_far_from_target_and_last_year_asks(text: str) -> None:
    messages = [q.message for q in check_actual(count(), text, RULES).questions]
    assert any("与指标值「≥24场」相差悬殊" in q for q in messages)
    assert any("与上年实际完成值「25场」相差悬殊" in q for q in messages)


@pytest.mark.parametrize(("ind", "text"), [
    (satisfaction(), "96%"), (satisfaction(), "100%"), (satisfaction(), "0%"), (count(), "26场"),
    (count(), "26"), (count(), "很多"), (count(), ""), (count(), None), (count(), "按期完成"),
])
def test_ordinary_values_pass(ind: Indicator, text: str | None) -> None:
    check = check_actual(ind, text, RULES)
    assert not check.refusals and not check.questions, check


def test_money_in_another_unit_is_converted_not_refused() -> None:
    cost = Indicator("I3", "产出指标", "成本指标", "单个小区整治成本", "≤32万元", Decimal(10))
    assert check_actual(cost, "310000元", RULES) == check_actual(cost, "31万元", RULES)
    assert not check_actual(cost, "310000元", RULES).refusals


def test_a_growth_rate_may_exceed_100_percent() -> None:
    growth = Indicator("I4", "效益指标", "经济效益指标", "招商引资增长率", "≥10%", Decimal(10))
    assert not check_actual(growth, "130%", RULES).refusals


def test_thresholds_are_rules_data() -> None:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    assert data["source"] and data["version"]
    data["far_from_target"] = "100"
    relaxed = [q.message for q in check_actual(count(), "300场", rules_from_dict(data)).questions]
    assert relaxed and all("与指标值" not in q for q in relaxed)


# ------------------------------------------------------------- through the application layer

@pytest.fixture
def site(db, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_site()


def _actor(username: str) -> Actor:
    return actor_for(get_user_model().objects.get(username=username))


def _actual(code: str) -> str | None:
    return m.Indicator.objects.get(project__department_year__department__code="demo-b", code=code).actual_text


def test_set_actual_refuses_and_asks(site: None) -> None:
    actor = _actor("jingban-b")
    with pytest.raises(InputError) as refused:
        records.set_actual(actor, "demo-b", 2022, "B01", "B01-I5", "120%", None)
    assert "B01-I5" in refused.value.problems[0].location and refused.value.problems[0].field == "实际完成值"
    assert _actual("B01-I5") == "93%"
    with pytest.raises(Unconfirmed) as asked:
        records.set_actual(actor, "demo-b", 2022, "B01", "B01-I5", "0.96", None)
    assert asked.value.questions[0].suggestion == "96%"
    assert _actual("B01-I5") == "93%"
    records.set_actual(actor, "demo-b", 2022, "B01", "B01-I5", "0.96", None, confirm=True)
    assert _actual("B01-I5") == "0.96"


def test_api_refuses_and_needs_confirm(site: None) -> None:
    c = client_for("jingban-b")
    url = "/api/departments/demo-b/2022/projects/B01/indicators/B01-I1/"
    version = c.get(url).json()["version"]
    bad = c.patch(url, {"actual": "-5", "version": version}, content_type="application/json")
    assert bad.status_code == 422 and "不能为负数" in bad.json()["detail"]
    far = c.patch(url, {"actual": "300场", "version": version}, content_type="application/json")
    assert far.status_code == 422 and "相差悬殊" in far.json()["detail"]
    ok = c.patch(url, {"actual": "300场", "version": version, "confirm": True}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert _actual("B01-I1") == "300场"


def test_import_preview_lists_the_value_rules_as_warnings(site: None) -> None:
    candidate = load_department_year("demo-b", 2022)
    project = candidate.project("B01")
    project.indicators[4].actual_text = "0.96"  # B01-I5 居民满意度 ≥90%
    project.indicators[0].actual_text = "-5场"
    found = imports.preview(_actor("jingban-b"), candidate, "demo-b.json")
    warned = {(i.ref.key, i.message) for i in found.items if i.kind == "warning" and i.field == "实际完成值"}
    assert any(k == "B01-I5" and "是否为 96%？" in msg for k, msg in warned)
    assert any(k == "B01-I1" and "不能为负数" in msg for k, msg in warned)
    assert not found.conflicts  # a file is read, not refused: the import may still go ahead
