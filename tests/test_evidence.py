"""佐证材料: type by content (magic bytes) and size from rules data, storage under a random name,
downloads scoped like the pages, which scored indicators lack evidence, deletion with history,
and the workflow state of the target."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core.errors import InputError
from jixiao.core.evidence import check_file, load_evidence_rules
from jixiao.core.scoring import score_department
from jixiao.evidence.models import Evidence
from jixiao.services import evidence

RULES = load_evidence_rules()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EV = "/d/demo-b/2022/evidence/"
TARGET = "indicator|B01|B01-I1"


def _office(member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{member}document.xml", "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("签到表.pdf", PDF, "pdf"), ("现场照片.PNG", PNG, "png"), ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "jpeg"),
    ("台账.xlsx", _office("xl/"), "xlsx"), ("总结.docx", _office("word/"), "docx"),
])
def test_accepted_by_content(name: str, data: bytes, kind: str) -> None:
    assert check_file(name, data, RULES, "x").key == kind


@pytest.mark.parametrize(("name", "data", "says"), [
    ("程序.exe", b"MZ\x90\0", "不能作为佐证材料"),
    ("假装.pdf", b"MZ\x90\0 not a pdf", "内容不是PDF 文件"),
    ("压缩包.xlsx", _office("other/"), "内容不是Excel 工作簿"),
    ("文档.docx", _office("xl/"), "内容不是Word 文档"),
    ("空.pdf", b"", "空文件"),
    ("", PDF, "请选择"),
])
def test_refused_by_content(name: str, data: bytes, says: str) -> None:
    with pytest.raises(InputError) as e:
        check_file(name, data, RULES, "项目 B01 / 指标 B01-I1 佐证材料")
    assert says in e.value.problems[0].message and e.value.problems[0].location.startswith("项目 B01")


def test_size_limit_is_rules_data() -> None:
    small = type(RULES)(RULES.version, 10, RULES.max_name_length, RULES.types)
    with pytest.raises(InputError, match="超过"):
        check_file("a.pdf", PDF, small, "x")


@pytest.fixture
def site(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_EVIDENCE_DIR = tmp_path / "evidence"
    load_site()
    return tmp_path / "evidence"


def _upload(c, name: str, data: bytes, target: str = TARGET, code: str = "demo-b"):
    f = io.BytesIO(data)
    f.name = name
    return c.post(f"/d/{code}/2022/evidence/upload/", {"target": target, "file": f, "note": "活动签到表"})


def test_upload_store_download_delete(site, django_capture_on_commit_callbacks):
    c = client_for("jingban-b")
    r = _upload(c, "签到表.pdf", PDF)
    assert r.status_code == 302
    e = Evidence.objects.get()
    assert (e.kind, e.project, e.key, e.name, e.file_type) == ("indicator", "B01", "B01-I1", "签到表.pdf", "pdf")
    stored = site / e.storage
    assert stored.read_bytes() == PDF and "签到表" not in e.storage and len(e.storage) >= 30
    page = c.get(EV).content.decode()
    url = f"{EV}file/?f={e.storage}"
    assert url in page and "签到表.pdf" in page
    got = c.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert got["Content-Type"] == "application/pdf" and "attachment" in got["Content-Disposition"]
    # another department's user cannot fetch it, even knowing the token
    assert client_for("jingban").get(url).status_code == 404
    assert client_for("jingban").get(f"/d/demo/2022/evidence/file/?f={e.storage}").status_code == 404
    assert c.get(f"{EV}file/?f=guessed-token").status_code == 404
    # history
    log = m.ChangeLog.objects.filter(department="demo-b", field="佐证材料")
    assert [x.after for x in log] == ["签到表.pdf"]
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion commits
        r = c.post(f"{EV}delete/", {"evidence": e.pk, "reason": "上传错了"})
    assert r.status_code == 302 and not Evidence.objects.exists() and not stored.exists()
    deleted = m.ChangeLog.objects.filter(department="demo-b", field="佐证材料", after__isnull=True).get()
    assert deleted.before == "签到表.pdf" and deleted.reason == "上传错了"


def test_refused_file_is_shown_next_to_the_field(site):
    c = client_for("jingban-b")
    r = _upload(c, "假装.pdf", b"MZ\x90\0")
    body = r.content.decode()
    assert r.status_code == 400 and "内容不是PDF 文件" in body and 'id="ev-error"' in body
    assert 'value="indicator|B01|B01-I1" selected' in body  # the chosen target is kept
    assert not Evidence.objects.exists()
    assert not site.exists() or not any(site.iterdir())


def test_missing_evidence_lists_scored_indicators(site):
    c = client_for("jingban-b")
    page = c.get(EV).content.decode()
    assert "B01-I1 开展社区服务活动场次" in page
    _upload(c, "签到表.pdf", PDF)
    dy = load_department_year("demo-b", 2022)
    lacking = {(p, i.code) for p, i in evidence.missing(dy, score_department(dy))}
    assert ("B01", "B01-I1") not in lacking and ("B01", "B01-I2") in lacking
    assert ("B01", "B01-I3") not in lacking  # no actual value: not scored yet


def test_by_indicator_for_the_report(site):
    c = client_for("jingban-b")
    _upload(c, "签到表.pdf", PDF)
    _upload(c, "照片.png", PNG)
    lines = evidence.by_indicator(load_department_year("demo-b", 2022))
    assert [(x.project, x.code, x.files) for x in lines] == [("B01", "B01-I1", ("签到表.pdf", "照片.png"))]


def test_checkpoint_and_rectification_targets(site):
    c = client_for("jingban-b")
    c.post("/d/demo-b/2022/monitoring/B01/7/", {"goal_progress": "x", "measures": ""})
    assert _upload(c, "监控佐证.pdf", PDF, "checkpoint|B01|7").status_code == 302
    assert _upload(c, "x.pdf", PDF, "checkpoint|B01|8").status_code == 404  # no such checkpoint


def test_approved_target_is_frozen_and_roles(site):
    assert _upload(client_for("jingban"), "签到表.pdf", PDF, "indicator|P01|P01-I1", "demo").status_code == 403
    assert _upload(client_for("disanfang"), "签到表.pdf", PDF, "indicator|P01|P01-I1", "demo").status_code == 403
    assert _upload(client_for("jingban"), "签到表.pdf", PDF, TARGET).status_code == 404
    assert not Evidence.objects.exists()


def test_report_lists_evidence_in_an_appendix(site):
    c = client_for("jingban-b")
    _upload(c, "签到表.pdf", PDF)
    r = c.get("/d/demo-b/2022/report.docx")
    assert r.status_code == 200
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    assert "附件：绩效指标佐证材料清单" in text
    assert "签到表.pdf" in cells and "B01-I1 开展社区服务活动场次" in cells


def test_rectification_evidence_from_the_evaluation_page(site):
    c = client_for("jingban")
    page = c.get("/d/demo/2022/evaluation/").content.decode()
    link = "/d/demo/2022/evidence/?target=rectification%7C%7CR01#upload"
    assert link in page and "佐证材料（0）" in page
    assert _upload(c, "整改通知.pdf", PDF, "rectification||R01", "demo").status_code == 302
    assert "佐证材料（1）" in c.get("/d/demo/2022/evaluation/").content.decode()
