"""Stage "goals" in Chromium: the 经办人 creates a project with its funds, sets three indicators
(the read-back shows how each target is understood and the weight sum), orders them with the
arrows and submits; the 部门管理员 returns it with a comment, the 经办人 fixes and resubmits, the
部门管理员 approves and 财政 ratifies — every page reached by links from the navigation."""
from __future__ import annotations

from browser_support import Site, browser_marks

from jixiao.budget import models as m

pytestmark = browser_marks

INDICATORS = [
    ("产出指标", "数量指标", "举办招商推介活动场次", "≥6场", "50"),
    ("效益指标", "经济效益指标", "协议投资总额", "≥50亿元", "30"),
    ("满意度指标", "服务对象满意度指标", "落户企业满意度", "≥90%", "10"),
]


def _open_goals(site: Site) -> None:
    site.go("/d/demo/2022/")
    site.page.click("nav.main >> text=目标申报")
    site.page.wait_for_load_state("networkidle")


def _open_project(site: Site) -> None:
    _open_goals(site)
    site.page.click("#goal-N01 >> text=N01")
    site.page.wait_for_load_state("networkidle")


def _step(site: Site, action: str, comment: str = "") -> None:
    form = site.page.locator(f"form.action:has(button[data-action=goals-{action}])")
    if comment:
        form.locator("input[name=comment]").fill(comment)
    form.locator("button").click()
    site.page.wait_for_load_state("networkidle")


def test_goals_stage(site: Site) -> None:
    page = site.page
    site.login("jingban")
    _open_goals(site)
    page.click("#new-project")
    page.fill("#id_code", "N01")
    page.fill("#id_name", "园区招商推介活动经费")
    page.fill("#id_unit", "投资促进科")
    page.fill("#id_category", "招商引资")
    page.fill("#id_goal", "全年举办招商推介活动 6 场，协议投资 50 亿元。")
    page.fill("input[name=fund-0-initial]", "80")
    page.fill("input[name=fund-0-budget]", "96.5")
    page.press("input[name=fund-0-budget]", "Enter")  # Enter submits
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("N01")

    for level1, level2, name, target, weight in INDICATORS:
        page.click("#new-indicator")
        page.select_option("#id_level1", level1)
        page.select_option("#id_level2", level2)
        page.fill("#id_name", name)
        page.fill("#id_target_text", target)
        page.fill("#id_weight", weight)
        page.fill("#id_basis", "计划标准")
        page.locator("#parsed-target").filter(has_text=target[1:3]).wait_for()  # the live read-back
        if name == "落户企业满意度":
            page.locator("#weight-sum").filter(has_text="分值合计 100 / 100").wait_for()
            site.shot("goals", "indicator-readback")
        page.click("button[data-action=save-indicator]")
        page.wait_for_load_state("networkidle")
    page.click("button[data-action=up-N01-I3]")  # satisfaction before the benefit indicator
    page.wait_for_load_state("networkidle")
    order = page.locator("table.indicators tbody tr td:nth-child(2)").all_inner_texts()
    assert order == ["N01-I1", "N01-I3", "N01-I2"]
    assert "分值合计 100 / 100 分" in page.locator("#indicators").inner_text()
    site.shot("goals", "project-indicators")
    _step(site, "submit")
    assert page.locator("#goal-status").inner_text() == "已提交"

    site.login("bumen")
    _open_project(site)
    _step(site, "return", "请将推介活动场次与年度计划核对")
    assert page.locator("#goal-status").inner_text() == "退回"

    site.login("jingban")
    _open_project(site)
    assert "请将推介活动场次与年度计划核对" in page.locator("#return-comment").inner_text()
    site.shot("goals", "returned")
    page.click("a[data-action=edit-N01-I1]")
    page.fill("#id_target_text", "≥8场")
    page.click("button[data-action=save-indicator]")
    page.wait_for_load_state("networkidle")
    _step(site, "submit")

    site.login("bumen")
    _open_project(site)
    _step(site, "approve")
    assert page.locator("#goal-status").inner_text() == "部门审核通过"

    site.login("caizheng")
    _open_project(site)
    _step(site, "ratify")
    assert page.locator("#goal-status").inner_text() == "财政审核通过"
    site.shot("goals", "ratified")
    p = m.Project.objects.get(code="N01")
    assert p.goal_status == "财政审核通过"
    assert list(p.indicators.order_by("position").values_list("target_text", flat=True)) == ["≥8场", "≥90%", "≥50亿元"]
