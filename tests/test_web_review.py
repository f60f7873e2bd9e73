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


def _review_p01_i4(c, score: str = "20") -> None:
    values = _form_values(c.get(URL + "?project=P01").content.decode())
    values["score-P01-I4"] = score
    assert c.post(URL, {"project": "P01", **values, "comment-P01-I4": "收回面积仅 8.6 公顷",
                        "reason": "效益指标未达目标，按完成比例扣分"}).status_code == 302


def test_form_shows_the_units_side_and_highlights_differences(site):
    c = client_for("caizheng")
    pr = _self_result("P01")
    i4 = next(i for i in pr.indicators if i.code == "P01-I4")
    _review_p01_i4(c)
    html = c.get(URL + "?project=P01").content.decode()
    before, after = html.split('id="review-P01-I4"')
    row = before.rsplit("<tr", 1)[1] + after.split("</tr>")[0]
    assert 'class="differs"' in row and fmt_score(Decimal("20") - i4.score) in row
    assert (i4.actual_text or "—") in row  # the unit's actual value beside its score
    unchanged = html.split('id="review-P01-I1"')[0].rsplit("<tr", 1)[1]
    assert "differs" not in unchanged
    review = m.Review.objects.get()
    assert f"现行复核：<strong>{fmt_score(review.score)}</strong> 分 · <strong>{review.grade}</strong>" in html
    listing = html.split('class="grid review-table"')[1].split("</table>")[0]
    p01 = listing.split("P01 ")[1].split("</tr>")[0]
    assert fmt_score(review.score - pr.total) in p01  # the difference of the totals


def test_running_total_and_grade_before_saving(site):
    c = client_for("caizheng")
    pr = _self_result("P01")
    values = _form_values(c.get(URL + "?project=P01").content.decode())
    html = c.post(URL + "total/", {"project": "P01", **values}).content.decode()
    assert f"复核总分 <strong>{fmt_score(pr.total)}</strong>" in html and pr.grade in html
    values["score-P01-I4"] = "0"
    i4 = next(i for i in pr.indicators if i.code == "P01-I4")
    html = c.post(URL + "total/", {"project": "P01", **values}).content.decode()
    assert f"<strong>{fmt_score(pr.total - i4.score)}</strong>" in html
    values["score-P01-I4"] = "很多"
    assert "「很多」不是数字" in c.post(URL + "total/", {"project": "P01", **values}).content.decode()
    assert not m.Review.objects.exists()  # a running total stores nothing


def test_bureau_list_of_self_and_reviewed_scores(site):
    c = client_for("caizheng")
    _review_p01_i4(c)
    review = m.Review.objects.get()
    html = c.get("/bureau/hp-finance/2022/reviews/").content.decode()
    table = html.split('id="bureau-reviews"')[1]
    p01 = table.split("P01 ")[1].split("</tr>")[0]
    assert fmt_score(review.score) in p01 and fmt_score(review.self_score) in p01 and "caizheng" in p01
    assert "B01" in table and "未复核" in table  # demo-b's records, not reviewed yet
    assert "已复核 1 项" in html
    assert 'href="/bureau/hp-finance/2022/reviews/"' in c.get("/bureau/hp-finance/2022/").content.decode()
    assert client_for("jingban").get("/bureau/hp-finance/2022/reviews/").status_code == 404


def test_the_reviewer_can_start_from_the_precheck(site):
    """Beside each score the 复核 rule pack's; on asking, the form starts from the pack's scores
    and reasons (the demo holds no 佐证材料: the pack gives P01's indicators nothing)."""
    c = client_for("caizheng")
    plain = c.get("/d/demo/2022/review/?project=P01").content.decode()
    assert "预检 0" in plain and 'id="from-precheck"' in plain
    started = c.get("/d/demo/2022/review/?project=P01&from=precheck").content.decode()
    assert 'name="score-P01-I1" value="0"' in started and "R-NO-EVIDENCE" in started
