"""运行监控 in the browser: filling in a project's 监控表 of a month (execution to date, goal
progress, each indicator's progress, likelihood, causes, 纠偏措施), the red warnings linking to the
field that clears them, and submission refused while a measure is missing."""
from __future__ import annotations

from decimal import Decimal

import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m

URL = "/d/demo-b/2022/monitoring/B01/7/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _form(**over: str) -> dict:
    data = {"goal_progress": "已开展社区服务活动 14 场", "expected_executed": "", "measures": "", "executed": ""}
    for code in ("B01-I1", "B01-I2", "B01-I3", "B01-I4", "B01-I5"):
        data[f"{code}.likelihood"] = "确定能"
        data[f"{code}.progress_text"] = ""
    data.update(over)
    return data


def _cp() -> m.Checkpoint | None:
    return m.Checkpoint.objects.filter(project__department_year__department__code="demo-b", project__code="B01",
                                       month=7).first()


def test_monitoring_page_links_to_the_form(site):
    c = client_for("jingban-b")
    page = c.get("/d/demo-b/2022/monitoring/").content.decode()
    assert f'href="{URL}"' in page and "填报 7 月监控表" in page
    form = c.get(URL).content.decode()
    assert "尚未填报本月监控表" in form and 'id="measures-funds"' in form and 'id="likelihood-B01-I1"' in form
    assert "确定能" in form and "完全不可能" in form


def test_first_save_creates_the_checkpoint_with_lines(site):
    c = client_for("jingban-b")
    r = c.post(URL, _form(**{"B01-I1.progress_text": "14场", "B01-I1.forecast_text": "26场",
                             "B01-I2.likelihood": "有可能", "B01-I2.causes": ["人员保障"],
                             "B01-I2.explanation": "社工人员流动"}))
    assert r.status_code == 302, r.content.decode()[:2000]
    cp = _cp()
    assert cp is not None and cp.status == "填报" and cp.goal_progress == "已开展社区服务活动 14 场"
    lines = {g.indicator: g for g in cp.indicators.all()}
    assert lines["B01-I1"].progress_text == "14场" and lines["B01-I1"].forecast_text == "26场"
    assert lines["B01-I2"].likelihood == "有可能" and lines["B01-I2"].causes == ["人员保障"]


def test_impossible_needs_measures_linked_and_blocks_submit(site):
    c = client_for("jingban-b")
    c.post(URL, _form(**{"B01-I3.likelihood": "完全不可能"}))
    form = c.get(URL).content.decode()
    assert 'href="#measures-B01-I3"' in form and "须填写纠偏措施" in form
    page = c.get("/d/demo-b/2022/monitoring/").content.decode()
    assert f'href="{URL}#measures-B01-I3"' in page  # the red warning links to the field
    assert f'<a href="{URL}#measures-funds">' in page  # so does the department's list of blockers
    cp = _cp()
    r = c.post(f"{URL}workflow/", {"action": "submit", "version": cp.version})
    refused = r.content.decode()
    assert r.status_code == 400 and "请填写纠偏措施" in refused and 'href="#measures-B01-I3"' in refused
    assert 'href="#measures-funds"' in refused  # the funds block is red too (46.9 % at 7 months)
    assert _cp().status == "填报"
    c.post(URL, _form(**{"B01-I3.likelihood": "完全不可能", "B01-I3.measures": "调整活动排期，加派社工",
                         "measures": "加快支付进度", "version": str(_cp().version)}))
    r = c.post(f"{URL}workflow/", {"action": "submit", "version": _cp().version})
    assert r.status_code == 302 and _cp().status == "已提交"
    # submitted: read only for the 经办人; the 部门管理员 of demo-b (xitong here) approves
    assert "记录只读" in c.get(URL).content.decode()
    admin = client_for("xitong")
    admin.post(f"{URL}workflow/", {"action": "approve", "version": _cp().version})
    assert _cp().status == "已审核"


def test_execution_to_date_sets_the_month(site):
    c = client_for("jingban-b")
    p = m.Project.objects.get(department_year__department__code="demo-b", code="B01")
    before = sum(Decimal(v) for k, v in p.monthly_executed.items() if int(k) < 7)
    r = c.post(URL, _form(executed=str(before + Decimal("10"))))
    assert r.status_code == 302
    p.refresh_from_db()
    assert Decimal(str(p.monthly_executed["7"])) == Decimal("10")
    bad = c.post(URL, _form(executed="1", version=str(_cp().version)))
    assert bad.status_code == 400 and "小于" in bad.content.decode() and 'id="executed"' in bad.content.decode()


def test_bad_number_is_shown_next_to_its_field_and_typed_text_kept(site):
    c = client_for("jingban-b")
    r = c.post(URL, _form(expected_executed="很多", measures="先做起来"))
    body = r.content.decode()
    assert r.status_code == 400 and "不是数字" in body and "先做起来" in body
    assert _cp() is None


def test_stale_version_is_a_conflict(site):
    c = client_for("jingban-b")
    c.post(URL, _form())
    v = _cp().version
    c.post(URL, _form(goal_progress="第二次", version=str(v)))
    r = c.post(URL, _form(goal_progress="第三次", version=str(v)))
    assert r.status_code == 409 and "已被 jingban-b" in r.content.decode()
    assert _cp().goal_progress == "第二次"


def test_other_department_and_read_only(site):
    assert client_for("jingban-b").get("/d/demo/2022/monitoring/P01/7/").status_code == 404
    r = client_for("disanfang").post("/d/demo/2022/monitoring/P01/7/", _form())
    assert r.status_code == 403
