"""运行监控 in Chromium: the 经办人 of demo-b fills in B01's 7-month 监控表, follows the red
"须填写纠偏措施" link to the field, writes the measures, submits; the administrator approves."""
from __future__ import annotations

from browser_support import Site, browser_marks

pytestmark = browser_marks


def test_monitoring_checkpoint_end_to_end(site: Site) -> None:
    page = site.page
    site.login("jingban-b")
    site.go("/d/demo-b/2022/")
    page.click("nav.main >> text=监控")
    page.wait_for_load_state("networkidle")
    site.shot("monitoring", "overview")
    page.click("#fill-B01")
    page.wait_for_load_state("networkidle")
    assert "尚未填报本月监控表" in page.content()
    page.fill("#goal_progress", "1-7月已开展社区服务活动 14 场，惠及居民 1800 人次")
    page.fill("#progress-B01-I1", "14场")
    page.fill("#forecast-B01-I1", "26场")
    page.select_option("#likelihood-B01-I3", "完全不可能")
    page.check("input[name='B01-I3.causes'][value='人员保障']")
    page.fill("#explanation-B01-I3", "社工人员流动，部分活动推迟")
    page.click("#save-checkpoint")
    page.wait_for_load_state("networkidle")
    assert "监控表已保存" in page.content()
    # the red warnings link straight to the fields that clear them
    link = page.locator("#cp-warnings a[href='#measures-B01-I3']")
    assert link.count() == 1
    site.shot("monitoring", "warnings")
    link.click()
    assert page.evaluate("location.hash") == "#measures-B01-I3"
    page.fill("#measures-B01-I3", "调整活动排期，增派社工，9月底前补足场次")
    page.fill("#measures-funds", "加快支付进度，督促实施单位按月报账")
    page.click("#save-checkpoint")
    page.wait_for_load_state("networkidle")
    assert page.locator("#cp-warnings a.bad").count() == 0
    page.click("button[data-action='monitoring-submit']")
    page.wait_for_load_state("networkidle")
    assert "已由「填报」改为「已提交」" in page.content()
    site.shot("monitoring", "submitted")
    site.login("xitong")
    site.go("/d/demo-b/2022/monitoring/")
    page.click("#checkpoint-B01 button[data-action='monitoring-approve']")
    page.wait_for_load_state("networkidle")
    assert "已由「已提交」改为「已审核」" in page.content()
    site.shot("monitoring", "approved")
