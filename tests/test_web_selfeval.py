"""绩效自评填报 pages: actual values under the value rules (refused next to the field, asked and
confirmed), deviation reasons, department-level indicators, the report's narrative sections with
their 【待补充】 links, and the summary that reloads after a save."""
from __future__ import annotations

import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m

SE = "/d/demo-b/2022/selfeval/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _ind(code: str) -> m.Indicator:
    return m.Indicator.objects.get(code=code, project__department_year__department__code="demo-b") if "-" in code \
        else m.Indicator.objects.get(code=code, department_year__department__code="demo-b")


def _post(c, url: str, data: dict, htmx: bool = True):
    return c.post(url, data, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))


def test_pages_reachable_from_navigation(site):
    c = client_for("jingban-b")
    home = c.get("/d/demo-b/2022/").content.decode()
    assert SE in home  # the navigation links the self-evaluation
    page = c.get(SE).content.decode()
    assert f"{SE}p/B01/" in page
    body = c.get(f"{SE}p/B01/").content.decode()
    assert 'id="actual-B01-I1"' in body and 'id="reason-B01-I1"' in body
    assert "budget.project_execution_rate" not in body


def test_refused_value_is_shown_next_to_the_field_and_not_stored(site):
    c = client_for("jingban-b")
    ind = _ind("B01-I5")
    r = _post(c, f"{SE}p/B01/i/B01-I5/", {"actual": "120%", "reason": "", "version": ind.version})
    body = r.content.decode()
    assert r.status_code == 200
    assert body.lstrip().startswith("<tr") or 'id="row-B01-I5"' in body
    assert "应在 0%～100% 之间" in body and 'aria-invalid="true"' in body
    assert 'value="120%"' in body  # what was typed is kept
    assert _ind("B01-I5").actual_text == "93%"


def test_fraction_against_percent_asks_then_confirm_or_suggestion(site):
    c = client_for("jingban-b")
    v = _ind("B01-I5").version
    asked = _post(c, f"{SE}p/B01/i/B01-I5/", {"actual": "0.96", "reason": "", "version": v}).content.decode()
    assert "是否为 96%？" in asked and "确认按「0.96」保存" in asked and "改为「96%」保存" in asked
    assert _ind("B01-I5").actual_text == "93%"
    took = _post(c, f"{SE}p/B01/i/B01-I5/", {"actual": "0.96", "reason": "", "version": v, "use": "suggestion",
                                            "suggestion": "96%"})
    assert _ind("B01-I5").actual_text == "96%"
    assert took["HX-Trigger"] == "selfeval-saved"
    v = _ind("B01-I5").version
    _post(c, f"{SE}p/B01/i/B01-I5/", {"actual": "0.96", "reason": "", "version": v, "confirm": "1"})
    assert _ind("B01-I5").actual_text == "0.96"


def test_negative_count_refused_without_htmx_is_a_400_page(site):
    c = client_for("jingban-b")
    r = _post(c, f"{SE}p/B01/i/B01-I1/", {"actual": "-5", "reason": "", "version": _ind("B01-I1").version},
              htmx=False)
    assert r.status_code == 400
    assert "不能为负数" in r.content.decode()
    assert _ind("B01-I1").actual_text == "26场"


def test_deviation_reason_finding_links_to_its_field_and_is_saved(site):
    c = client_for("jingban-b")
    # 88% against ≥90%: not full marks, no reason → the finding links to the reason field
    v = _ind("B01-I5").version
    row = _post(c, f"{SE}p/B01/i/B01-I5/", {"actual": "88%", "reason": "", "version": v}).content.decode()
    assert "未填写偏差原因分析及改进措施；请补充" in row
    assert 'href="#reason-B01-I5"' in row
    page = c.get(f"{SE}p/B01/").content.decode()
    assert 'href="#reason-B01-I5"' in page
    v = _ind("B01-I5").version
    reason = "部分小区活动参与率偏低，下一步加强宣传"
    _post(c, f"{SE}p/B01/i/B01-I5/", {"actual": "88%", "reason": reason, "version": v})
    assert _ind("B01-I5").deviation_reason == reason
    assert "未填写偏差原因分析及改进措施" not in c.get(f"{SE}p/B01/").content.decode()


def test_existing_reasons_are_shown(site):
    c = client_for("jingban")
    body = c.get("/d/demo/2022/selfeval/p/P01/").content.decode()
    assert "部分节点延期：仲裁开庭时间由仲裁委安排" in body
    assert "记录只读" in body  # approved: shown, not editable


def test_stale_version_is_a_conflict_in_the_row(site):
    c = client_for("jingban-b")
    v = _ind("B01-I1").version
    _post(c, f"{SE}p/B01/i/B01-I1/", {"actual": "27场", "reason": "", "version": v})
    row = _post(c, f"{SE}p/B01/i/B01-I1/", {"actual": "28场", "reason": "", "version": v}).content.decode()
    assert "已被 jingban-b" in row and "27场" in row
    assert _ind("B01-I1").actual_text == "27场"


def test_department_indicator_and_narratives(site):
    c = client_for("jingban-b")
    page = c.get(SE).content.decode()
    # empty sections are flagged as the report's 【待补充】 and link to their field
    assert "【待补充】" in page and 'href="#text-achievements"' in page and 'id="text-achievements"' in page
    ind = _ind("E02")
    _post(c, f"{SE}i/E02/", {"actual": "93%", "reason": "", "version": ind.version})
    assert _ind("E02").actual_text == "93%"
    dy = m.DepartmentYear.objects.get(department__code="demo-b")
    r = c.post(f"{SE}texts/", {"version": dy.version, "work_tasks": dy.work_tasks, "management": "建立绩效管理制度",
                               "achievements": "完成社区服务提升任务", "problems": "绩效目标细化不够",
                               "measures": "加强目标审核", "goal": dy.goal, "goal_actual": dy.goal_actual,
                               "execution_explanation": ""})
    assert r.status_code == 302
    dy.refresh_from_db()
    assert dy.achievements == "完成社区服务提升任务" and dy.management == "建立绩效管理制度"
    page = c.get(SE).content.decode()
    assert 'href="#text-achievements"' not in page


def test_summary_reloads_with_the_new_total(site):
    c = client_for("jingban-b")
    before = c.get(f"{SE}p/B01/summary/").content.decode()
    v = _ind("B01-I4").version
    _post(c, f"{SE}p/B01/i/B01-I4/", {"actual": "1500人次", "reason": "受疫情影响", "version": v})
    after = c.get(f"{SE}p/B01/summary/").content.decode()
    assert before != after and 'data-chart="chart-selfeval"' in after
    page = c.get(f"{SE}p/B01/").content.decode()
    assert 'hx-trigger="selfeval-saved from:body"' in page


def test_other_department_is_404(site):
    c = client_for("jingban-b")
    assert c.get("/d/demo/2022/selfeval/").status_code == 404
    assert c.post("/d/demo/2022/selfeval/p/P01/i/P01-I1/", {"actual": "3件"}).status_code == 404


def test_read_only_role_cannot_save(site):
    c = client_for("disanfang")
    r = _post(c, "/d/demo/2022/selfeval/p/P01/i/P01-I1/", {"actual": "3件", "version": ""})
    assert "不能修改" in r.content.decode()
