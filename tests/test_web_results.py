"""结果应用 pages: per project the grade's consequence and proposed amount; the finance user's
decision (with its history, a comment required when it departs from the proposal); the
bureau-wide table and its .xlsx export; units may look but not decide."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m
from jixiao.core.display import fmt_amount_fixed
from jixiao.core.results_application import load_results_rules
from jixiao.web.data import scored

URL = "/d/demo/2022/results/"
BUREAU = "/bureau/hp-finance/2022/results/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _p01():
    row = m.DepartmentYear.objects.get(department__code="demo")
    return next(p for p in scored(row).result.projects if p.code == "P01")


def _row(html: str, pcode: str) -> str:
    return html.split(f'id="result-{pcode}"')[1].split("</tr>")[0]


def test_each_project_shows_its_consequence_and_proposal(site):
    p01 = _p01()
    rules = load_results_rules()
    c = rules.grades[p01.grade]
    row = _row(client_for("jingban").get(URL).content.decode(), "P01")
    assert c.consequence in row
    assert fmt_amount_fixed(p01.budget * c.factor) in row and fmt_amount_fixed(p01.budget) in row
    assert "未决定" in row and 'name="amount"' not in row  # the unit sees, finance decides


def test_finance_adopts_the_proposal_and_it_is_in_the_history(site):
    p01 = _p01()
    factor = load_results_rules().grades[p01.grade].factor
    f = client_for("caizheng")
    html = f.get(URL).content.decode()
    assert 'name="amount"' in _row(html, "P01")
    answer = f.post(URL, {"project": "P01", "amount": "", "comment": ""})
    assert answer.status_code == 302
    d = m.ResultDecision.objects.get()
    assert d.decided == p01.budget * factor and d.who == "caizheng" and d.grade == p01.grade
    log = m.ChangeLog.objects.get(model_label="budget.resultdecision")
    assert log.object_id == d.pk and fmt_amount_fixed(d.decided) in log.after
    assert fmt_amount_fixed(d.decided) in _row(f.get(URL).content.decode(), "P01")


def test_a_different_amount_needs_a_reason(site):
    f = client_for("caizheng")
    refused = f.post(URL, {"project": "P01", "amount": "1", "comment": ""})
    assert refused.status_code == 400 and "请填写审核意见" in refused.content.decode()
    bad = f.post(URL, {"project": "P01", "amount": "一百万", "comment": "x"})
    assert bad.status_code == 400 and "「一百万」不是数字" in bad.content.decode()
    assert f.post(URL, {"project": "P01", "amount": "-5", "comment": "x"}).status_code == 400
    assert not m.ResultDecision.objects.exists()
    ok = f.post(URL, {"project": "P01", "amount": "150", "comment": "仲裁案件减少，按实际需求安排"})
    assert ok.status_code == 302
    again = f.post(URL, {"project": "P01", "amount": "160.5", "comment": "补充一宗案件"})
    assert again.status_code == 302
    assert m.ResultDecision.objects.count() == 2  # the earlier decision stays as history
    row = _row(f.get(URL).content.decode(), "P01")
    assert "160.50" in row and "补充一宗案件" in row and 'class="differs"' in f.get(URL).content.decode()
    log = m.ChangeLog.objects.filter(model_label="budget.resultdecision").order_by("-id").first()
    assert log is not None and log.before == "150.00"


def test_the_review_grade_decides_the_consequence(site):
    f = client_for("caizheng")
    form = f.get("/d/demo/2022/review/?project=P01").content.decode().split('id="review-form"')[1]
    values = dict.fromkeys(re.findall(r'name="(score-[^"]+)"', form), "0")
    f.post("/d/demo/2022/review/", {"project": "P01", **values, "reason": "佐证材料缺失，逐项核减"})
    review = m.Review.objects.get()
    c = load_results_rules().grades[review.grade]
    row = _row(f.get(URL).content.decode(), "P01")
    assert c.consequence in row and f"按复核等级「{review.grade}」" in row


def test_unit_cannot_decide(site):
    answer = client_for("bumen").post(URL, {"project": "P01", "amount": "1", "comment": "x"})
    assert answer.status_code == 403 and not m.ResultDecision.objects.exists()


def test_bureau_table_and_export(site):
    f = client_for("caizheng")
    f.post(URL, {"project": "P02", "amount": "", "comment": ""})
    html = f.get(BUREAU).content.decode()
    table = html.split('id="bureau-results"')[1]
    assert "P01 仲裁解除用地合同经费" in table and "B01" in table  # both departments under the bureau
    assert 'href="/bureau/hp-finance/2022/results.xlsx"' in html
    assert 'href="/bureau/hp-finance/2022/results/"' in f.get("/bureau/hp-finance/2022/").content.decode()
    answer = f.get("/bureau/hp-finance/2022/results.xlsx")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(answer.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:3] == ("部门", "项目编码", "项目名称")
    p02 = next(r for r in rows if r[1] == "P02")
    d = m.ResultDecision.objects.get(project_code="P02")
    assert p02[11] == fmt_amount_fixed(d.decided) and p02[13] == "caizheng"
    assert Decimal(p02[10].replace(",", "")) == d.proposed
    assert client_for("jingban").get(BUREAU).status_code == 404


def test_a_middle_or_poor_result_asks_for_a_rectification(site):
    f = client_for("caizheng")
    form = f.get("/d/demo/2022/review/?project=P01").content.decode().split('id="review-form"')[1]
    values = dict.fromkeys(re.findall(r'name="(score-[^"]+)"', form), "0")
    f.post("/d/demo/2022/review/", {"project": "P01", **values, "reason": "佐证材料缺失，逐项核减"})
    assert load_results_rules().grades[m.Review.objects.get().grade].rectification
    c = client_for("jingban")
    row = _row(c.get(URL).content.decode(), "P01")
    assert "尚无整改事项" in row
    link = re.search(r'href="([^"]+)" class="rectify"', row).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    form = c.get(link).content.decode().split('id="new-rectification"')[1]
    assert "须限期整改" in form and 'value="P01" selected' in form
    assert "尚无整改事项" not in _row(c.get(URL).content.decode(), "P02")  # 优: nothing asked


def test_the_same_use_case_for_programs(site):
    api = "/api/departments/demo/2022/results/"
    f = client_for("caizheng")
    listed = f.get(api).json()
    p01 = next(p for p in listed["projects"] if p["project"] == "P01")
    assert p01["consequence"] == load_results_rules().grades[p01["grade"]].consequence and p01["decision"] is None
    made = f.post(api, {"project": "P01", "amount": "175.5", "comment": "按实际需求安排"},
                  content_type="application/json")
    assert made.status_code == 201 and made.json()["decided"] == "175.50"
    assert f.get(api).json()["projects"][0]["decision"]["who"] == "caizheng"
    refused = f.post(api, {"project": "P01", "amount": "1"}, content_type="application/json")
    assert refused.status_code == 422 and "审核意见" in refused.json()["detail"]
    denied = client_for("jingban").post(api, {"project": "P01"}, content_type="application/json")
    assert denied.status_code == 403
