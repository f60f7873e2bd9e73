"""The self-evaluation workflow: rules (pure) and the pages that apply them."""
from __future__ import annotations

import pytest
from django.utils import timezone
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao.budget import models as m
from jixiao.core import quality
from jixiao.core.errors import InputError
from jixiao.core.workflow import apply_action, available_actions, editable
from jixiao.web.data import scored


def test_rules_walk_the_cycle():
    s = apply_action("草稿", "submit", {"经办人"})
    assert s == "已提交"
    assert apply_action(s, "return", {"部门管理员"}, "请补充偏差原因") == "退回"
    assert apply_action("退回", "submit", {"经办人"}) == "已提交"
    assert apply_action("已提交", "approve", {"部门管理员"}) == "已审核"
    assert apply_action("已审核", "lock", {"财政审核"}) == "锁定"


def test_rules_refuse_with_every_reason():
    with pytest.raises(InputError) as err:
        apply_action("草稿", "return", {"经办人"}, "")
    text = str(err.value)
    assert "只有" in text and "须填写意见" in text and "当前状态为「草稿」" in text


def test_operator_cannot_approve_and_reader_can_do_nothing():
    assert [t.action for t in available_actions("已提交", {"经办人"})] == []
    assert available_actions("草稿", {"第三方只读"}) == []
    assert editable("退回", {"经办人"}) and not editable("已提交", {"部门管理员"})


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    set_status("demo", "P02", "草稿")


def _status() -> str:
    return m.Project.objects.get(department_year__department__code="demo", code="P02").status


URL = "/d/demo/2022/p/P02/workflow/"


def test_submit_return_with_comment_approve_lock(site):
    assert client_for("jingban").post(URL, {"action": "submit"}).status_code == 302
    assert _status() == "已提交"
    admin = client_for("bumen")
    admin.post(URL, {"action": "return", "comment": ""})
    assert _status() == "已提交"  # a return needs a comment
    admin.post(URL, {"action": "return", "comment": "满意度指标缺少数据来源"})
    assert _status() == "退回"
    page = client_for("jingban").get("/d/demo/2022/p/P02/").content.decode()
    assert "满意度指标缺少数据来源" in page
    client_for("jingban").post(URL, {"action": "submit"})
    admin.post(URL, {"action": "approve"})
    assert _status() == "已审核"
    client_for("bumen").post(URL, {"action": "lock"})
    assert _status() == "已审核"  # only the finance reviewer locks
    client_for("caizheng").post(URL, {"action": "lock"})
    assert _status() == "锁定"
    log = m.ChangeLog.objects.filter(field="status", after="退回").get()
    # the history names the step and keeps the comment
    assert (log.who, log.before, log.reason) == ("bumen", "已提交", "退回修改：满意度指标缺少数据来源")
    assert log.object_id == m.Project.objects.get(department_year__department__code="demo", code="P02").pk


def test_operator_cannot_approve_own_submission(site):
    c = client_for("jingban")
    c.post(URL, {"action": "submit"})
    page = c.post(URL, {"action": "approve"}, follow=True).content.decode()
    assert _status() == "已提交" and "只有" in page


def test_quality_errors_block_submission(site):
    # A stated score that disagrees with the computed one is an error in the quality rules.
    m.Indicator.objects.filter(project__code="P02", code="P02-I1").update(stated_score=1)
    m.DepartmentYear.objects.filter(department__code="demo").update(updated_at=timezone.now())
    row = m.DepartmentYear.objects.get(department__code="demo")
    findings = [f for f in quality.review(scored(row).dy, scored(row).result) if f.project == "P02"]
    assert quality.blocking(findings)
    page = client_for("jingban").post(URL, {"action": "submit"}, follow=True).content.decode()
    assert _status() == "草稿"
    assert "P02-I1" in page and "（Q-" in page  # the finding, with its code, blocks the step


def test_department_workflow(site):
    m.DepartmentYear.objects.filter(department__code="demo-b").update(status="草稿")
    c = client_for("jingban-b")
    c.post("/d/demo-b/2022/workflow/", {"action": "submit"})
    assert m.DepartmentYear.objects.get(department__code="demo-b").status == "已提交"
    page = client_for("jingban-b").get("/d/demo-b/2022/evaluation/").content.decode()
    assert "已提交" in page


def _version(pcode: str = "P02") -> int:
    return m.Project.objects.get(department_year__department__code="demo", code=pcode).version


def test_refusals_show_on_the_page_with_their_status(site):
    client_for("jingban").post(URL, {"action": "submit"})
    admin = client_for("bumen")
    page = admin.post(URL, {"action": "return", "comment": ""})
    assert page.status_code == 400 and "须填写意见" in page.content.decode()  # the problems table
    page = admin.post(URL, {"action": "lock"})
    assert page.status_code == 403 and "只有" in page.content.decode() and "锁定" in page.content.decode()
    assert _status() == "已提交"


def test_buttons_carry_the_version_and_a_stale_step_is_a_conflict(site):
    c = client_for("jingban")
    c.post(URL, {"action": "submit"})
    html = client_for("bumen").get("/d/demo/2022/p/P02/").content.decode()
    assert 'data-action="approve"' in html and f'name="version" value="{_version()}"' in html
    seen = _version()
    assert client_for("bumen").post(URL, {"action": "return", "comment": "请补充", "version": seen}).status_code == 302
    # a second admin, still looking at the page rendered before the return, approves it
    page = client_for("bumen").post(URL, {"action": "approve", "version": seen})
    assert page.status_code == 409 and "未保存" in page.content.decode()
    assert _status() == "退回"


def test_goal_approval_stage(site):
    m.Project.objects.filter(department_year__department__code="demo", code="P02").update(goal_status="草稿")
    html = client_for("jingban").get("/d/demo/2022/p/P02/").content.decode()
    assert 'data-action="goals-submit"' in html and 'id="goal-status">草稿<' in html

    def goal_status() -> str:
        return m.Project.objects.get(department_year__department__code="demo", code="P02").goal_status

    assert client_for("jingban").post(URL, {"action": "submit", "stage": "goals"}).status_code == 302
    assert goal_status() == "已提交"
    assert client_for("caizheng").post(URL, {"action": "ratify", "stage": "goals"}).status_code == 403
    client_for("bumen").post(URL, {"action": "approve", "stage": "goals"})
    assert goal_status() == "部门审核通过"
    client_for("caizheng").post(URL, {"action": "ratify", "stage": "goals"})
    assert goal_status() == "财政审核通过"
    assert _status() == "草稿"  # the self-evaluation is a stage of its own


def test_rectification_steps_on_the_evaluation_page(site):
    page = client_for("jingban").get("/d/demo/2022/evaluation/").content.decode()
    assert 'id="rect-R01"' in page and 'data-action="rect-complete"' in page
    url = "/d/demo/2022/rectifications/R01/workflow/"

    def status() -> str:
        return m.Rectification.objects.get(department_year__department__code="demo", code="R01").status

    assert client_for("jingban").post(url, {"action": "complete", "comment": ""}).status_code == 400
    assert status() == "整改中"
    client_for("jingban").post(url, {"action": "complete", "comment": "已修订资金管理办法"})
    assert status() == "已完成"
    assert client_for("jingban").post(url, {"action": "confirm"}).status_code == 403
    client_for("caizheng").post(url, {"action": "confirm"})
    assert status() == "已确认"


def test_monitoring_review_per_checkpoint(site):
    url = "/d/demo/2022/monitoring/P01/7/workflow/"

    def status() -> str:
        return m.Checkpoint.objects.get(project__department_year__department__code="demo", project__code="P01",
                                        month=7).status

    page = client_for("bumen").get("/d/demo/2022/monitoring/?month=7").content.decode()
    assert 'id="checkpoint-P01"' in page and 'data-action="monitoring-return"' in page
    assert client_for("bumen").post(url, {"action": "return", "comment": "请补充纠偏措施"}).status_code == 302
    assert status() == "退回"
    client_for("jingban").post(url, {"action": "submit"})
    assert status() == "已提交"
    client_for("bumen").post(url, {"action": "approve"})
    assert status() == "已审核"
    assert client_for("bumen").post("/d/demo/2022/monitoring/P01/5/workflow/", {"action": "submit"}).status_code == 404
