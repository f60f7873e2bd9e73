"""Stage "review" in Chromium: the finance reviewer goes from the bureau page to a project's 复核
form, lowers one indicator's score (the running reviewed total and grade follow), saves with the
reason, sees the difference highlighted, and opens the bureau-wide self-score vs review list."""
from __future__ import annotations

from browser_support import Site, browser_marks
from playwright.sync_api import expect

from jixiao.budget import models as m

pytestmark = browser_marks


def test_review_stage(site: Site) -> None:
    page = site.page
    site.login("caizheng")
    site.go("/bureau/hp-finance/2022/")
    page.click("a[href='/d/demo/2022/review/']")
    page.wait_for_load_state("networkidle")
    page.click("a[href='?project=P01#review-form']")
    page.wait_for_load_state("networkidle")
    total = page.locator("#review-total")
    expect(total).to_contain_text("按所填复核得分")
    before = total.inner_text()
    score = page.locator("input[name='score-P01-I4']")
    score.fill("1")
    expect(total).not_to_have_text(before)  # the running total follows the typed score
    page.fill("input[name='comment-P01-I4']", "佐证材料不足，仅认可部分完成")
    page.fill("input[name=reason]", "效益指标佐证不足，按复核结果扣分")
    page.press("input[name=reason]", "Enter")
    page.wait_for_load_state("networkidle")
    review = m.Review.objects.get()
    expect(page.locator("#review-P01-I4")).to_have_class("differs")
    expect(page.locator("#review-form")).to_contain_text(f"{review.grade}")
    site.shot("review", "form-differences")

    site.go("/bureau/hp-finance/2022/")
    page.click("text=自评与复核得分对照表")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#bureau-reviews")).to_contain_text("caizheng")
    site.shot("review", "bureau-list")
