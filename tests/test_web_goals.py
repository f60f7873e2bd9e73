"""绩效目标申报 in the browser (views.goals, services.goals): a new project with its funds, its
indicators with the live read-back of the target and the weight sum, their order, editing and
deleting, a copy of last year's project, and the goals workflow (submit, 部门审核, 财政审核,
return with a comment) — each error beside its field, every page reached from the navigation."""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.cli.core_cmds import DEMO_FILE

BASE = "/d/demo/2022/goals/"
NEW = BASE + "new/"
P = BASE + "p/N01/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _project(code: str = "N01") -> m.Project:
    return m.Project.objects.get(department_year__department__code="demo", department_year__year=2022, code=code)


def _create(c, **extra) -> object:
    data = {"code": "N01", "name": "园区招商引资推介经费", "unit": "投资促进科", "category": "招商引资",
            "goal": "全年举办招商推介活动，引进优质项目。", "fund-0-initial": "100", "fund-0-budget": "120.5", **extra}
    return c.post(NEW, data)


INDICATORS = [  # a complete set for the default scheme: 产出 50 + 效益 30 + 满意度 10 (+ 执行率 10)
    {"level1": "产出指标", "level2": "数量指标", "name": "举办招商推介活动场次", "target_text": "≥6场", "weight": "30"},
    {"level1": "产出指标", "level2": "质量指标", "name": "签约项目履约率", "target_text": "≥80%", "weight": "20"},
    {"level1": "效益指标", "level2": "经济效益指标", "name": "协议投资总额", "target_text": "≥50亿元", "weight": "30"},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "落户企业满意度", "target_text": "≥90%",
     "weight": "10"},
]


def _add(c, values: dict) -> object:
    return c.post(P + "i/new/", {"basis": "计划标准", "data_source": "招商台账", **values})


def test_the_goals_page_is_in_the_navigation_and_lists_the_projects(site):
    html = client_for("jingban").get("/d/demo/2022/").content.decode()
    assert f'href="{BASE}"' in html and "目标申报" in html
    page = client_for("jingban").get(BASE).content.decode()
    assert "P01" in page and "财政审核通过" in page and 'id="new-project"' in page
    assert "新建项目" not in client_for("disanfang").get(BASE).content.decode()


def test_create_a_project_with_its_funds(site):
    c = client_for("jingban")
    answer = _create(c)
    assert answer.status_code == 302 and answer["Location"] == P
    p = _project()
    assert (p.name, p.unit, p.category, p.goal_status) == ("园区招商引资推介经费", "投资促进科", "招商引资", "草稿")
    funds = list(p.funds.values_list("fund_source", "initial", "budget"))
    assert funds == [("一般公共预算", Decimal("100"), Decimal("120.5"))]
    page = c.get(P).content.decode()
    assert 'value="120.5"' in page and "分值合计" in page
    assert m.ChangeLog.objects.filter(object_key__contains="项目/N01", reason="新建项目").exists()


def test_bad_project_input_is_shown_beside_its_field_and_nothing_is_stored(site):
    c = client_for("jingban")
    answer = _create(c, name="", **{"fund-1-budget": "十万"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'id="err-name"' in html and "请填写项目名称" in html.split('id="err-name"')[1][:200]
    assert "全年预算数「十万」不是数字" in html  # names the field and what was typed
    assert not m.Project.objects.filter(code="N01").exists()
    assert _create(c, code="P01").status_code == 409  # the code is taken
    assert "已存在" in _create(c, code="P01").content.decode()
    assert _create(c, code="坏 编码").status_code == 400


def test_indicators_are_added_numbered_moved_edited_and_deleted(site):
    c = client_for("jingban")
    _create(c)
    for values in INDICATORS:
        assert _add(c, values).status_code == 302
    codes = list(_project().indicators.order_by("position").values_list("code", flat=True))
    assert codes == ["N01-I1", "N01-I2", "N01-I3", "N01-I4"]
    page = c.get(P).content.decode()
    row = page.split('id="ind-N01-I1"')[1].split("</tr>")[0]
    assert "≥ 6场" in row and "计划标准" in row and "招商台账" in row
    assert "分值合计 100 / 100 分" in page  # 90 + 执行率 10
    ind = _project().indicators.get(code="N01-I3")
    assert c.post(P + "i/N01-I3/move/", {"direction": "up", "version": ind.version}).status_code == 302
    codes = list(_project().indicators.order_by("position").values_list("code", flat=True))
    assert codes == ["N01-I1", "N01-I3", "N01-I2", "N01-I4"]
    c.post(P + "i/N01-I1/move/", {"direction": "up"})  # already first: nothing moves
    assert _project().indicators.order_by("position").values_list("code", flat=True).first() == "N01-I1"
    ind = _project().indicators.get(code="N01-I2")
    edit = {**INDICATORS[1], "target_text": "≥85%", "unit": "", "basis": "历史标准", "data_source": "", "core": "on",
            "version": ind.version}
    assert c.post(P + "i/N01-I2/", edit).status_code == 302
    ind.refresh_from_db()
    assert (ind.target_text, ind.basis, ind.core) == ("≥85%", "历史标准", True)
    stale = c.post(P + "i/N01-I2/", {**edit, "target_text": "≥70%"})  # based on the old version
    assert stale.status_code == 409 and "未保存" in stale.content.decode()
    ind = _project().indicators.get(code="N01-I4")
    assert c.post(P + "i/N01-I4/delete/", {"version": ind.version}).status_code == 302
    assert not _project().indicators.filter(code="N01-I4").exists()
    bad_weight = {"level1": "产出指标", "level2": "数量指标", "name": "x", "weight": "很多"}
    assert c.post(P + "i/new/", bad_weight).status_code == 400
    bad = c.post(P + "i/new/", {"level1": "", "level2": "", "name": ""}).content.decode()
    assert 'id="err-name"' in bad and 'id="err-level1"' in bad


def test_the_read_back_shows_the_parsed_target_the_weight_sum_and_last_years_actual(site):
    c = client_for("jingban")
    _create(c)
    _add(c, INDICATORS[0])
    check = P + "i/check/"
    html = c.get(check, {**INDICATORS[1], "weight": "20"}, HTTP_HX_REQUEST="true").content.decode()
    assert "≥ 80%" in html and "分值合计 60 / 100 分" in html  # 30 + 20 + 执行率 10
    html = c.get(check, {"target_text": "很好很多"}).content.decode()
    assert "定性" in html or "无法识别" in html
    land = {"name": "收回低效闲置用地面积", "last_year_actual": "8.6公顷"}
    assert "低于上年实际完成值「8.6公顷」" in c.get(check, {**land, "target_text": "≥8公顷"}).content.decode()
    assert "低于上年实际" not in c.get(check, {**land, "target_text": "≥9公顷"}).content.decode()
    html = c.get(check, {"weight": "abc"}).content.decode()
    assert "分值「abc」不是数字" in html


def test_goals_are_submitted_approved_by_the_department_and_ratified_by_finance(site):
    c = client_for("jingban")
    _create(c)
    for values in INDICATORS:
        _add(c, values)
    action = P + "workflow/"
    assert client_for("bumen").post(action, {"action": "approve"}).status_code == 403  # not submitted yet
    assert c.post(action, {"action": "submit", "version": _project().version}).status_code == 302
    assert _project().goal_status == "已提交"
    page = c.get(P).content.decode()
    assert "指标只读" in page and 'data-action="up-N01-I1"' not in page  # submitted goals are frozen
    assert c.post(P + "i/N01-I1/delete/", {}).status_code == 403
    assert c.post(P + "i/N01-I2/move/", {"direction": "up"}).status_code == 403  # the order is frozen too
    assert _project().indicators.order_by("position").values_list("code", flat=True).first() == "N01-I1"
    bumen = client_for("bumen")
    assert bumen.post(action, {"action": "return", "comment": ""}).status_code == 400  # a comment is required
    assert bumen.post(action, {"action": "return", "comment": "请补充成本指标"}).status_code == 302
    page = c.get(P).content.decode()
    assert "退回" in page and "请补充成本指标" in page.split('id="return-comment"')[1][:200]
    c.post(action, {"action": "submit"})
    assert bumen.post(action, {"action": "approve"}).status_code == 302
    assert _project().goal_status == "部门审核通过"
    assert c.post(action, {"action": "ratify"}).status_code == 403
    assert client_for("caizheng").post(action, {"action": "ratify"}).status_code == 302
    assert _project().goal_status == "财政审核通过"
    assert "项目页" in c.get(P).content.decode() and "申请调整" in c.get(P).content.decode()


def test_submission_is_refused_while_the_goals_have_errors(site):
    c = client_for("jingban")
    _create(c)
    _add(c, {**INDICATORS[0], "weight": "95"})
    answer = c.post(P + "workflow/", {"action": "submit"})
    assert answer.status_code == 400 and "分值合计" in answer.content.decode()
    assert _project().goal_status == "草稿"


def _earlier_year() -> None:
    """A generated 2021 of the demo department: the 2022 data with its actuals as 2021's."""
    dy = exchange.read_file(DEMO_FILE)
    dy = dataclasses.replace(dy, year=2021)
    save_department_year(dy, who="pytest", reason="上年度测试数据")


def test_copy_last_years_project_as_a_start(site):
    c = client_for("jingban")
    assert 'id="copy-form"' not in c.get(BASE).content.decode()  # no earlier year yet
    refused = c.post(BASE + "copy/", {"source": "2021/P01", "code": "P21"}, follow=True).content.decode()
    assert "没有 2021 年度的数据" in refused and not m.Project.objects.filter(code="P21").exists()
    _earlier_year()
    page = c.get(BASE).content.decode()
    assert 'id="copy-form"' in page and 'value="2021/P01"' in page
    answer = c.post(BASE + "copy/", {"source": "2021/P01", "code": "P21"})
    assert answer.status_code == 302 and answer["Location"] == BASE + "p/P21/"
    p = _project("P21")
    old = m.Project.objects.get(department_year__year=2021, department_year__department__code="demo", code="P01")
    assert (p.name, p.goal_status, p.status) == (old.name, "草稿", "草稿")
    inds = list(p.indicators.order_by("position"))
    assert [i.code for i in inds] == [f"P21-{i.code.split('-')[1]}" for i in old.indicators.order_by("position")]
    i4 = next(i for i in inds if i.code == "P21-I4")
    assert (i4.target_text, i4.last_year_actual, i4.actual_text) == ("≥10公顷", "8.6公顷", None)
    assert all(f.budget is None and f.executed is None for f in p.funds.all())
    again = c.post(BASE + "copy/", {"source": "2021/P01", "code": "P21"}, follow=True).content.decode()
    assert "未复制：项目 P21 已存在" in again
    assert m.Project.objects.filter(code="P21").count() == 1
    assert c.post(BASE + "copy/", {"source": "2021/P01"}).status_code == 302  # P01 exists in 2022
    assert m.Project.objects.filter(department_year__year=2022, code="P01").count() == 1


def test_the_target_set_below_last_years_actual_is_flagged_on_the_page(site):
    c = client_for("jingban")
    _earlier_year()
    c.post(BASE + "copy/", {"source": "2021/P01", "code": "P21"})
    ind = _project("P21").indicators.get(code="P21-I4")
    html = c.get(BASE + "p/P21/i/P21-I4/").content.decode()
    assert 'value="8.6公顷"' in html  # last year's actual, carried over by the copy
    assert "历史标准：2021年指标值≥10公顷，实际完成8.6公顷" in html  # the earlier year as 取值依据
    c.post(BASE + "p/P21/i/P21-I4/", {"level1": ind.level1, "level2": ind.level2, "name": ind.name,
                                       "target_text": "≥8公顷", "weight": "30", "last_year_actual": "8.6公顷",
                                       "version": ind.version})
    page = c.get(BASE + "p/P21/").content.decode()
    row = page.split('id="ind-P21-I4"')[1].split("</tr>")[0]
    assert "低于上年实际完成值「8.6公顷」" in row
    assert "Q-TARGET-BELOW-LAST-YEAR" not in page  # no internal codes on the page


def test_a_project_in_draft_is_deleted_and_an_approved_one_is_not(site):
    c = client_for("jingban")
    _create(c)
    unconfirmed = c.post(P + "delete/", {"version": _project().version})
    assert unconfirmed.status_code == 400 and "确认删除" in unconfirmed.content.decode()
    assert m.Project.objects.filter(code="N01").exists()
    assert c.post(P + "delete/", {"version": _project().version, "confirm": "1"}).status_code == 302
    assert not m.Project.objects.filter(code="N01").exists()
    answer = c.post(BASE + "p/P01/delete/", {"confirm": "1"})
    assert answer.status_code == 403 and "已批复" in answer.content.decode()


def test_outsiders_and_readers_cannot_change_goals(site):
    assert _create(client_for("jingban-b")).status_code == 404
    assert _create(client_for("disanfang")).status_code == 403
    assert not m.Project.objects.filter(code="N01").exists()


def test_no_internal_keys_and_years_as_written(site):
    c = client_for("jingban")
    for url in (BASE, BASE + "p/P01/", BASE + "p/P01/i/new/", "/d/demo/2022/adjustments/"):
        html = c.get(url).content.decode()
        assert not re.search(r"2,022|\bbudget\.|\bland\.|Q-[A-Z]|central-2020|indicator-library", html), url


def test_programs_reorder_and_copy_through_the_api(site):
    c = client_for("jingban")
    _create(c)
    for values in INDICATORS[:3]:
        _add(c, values)
    api = "/api/departments/demo/2022/"
    moved = c.post(api + "projects/N01/indicators/N01-I3/move/", {"direction": "up"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json() == {"moved": True, "order": ["N01-I1", "N01-I3", "N01-I2"]}
    bad = c.post(api + "projects/N01/indicators/N01-I3/move/", {"direction": "left"}, content_type="application/json")
    assert bad.status_code == 422 and "up（上移）或 down（下移）" in bad.json()["detail"]
    _earlier_year()
    copied = c.post(api + "copy-project/", {"from_year": 2021, "from_project": "P01", "code": "P21"},
                    content_type="application/json")
    assert copied.status_code == 201 and copied.json()["code"] == "P21"
    again = c.post(api + "copy-project/", {"from_year": 2021, "from_project": "P01", "code": "P21"},
                   content_type="application/json")
    assert again.status_code == 409
    assert client_for("jingban-b").post(api + "copy-project/", {"from_year": 2021, "from_project": "P01"},
                                        content_type="application/json").status_code == 404
