"""佐证材料 in Chromium: the 经办人 of demo-b attaches a PDF to an indicator's actual value from the
self-evaluation row, sees it listed and no longer among the indicators lacking evidence, and is
refused a renamed program."""
from __future__ import annotations

from pathlib import Path

from browser_support import Site, browser_marks

pytestmark = browser_marks

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_evidence_end_to_end(site: Site, tmp_path: Path, settings) -> None:
    settings.JIXIAO_EVIDENCE_DIR = tmp_path / "evidence"
    good = tmp_path / "活动签到表.pdf"
    good.write_bytes(PDF)
    bad = tmp_path / "伪装.pdf"
    bad.write_bytes(b"MZ\x90\x00 a program")
    page = site.page
    site.login("jingban-b")
    site.go("/d/demo-b/2022/selfeval/p/B01/")
    page.click("#evidence-B01-I1")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#ev-target") == "indicator|B01|B01-I1"
    assert "B01-I1 开展社区服务活动场次" in page.inner_text("#lacking")
    site.shot("evidence", "lacking")
    page.set_input_files("#ev-file", str(bad))
    page.click("#ev-submit")
    page.wait_for_load_state("networkidle")
    assert "内容不是PDF 文件" in page.inner_text("#ev-error")
    site.shot("evidence", "refused")
    page.set_input_files("#ev-file", str(good))
    page.fill("#ev-note", "7月活动签到表扫描件")
    page.click("#ev-submit")
    page.wait_for_load_state("networkidle")
    assert "已上传「活动签到表.pdf」" in page.content()
    assert "活动签到表.pdf" in page.inner_text("#evidence-table")
    assert "B01-I1 开展社区服务活动场次" not in page.inner_text("#lacking")
    with page.expect_download() as got:
        page.click("#evidence-table >> text=活动签到表.pdf")
    assert Path(got.value.path()).read_bytes() == PDF
    site.shot("evidence", "attached")
    site.go("/d/demo-b/2022/selfeval/p/B01/")
    assert page.inner_text("#evidence-B01-I1") == "佐证材料（1）"
