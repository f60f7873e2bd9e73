"""Department home, project page, in-place editing of actual values (through the application
layer: the form carries the version it was rendered at; refusals show on the page)."""
from __future__ import annotations

import pytest
from django.utils import timezone
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao.budget import models as m

EDIT = "/d/demo/2022/p/P01/i/P01-I4/actual/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def test_department_home_shows_budget_projects_and_todo(site):
    html = client_for("bumen").get("/d/demo/2022/").content.decode()
    assert "1,153.25" in html  # 全年预算
    assert "仲裁解除用地合同经费" in html and "优" in html
    assert "按资金来源" in html and "一般公共预算" in html
    assert "含示例数据" in html


def test_project_page_shows_typed_and_parsed_target(site):
    html = client_for("jingban").get("/d/demo/2022/p/P01/").content.decode()
    assert "≥10公顷" in html and "≥ 10公顷" in html  # as typed, and as understood
    assert "定性：按期完成" in html
    assert 'id="project-total"' in html


def test_editing_an_actual_rescored_in_place(site):
    set_status("demo", "P01", "草稿")
    c = client_for("jingban")
    before = c.get("/d/demo/2022/p/P01/").content.decode()
    assert "8.6公顷" in before
    part = c.post(EDIT, {"actual": "10公顷"}, HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert part.status_code == 200 and html.startswith('<section id="project-body">')
    assert "<html" not in html  # only the fragment
    row = m.Indicator.objects.get(project__code="P01", code="P01-I4")
    assert row.actual_text == "10公顷"
    log = m.ChangeLog.objects.filter(field="actual_text").latest("id")
    assert (log.who, log.before, log.after) == ("jingban", "8.6公顷", "10公顷")
    assert log.object_key == "demo/2022/项目/P01/指标/P01-I4"


def test_score_and_grade_change_with_the_actual(site):
    set_status("demo", "P01", "草稿")
    c = client_for("jingban")
    low = c.post(EDIT, {"actual": "1公顷"}, HTTP_HX_REQUEST="true").content.decode()
    high = c.post(EDIT, {"actual": "10公顷"}, HTTP_HX_REQUEST="true").content.decode()

    def total(html: str) -> str:
        return html.split('id="project-total">')[1].split("<")[0]

    assert float(total(low)) < float(total(high))


def test_unreadable_actual_is_stored_and_reported_as_a_finding(site):
    # real-work.md §1: a value that cannot be scored is stored as written and reported as a
    # quality finding (it blocks submission, not storage); the score is "not computable"
    set_status("demo", "P01", "草稿")
    part = client_for("jingban").post(EDIT, {"actual": "很多"}, HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert part.status_code == 200
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "很多"
    row = html.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    assert "没有数值" in row and "（Q-UNSCORABLE）" in row
    assert '<td class="n score">—</td>' in row


def test_edit_form_carries_the_version(site):
    set_status("demo", "P01", "草稿")
    c = client_for("jingban")
    version = m.Indicator.objects.get(project__code="P01", code="P01-I4").version
    html = c.get("/d/demo/2022/p/P01/").content.decode()
    row = html.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    assert f'name="version" value="{version}"' in row
    part = c.post(EDIT, {"actual": "9公顷", "version": version}, HTTP_HX_REQUEST="true").content.decode()
    assert "实际完成值已保存" in part
    new = m.Indicator.objects.get(project__code="P01", code="P01-I4").version
    assert new == version + 1
    row = part.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    assert f'name="version" value="{new}"' in row  # the next save is based on the new version


def test_stale_version_is_a_conflict_and_keeps_the_stored_value(site):
    set_status("demo", "P01", "草稿")
    version = m.Indicator.objects.get(project__code="P01", code="P01-I4").version
    client_for("bumen").post(EDIT, {"actual": "9公顷", "version": version})
    part = client_for("jingban").post(EDIT, {"actual": "7公顷", "version": version}, HTTP_HX_REQUEST="true")
    html = part.content.decode()
    assert part.status_code == 200  # htmx swaps only 2xx answers: the conflict is in the fragment
    assert "实际完成值已被 bumen 于" in html and "改为「9公顷」" in html and "您填写的「7公顷」未保存" in html
    assert 'value="9公顷"' in html  # the current value, re-rendered
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "9公顷"
    page = client_for("jingban").post(EDIT, {"actual": "7公顷", "version": version})
    assert page.status_code == 409 and "未保存" in page.content.decode()


def test_approved_project_is_read_only(site):
    set_status("demo", "P01", "已审核")
    c = client_for("jingban")
    html = c.get("/d/demo/2022/p/P01/").content.decode()
    assert "记录只读" in html and 'name="actual"' not in html
    part = c.post(EDIT, {"actual": "10公顷"}, HTTP_HX_REQUEST="true").content.decode()
    assert "未执行" in part and "已审核，不能修改" in part
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "8.6公顷"


def test_read_only_role_cannot_edit(site):
    set_status("demo", "P01", "草稿")
    c = client_for("disanfang")
    assert 'name="actual"' not in c.get("/d/demo/2022/p/P01/").content.decode()
    page = c.post(EDIT, {"actual": "10公顷"})
    assert page.status_code == 403 and "您的角色不能修改" in page.content.decode()
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "8.6公顷"


def test_unknown_indicator_is_404(site):
    set_status("demo", "P01", "草稿")
    assert client_for("jingban").post("/d/demo/2022/p/P01/i/NOPE/actual/", {"actual": "1"}).status_code == 404


def test_dashboard_has_chart_options(site, settings):
    html = client_for("jingban").get("/d/demo/2022/dashboard/").content.decode()
    for chart in ("chart-progress", "chart-grades", "chart-completion"):
        assert f'id="{chart}"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert '"animation": true' in html  # charts animate unless the setting switches it off
    settings.JIXIAO_CHART_ANIMATION = False
    html = client_for("jingban").get("/d/demo/2022/dashboard/").content.decode()
    assert '"animation": false' in html and '"animation": true' not in html


def test_unknown_project_is_404(site):
    assert client_for("jingban").get("/d/demo/2022/p/NOPE/").status_code == 404


def test_blank_values_render_as_not_filled(site):
    # real-work.md §1: blank is a state — a blank weight, budget or target is shown as not filled
    set_status("demo", "P01", "草稿")
    m.Indicator.objects.filter(project__code="P01", code="P01-I4").update(weight=None, target_text=None)
    m.FundLine.objects.filter(project__code="P01").update(budget=None)
    m.DepartmentYear.objects.filter(department__code="demo").update(updated_at=timezone.now())
    c = client_for("jingban")
    page = c.get("/d/demo/2022/p/P01/")
    html = page.content.decode()
    assert page.status_code == 200
    row = html.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    assert '<td class="n">—</td>' in row and "尚未填写指标值" in row
    for url in ("/d/demo/2022/", "/d/demo/2022/dashboard/", "/d/demo/2022/evaluation/"):
        assert c.get(url).status_code == 200, url
