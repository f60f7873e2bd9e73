"""Published 自评表 in the formats they are published in (jixiao.published): the corpus cases of
tests/corpus/published (built by make_cases.py) are read and checked as their expectations say,
and the reader keeps what a user relies on — the figures as printed, the place of every finding
in the original, codes invented in file order, a clear refusal of a layout it cannot read."""
from __future__ import annotations

import json
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.core import model
from jixiao.core.errors import InputError
from jixiao.published import read_if_published
from jixiao.published.layout import read_tables
from jixiao.published.tables import SHEET, WORD, Table, fill_merged

CORPUS = Path(__file__).resolve().parent / "corpus" / "published"
sys.path.insert(0, str(CORPUS))
import make_cases  # noqa: E402 — the corpus generator lives beside its cases

CASES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xls", ".docx", ".pdf"))


def test_every_published_case_has_its_expectations():
    assert len(CASES) >= 14
    missing = [p.name for p in CASES if not p.with_suffix(".expect.json").is_file()]
    assert not missing, missing


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_every_finding_of_a_published_case_names_its_place_in_the_original(path, cli):
    """(Whether each case raises what its expectations say is tests/test_corpus.py's.)"""
    expect = json.loads(path.with_suffix(".expect.json").read_text(encoding="utf-8"))
    ran = cli("check", path, "--json")
    assert "Traceback" not in ran.stdout + ran.stderr
    if not expect.get("loads", True):
        assert ran.returncode == 2 and ran.stderr.startswith("错误：")
        return
    assert ran.returncode in (0, 1), ran.stderr
    findings = json.loads(ran.stdout)["findings"]
    assert findings
    unplaced = [(f["code"], f["location"]) for f in findings if "/ 原表 " not in f["location"]]
    assert not unplaced


def test_the_committed_cases_are_what_the_generator_builds(tmp_path):
    built = make_cases.cases(tmp_path, printed=False)
    for name, expect in built.items():
        committed = json.loads((CORPUS / name).with_suffix(".expect.json").read_text(encoding="utf-8"))
        assert committed == {"command": "check", **expect}, name


def test_local_layout_is_read_as_printed():
    r = read_if_published(CORPUS / "control-local-layout.xlsx")
    assert r is not None
    p = r.dy.projects[0]
    assert (p.code, p.name, p.unit) == ("P01", "职业技能提升培训", "示例市职业培训中心")
    assert r.dy.department.name == "示例市人力资源和社会保障局" and r.dy.year == 2023
    assert [(f.budget, f.executed, f.initial) for f in p.funds] == [(Decimal("80"), Decimal("78.4"), Decimal("80"))]
    assert (p.stated.execution_rate, p.stated.execution_score, p.stated.total) == (
        Decimal("98"), Decimal("9.8"), Decimal("99.8"))
    # 一级指标 merged down its rows: every row keeps its class
    assert [i.level1 for i in p.indicators] == ["产出指标"] * 4 + ["效益指标", "满意度指标"]
    assert [i.code for i in p.indicators] == [f"P01-I{n}" for n in range(1, 7)]
    assert p.indicators[2].target_text == "12月底前" and p.indicators[2].actual_text == "11月"
    assert p.goal == "完成年度工作任务。"


def test_amounts_in_yuan_and_a_two_row_header():
    r = read_if_published(CORPUS / "control-two-row-header-yuan.xlsx")
    p = r.dy.projects[0]
    assert p.budget == Decimal("80") and p.executed == Decimal("78.4")  # 800000 元 → 80 万元
    assert len(p.indicators) == 6 and p.indicators[0].level1 == "产出指标" and p.indicators[0].name == "培训人次"


def test_several_projects_are_numbered_in_file_order():
    one_sheet = read_if_published(CORPUS / "control-two-projects-one-sheet.xlsx")
    per_sheet = read_if_published(CORPUS / "control-one-project-per-sheet.xlsx")
    for r in (one_sheet, per_sheet):
        names = [(p.code, p.name) for p in r.dy.projects]
        assert names == [("P01", "农村公路日常养护"), ("P02", "家庭经济困难学生资助")]
        assert [len(p.indicators) for p in r.dy.projects] == [6, 6]
        assert r.dy.projects[1].budget == Decimal("92")


def test_missing_weight_and_score_columns_leave_them_blank():
    p = read_if_published(CORPUS / "no-weight-or-score-columns.xlsx").dy.projects[0]
    assert all(i.weight is None and i.stated_score is None for i in p.indicators)
    assert p.stated.total is None


def test_findings_name_the_cell_in_the_original(cli):
    ran = cli("check", CORPUS / "total-mismatch-local-layout.xlsx", "--json")
    findings = json.loads(ran.stdout)["findings"]
    total = next(f for f in findings if f["code"] == "Q-TOTAL-MISMATCH")
    assert total["location"].endswith("原表 Sheet!G15")  # the 得分 column of the 总分 row
    code = next(f for f in findings if f["code"] == "R-PROJECT-CODE")
    assert code["location"].endswith("原表 Sheet!B3") and code["severity"] == "提示"


def test_word_and_pdf_places_are_table_rows(cli):
    ran = cli("check", CORPUS / "indicators-only.docx", "--json")
    notes = json.loads(ran.stdout)["findings"]
    assert any("原表 表1第1行" in f["location"] for f in notes if f["code"] == "R-FUNDS-MISSING")
    r = read_if_published(CORPUS / "indicators-only.docx")
    assert r.dy.projects[0].name == "职业技能提升培训"  # from the paragraph before the table
    assert r.places[("P01", "P01-I2")].where == "表1第3行"


def test_word_tables_with_merged_cells():
    r = read_if_published(CORPUS / "control-one-table.docx")
    p = r.dy.projects[0]
    assert p.name == "农村公路日常养护" and r.dy.department.name == "示例县交通运输局"
    assert p.budget == Decimal("360") and p.stated.total == Decimal("99.8")
    assert [i.level1 for i in p.indicators] == ["产出指标"] * 4 + ["效益指标", "满意度指标"]
    two = read_if_published(CORPUS / "control-header-and-indicators-in-two-tables.docx").dy.projects[0]
    assert two.name == "家庭经济困难学生资助" and two.budget == Decimal("92") and len(two.indicators) == 6


def test_excel_97_2003_workbook_is_read_like_xlsx():
    legacy = read_if_published(CORPUS / "control-excel-97-2003.xls")
    current = read_if_published(CORPUS / "control-two-projects-one-sheet.xlsx")
    assert [(p.name, p.funds, p.indicators, p.stated) for p in legacy.dy.projects] == [
        (p.name, p.funds, p.indicators, p.stated) for p in current.dy.projects]


def test_text_pdf_gives_the_same_project_as_the_word_table():
    pdf = read_if_published(CORPUS / "control-table.pdf")
    word = read_if_published(CORPUS / "control-one-table.docx")
    assert pdf.dy.projects[0].indicators == word.dy.projects[0].indicators
    assert pdf.dy.projects[0].funds == word.dy.projects[0].funds
    assert pdf.places[("P01", "P01-I1")].where.startswith("第1页表1第")


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_generator_builds_the_pdf_and_xls_cases(tmp_path):
    built = make_cases.cases(tmp_path)
    assert {"control-table.pdf", "control-excel-97-2003.xls"} <= set(built)
    for name, expect in built.items():  # the committed expectations are the generator's
        committed = json.loads((CORPUS / name).with_suffix(".expect.json").read_text(encoding="utf-8"))
        assert committed == {"command": "check", **expect}, name
    assert read_if_published(tmp_path / "control-table.pdf").dy.projects[0].stated.total == Decimal("99.8")
    legacy = read_if_published(tmp_path / "control-excel-97-2003.xls").dy
    assert [p.name for p in legacy.projects] == ["农村公路日常养护", "家庭经济困难学生资助"]


def test_unreadable_layout_says_what_was_looked_for(cli):
    ran = cli("check", CORPUS / "unreadable-no-indicator-table.xlsx")
    assert ran.returncode == 2
    assert "三级指标" in ran.stderr and "实际完成值" in ran.stderr and "Traceback" not in ran.stderr


def test_malformed_amount_is_not_guessed():
    r = read_if_published(CORPUS / "malformed-amount-local-layout.xlsx")
    assert r.dy.projects[0].executed is None
    notes = [n for n in r.notes if n.code == "R-VALUE-UNREADABLE"]
    assert {n.where for n in notes} == {"Sheet!E5", "Sheet!E6"}  # the total row and the 其中 row
    assert all("7,00.0,77" in n.message and n.field == "全年执行数" for n in notes)


def test_department_overall_table_is_the_departments_own():
    r = read_if_published(CORPUS / "department-overall-local-layout.xlsx")
    assert not r.dy.projects and len(r.dy.indicators) == 6
    assert r.dy.department.name == "示例县农业农村局"
    assert [(b.nature, b.budget, b.executed) for b in r.dy.budget_lines] == [
        ("基本支出", Decimal("820"), Decimal("820")), ("项目支出", Decimal("430"), Decimal("405"))]


def test_jixiao_own_files_are_left_to_their_readers(tmp_path):
    assert read_if_published(Path(__file__).resolve().parent.parent / "jixiao/data/demo/department-2022.json") is None
    other = tmp_path / "notes.csv"
    other.write_text("a,b", encoding="utf-8")
    assert read_if_published(other) is None


def test_unsupported_type_names_the_accepted_ones(cli, tmp_path):
    other = tmp_path / "table.odt"
    other.write_bytes(b"x")
    ran = cli("check", other)
    assert ran.returncode == 2 and ".docx" in ran.stderr and ".pdf" in ran.stderr


def test_merged_areas_are_filled_and_places_are_named():
    rows = fill_merged([["a", None], [None, None]], [((0, 0), (1, 0))])
    assert rows == [["a", None], ["a", None]]
    assert Table("Sheet1", SHEET, rows).where(4, 2) == "Sheet1!C5"
    assert Table("表2", WORD, rows).where(4, 2) == "表2第5行"


def test_a_damaged_word_file_is_refused(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError) as exc:
        read_if_published(bad)
    assert "Word" in str(exc.value)


def test_codes_of_an_import_follow_the_stored_projects():
    r = read_if_published(CORPUS / "control-two-projects-one-sheet.xlsx")
    stored = model.DepartmentYear(model.Department("d", "d"), 2023, projects=[
        model.Project("P01", "另一个项目"),
        model.Project("X9", "家庭经济困难学生资助", indicators=[
            model.Indicator("X9-I7", "产出指标", "数量指标", "资助困难学生人数", "≥450人", Decimal(20))])])
    projects = r.aligned(stored)
    assert [p.code for p in projects] == ["P02", "X9"]  # P01 is taken by another project
    assert projects[1].indicators[0].code == "X9-I7"
    assert len({i.code for i in projects[1].indicators}) == 6


def test_web_upload_of_a_published_table_is_merged_by_project_name(db, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415 — web tests only here
    from openpyxl import Workbook  # noqa: PLC0415
    from web_support import FAST_HASHERS, client_for, load_site  # noqa: PLC0415

    from jixiao import exchange  # noqa: PLC0415
    from jixiao.budget import models as m  # noqa: PLC0415
    from jixiao.cli.core_cmds import DEMO_FILE  # noqa: PLC0415

    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_UPLOAD_DIR = tmp_path / "uploads"
    load_site()
    m.Project.objects.update(status="草稿")
    stored = exchange.read_file(DEMO_FILE).project("P02")  # the unit publishes its own project's table
    rows = [(i.level1, i.level2, i.name, i.target_text, i.actual_text, i.weight, None, "") for i in stored.indicators]
    wb = Workbook()
    make_cases.project_rows(wb.active, 1, stored.name, "示例局", "示例单位", 80, 78.4, "98%", 9.8, rows, None,
                            year=2022)
    path = tmp_path / "published.xlsx"
    wb.save(path)
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    html = page.content.decode()
    assert page.status_code in (200, 409) and "导入预览" in html, html[:2000]
    assert "项目 P02" in html  # the stored project of that name, not a new P01 over another project
    assert "新增 0 项" in html  # its indicators are the stored ones, matched by name
    assert "只接受" not in html
    docx = CORPUS / "indicators-only.docx"  # no year in the table: refused with the reason, nothing stored
    page = client_for("jingban").post("/d/demo/upload/", {"file": SimpleUploadedFile(docx.name, docx.read_bytes())})
    assert "没有注明年度" in page.content.decode()


def test_an_import_without_a_department_is_refused_not_guessed_from_the_file_name(db):
    from jixiao.services import imports  # noqa: PLC0415 — the application layer, database tests only

    with pytest.raises(InputError) as exc:
        imports.read_file(CORPUS / "control-local-layout.xlsx")
    assert "部门编码" in str(exc.value)


def test_labels_in_their_value_cells_and_units_written_beside_numbers():
    r = read_if_published(CORPUS / "control-labels-in-cells-units-written.xlsx")
    p = r.dy.projects[0]
    assert (p.name, p.unit, r.dy.department.name) == ("城乡环卫一体化运行经费", "示例县环卫所", "示例县城市管理局")
    assert (p.budget, p.executed, p.stated.execution_score, p.stated.total) == (
        Decimal("520"), Decimal("509.6"), Decimal("9.8"), Decimal("99.8"))
    assert [i.weight for i in p.indicators] == [Decimal(w) for w in (20, 15, 10, 5, 30, 10)]
    assert p.indicators[1].level1 == "产出指标"  # blank under the first row of its class
    assert not r.notes or {n.code for n in r.notes} <= {"R-PROJECT-CODE", "R-DEPARTMENT-CODE"}


def test_a_pdf_table_over_page_breaks_is_one_table():
    r = read_if_published(CORPUS / "control-table-over-two-pages.pdf")
    (p,) = r.dy.projects
    assert len(p.indicators) == 30 and p.stated.total == Decimal("99.8")
    # a row broken by the page is joined again; each row keeps the page it is printed on
    assert [i.name for i in p.indicators[:25]] == [f"完成第{n}类服务事项数" for n in range(1, 26)]
    pages = {r.places[("P01", i.code)].where.split("表")[0] for i in p.indicators}
    assert pages == {"第1页", "第2页", "第3页"}


def test_jixiao_exported_forms_stay_with_their_own_reader(demo_dy, tmp_path):
    from openpyxl import load_workbook  # noqa: PLC0415

    from jixiao import excel  # noqa: PLC0415
    from jixiao.core.scoring import score_department  # noqa: PLC0415

    path = tmp_path / "self-eval.xlsx"
    excel.write_form(demo_dy, score_department(demo_dy), "self-eval", path, "P01")
    assert read_if_published(path) is None
    wb = load_workbook(path)  # the hidden sheet deleted: the document properties still say whose it is
    for name in [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]:
        del wb[name]
    wb.save(path)
    assert read_if_published(path) is None


_WORDS = [
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "项目名称", "主管部门", "实施单位",
    "年初预算数", "全年预算数", "全年执行数", "执行率", "年度资金总额", "其中：财政拨款", "总分", "等级",
    "年度总体目标",
    "产出指标", "效益指标", "培训人次", "≥200人次", "236人次", "98%", "10分", "7,00.0,77", "—", "", None,
    "项目名称：某项目", "（2023年度）", "部门整体支出绩效自评表", "80万元", "合计", "说明",
]
_BASE = [["项目支出绩效自评表"], ["（2023年度）"],
         ["项目名称", "培训补助", None, "主管部门", "示例局", None, "实施单位", "示例单位"],
         ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
         [None, "年度资金总额", 100, 100, 98, 10, "98%", 9.8], ["年度总体目标", "完成培训。"], list(make_cases.HEAD),
         *[list(r) for r in make_cases.TRAINING], ["总分", None, None, None, None, 100, 99.8, None]]


@settings(max_examples=150, deadline=None)
@given(grid=st.lists(st.lists(st.one_of(st.sampled_from(_WORDS), st.integers(-5, 500), st.floats(0, 2)),
                              min_size=0, max_size=9), min_size=0, max_size=14),
       kind=st.sampled_from([SHEET, WORD]))
def test_any_grid_is_read_or_refused_with_a_reason(grid, kind):
    """Never a traceback: whatever a table holds, it is read (and checked) or refused with a message."""
    _read_or_refused(grid, kind)


@settings(max_examples=150, deadline=None)
@given(changes=st.lists(st.tuples(st.integers(0, len(_BASE) - 1), st.integers(0, 8), st.sampled_from(_WORDS)),
                        max_size=8),
       kind=st.sampled_from([SHEET, WORD]))
def test_a_table_with_cells_changed_is_read_or_refused_with_a_reason(changes, kind):
    grid = [list(row) + [None] * (9 - len(row)) for row in _BASE]
    for r, c, word in changes:
        grid[r][c] = word
    _read_or_refused(grid, kind)


def _read_or_refused(grid, kind) -> None:
    try:
        reading = read_tables([Table("Sheet1" if kind == SHEET else "表1", kind, grid)], "f.xlsx", "f")
    except InputError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return
    reading.review()


def test_a_class_written_once_in_a_group_row_carries_to_its_indicators():
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    rows = [["项目名称", "示范区建设"], head,
            ["产出指标", "", "", "", "", 50, 50],  # the class on a row of its own, not an indicator
            ["", "数量指标", "建成示范点", "≥5个", "6个", 25, 25],
            ["", "质量指标", "验收合格率", "100%", "100%", 25, 25],
            ["效益指标", "", "", "", "", 30, 30],
            ["", "社会效益指标", "带动就业人数", "≥100人", "120人", 30, 30]]
    p = read_tables([Table("S", SHEET, rows)], "f.xlsx", "f").dy.projects[0]
    assert [(i.level1, i.level2, i.name) for i in p.indicators] == [
        ("产出指标", "数量指标", "建成示范点"), ("产出指标", "质量指标", "验收合格率"),
        ("效益指标", "社会效益指标", "带动就业人数")]


def test_a_written_project_code_is_kept_and_a_repeated_one_replaced():
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    row = ["产出指标", "数量指标", "建成示范点", "≥5个", "6个", 25, 25]
    rows = [["项目名称", "甲", "项目编码", "X1"], head, row, ["项目名称", "乙", "项目编码", "X1"], head, row]
    r = read_tables([Table("S", SHEET, rows)], "f.xlsx", "f")
    assert [p.code for p in r.dy.projects] == ["X1", "P02"]
    assert [n.where for n in r.notes if n.code == "R-PROJECT-CODE"] == ["S!B4"]
