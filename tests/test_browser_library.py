"""Stage "library" in Chromium: the 经办人 sets a new project's indicators from the library — two
common indicators of the project's category and one of the unit's own indicators of last year,
whose target typed below last year's actual is flagged at once — and 财政 curates the library
(adds an indicator, retires another), which changes what the picker offers."""
from __future__ import annotations

import dataclasses

from browser_support import Site, browser_marks

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.cli.core_cmds import DEMO_FILE
from jixiao.core.library import load_library

pytestmark = browser_marks


def _pick(site: Site, key_or_text: str, target: str, weight: str) -> None:
    page = site.page
    page.click(f"a[data-action='{key_or_text}']")
    page.wait_for_load_state("networkidle")
    page.fill("#id_target_text", target)
    page.fill("#id_weight", weight)
    page.locator("#parsed-target").filter(has_text=target.lstrip("≥")[:2]).wait_for()


def test_library_stage(site: Site) -> None:
    # an earlier year of the unit's own data: the demo's 2022 stored as 2021
    save_department_year(dataclasses.replace(exchange.read_file(DEMO_FILE), year=2021), who="pytest",
                         reason="上年度测试数据")
    page = site.page
    site.login("jingban")
    site.go("/d/demo/2022/")
    page.click("nav.main >> text=目标申报")
    page.click("#new-project")
    page.fill("#id_code", "N02")
    page.fill("#id_name", "园区招商引资与用地盘活经费")
    page.fill("input[name=fund-0-budget]", "150")
    page.click("button[data-action=create-project]")
    page.wait_for_load_state("networkidle")

    page.click("#pick-library")
    page.wait_for_load_state("networkidle")
    assert page.locator("#filter-category").input_value() == "招商引资"  # suggested from the name
    site.shot("library", "picker")
    key = page.locator("#common tr:has-text('引进项目数量')").first.get_attribute("id").removeprefix("lib-")
    _pick(site, f"pick-{key}", "≥15个", "50")
    assert page.locator("#picked").inner_text().startswith("取自指标库")
    page.click("button[data-action=save-and-pick]")
    page.wait_for_load_state("networkidle")

    key = page.locator("#common tr:has-text('落户企业满意度')").first.get_attribute("id").removeprefix("lib-")
    _pick(site, f"pick-{key}", "≥90%", "10")
    page.click("button[data-action=save-and-pick]")
    page.wait_for_load_state("networkidle")

    # last year's own indicator: its actual (8.6公顷) is the basis, a weaker target is flagged
    page.click("a[data-action=pick-earlier-P01-I4]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_last_year_actual").input_value() == "8.6公顷"
    page.fill("#id_target_text", "≥8公顷")
    page.fill("#id_weight", "30")
    page.locator("#below-last-year").filter(has_text="低于上年实际完成值「8.6公顷」").wait_for()
    site.shot("library", "below-last-year")
    page.fill("#id_target_text", "≥9公顷")
    page.locator("#parsed-target").filter(has_text="9公顷").wait_for()
    assert page.locator("#below-last-year").count() == 0
    page.click("button[data-action=save-indicator]")
    page.wait_for_load_state("networkidle")
    names = page.locator("table.indicators tbody tr td:nth-child(5)").all_inner_texts()
    assert names == ["引进项目数量", "落户企业满意度", "收回低效闲置用地面积"]
    assert "分值合计 100 / 100 分" in page.locator("#indicators").inner_text()
    site.shot("library", "project-from-library")

    site.login("caizheng")
    site.go("/")
    page.click("header >> text=指标库")
    page.wait_for_load_state("networkidle")
    page.select_option("#filter-category", "招商引资")
    page.click("#library-filter button")
    page.wait_for_load_state("networkidle")
    page.click("#add-entry summary")
    page.select_option("#add-category", "招商引资")
    page.select_option("#add-level1", "效益指标")
    page.select_option("#add-level2", "经济效益指标")
    page.fill("#add-name", "新增规上企业数")
    page.fill("#add-unit", "家")
    page.fill("#add-example", "≥5家")
    page.fill("#add-reason", "招商考核新增")
    page.click("button[data-action=add-entry]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#lib-ZD-001").is_visible()
    dup = next(e.key for e in load_library().entries if e.name == "签约项目数量" and e.category == "招商引资")
    retire = page.locator(f"#lib-{dup} form:has(button[data-action=retire-{dup}])")
    retire.locator("input[name=reason]").fill("与引进项目数量口径重复")
    with page.expect_navigation():
        retire.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(f"#lib-{dup} .status").inner_text() == "停用"
    assert m.LibraryEntry.objects.get(name="签约项目数量").status == "停用"
    site.shot("library", "curation")

    site.login("jingban")
    site.go("/d/demo/2022/goals/p/N02/")
    page.click("#pick-library")
    page.wait_for_load_state("networkidle")
    common = page.locator("#common").inner_text()
    assert "新增规上企业数" in common and "签约项目数量" not in common
