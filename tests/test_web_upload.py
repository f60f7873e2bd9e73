"""Upload: errors as a table (sheet, cell, message) with nothing saved; good files replace the year."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.cli.core_cmds import DEMO_FILE
from web_support import FAST_HASHERS, client_for, load_site


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
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
    from jixiao import excel
    from jixiao.core.scoring import score_department
    import openpyxl

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


def test_good_json_replaces_the_year(site):
    dy = exchange.read_file(DEMO_FILE)
    dy.projects[0].name = "仲裁解除用地合同经费（已更新）"
    for p in dy.projects:
        p.status = "草稿"
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile(
        "demo.json", exchange.dumps(dy).encode())})
    assert page.status_code == 302
    assert m.Project.objects.filter(name="仲裁解除用地合同经费（已更新）").exists()


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
