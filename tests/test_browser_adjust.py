"""Stage "adjust" in Chromium: after the goals are ratified, the 经办人 requests a 目标调整 of one
target (new value and reason) from the project page reached through 目标调整 in the navigation;
the 部门管理员 approves it from the adjustments list and finance rejects another with a comment;
the list then shows the original and the adjusted value side by side, and the project page the
adjusted target with the original beside it."""
from __future__ import annotations

from browser_support import Site, browser_marks

from jixiao.budget import models as m

pytestmark = browser_marks


def _request(site: Site, icode: str, field: str, value: str, reason: str) -> None:
    page = site.page
    row = page.locator(f"#ind-{icode}")
    row.locator("details.adjust summary").click()
    row.locator("select[name=field]").select_option(field)
    row.locator("input[name=value]").fill(value)
    row.locator("input[name=reason]").fill(reason)
    with page.expect_navigation():
        row.locator("input[name=reason]").press("Enter")  # Enter submits the request
    page.wait_for_load_state("networkidle")


def _open_list(site: Site) -> None:
    site.go("/d/demo/2022/")
    site.page.click("nav.main >> text=目标调整")
    site.page.wait_for_load_state("networkidle")


def test_adjust_stage(site: Site) -> None:
    page = site.page
    site.login("jingban")
    _open_list(site)
    assert "没有目标调整申请" in page.locator("#adjustments").inner_text()
    page.click("ul.adjustable >> text=P01")
    page.wait_for_load_state("networkidle")
    _request(site, "P01-I4", "target_text", "≥8公顷", "部分地块仲裁尚未结案，司法程序延期")
    _request(site, "P01-I2", "weight", "10", "合规性指标分值调低，移至效益指标")
    assert "调整申请待审核" in page.locator("#ind-P01-I4").inner_text()
    site.shot("adjust", "requested")

    site.login("bumen")
    _open_list(site)
    pending = page.locator("#adjustments tr:has-text('P01-I4')")
    assert "待审核" in pending.inner_text()
    with page.expect_navigation():
        pending.locator("button[data-action=adjust-approve]").click()
    page.wait_for_load_state("networkidle")
    assert "调整后指标值（原：≥10公顷）" in page.locator("#ind-P01-I4").inner_text()

    site.login("caizheng")
    _open_list(site)
    weight = page.locator("#adjustments tr:has-text('P01-I2')")
    weight.locator("input[name=comment]").fill("分值调整须与效益指标同时申报")
    with page.expect_navigation():
        weight.locator("button[data-action=adjust-reject]").click()
    page.wait_for_load_state("networkidle")

    _open_list(site)
    approved = page.locator("#adjustments tr:has-text('P01-I4')")
    assert "≥10公顷" in approved.locator("td.original").inner_text()
    assert "≥8公顷" in approved.locator("td.adjusted-value").inner_text()
    assert "已批准" in approved.inner_text()
    assert "已驳回" in page.locator("#adjustments tr:has-text('P01-I2')").inner_text()
    site.shot("adjust", "decided")
    ind = m.Indicator.objects.get(project__code="P01", code="P01-I4")
    assert (ind.target_text, ind.original_target_text) == ("≥8公顷", "≥10公顷")
    assert m.Indicator.objects.get(project__code="P01", code="P01-I2").weight == 15  # rejected: unchanged
