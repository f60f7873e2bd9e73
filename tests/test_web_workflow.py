"""The self-evaluation workflow: rules (pure) and the pages that apply them."""
from __future__ import annotations

import pytest

from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.core.workflow import apply_action, available_actions, editable
from web_support import FAST_HASHERS, client_for, load_site, set_status


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
    assert (log.who, log.before, log.reason) == ("bumen", "已提交", "满意度指标缺少数据来源")


def test_operator_cannot_approve_own_submission(site):
    c = client_for("jingban")
    c.post(URL, {"action": "submit"})
    page = c.post(URL, {"action": "approve"}, follow=True).content.decode()
    assert _status() == "已提交" and "只有" in page


def test_quality_errors_block_submission(site):
    from django.utils import timezone

    from jixiao.core import quality
    from jixiao.web.data import scored

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
