"""The reviewer's workpaper: its 差值表 equals 自评 − 复核 per indicator and per project; the
bureau's own review scores replace the pack's; the pages and the workbook."""
from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import exchange
from jixiao.core.precheck import run_pack
from jixiao.core.scoring import score_department
from jixiao.core.workpaper import build
from jixiao.excel.workpaper import write_workpaper

DEMO = "jixiao/data/demo/department-2022.json"


def _demo_workpaper(reviewed=None):
    dy = exchange.read_file(DEMO)
    result = score_department(dy)
    return build(dy, result, run_pack(dy, result), reviewed)


def test_the_difference_table_is_self_minus_review_per_indicator_and_project():
    wp = _demo_workpaper()
    assert wp.rows
    for r in wp.rows:
        if r.self_score is not None and r.review_score is not None:
            assert r.difference == r.self_score - r.review_score
    for code, _, own, review in wp.by_project():
        rows = [r for r in wp.rows if r.project == code]
        assert own == sum((r.self_score or 0 for r in rows), Decimal(0))
        assert own - review == sum((r.difference or 0 for r in rows), Decimal(0))
    assert any(r.difference for r in wp.rows)  # the demo's satisfaction rows lose points
    assert any(r.code == "预算执行率" for r in wp.rows)  # execution stands as its own row


def test_the_bureaus_own_scores_take_precedence():
    base = _demo_workpaper()
    row = next(r for r in base.rows if r.difference)
    wp = _demo_workpaper({(row.project, row.code): (row.self_score, "财政复核：佐证充分，不扣分")})
    again = next(r for r in wp.rows if (r.project, r.code) == (row.project, row.code))
    assert again.difference == 0 and "财政复核" in again.note


def test_the_deviation_compares_self_rate_with_completion():
    wp = _demo_workpaper()
    for r in wp.rows:
        if r.deviation is not None:
            assert r.deviation == r.self_rate - min(r.completion, Decimal(1))


def test_the_workbook_has_the_three_sheets(tmp_path):
    path = tmp_path / "wp.xlsx"
    write_workpaper(_demo_workpaper(), path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["复核底稿", "偏离度", "差值表"]
    head = [c.value for c in wb["复核底稿"][2]]
    assert head == ["项目", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "权重", "自评完成值", "自评得分",
                    "复核完成值", "复核得分", "备注"]
    diff = wb["差值表"]
    for row in diff.iter_rows(min_row=3, values_only=True):
        if isinstance(row[2], float) and isinstance(row[3], float):
            assert row[4] == pytest.approx(row[2] - row[3], abs=0.011)


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def test_the_pages(site):
    unit = client_for("jingban")
    page = unit.get("/d/demo/2022/precheck/")
    body = page.content.decode()
    assert page.status_code == 200 and "R-SATISFACTION-NO-SURVEY" in body and "复核底稿" in body
    assert unit.get("/d/demo/2022/precheck/workpaper.xlsx").status_code == 200
    assert client_for("jingban-b").get("/d/demo/2022/precheck/").status_code == 404
    summary = client_for("caizheng").get("/bureau/hp-finance/2022/precheck/")
    assert summary.status_code == 200 and "广州开发区穗港科技合作园管理委员会" in summary.content.decode()
    assert unit.get("/bureau/hp-finance/2022/precheck/").status_code == 404
