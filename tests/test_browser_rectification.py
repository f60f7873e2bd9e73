"""Stage "rectification" in Chromium: the 经办人 opens the 整改 register from the navigation,
sees the overdue item, turns a finding into an item in one click (owner, deadline, measure),
starts it and closes it with its note; the finance reviewer confirms it."""
from __future__ import annotations

from browser_support import Site, browser_marks
from playwright.sync_api import expect

from jixiao.budget import models as m

pytestmark = browser_marks


def _step(site: Site, rcode: str, action: str, comment: str = "") -> None:
    form = site.page.locator(f"#rect-{rcode} form.action:has(button[data-action=rect-{action}])")
    if comment:
        form.locator("input[name=comment]").fill(comment)
    form.locator("button").click()
    site.page.wait_for_load_state("networkidle")


def test_rectification_stage(site: Site) -> None:
    page = site.page
    site.login("jingban")
    site.go("/d/demo/2022/")
    page.click("nav.main >> text=整改")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#overdue")).to_contain_text("逾期未完成整改 1 项")
    expect(page.locator("#rect-R01")).to_contain_text("已逾期")
    site.shot("rectification", "register")

    finding = page.locator("#findings tbody tr").first
    problem = finding.locator("td").nth(2).inner_text()
    finding.locator("a.take").click()
    page.wait_for_load_state("networkidle")
    form = page.locator("#new-rectification form")
    expect(form.locator("textarea[name=problem]")).to_have_value(problem)
    form.locator("textarea[name=measure]").fill("逐项核对执行进度，按月调度，10 月底前完成支付")
    form.locator("input[name=deadline]").fill("2099-10-31")
    form.locator("input[name=owner]").fill("财务科 王五")
    form.locator("input[name=owner]").press("Enter")  # Enter submits
    page.wait_for_load_state("networkidle")
    expect(page.locator("#rect-R02")).to_contain_text("财务科 王五")
    expect(page.locator("#rect-R02")).to_contain_text("待整改")
    expect(page.locator("#findings")).to_contain_text("已转为整改事项")

    _step(site, "R02", "start")
    expect(page.locator("#rect-R02")).to_contain_text("整改中")
    _step(site, "R02", "complete", "已按月调度，截至 10 月支付完毕，执行率达 96%")
    expect(page.locator("#rect-R02")).to_contain_text("已完成")
    expect(page.locator("#rect-R02")).to_contain_text("执行率达 96%")
    site.shot("rectification", "closed-with-note")

    site.login("caizheng")
    site.go("/d/demo/2022/rectification/")
    _step(site, "R02", "confirm")
    expect(page.locator("#rect-R02")).to_contain_text("已确认")
    site.shot("rectification", "confirmed")
    assert m.Rectification.objects.get(code="R02").status == "已确认"
