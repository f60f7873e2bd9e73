"""Upload: errors as a table (sheet, cell, message) with nothing saved; a readable file is shown
as a preview (added, changed, deleted, conflicts, warnings) and imported only when confirmed."""
from __future__ import annotations

import json
import os
import re
import time

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import excel, exchange
from jixiao.budget import models as m
from jixiao.cli.core_cmds import DEMO_FILE
from jixiao.core.scoring import score_department
from jixiao.invest.demo import load_demo_ledger


@pytest.fixture
def site(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_UPLOAD_DIR = tmp_path / "uploads"
    load_site()
    # Approved projects may not be overwritten by an upload; start from drafts.
    m.Project.objects.update(status="草稿")


def _count() -> int:
    return m.ChangeLog.objects.count()


def test_bad_json_shows_every_problem_and_saves_nothing(site):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["projects"][0]["indicators"][0]["weight"] = "abc"
    data["projects"][1]["funds"][0]["budget"] = "-"
    before = _count()
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile(
        "demo.json", json.dumps(data, ensure_ascii=False).encode())})
    html = page.content.decode()
    assert page.status_code == 400 and "未保存任何数据" in html
    assert html.count("<tr>") >= 3  # header + both problems
    assert _count() == before


def test_excel_problems_are_split_into_sheet_and_cell(site, tmp_path):
    dy = exchange.read_file(DEMO_FILE)
    path = tmp_path / "bulk.xlsx"
    excel.write_form(dy, score_department(dy), "bulk", path)
    wb = openpyxl.load_workbook(path)
    sheet = next(ws for ws in wb.worksheets if ws.max_row > 2 and "指标" in ws.title)
    header = [c.value for c in sheet[1]]
    col = next(i for i, v in enumerate(header) if v and "分值" in str(v)) + 1
    sheet.cell(row=2, column=col, value="很多")
    wb.save(path)
    before = _count()
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile("bulk.xlsx", path.read_bytes())})
    html = page.content.decode()
    assert page.status_code == 400, html[:500]
    assert f"<td>{sheet.title}</td>" in html
    assert _count() == before


def _post_file(client, dy, name: str = "demo.json"):
    return client.post("/d/demo/upload/", {"file": SimpleUploadedFile(name, exchange.dumps(dy).encode())})


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_good_json_is_previewed_then_imported_on_confirmation(site, settings):
    dy = exchange.read_file(DEMO_FILE)
    dy.projects[0].name = "仲裁解除用地合同经费（已更新）"
    c = client_for("jingban")
    before = _count()
    page = _post_file(c, dy)
    html = page.content.decode()
    assert page.status_code == 200 and "导入预览" in html and "以下内容尚未保存" in html
    changed = html.split('id="preview-changed"')[1].split("</table>")[0]
    assert "项目 P01" in changed and "仲裁解除用地合同经费（已更新）" in changed and "<td>项目名称</td>" in changed
    assert "确认导入</button>" in html and "disabled>确认导入" not in html
    assert _count() == before and not m.Project.objects.filter(name="仲裁解除用地合同经费（已更新）").exists()
    token = _token(html)
    kept = list((settings.JIXIAO_UPLOAD_DIR).iterdir())
    assert [p.name for p in kept] == [f"{token}.json"]  # waiting on the server, under its token
    done = c.post("/d/demo/upload/confirm/", {"token": token, "action": "apply"})
    assert done.status_code == 302
    assert m.Project.objects.filter(name="仲裁解除用地合同经费（已更新）").exists()
    log = m.ChangeLog.objects.filter(field="name", after="仲裁解除用地合同经费（已更新）").get()
    assert (log.who, log.reason) == ("jingban", "网页上传 demo.json")
    assert not list(settings.JIXIAO_UPLOAD_DIR.iterdir())  # removed once imported
    again = c.post("/d/demo/upload/confirm/", {"token": token, "action": "apply"})
    assert again.status_code == 400 and "已过期" in again.content.decode()


def test_cancel_discards_the_file(site, settings):
    dy = exchange.read_file(DEMO_FILE)
    dy.projects[0].name = "改名"
    c = client_for("jingban")
    token = _token(_post_file(c, dy).content.decode())
    assert c.post("/d/demo/upload/confirm/", {"token": token, "action": "cancel"}).status_code == 302
    assert not list(settings.JIXIAO_UPLOAD_DIR.iterdir())
    assert not m.Project.objects.filter(name="改名").exists()


def test_another_users_token_is_not_honoured(site):
    dy = exchange.read_file(DEMO_FILE)
    dy.projects[0].name = "改名"
    token = _token(_post_file(client_for("jingban"), dy).content.decode())
    page = client_for("bumen").post("/d/demo/upload/confirm/", {"token": token, "action": "apply"})
    assert page.status_code == 400 and not m.Project.objects.filter(name="改名").exists()


def test_unconfirmed_files_are_swept_after_the_keeping_time(site, settings):
    dy = exchange.read_file(DEMO_FILE)
    dy.projects[0].name = "改名"
    c = client_for("jingban")
    token = _token(_post_file(c, dy).content.decode())
    (path,) = settings.JIXIAO_UPLOAD_DIR.iterdir()
    old = time.time() - 7 * 3600
    os.utime(path, (old, old))
    c.get("/d/demo/upload/")
    assert not path.exists()
    page = c.post("/d/demo/upload/confirm/", {"token": token, "action": "apply"})
    assert page.status_code == 400 and "已过期" in page.content.decode()


def test_deletions_need_the_checkbox(site):
    dy = exchange.read_file(DEMO_FILE)
    dy.projects = [p for p in dy.projects if p.code != "P11"]
    c = client_for("jingban")
    html = _post_file(c, dy).content.decode()
    deleted = html.split('id="preview-deleted"')[1].split("</table>")[0]
    assert "项目 P11" in deleted and "确认后才会删除" in deleted and 'name="delete_missing"' in html
    c.post("/d/demo/upload/confirm/", {"token": _token(html), "action": "apply"})
    assert m.Project.objects.filter(code="P11", department_year__department__code="demo").exists()
    html = _post_file(c, dy).content.decode()
    c.post("/d/demo/upload/confirm/", {"token": _token(html), "action": "apply", "delete_missing": "1"})
    assert not m.Project.objects.filter(code="P11", department_year__department__code="demo").exists()


def test_changes_to_approved_records_are_conflicts_and_block_the_import(site):
    m.Project.objects.filter(code="P01").update(status="已审核")
    dy = exchange.read_file(DEMO_FILE)
    dy.projects[0].name = "改名"
    c = client_for("jingban")
    html = _post_file(c, dy).content.decode()
    conflicts = html.split('id="preview-conflict"')[1].split("</table>")[0]
    assert "项目 P01" in conflicts and "不能通过导入修改" in conflicts
    assert "disabled>确认导入" in html and 'id="conflict-note"' in html
    page = c.post("/d/demo/upload/confirm/", {"token": _token(html), "action": "apply"})
    assert page.status_code == 409 and "冲突" in page.content.decode()
    assert not m.Project.objects.filter(name="改名").exists()


def test_reader_role_cannot_upload(site):
    assert client_for("disanfang").get("/d/demo/upload/").status_code == 404


def test_other_departments_file_is_refused(site):
    other = (DEMO_FILE.parent / "department-b-2022.json").read_bytes()
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile("b.json", other)})
    assert page.status_code == 400 and "与当前部门" in page.content.decode()


def test_wrong_type_is_refused(site):
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert page.status_code == 400 and ".xlsx" in page.content.decode()


def test_downloads(site):
    c = client_for("disanfang")
    xlsx = c.get("/d/demo/2022/excel/self-eval.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    data = json.loads(c.get("/d/demo/2022/export.json").content)
    assert data["department"]["code"] == "demo"
    docx = c.get("/d/demo/2022/report.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_a_typed_value_against_its_ledger_is_a_choice_not_a_silent_override(site):
    """The demo's 实际利用外资 comes from the 招商 ledger (1810万美元): an upload bringing 1350
    asks which to keep; typed needs a reason, and then it scores."""
    m.DepartmentYear.objects.filter(department__code="demo", year=2022).update(status="草稿")
    dy = exchange.read_file(DEMO_FILE)
    load_demo_ledger(dy)  # the 招商 ledger that feeds 实际利用外资
    fdi = next(i for i in dy.indicators if i.name == "实际利用外资")
    fdi.actual_text = "1350万美元"
    c = client_for("jingban")
    html = _post_file(c, dy).content.decode()
    assert 'id="fed-choice"' in html and "1810万美元" in html and "1350万美元" in html
    assert 'id="conflict-note"' not in html  # nothing else blocks: the choice settles it
    token = _token(html)
    refused = c.post("/d/demo/upload/confirm/", {"token": token, "action": "apply", "fed": "typed", "fed_reason": ""})
    assert refused.status_code == 409
    done = c.post("/d/demo/upload/confirm/", {"token": token, "action": "apply", "fed": "typed",
                                              "fed_reason": "以外汇管理部门核定数为准"})
    assert done.status_code == 302
    stored = m.Indicator.objects.get(department_year__department__code="demo", name="实际利用外资")
    assert stored.actual_text == "1350万美元"
    assert m.ChangeLog.objects.filter(reason__contains="以外汇管理部门核定数为准").exists()
