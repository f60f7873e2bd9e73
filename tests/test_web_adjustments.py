"""目标调整 on the project page: once a project's goals are approved, each indicator offers
"申请调整" (target or weight, the new value, a reason); the request keeps the original value and
changes nothing until someone the rules allow approves it; the indicator table then shows the
adjusted target beside the original."""
from __future__ import annotations

import re

import pytest
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao.budget import models as m

PAGE = "/d/demo/2022/p/P01/"
REQUEST = "/d/demo/2022/p/P01/i/P01-I4/adjust/"


@pytest.fixture
def site(db, settings):
    # demo: P01's goals are 财政审核通过 (approved, frozen); its self-evaluation goes back to draft
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    set_status("demo", "P01", "草稿")


def _indicator() -> m.Indicator:
    return m.Indicator.objects.get(project__department_year__department__code="demo", project__code="P01",
                                   code="P01-I4")


def _decide_url(html: str) -> str:
    return re.search(r'action="(/d/demo/2022/adjustments/\d+/)"', html).group(1)


def test_approved_goals_offer_an_adjustment_per_indicator(site):
    html = client_for("jingban").get(PAGE).content.decode()
    row = html.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    assert "申请调整" in row and f'action="{REQUEST}"' in row
    assert "申请调整" not in client_for("disanfang").get(PAGE).content.decode()


def test_adjustment_keeps_both_values_and_needs_approval(site):
    c = client_for("jingban")
    assert c.post(REQUEST, {"field": "target_text", "value": "≥8公顷", "reason": ""}).status_code == 400
    answer = c.post(REQUEST, {"field": "target_text", "value": "≥8公顷", "reason": "部分地块司法程序延期"})
    assert answer.status_code == 302
    adj = m.TargetAdjustment.objects.get()
    assert (adj.status, adj.original, adj.adjusted, adj.requested_by) == ("待审核", "≥10公顷", "≥8公顷", "jingban")
    assert _indicator().target_text == "≥10公顷" and _indicator().original_target_text is None  # not yet
    html = c.get(PAGE).content.decode()
    assert "调整申请待审核" in html.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    listed = html.split('id="adjustments"')[1].split("</section>")[0]
    assert "≥8公顷" in listed and "部分地块司法程序延期" in listed
    assert 'data-action="adjust-approve"' not in listed  # the operator cannot approve it
    assert c.post(_decide_url(client_for("bumen").get(PAGE).content.decode()),
                  {"action": "approve", "version": adj.version}).status_code == 403
    assert _indicator().target_text == "≥10公顷"

    admin = client_for("bumen")
    html = admin.get(PAGE).content.decode()
    listed = html.split('id="adjustments"')[1].split("</section>")[0]
    assert 'data-action="adjust-approve"' in listed and 'data-action="adjust-reject"' in listed
    assert admin.post(_decide_url(html), {"action": "approve", "version": adj.version}).status_code == 302
    ind = _indicator()
    assert (ind.target_text, ind.original_target_text) == ("≥8公顷", "≥10公顷")
    html = admin.get(PAGE).content.decode()
    assert "调整后指标值（原：≥10公顷）" in html.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    assert m.TargetAdjustment.objects.get().status == "已批准"
    logs = m.ChangeLog.objects.filter(object_id=ind.pk, model_label="budget.indicator", field="target_text")
    assert [(x.before, x.after, x.who) for x in logs] == [("≥10公顷", "≥8公顷", "bumen")]


def test_rejection_needs_a_comment_and_changes_nothing(site):
    client_for("jingban").post(REQUEST, {"field": "weight", "value": "25", "reason": "权重调整"})
    admin = client_for("bumen")
    url = _decide_url(admin.get(PAGE).content.decode())
    assert admin.post(url, {"action": "reject", "comment": ""}).status_code == 400
    assert m.TargetAdjustment.objects.get().status == "待审核"
    admin.post(url, {"action": "reject", "comment": "分值须与评分方案一致"})
    adj = m.TargetAdjustment.objects.get()
    assert (adj.status, adj.decision_comment, adj.decided_by) == ("已驳回", "分值须与评分方案一致", "bumen")
    assert _indicator().weight == 30


def test_goals_not_yet_approved_are_edited_not_adjusted(site):
    m.Project.objects.filter(department_year__department__code="demo", code="P01").update(goal_status="草稿")
    html = client_for("jingban").get(PAGE).content.decode()
    assert "申请调整" not in html
    page = client_for("jingban").post(REQUEST, {"field": "target_text", "value": "≥8公顷", "reason": "x"})
    assert page.status_code == 403 and "无需调整" in page.content.decode()
    assert not m.TargetAdjustment.objects.exists()


def test_decision_of_another_departments_adjustment_is_404(site):
    client_for("jingban").post(REQUEST, {"field": "weight", "value": "25", "reason": "权重调整"})
    adj = m.TargetAdjustment.objects.get()
    outsider = client_for("jingban-b")
    assert outsider.post(f"/d/demo-b/2022/adjustments/{adj.pk}/", {"action": "approve"}).status_code == 404
    assert outsider.post(f"/d/demo/2022/adjustments/{adj.pk}/", {"action": "approve"}).status_code == 404


def test_the_adjustments_list_shows_original_and_adjusted_side_by_side(site):
    c = client_for("jingban")
    assert 'href="/d/demo/2022/adjustments/"' in c.get("/d/demo/2022/").content.decode()  # in the navigation
    c.post(REQUEST, {"field": "target_text", "value": "≥8公顷", "reason": "部分地块司法程序延期"})
    listed = client_for("bumen").get("/d/demo/2022/adjustments/").content.decode()
    row = listed.split('id="adjustment-')[1].split("</tr>")[0]
    assert "≥10公顷" in row.split('class="original"')[1].split("</td>")[0]
    assert "≥8公顷" in row.split('class="adjusted-value"')[1].split("</td>")[0]
    assert "部分地块司法程序延期" in row and 'data-action="adjust-approve"' in row
    assert 'data-action="adjust-approve"' not in c.get("/d/demo/2022/adjustments/").content.decode()
    assert "没有目标调整申请" in c.get("/d/demo/2022/adjustments/", {"status": "已批准"}).content.decode()
