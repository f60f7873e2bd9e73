"""One workbook of several department-years (issue 16, item 4): ``jixiao export --bureau`` (or a
repeated ``--department``) writes them into one bulk workbook, each row naming its 部门编码 and
年度; ``jixiao import-batch`` and the browser's 批量导入 import it as one job, each department-year
on its own through ``services.imports.apply``, with a result row per department-year. A bad
department-year is a refused row naming its cell, and the others still import; a user imports only
their own departments' rows; the one-department workbook of earlier releases still imports."""
from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import load_department_year, save_department_year
from jixiao.cli import job_cmds
from jixiao.excel.bulk_write import write_bulk, write_bulk_many
from jixiao.excel.importing import import_units
from jixiao.jobs import worker
from jixiao.jobs.models import DONE, Job

OLD_WORKBOOK = Path(__file__).parent / "data" / "bulk" / "one-department-0f6cce4.xlsx"  # written by 0f6cce4
OLD_GOAL = "旧版工作簿中修改的部门整体绩效目标"  # what that file changes


def _third_department() -> None:
    """A third department under the demo bureau, so that the bureau has three."""
    dy = copy.deepcopy(load_department_year("demo", 2022))
    dy.department.code, dy.department.name = "demo-c", "示例部门丙"
    for obj in [dy, *dy.budget_lines, *dy.indicators, *dy.projects, *dy.rectifications]:
        obj.version = None
    for p in dy.projects:
        for obj in [*p.funds, *p.indicators, *p.checkpoints]:
            obj.version = None
    save_department_year(dy, who="pytest", reason="测试数据")


@pytest.fixture
def site(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_JOBS_DIR = str(tmp_path / "jobs")
    load_site()
    # The demo year is 已审核, where a department's user may not change its texts: back to 草稿.
    m.DepartmentYear.objects.update(status="草稿")


def _rows(path: Path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def _col(path: Path, sheet: str, header: str) -> int:
    """The 1-based column of ``header`` (the first one starting with it)."""
    head = _rows(path, sheet)[0]
    return next(i for i, h in enumerate(head, start=1) if h and str(h).startswith(header))


def _set(path: Path, sheet: str, row: int, header: str, value: object) -> str:
    """Write ``value`` into the cell of ``header`` in ``row``; returns the cell's address."""
    wb = openpyxl.load_workbook(path)
    cell = wb[sheet].cell(row=row, column=_col(path, sheet, header))
    cell.value = value
    wb.save(path)
    return f"{sheet}!{cell.coordinate}"


def _dept_row(path: Path, code: str) -> int:
    return next(i for i, r in enumerate(_rows(path, "部门"), start=1) if r[0] == code)


def _run_batch_from_the_browser(user: str, at: str, path: Path) -> Job:
    c = client_for(user)
    page = c.get(f"/d/{at}/upload/").content.decode()
    assert "批量导入（多个部门年度）" in page
    with path.open("rb") as fh:
        response = c.post(f"/d/{at}/upload/", {"file": fh, "batch": "1"})
    assert response.status_code == 302, response.content.decode()
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.id}/"
    assert worker.run(once=True) == 1
    job.refresh_from_db()
    assert job.state == DONE, job.error
    detail = c.get(f"/jobs/{job.id}/").content.decode()
    for row in job.result_rows:
        assert row["unit"] in detail and row["status"] in detail
    return job


def _by_unit(job: Job) -> dict[str, dict]:
    return {row["unit"].split("（")[0]: row for row in job.result_rows}


@pytest.mark.django_db(transaction=True)
def test_three_departments_export_to_one_workbook_and_import_back_as_one_job(settings, tmp_path, cli, monkeypatch):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_JOBS_DIR = str(tmp_path / "jobs")
    monkeypatch.setattr(job_cmds, "PICKUP_SECONDS", 0.2)
    load_site()
    _third_department()
    m.DepartmentYear.objects.update(status="草稿")  # texts of a 已审核 year cannot change (see ``site``)
    codes = ["demo", "demo-b", "demo-c"]
    path = tmp_path / "全市.xlsx"
    ran = cli("export", "--bureau", "hp-finance", "--year", "2022", "--form", "bulk", "-o", path)
    assert ran.returncode == 0, ran.stderr
    assert "已导出 3 个部门" in ran.stdout

    # one row per department-year on 部门, and every row of the other sheets names its own
    assert [r[0] for r in _rows(path, "部门")[1:]] == codes
    for sheet in ("预算", "项目", "指标"):
        head, *body = _rows(path, sheet)
        assert head[:2] == ("部门编码", "年度")
        assert {(r[0], r[1]) for r in body} == {(c, 2022) for c in codes}
    # read back exactly, versions included (a stale-file check needs them)
    units = import_units(path)
    assert units is not None and [u.label for u in units] == [f"{c}/2022" for c in codes]
    for unit in units:
        assert unit.outcome is not None, unit.problems
        stored = load_department_year(unit.code, 2022)
        assert exchange.to_dict(unit.outcome.data) == exchange.to_dict(stored)

    goals = {code: f"{code} 在批量工作簿中修改的目标" for code in codes}
    for code, goal in goals.items():
        _set(path, "部门", _dept_row(path, code), "部门整体绩效目标", goal)
    ran = cli("import-batch", path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    lines = ran.stdout.splitlines()
    for code in codes:
        assert any(line.startswith(f"{code}/2022（全市.xlsx）\t已导入\t") and "修改 1 项" in line
                   for line in lines), lines
    assert "共 3 个部门年度：导入 3 个，未导入 0 个" in ran.stdout
    assert "3/3" in ran.stderr and "Traceback" not in ran.stderr  # progress on stderr
    for code, goal in goals.items():
        assert load_department_year(code, 2022).goal == goal
        assert m.ChangeLog.objects.filter(department=code, reason__contains="全市.xlsx").exists()  # history


def test_a_bad_department_year_is_a_row_naming_its_cell_and_the_others_import(site, tmp_path):
    path = tmp_path / "两部门.xlsx"
    write_bulk_many([load_department_year("demo", 2022), load_department_year("demo-b", 2022)], path)
    _set(path, "部门", _dept_row(path, "demo"), "部门整体绩效目标", "批量导入后的目标")
    # demo-b: two indicators of one project with the same 指标编码
    ind = [(i, r) for i, r in enumerate(_rows(path, "指标"), start=1) if r[0] == "demo-b" and r[2]]
    first = ind[0][1]
    row = next(i for i, r in ind[1:] if r[2] == first[2])  # another indicator of that project
    code_col = _col(path, "指标", "指标编码")
    cell = _set(path, "指标", row, "指标编码", first[code_col - 1])
    before_b = exchange.to_dict(load_department_year("demo-b", 2022))

    job = _run_batch_from_the_browser("xitong", "hp-finance", path)
    rows = _by_unit(job)
    assert rows["demo/2022"]["status"] == "已导入", rows
    assert rows["demo-b/2022"]["status"] == "未导入"
    assert cell in rows["demo-b/2022"]["message"] and first[code_col - 1] in rows["demo-b/2022"]["message"]
    assert load_department_year("demo", 2022).goal == "批量导入后的目标"
    assert exchange.to_dict(load_department_year("demo-b", 2022)) == before_b  # nothing of it stored
    assert "共 2 个部门年度：导入 1 个，未导入 1 个" in job.log


def test_rows_naming_no_department_year_of_the_workbook_are_a_refused_row_of_their_own(site, tmp_path):
    path = tmp_path / "两部门.xlsx"
    write_bulk_many([load_department_year("demo", 2022), load_department_year("demo-b", 2022)], path)
    row = next(i for i, r in enumerate(_rows(path, "指标"), start=1) if r[0] == "demo-b")
    _set(path, "指标", row, "部门编码", "demo-x")
    units = import_units(path)
    assert units is not None
    by_label = {u.label: u for u in units}
    assert by_label["demo/2022"].outcome is not None
    orphan = by_label["demo-x/2022"]
    assert orphan.outcome is None and orphan.problems[0].location == f"指标!A{row}"
    assert "没有对应的部门年度" in orphan.problems[0].message


def test_a_department_user_imports_only_their_own_departments_rows(site, tmp_path):
    path = tmp_path / "两部门.xlsx"
    write_bulk_many([load_department_year("demo", 2022), load_department_year("demo-b", 2022)], path)
    _set(path, "部门", _dept_row(path, "demo"), "部门整体绩效目标", "经办人批量导入的目标")
    _set(path, "部门", _dept_row(path, "demo-b"), "部门整体绩效目标", "不应导入的目标")
    before_b = load_department_year("demo-b", 2022).goal

    # the user of demo-b cannot start a batch in demo at all (as if demo did not exist)
    with path.open("rb") as fh:
        assert client_for("jingban-b").post("/d/demo/upload/", {"file": fh, "batch": "1"}).status_code == 404
    assert not Job.objects.exists()

    job = _run_batch_from_the_browser("jingban", "demo", path)  # 经办人 of demo only
    rows = _by_unit(job)
    assert rows["demo/2022"]["status"] == "已导入"
    assert rows["demo-b/2022"]["status"] == "未导入" and "无权访问" in rows["demo-b/2022"]["message"]
    assert load_department_year("demo", 2022).goal == "经办人批量导入的目标"
    assert load_department_year("demo-b", 2022).goal == before_b


def test_a_workbook_of_an_earlier_release_still_imports(site, cli, tmp_path):
    # the file has no 部门编码/年度 columns on its sheets: all of it is its one department-year
    assert _rows(OLD_WORKBOOK, "指标")[0][0] == "项目编码"
    ran = cli("import", OLD_WORKBOOK)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert load_department_year("demo", 2022).goal == OLD_GOAL
    # and as a batch of one
    m.DepartmentYear.objects.filter(department__code="demo").update(goal="")
    job = _run_batch_from_the_browser("jingban", "demo", OLD_WORKBOOK)
    assert [(r["unit"], r["status"]) for r in job.result_rows] == [(f"demo/2022（{OLD_WORKBOOK.name}）", "已导入")]
    # today's one-department export is still that format
    again = tmp_path / "one.xlsx"
    write_bulk(load_department_year("demo", 2022), again)
    assert _rows(again, "指标")[0][0] == "项目编码"


def test_a_several_department_workbook_is_refused_by_the_one_file_import(site, cli, tmp_path):
    path = tmp_path / "两部门.xlsx"
    ran = cli("export", "--department", "demo", "--department", "demo-b", "--year", "2022", "--form", "bulk",
              "-o", path)
    assert ran.returncode == 0, ran.stderr
    ran = cli("import", path)
    assert ran.returncode == 2
    assert "包含 2 个部门年度" in ran.stderr and "import-batch" in ran.stderr and "Traceback" not in ran.stderr
    ran = cli("export", "--department", "demo", "--department", "demo-b", "--year", "2022", "--format", "json",
              "-o", tmp_path / "x.json")
    assert ran.returncode == 2 and "--form bulk" in ran.stderr


def test_the_menu_of_a_unit_without_a_year_of_its_own_offers_only_what_it_has(site):
    """The bureau has no department-year: its upload page shows the menu without the year's pages
    (it once failed to render them), and a department's pages keep the full menu."""
    c = client_for("xitong")
    page = c.get("/d/hp-finance/upload/").content.decode()
    assert "Excel 上传" in page and "我的部门" in page
    assert "部门首页" not in page and "变更记录" not in page
    page = c.get("/d/demo/2022/").content.decode()
    assert "部门首页" in page and "变更记录" in page
