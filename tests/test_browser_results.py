"""Stage "results" in Chromium: the finance reviewer opens 结果应用 from the navigation, sees
each project's consequence and proposed amount, records a decision with its reason, and views
and exports the bureau-wide table."""
from __future__ import annotations

from browser_support import Site, browser_marks
from playwright.sync_api import expect

from jixiao.budget import models as m

pytestmark = browser_marks


def test_results_stage(site: Site, tmp_path) -> None:
    page = site.page
    site.login("caizheng")
    site.go("/d/demo/2022/")
    page.click("nav.main >> text=结果应用")
    page.wait_for_load_state("networkidle")
    row = page.locator("#result-P01")
    expect(row).to_contain_text("未决定")
    site.shot("results", "proposals")

    row.locator("input[name=amount]").fill("180")
    row.locator("input[name=comment]").fill("仲裁案件压减，按实际需求安排")
    row.locator("input[name=comment]").press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#result-P01")).to_contain_text("180.00")
    expect(page.locator("#result-P01")).to_contain_text("仲裁案件压减")
    assert m.ResultDecision.objects.get().who == "caizheng"

    site.go("/bureau/hp-finance/2022/")
    page.click("text=结果应用汇总表")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#bureau-results")).to_contain_text("180.00")
    site.shot("results", "bureau-table")
    with page.expect_download() as info:
        page.click("#export-results")
    path = tmp_path / "results.xlsx"
    info.value.save_as(path)
    assert path.read_bytes()[:2] == b"PK"  # an .xlsx (zip) file
