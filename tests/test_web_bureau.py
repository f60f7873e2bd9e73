"""Finance-bureau overview, re-scoring (复核) beside the self-score, and change history.
The per-indicator review form itself is tested in test_web_review.py."""
from __future__ import annotations

import pytest
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao.budget import models as m
from jixiao.budget.models import Review


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def test_bureau_lists_departments_below_with_grade_chart(site):
    html = client_for("caizheng").get("/bureau/hp-finance/2022/").content.decode()
    assert "广州开发区穗港科技合作园管理委员会" in html and "黄埔区示例街道办事处（示例）" in html
    assert 'id="chart-dept-grades"' in html and 'id="chart-project-grades"' in html


def test_department_user_has_no_bureau_view(site):
    assert client_for("bumen").get("/bureau/hp-finance/2022/").status_code == 404


def test_review_needs_reason_and_shows_beside_self_score(site):
    c = client_for("caizheng")
    assert c.post("/d/demo/2022/review/", {"project": "P01", "score": "80", "reason": ""}).status_code == 400
    assert not Review.objects.exists()
    page = c.post("/d/demo/2022/review/", {"project": "P01", "score": "101", "reason": "超过满分"})
    assert page.status_code == 400 and "复核得分应在 0 到" in page.content.decode()
    assert not Review.objects.exists()
    # a total alone (no indicator scores) still re-scores the whole record
    c.post("/d/demo/2022/review/", {"project": "P01", "score": "78.5", "reason": "收回用地面积未达目标，效益指标扣分"})
    rev = Review.objects.get()
    assert (rev.project.code, rev.grade, rev.who) == ("P01", "中", "caizheng")
    assert rev.self_score > rev.score
    html = c.get("/d/demo/2022/review/").content.decode()
    assert "78.5" in html and "收回用地面积未达目标" in html
    project_page = client_for("jingban").get("/d/demo/2022/p/P01/").content.decode()
    assert "财政复核：78.5 分" in project_page


def test_history_shows_who_field_before_after(site):
    set_status("demo", "P01", "草稿")
    client_for("jingban").post("/d/demo/2022/p/P01/i/P01-I1/actual/", {"actual": "3件"})
    html = client_for("disanfang").get("/d/demo/2022/history/?key=demo/2022/项目/P01").content.decode()
    assert "jingban" in html and "实际完成值" in html and "2件" in html and "3件" in html
    assert m.ChangeLog.objects.filter(object_key="demo/2022/项目/P01/指标/P01-I1").count() == 1
