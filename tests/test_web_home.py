"""Department home: the per-role to-do, the quality summary, navigation, feed labels, the
problems-text draft, and a query count that does not grow with the number of projects."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao import exchange, features
from jixiao.budget import models as m
from jixiao.cli.core_cmds import DEMO_FILE
from jixiao.core import feed_labels
from jixiao.web import presenters
from jixiao.web.data import scored
from jixiao.web.views import common
from jixiao.web.views.common import FEATURE_PAGES, feature_links
from jixiao.web.views.home import REMINDER_SEVERITY, REMINDERS, duties

HOME = "/d/demo/2022/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _todo(html: str) -> str:
    return html.split('<section class="todo">')[1].split("</section>")[0]


def test_todo_lists_what_waits_for_each_role(site):
    # demo: every project 已审核; P01 draft, P02 returned with a comment, P03 submitted
    set_status("demo", "P01", "草稿")
    set_status("demo", "P02", "已提交")
    client_for("bumen").post("/d/demo/2022/p/P02/workflow/", {"action": "return", "comment": "请补充数据来源"})
    set_status("demo", "P03", "已提交")
    operator = _todo(client_for("jingban").get(HOME).content.decode())
    assert "P01" in operator and "P02" in operator and "请补充数据来源" in operator
    assert "P03" not in operator and "P04" not in operator  # not waiting for the operator
    admin = _todo(client_for("bumen").get(HOME).content.decode())
    assert "P03" in admin and "审核通过" in admin and "P01" not in admin and "P04" not in admin
    finance = _todo(client_for("caizheng").get(HOME).content.decode())
    assert "P04" in finance and "锁定" in finance and "P01" not in finance and "P03" not in finance
    assert "暂无需要您处理的事项" in _todo(client_for("disanfang").get(HOME).content.decode())


def test_todo_names_quality_errors_on_editable_records(site):
    set_status("demo", "P02", "草稿")
    # a stated score that disagrees with the computed one is an error in the quality rules
    m.Indicator.objects.filter(project__code="P02", code="P02-I1").update(stated_score=1)
    todo = _todo(client_for("jingban").get(HOME).content.decode())
    assert "质量检查错误" in todo and "P02-I1" in todo
    assert "质量检查错误" not in _todo(client_for("caizheng").get(HOME).content.decode())


def test_quality_summary_on_home_and_bureau(site):
    m.Indicator.objects.filter(project__code="P02", code="P02-I1").update(stated_score=1)
    html = client_for("bumen").get(HOME).content.decode()
    section = html.split('<details class="quality" id="quality">')[1].split("</details>")[0]
    assert "质量检查" in section and "错误" in section and "P02-I1" in section and "（Q-" in section
    bureau = client_for("caizheng").get("/bureau/hp-finance/2022/").content.decode()
    assert "<th>质量检查</th>" in bureau and "错误 1" in bureau


def test_nav_links_every_installed_feature(site):
    html = client_for("jingban").get(HOME).content.decode()
    nav = html.split('<nav class="main">')[1].split("</nav>")[0]
    for label, url in (("监控", "/d/demo/2022/monitoring/"), ("土地台账", "/d/demo/2022/land/"),
                       ("招商台账", "/d/demo/2022/invest/"), ("企业服务", "/d/demo/2022/enterprise/")):
        assert f'<a href="{url}">{label}</a>' in nav


def test_nav_leaves_out_a_feature_whose_routes_are_missing():
    labels = [label for label, _ in feature_links("demo", 2022)]
    assert labels == [label for label, _ in FEATURE_PAGES]
    original = common.FEATURE_PAGES
    try:
        common.FEATURE_PAGES = (*original, ("不存在", "nowhere:page"))
        assert "不存在" not in [label for label, _ in common.feature_links("demo", 2022)]
    finally:
        common.FEATURE_PAGES = original


def test_feed_labels_name_the_ledger_and_link_to_it(site):
    # the demo department's own indicators take actual values from the investment ledger
    html = client_for("jingban").get("/d/demo/2022/evaluation/").content.decode()
    assert '<a href="/d/demo/2022/invest/">「招商引资台账：实际利用外资」</a>' in html
    assert "invest.fdi_usd" not in html
    # and a project indicator fed by the department's own figures names them likewise
    ind = m.Indicator.objects.filter(project__department_year__department__code="demo",
                                     target_text__contains="%").first()
    m.Indicator.objects.filter(pk=ind.pk).update(feed="budget.project_execution_rate")
    m.DepartmentYear.objects.filter(department__code="demo").update(updated_at=timezone.now())  # new version
    html = client_for("jingban").get(f"/d/demo/2022/p/{ind.project.code}/").content.decode()
    assert '<a href="/d/demo/2022/">「预算执行数据：项目支出执行率」</a>' in html


def test_every_feed_key_in_use_has_a_label():
    def feeds(node):
        if isinstance(node, dict):
            if node.get("feed"):
                yield node["feed"]
            for v in node.values():
                yield from feeds(v)
        elif isinstance(node, list):
            for v in node:
                yield from feeds(v)

    labels = feed_labels.labels()
    used = set(feeds(json.loads(DEMO_FILE.read_text(encoding="utf-8"))))
    assert used and used <= set(labels)
    assert presenters.feed_source("land.low_efficiency_area_ha") == ("土地资源台账：低效用地面积", "land:summary")


def test_problems_text_draft_saved_with_change_log(site):
    m.DepartmentYear.objects.filter(department__code="demo-b").update(status="草稿", problems="")
    c = client_for("jingban-b")
    page = c.get("/d/demo-b/2022/evaluation/").content.decode()
    assert "系统根据质量检查生成的草稿" in page and "经系统审核" in page  # the pre-filled draft
    answer = c.post("/d/demo-b/2022/evaluation/problems/", {"problems": "经系统审核，目标设置需细化。"})
    assert answer.status_code == 302
    assert m.DepartmentYear.objects.get(department__code="demo-b").problems == "经系统审核，目标设置需细化。"
    log = m.ChangeLog.objects.filter(field="problems").get()
    assert (log.who, log.before, log.object_key) == ("jingban-b", "", "demo-b/2022")
    page = c.get("/d/demo-b/2022/evaluation/").content.decode()
    assert "系统根据质量检查生成的草稿" not in page and "目标设置需细化" in page
    m.DepartmentYear.objects.filter(department__code="demo-b").update(status="已提交")
    c.post("/d/demo-b/2022/evaluation/problems/", {"problems": "改"})
    assert m.DepartmentYear.objects.get(department__code="demo-b").problems == "经系统审核，目标设置需细化。"


def test_home_query_count_does_not_grow_with_projects(site):
    """demo has 11 projects, demo-b 3: a warm home page costs the same few queries for both,
    with the park ledgers loaded (demo's indicators take actuals from their feeds): the cache key
    reads stored timestamps, it does not recompute the feeds."""
    dy = exchange.read_file(DEMO_FILE)
    assert all(features.resolve(f.demo_loader)(dy) for f in features.ledgers())  # land, invest, enterprise
    counts = {}
    for user, url in (("bumen", HOME), ("jingban-b", "/d/demo-b/2022/")):
        c = client_for(user)
        c.get(url)  # score and cache
        with CaptureQueriesContext(connection) as q:
            assert c.get(url).status_code == 200
        counts[url] = len(q)
    assert counts[HOME] == counts["/d/demo-b/2022/"] <= 12, counts


def test_progress_chart_legend_clear_of_the_title():
    chart = presenters.progress_chart(Decimal(100), {1: Decimal(10)})
    assert "top" not in chart["legend"] and chart["legend"]["bottom"] == 0
    assert chart["grid"]["bottom"] >= 40  # room for the legend under the axis labels


def test_reminders_are_the_quality_findings(site):
    m.Indicator.objects.filter(project__code="P01", code="P01-I4").update(actual_text=None)
    m.DepartmentYear.objects.filter(department__code="demo").update(updated_at=timezone.now())
    html = client_for("jingban").get(HOME).content.decode()
    reminders = html.split('<section class="warnings"><h2>提醒</h2>')[1].split("</section>")[0]
    row = m.DepartmentYear.objects.get(department__code="demo")
    findings = scored(row).findings()
    expected = [f for f in findings if f.project is not None and f.severity == REMINDER_SEVERITY][:REMINDERS]
    assert expected and reminders.count("<li>") == len(expected)
    for f in expected:
        assert escape(f"{f.location}：{f.message}") in reminders
    # the blank actual value is reported by the quality checks, whatever its severity
    assert any(f.indicator == "P01-I4" and "实际完成值" in f.message for f in findings)


def test_duties_follow_the_workflow_rules():
    assert duties({"经办人"}) == {"草稿", "退回"}
    assert duties({"部门管理员"}) == {"已提交"}
    assert duties({"财政审核"}) == {"已审核"}
    assert duties({"第三方只读"}) == set()
