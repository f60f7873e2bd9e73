"""Record edits through the application layer: versions refuse lost updates, the workflow state of
each field's stage decides what may change, blanks are stored, and every change is in the history."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError
from jixiao.services import adjustments, records, reviews, workflow
from jixiao.services.actor import Actor, system_actor
from jixiao.services.errors import Conflict, Denied, NotFound
from tests.web_support import load_site


@pytest.fixture
def site(db):
    load_site()


def _user(name: str) -> Actor:
    return Actor(name=name, user=get_user_model().objects.get(username=name))


def _first(code: str = "demo-b"):
    dy = load_department_year(code, 2022)
    return dy, dy.projects[0], dy.projects[0].indicators[0]


def test_an_edit_based_on_an_old_version_is_refused_with_who_and_what(site):
    _, p, ind = _first()
    done = records.set_actual(_user("jingban-b"), "demo-b", 2022, p.code, ind.code, "25场", ind.version)
    assert done.version == ind.version + 1
    with pytest.raises(Conflict) as info:
        records.set_actual(_user("jingban-b"), "demo-b", 2022, p.code, ind.code, "27场", ind.version)
    assert "jingban-b" in info.value.message and "25场" in info.value.message
    assert _first()[2].actual_text == "25场"
    row = m.ChangeLog.objects.get(field="actual_text", after="25场")
    assert row.object_id == m.Indicator.objects.get(project__code=p.code, code=ind.code).pk
    assert row.who == "jingban-b"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_one_version_exactly_one_wins():
    load_site()
    _, p, ind = _first()
    results: list[str] = []

    def write(i: int) -> None:
        try:
            records.set_actual(_user("jingban-b"), "demo-b", 2022, p.code, ind.code, f"{20 + i}场", ind.version)
            results.append(f"won {20 + i}")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [r for r in results if r.startswith("won")]
    assert len(wins) == 1 and results.count("conflict") == 5
    assert _first()[2].actual_text == wins[0].split()[1] + "场"
    assert m.ChangeLog.objects.filter(field="actual_text", object_id__isnull=False).count() == 1


def test_a_submitted_project_is_not_editable_and_an_approved_goal_needs_an_adjustment(site):
    _, p, ind = _first()
    m.Project.objects.filter(code=p.code).update(status="已提交")
    with pytest.raises(Denied) as info:
        records.set_actual(_user("jingban-b"), "demo-b", 2022, p.code, ind.code, "1场", None)
    assert "已提交" in info.value.message
    m.Project.objects.filter(code=p.code).update(status="草稿")
    # The demo's goals are approved (财政审核通过): the target is frozen.
    with pytest.raises(Denied) as info:
        records.edit_indicator(_user("jingban-b"), "demo-b", 2022, p.code, ind.code, {"target_text": "≥1场"}, None)
    assert "目标调整" in info.value.message


def test_blank_values_are_stored_as_not_filled(site):
    _, p, ind = _first()
    m.Project.objects.filter(code=p.code).update(goal_status="草稿")
    records.edit_indicator(_user("jingban-b"), "demo-b", 2022, p.code, ind.code,
                           {"weight": "", "target_text": "", "actual_text": ""}, None)
    back = _first()[2]
    assert (back.weight, back.target_text, back.actual_text) == (None, None, None)


def test_wrong_values_name_the_field_and_store_nothing(site):
    _, p, ind = _first()
    m.Project.objects.filter(code=p.code).update(goal_status="草稿")
    with pytest.raises(InputError) as info:
        records.edit_indicator(_user("jingban-b"), "demo-b", 2022, p.code, ind.code,
                               {"weight": "十分", "achievement": "差不多"}, ind.version)
    assert {pr.field for pr in info.value.problems} == {"分值", "完成情况"}
    assert _first()[2].weight == ind.weight


def test_scope_and_role(site):
    _, p, ind = _first("demo")
    with pytest.raises(NotFound):
        records.set_actual(_user("jingban-b"), "demo", 2022, p.code, ind.code, "1", None)
    with pytest.raises(Denied):
        records.set_actual(_user("disanfang"), "demo", 2022, p.code, ind.code, "1", None)


def test_create_and_delete_keep_history(site):
    actor = _user("jingban-b")
    records.create(actor, "demo-b", 2022, Ref("project", "B09"), {"name": "新增项目"})
    assert "B09" in [x.code for x in load_department_year("demo-b", 2022).projects]
    with pytest.raises(Conflict):
        records.create(actor, "demo-b", 2022, Ref("project", "B09"), {"name": "重复"})
    records.create(actor, "demo-b", 2022, Ref("rectification", "", "R05"), {"problem": "问题", "measure": "措施"})
    records.delete(actor, "demo-b", 2022, Ref("project", "B09"), None)
    assert "B09" not in [x.code for x in load_department_year("demo-b", 2022).projects]
    assert m.ChangeLog.objects.filter(object_key="demo-b/2022/项目/B09", field="（删除）").exists()


def test_workflow_roles_states_and_the_lock(site):
    _, p, _ = _first()
    ref = Ref("project", p.code)
    with pytest.raises(Denied):  # nothing submitted yet
        workflow.transition(system_actor(), "demo-b", 2022, ref, "approve")
    m.Project.objects.filter(code=p.code).update(status="已提交")
    with pytest.raises(Denied) as info:
        workflow.transition(_user("jingban-b"), "demo-b", 2022, ref, "approve")
    assert "部门管理员" in info.value.message
    moved = workflow.transition(system_actor(), "demo-b", 2022, ref, "approve")
    assert (moved.before, moved.status) == ("已提交", "已审核")
    workflow.transition(system_actor(), "demo-b", 2022, ref, "lock")
    with pytest.raises(InputError):  # a reason is required to reopen
        workflow.transition(system_actor(), "demo-b", 2022, ref, "unlock")
    assert m.ChangeLog.objects.filter(field="status", after="锁定", object_key__endswith=p.code).exists()


def test_a_finance_review_needs_a_submitted_self_evaluation_and_scores_each_indicator(site):
    _, p, ind = _first()
    with pytest.raises(Denied) as info:
        reviews.record_review(_user("caizheng"), "demo-b", 2022, p.code, "复核",
                              [reviews.ReviewScore(ind.code, "1")])
    assert "草稿" in info.value.message
    for i in p.indicators:  # a submitted self-evaluation reports every actual value
        if not i.actual_text:
            records.set_actual(_user("jingban-b"), "demo-b", 2022, p.code, i.code,
                               (i.target_text or "").lstrip("≥≤=") or "达成预期指标", None)
    m.Project.objects.filter(code=p.code).update(status="已提交")
    with pytest.raises(Denied):
        reviews.record_review(_user("jingban-b"), "demo-b", 2022, p.code, "复核",
                              [reviews.ReviewScore(ind.code, "1")])
    review = reviews.record_review(_user("caizheng"), "demo-b", 2022, p.code, "数据来源不足，酌减",
                                   [reviews.ReviewScore(ind.code, "1", "佐证材料缺失")])
    [item] = review.items.all()
    assert (item.indicator_code, item.score, item.comment) == (ind.code, Decimal("1"), "佐证材料缺失")
    assert review.score < review.self_score
    assert reviews.latest_reviews(review.department_year)[p.code] == review


def test_a_target_adjustment_keeps_both_values_and_needs_approval(site):
    _, p, ind = _first()
    adj = adjustments.request_adjustment(_user("jingban-b"), "demo-b", 2022, p.code, ind.code, "target_text",
                                         "≥10场", "疫情期间活动场地关闭")
    assert _first()[2].target_text == ind.target_text  # not yet applied
    with pytest.raises(Denied):
        adjustments.decide_adjustment(_user("jingban-b"), adj.pk, "approve")
    adjustments.decide_adjustment(system_actor(), adj.pk, "approve")
    back = _first()[2]
    assert (back.target_text, back.original_target_text) == ("≥10场", ind.target_text)
    adj.refresh_from_db()
    assert adj.status == "已批准" and adj.original == ind.target_text
