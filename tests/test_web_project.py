"""Department home, project page, in-place editing of actual values."""
from __future__ import annotations

import pytest

from jixiao.budget import models as m
from web_support import FAST_HASHERS, client_for, load_site, set_status

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


def test_unscorable_actual_is_refused_and_nothing_stored(site):
    set_status("demo", "P01", "草稿")
    html = client_for("jingban").post(EDIT, {"actual": "很多"}, HTTP_HX_REQUEST="true").content.decode()
    assert "没有数值" in html and "problems" in html
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "8.6公顷"


def test_approved_project_is_read_only(site):
    set_status("demo", "P01", "已审核")
    c = client_for("jingban")
    html = c.get("/d/demo/2022/p/P01/").content.decode()
    assert "记录只读" in html and 'name="actual"' not in html
    c.post(EDIT, {"actual": "10公顷"}, HTTP_HX_REQUEST="true")
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "8.6公顷"


def test_read_only_role_cannot_edit(site):
    set_status("demo", "P01", "草稿")
    c = client_for("disanfang")
    assert 'name="actual"' not in c.get("/d/demo/2022/p/P01/").content.decode()
    c.post(EDIT, {"actual": "10公顷"})
    assert m.Indicator.objects.get(project__code="P01", code="P01-I4").actual_text == "8.6公顷"


def test_dashboard_has_chart_options(site):
    html = client_for("jingban").get("/d/demo/2022/dashboard/").content.decode()
    for chart in ("chart-progress", "chart-grades", "chart-completion"):
        assert f'id="{chart}"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert '"animation": false' in html


def test_unknown_project_is_404(site):
    assert client_for("jingban").get("/d/demo/2022/p/NOPE/").status_code == 404
