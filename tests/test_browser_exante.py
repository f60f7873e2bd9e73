"""事前绩效评估 in Chromium: a unit proposes a project, the bureau names three experts, each
declares and scores, the bureau concludes 予以支持 and the project enters the budget year."""
from __future__ import annotations

from browser_support import Site, browser_marks

from jixiao.budget import models as m
from jixiao.core import exante as rules

pytestmark = browser_marks


def _act(site: Site, action: str) -> None:
    site.page.click(f"button[data-action={action}]")
    site.page.wait_for_load_state("networkidle")


def test_a_proposal_from_application_to_the_budget_year(site: Site) -> None:
    page = site.page
    site.login("jingban")
    site.go("/exante/")
    page.click("text=新建入库申报")
    page.fill("#f-year", "2023")
    page.fill("#f-code", "X01")
    page.fill("#f-name", "园区企业服务数字化平台建设")
    page.fill("#f-requested", "120")
    page.fill("#f-goal", "建成企业服务平台，覆盖园区规上企业")
    page.fill("input[name=ind-0-name]", "接入企业数")
    page.fill("input[name=ind-0-target]", "≥120家")
    page.fill("input[name=ind-0-weight]", "30")
    site.shot("exante", "proposal")
    page.click("text=保存申报")
    page.wait_for_load_state("networkidle")
    assert "须开展事前绩效评估" in page.inner_text("#exante-trigger")
    _act(site, "submit")
    assert page.inner_text("#exante-status") == "已申报"

    site.login("caizheng")
    site.go("/exante/")
    page.click("text=园区企业服务数字化平台建设（X01）")
    for name in ("zhuanjia1", "zhuanjia2", "zhuanjia3"):
        page.check(f"input[name=experts][value={name}]")
    _act(site, "panel")
    _act(site, "review")
    assert page.inner_text("#exante-status") == "评审中"
    url = page.url

    for n, name in enumerate(("zhuanjia1", "zhuanjia2", "zhuanjia3")):
        site.login(name)
        page.goto(url)
        _act(site, "declare")
        for item in rules.system_for(False).items():
            page.fill(f"input[name=item-{item.key}]", str(item.points - (1 if n else 0)))
        if n == 0:
            site.shot("exante", "expert-scoring")
        _act(site, "score")

    site.login("caizheng")
    page.goto(url)
    assert "专家组评分" in page.inner_text("#exante-panel")
    page.fill("#c-approved", "100")
    page.fill("#c-opinion", "建议压减平台运维费用")
    _act(site, "conclude")
    assert "予以支持" in page.inner_text("#exante-conclusion")
    _act(site, "enter")
    site.shot("exante", "entered")
    assert m.Project.objects.filter(department_year__department__code="demo", department_year__year=2023,
                                    code="X01").exists()
