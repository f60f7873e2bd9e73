"""Stage "ledger" in Chromium: the 经办人 opens the 招商 board from the navigation (it fits a
1280 px screen), adds a leaders' visit through the ledger's entry form, and sees the indicator
the ledger feeds (区领导带队赴市外拜访企业数) change on the department evaluation page; a year
without a land ledger is begun in the browser, never by the command line."""
from __future__ import annotations

import re

from browser_support import Site, browser_marks
from playwright.sync_api import expect

from jixiao import features
from jixiao.budget.store import load_department_year
from jixiao.land import models as lm

pytestmark = browser_marks
INDICATOR = "区领导带队赴市外拜访企业数"


def _fed_value(site: Site) -> int:
    site.go("/d/demo/2022/evaluation/")
    row = site.page.locator("table.indicators tr", has_text=INDICATOR)
    actual = row.locator("td").nth(5).inner_text()
    return int(re.match(r"\d+", actual).group())  # type: ignore[union-attr]


def test_ledger_stage(site: Site) -> None:
    page = site.page
    dy = load_department_year("demo", 2022)
    loaders = {f.key: f.demo_loader for f in features.all_features()}
    features.resolve(loaders["invest"])(dy)  # the demo's investment ledger; land stays empty
    site.login("jingban")
    before = _fed_value(site)

    page.set_viewport_size({"width": 1280, "height": 900})
    site.go("/d/demo/2022/")
    page.click("nav.main >> text=招商台账")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"招商看板宽 {width}px，超出 1280px"
    site.shot("ledger", "invest-board-1280")

    page.click("nav.main >> text=台账录入")
    page.wait_for_load_state("networkidle")
    page.click("nav.tabs >> text=领导拜访企业")
    page.wait_for_load_state("networkidle")
    page.click("#add-record")
    page.wait_for_load_state("networkidle")
    page.fill("#f-visit_id", "LV-2022-99")
    page.fill("#f-date", "2022-11-08")
    page.fill("#f-leaders", "区领导")
    page.fill("#f-enterprise", "珠海示例新材料有限公司")
    page.fill("#f-city", "珠海市")
    page.select_option("#f-outside_city", "是")
    page.select_option("#f-purpose", "招商")
    page.press("#f-city", "Enter")  # Enter submits
    page.wait_for_load_state("networkidle")
    expect(page.locator("#records")).to_contain_text("LV-2022-99")
    site.shot("ledger", "visit-added")

    assert _fed_value(site) == before + 1
    site.shot("ledger", "fed-indicator-updated")

    page.set_viewport_size({"width": 1400, "height": 1000})
    site.go("/d/demo/2022/")
    page.click("nav.main >> text=土地台账")
    page.wait_for_load_state("networkidle")
    assert "jixiao land import" not in page.content()
    page.click("text=新建本年度台账并逐条录入")
    page.wait_for_load_state("networkidle")
    page.click("#start-ledger button")
    page.wait_for_load_state("networkidle")
    assert lm.LandYear.objects.filter(department__code="demo", year=2022).exists()
    expect(page.locator("h1")).to_contain_text("新增宗地台账记录")
