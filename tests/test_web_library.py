"""指标库 in the browser (views.library, services.library): picking a project's indicator from the
library or from the unit's earlier years fills the indicator form, and finance curates the library
(add, retire, restore, merge) on top of the shipped data — the others only read it."""
from __future__ import annotations

import dataclasses

import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.cli.core_cmds import DEMO_FILE
from jixiao.core import library as lib
from jixiao.services import library as svc

PICK = "/d/demo/2022/goals/p/P04/library/"  # P04 园区招商引资工作经费
NEW = "/d/demo/2022/goals/p/P04/i/new/"
LIB = "/library/"
ACTION = "/library/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _entry(name: str) -> lib.Entry:
    return next(e for e in svc.entries() if e.name == name)


def test_the_picker_suggests_the_projects_category_and_links_each_entry_to_the_form(site):
    html = client_for("jingban").get(PICK).content.decode()
    assert '<option value="招商引资" selected>招商引资（推荐）' in html
    e = _entry("实际利用外资")
    assert f'href="{NEW}?lib={e.key}"' in html
    assert "服务对象满意度" in html  # the common indicators come along
    assert "培训人次" not in html  # another category
    assert "indicator-library" not in html and "central-2020" not in html  # no internal ids
    narrowed = client_for("jingban").get(PICK, {"category": "培训", "q": "人次"}).content.decode()
    assert "培训人次" in narrowed and "实际利用外资" not in narrowed


def test_a_picked_entry_fills_the_indicator_form(site):
    e = _entry("实际利用外资")
    html = client_for("jingban").get(NEW, {"lib": e.key}).content.decode()
    assert 'value="实际利用外资"' in html and 'value="万美元"' in html and 'value="计划标准"' in html
    assert '<option value="经济效益指标" selected>' in html and "取自指标库" in html


def test_earlier_years_are_offered_with_their_targets_and_actuals(site):
    dy = dataclasses.replace(exchange.read_file(DEMO_FILE), year=2021)
    save_department_year(dy, who="pytest", reason="上年度测试数据")
    html = client_for("jingban").get("/d/demo/2022/goals/p/P01/library/").content.decode()
    section = html.split('id="earlier"')[1].split("</section>")[0]
    assert "收回低效闲置用地面积" in section and "≥10公顷" in section and "8.6公顷" in section
    assert "已有同名指标" in section  # P01 already has it this year
    form = client_for("jingban").get("/d/demo/2022/goals/p/P04/i/new/", {"earlier": "2021/P01/P01-I4"}).content
    form_html = form.decode()
    assert 'value="8.6公顷"' in form_html  # last year's actual becomes 上年实际完成值
    assert "历史标准：2021年指标值≥10公顷，实际完成8.6公顷" in form_html


def test_finance_adds_an_indicator_and_it_can_be_picked(site):
    fin = client_for("caizheng")
    values = {"action": "add", "category": "招商引资", "level1": "效益指标", "level2": "经济效益指标",
              "name": "新增规上企业数", "unit": "家", "direction": "≥", "basis": "计划标准", "example": "≥5家",
              "reason": "招商考核新增"}
    assert fin.post(ACTION, values).status_code == 302
    row = m.LibraryEntry.objects.get(name="新增规上企业数")
    assert (row.key, row.status, row.origin, row.updated_by) == ("ZD-001", "在用", "财政增补", "caizheng")
    assert "新增规上企业数" in client_for("jingban").get(PICK).content.decode()
    again = fin.post(ACTION, values)
    assert again.status_code == 409
    assert "已有「新增规上企业数」" in again.content.decode()
    bad = fin.post(ACTION, {**values, "name": "", "level2": "数量指标", "example": "到5次"})
    html = bad.content.decode()
    assert bad.status_code == 400 and 'id="err-add-name"' in html and 'id="err-add-example"' in html
    assert "二级指标「数量指标」不属于效益指标" in html
    assert m.ChangeLog.objects.filter(object_key="指标库/ZD-001", who="caizheng").exists()


def test_retire_restore_and_merge_change_what_the_picker_offers(site):
    fin = client_for("caizheng")
    dup = _entry("签约项目数量")
    keep = _entry("引进项目数量")
    assert fin.post(ACTION, {"action": "retire", "key": dup.key, "reason": "", "version": 0}).status_code == 302
    assert _entry("签约项目数量").status == lib.ACTIVE  # a reason is required
    assert fin.post(ACTION, {"action": "retire", "key": dup.key, "reason": "与引进项目数量重复", "version": 0})
    assert _entry("签约项目数量").status == lib.RETIRED
    assert f"?lib={dup.key}\"" not in client_for("jingban").get(PICK).content.decode()
    # a second curator working from the page as it was (version 0) is told, not overwritten
    stale = fin.post(ACTION, {"action": "restore", "key": dup.key, "version": 0}, follow=True).content.decode()
    assert "请刷新后重试" in stale and _entry("签约项目数量").status == lib.RETIRED
    fin.post(ACTION, {"action": "restore", "key": dup.key, "version": 1})
    assert _entry("签约项目数量").status == lib.ACTIVE
    fin.post(ACTION, {"action": "merge", "key": dup.key, "into": keep.key, "reason": "口径相同", "version": 2})
    merged = _entry("签约项目数量")
    assert (merged.status, merged.merged_into) == (lib.MERGED, keep.key)
    assert lib.resolve(svc.entries(), dup.key) == keep
    html = client_for("jingban").get(LIB, {"category": "招商引资"}).content.decode()
    assert f"并入 {keep.key} 引进项目数量" in html
    picked = client_for("jingban").get(NEW, {"lib": dup.key}).content.decode()
    assert 'value="引进项目数量"' in picked  # an old link to a merged entry opens its replacement


def test_only_finance_curates(site):
    e = _entry("实际利用外资")
    for user in ("jingban", "bumen"):
        c = client_for(user)
        assert "增补指标" not in c.get(LIB).content.decode()
        answer = c.post(ACTION, {"action": "retire", "key": e.key, "reason": "试试"}, follow=True)
        assert "只有财政审核人员或系统管理员可以维护指标库" in answer.content.decode()
    assert _entry("实际利用外资").status == lib.ACTIVE
    page = client_for("xitong").get(LIB).content.decode()
    assert "增补指标" in page and "财预〔2020〕10号" in page and "recalled" not in page and "inferred" not in page
