"""复核 (finance review) on the review page: a score per indicator prefilled with the unit's own,
a comment per indicator and the reason; the review in force shown with its per-indicator scores;
refused unless the self-evaluation was submitted (已提交/已审核/锁定)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao.budget import models as m
from jixiao.core.display import fmt_score
from jixiao.web.data import scored

URL = "/d/demo/2022/review/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _self_result(pcode: str):
    row = m.DepartmentYear.objects.get(department__code="demo")
    return next(p for p in scored(row).result.projects if p.code == pcode)


def _form_values(html: str) -> dict[str, str]:
    form = html.split('id="review-form"')[1].split("</form>")[0]
    return dict(re.findall(r'name="(score-[^"]+)" value="([^"]*)"', form))


def test_form_is_prefilled_with_the_self_scores(site):
    html = client_for("caizheng").get(URL + "?project=P01").content.decode()
    values = _form_values(html)
    pr = _self_result("P01")
    assert values == {f"score-{i.code}": fmt_score(i.score) for i in pr.indicators}
    assert 'name="reason"' in html and "自评状态「已审核」" in html


def test_review_per_indicator_is_recorded_and_shown_in_force(site):
    c = client_for("caizheng")
    pr = _self_result("P01")
    values = _form_values(c.get(URL + "?project=P01").content.decode())
    values["score-P01-I4"] = "20"
    answer = c.post(URL, {"project": "P01", **values, "comment-P01-I4": "收回面积仅 8.6 公顷",
                          "reason": "效益指标未达目标，按完成比例扣分"})
    assert answer.status_code == 302
    review = m.Review.objects.get()
    items = {i.indicator_code: i for i in review.items.all()}
    assert set(items) == {i.code for i in pr.indicators}
    assert items["P01-I4"].score == Decimal("20") and items["P01-I4"].comment == "收回面积仅 8.6 公顷"
    assert items["P01-I4"].indicator_id == m.Indicator.objects.get(project__code="P01", code="P01-I4").pk
    i4 = next(i for i in pr.indicators if i.code == "P01-I4")
    expected = pr.execution.score + sum(i.score for i in pr.indicators) - i4.score + Decimal("20")
    assert abs(review.score - expected) < Decimal("0.0001")  # stored to the column's 4 places
    assert abs(review.self_score - pr.total) < Decimal("0.0001") and review.who == "caizheng"
    log = m.ChangeLog.objects.filter(model_label="budget.review").get()
    assert log.object_id == review.pk and log.reason == "效益指标未达目标，按完成比例扣分"
    html = c.get(URL + "?project=P01").content.decode()
    form = html.split('id="review-form"')[1]
    assert "现行复核" in form and "收回面积仅 8.6 公顷" in form
    assert _form_values(html)["score-P01-I4"] == "20"  # a new review starts from the one in force
    project = client_for("jingban").get("/d/demo/2022/p/P01/").content.decode()
    assert "<th>复核得分</th>" in project
    assert '<td class="n">20</td>' in project.split('id="ind-P01-I4"')[1].split("</tr>")[0]


def test_review_of_a_draft_is_refused(site):
    set_status("demo", "P01", "草稿")
    c = client_for("caizheng")
    values = _form_values(c.get(URL + "?project=P01").content.decode())
    page = c.post(URL, {"project": "P01", **values, "reason": "提前复核"})
    html = page.content.decode()
    assert page.status_code == 403
    assert "当前为「草稿」" in html and 'role="alert"' in html
    assert not m.Review.objects.exists()


def test_wrong_scores_are_listed_and_the_input_kept(site):
    c = client_for("caizheng")
    values = _form_values(c.get(URL + "?project=P01").content.decode())
    values["score-P01-I4"] = "很多"
    values["score-P01-I1"] = "99"
    page = c.post(URL, {"project": "P01", **values, "reason": "复核"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "复核得分「很多」不是数字" in html and "复核得分应在 0 到" in html
    assert _form_values(html)["score-P01-I4"] == "很多"
    assert not m.Review.objects.exists()


def test_department_as_a_whole_is_reviewed_too(site):
    c = client_for("caizheng")
    values = _form_values(c.get(URL + "?project=").content.decode())
    assert values  # the department's own indicators
    assert c.post(URL, {"project": "", **values, "reason": "与自评一致"}).status_code == 302
    review = m.Review.objects.get()
    assert review.project is None and review.score == review.self_score


def test_only_finance_reviews(site):
    assert client_for("bumen").get(URL).status_code == 404
    assert client_for("bumen").post(URL, {"project": "P01", "score": "80", "reason": "x"}).status_code == 404
    assert not m.Review.objects.exists()
