"""Standard forms: export layout and values, import by label (with real-world variants), the
merge into a stored department-year, and a LibreOffice conversion of the demo export."""
from __future__ import annotations

import json
import shutil
import subprocess
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from jixiao import excel, exchange
from jixiao.budget.models import Checkpoint, Project
from jixiao.budget.models import DepartmentYear as DepartmentYearRow
from jixiao.budget.store import load_department_year
from jixiao.cli import main
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_decimal
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DepartmentYear
from jixiao.core.quality import blocking, review
from jixiao.core.scoring import score_department
from jixiao.excel.merge import merge_outcome
from jixiao.excel.workbook import HELPER_SHEET
from jixiao.services import imports
from jixiao.services.actor import system_actor

FORMS = ("target", "monitor", "self-eval", "dept-self-eval", "blank-target", "blank-self-eval")


def export(dy, form, tmp_path, project=None) -> Path:
    path = tmp_path / f"{form}.xlsx"
    excel.write_form(dy, score_department(dy), form, path, project=project)
    return path


def cells(ws) -> dict[str, object]:
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def find(ws, value) -> openpyxl.cell.Cell:
    for row in ws.iter_rows():
        for c in row:
            if c.value == value:
                return c
    raise AssertionError(f"{value!r} not on {ws.title}")


def test_self_eval_layout_and_computed_values(demo_dy, tmp_path):
    result = score_department(demo_dy)
    wb = openpyxl.load_workbook(export(demo_dy, "self-eval", tmp_path))
    assert len([n for n in wb.sheetnames if n != HELPER_SHEET]) == len(demo_dy.projects)
    assert all(len(n) <= 31 for n in wb.sheetnames) and len(set(wb.sheetnames)) == len(wb.sheetnames)
    assert wb[HELPER_SHEET].sheet_state == "hidden"
    ws = wb.worksheets[0]
    p, pr = demo_dy.projects[0], result.projects[0]
    assert ws["A1"].value == "项目支出绩效自评表" and "A1:N1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.name == "宋体" and ws.freeze_panes and ws.print_area
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    values = cells(ws)
    assert p.name in values.values() and p.code in values.values()
    total_row = find(ws, "年度资金总额").row
    rate = ws.cell(row=total_row, column=7)
    assert rate.value == pytest.approx(float(fmt_decimal(pr.execution.rate, 4)))
    assert rate.number_format == "0.00%" and "执行率" in rate.comment.text
    assert ws.cell(row=total_row, column=4).number_format == "#,##0.00"
    assert ws.cell(row=total_row, column=4).font.name == "仿宋"
    score = ws.cell(row=total_row, column=8)
    assert Decimal(str(score.value)) == Decimal(fmt_decimal(pr.execution.score, 2)) and score.comment
    total = find(ws, "总分")
    total_cell = ws.cell(row=total.row, column=3)
    assert Decimal(str(total_cell.value)) == Decimal(fmt_decimal(pr.total, 2)) and "总分" in total_cell.comment.text
    assert ws.cell(row=total.row, column=5).value == pr.grade
    # computed cells are values, never formulas
    with zipfile.ZipFile(tmp_path / "self-eval.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_dropdowns_point_at_the_hidden_list_sheet_and_money_must_be_non_negative(demo_dy, tmp_path):
    ws = openpyxl.load_workbook(export(demo_dy, "blank-self-eval", tmp_path))["填报"]
    validations = ws.data_validations.dataValidation
    lists = [dv for dv in validations if dv.type == "list"]
    assert lists and all(HELPER_SHEET in dv.formula1 for dv in lists)
    assert any(dv.type == "decimal" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0"
               for dv in validations)
    helper = openpyxl.load_workbook(tmp_path / "blank-self-eval.xlsx")[HELPER_SHEET]
    column_values = {helper.cell(row=1, column=c).value: [helper.cell(row=r, column=c).value for r in range(2, 8)]
                     for c in range(1, helper.max_column + 1)}
    assert "产出指标" in column_values["level1"] and "有可能" in column_values["likelihood"]
    assert "经费保障" in column_values["causes"] and "≥" in column_values["op"]


@pytest.mark.parametrize("form", FORMS)
def test_every_form_opens_with_its_title(demo_dy, tmp_path, form):
    wb = openpyxl.load_workbook(export(demo_dy, form, tmp_path))
    title = wb.worksheets[0]["A1"].value
    assert title.endswith("表")


def test_monitor_form_shows_execution_to_date_and_checkpoint(demo_dy, tmp_path):
    ws = openpyxl.load_workbook(export(demo_dy, "monitor", tmp_path, project="P01")).worksheets[0]
    p = demo_dy.projects[0]
    cp = p.checkpoints[0]
    values = set(cells(ws).values())
    assert f"1-{cp.month}月执行数" in values and cp.goal_progress in values
    total_row = find(ws, "年度资金总额").row
    done = sum((v for m, v in p.monthly_executed.items() if m <= cp.month), Decimal(0))
    assert Decimal(str(ws.cell(row=total_row, column=5).value)) == done
    assert cp.indicators[1].forecast_text in values


def test_formula_like_user_text_is_escaped_on_forms(demo_dy, tmp_path):
    demo_dy.projects[0].goal = "=HYPERLINK(\"http://x\")"
    demo_dy.projects[0].indicators[0].name = "-1+2"
    ws = openpyxl.load_workbook(export(demo_dy, "target", tmp_path, project="P01")).worksheets[0]
    for value in ("=HYPERLINK(\"http://x\")", "-1+2"):
        cell = find(ws, value)
        assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(tmp_path / "target.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("form", ("target", "self-eval", "monitor", "dept-self-eval"))
def test_export_then_import_changes_nothing(demo_dy, tmp_path, form):
    outcome = excel.import_file(export(demo_dy, form, tmp_path))
    assert outcome.department_code == "demo" and outcome.year == 2022
    merged = merge_outcome(outcome, demo_dy)
    assert score_department(merged) == score_department(demo_dy)
    if form == "monitor":
        assert exchange.to_dict(merged) == exchange.to_dict(demo_dy)
    assert not outcome.warnings


def test_stated_score_that_differs_is_kept_with_a_warning(demo_dy, tmp_path):
    path = export(demo_dy, "self-eval", tmp_path, project="P01")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = find(ws, "得分")  # first 得分 is the funds block; the indicator table's comes later
    score_col = next(c for c in ws[find(ws, "一级指标").row] if c.value == "得分").column
    first = find(ws, "一级指标").row + 1
    ws.cell(row=first, column=score_col).value = 12.5
    wb.save(path)
    assert header.value == "得分"
    outcome = excel.import_file(path)
    ref = f"{ws.title}!{openpyxl.utils.get_column_letter(score_col)}{first}"
    assert [w.location for w in outcome.warnings] == [ref]
    merged = merge_outcome(outcome, demo_dy)
    assert merged.projects[0].indicators[0].stated_score == Decimal("12.5")


def _variant(path: Path) -> Path:
    """A self-evaluation form as units really send it: a blank row and column inserted, the
    一级指标 merged vertically, numbers as text with full-width digits, trailing spaces, the
    operator in its own column and the funds in 元."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.insert_rows(3)
    ws.insert_cols(1)
    funds_label = find(ws, "项目资金（万元）")
    funds_label.value = "项目资金（元） "
    total_row = find(ws, "年度资金总额").row
    for r in (total_row, total_row + 1):
        for c in (4, 5, 6):
            cell = ws.cell(row=r, column=c)
            if isinstance(cell.value, (int, float)):
                full_width = {ord(d): ord(d) + 0xFEE0 for d in "0123456789"}
                cell.value = str(Decimal(str(cell.value)) * 10000).translate(full_width)
    head = find(ws, "一级指标").row
    cols = {ws.cell(row=head, column=c).value: c for c in range(1, ws.max_column + 1)}
    first = head + 1
    ws.cell(row=first + 1, column=cols["一级指标"]).value = None  # same 一级指标 as the row above …
    ws.merge_cells(start_row=first, start_column=cols["一级指标"], end_row=first + 1, end_column=cols["一级指标"])
    ws.cell(row=first, column=cols["分值"]).value = "２０ "
    ws.cell(row=first, column=cols["三级指标"]).value = "完成仲裁案件数  "
    ws.cell(row=first, column=cols["指标性质"]).value = "≥"
    ws.cell(row=first, column=cols["年度指标值(A)"]).value = "2件"
    ws.cell(row=head, column=cols["实际完成值(B)"]).value = "全年实际值"
    ws.cell(row=head, column=cols["偏差原因分析及改进措施"]).value = "未完成原因分析 "
    wb.save(path)
    return path


def test_real_world_variant_of_the_self_evaluation_form(demo_dy, tmp_path):
    path = _variant(export(demo_dy, "self-eval", tmp_path, project="P01"))
    outcome = excel.import_file(path)
    (p,) = outcome.data
    original = demo_dy.projects[0]
    def funds(project):
        return [(f.fund_source, f.budget, f.executed) for f in project.funds]

    assert funds(p) == funds(original)
    first = p.indicators[0]
    assert (first.level1, first.name, first.weight, first.target_text) == ("产出指标", "完成仲裁案件数", Decimal(20),
                                                                           "≥2件")
    assert p.indicators[1].level1 == "产出指标"
    assert [i.actual_text for i in p.indicators] == [i.actual_text for i in original.indicators]
    merged = merge_outcome(outcome, demo_dy)
    assert score_department(merged).projects[0].total == score_department(demo_dy).projects[0].total


def test_every_problem_of_a_form_is_named_by_cell(demo_dy, tmp_path):
    path = export(demo_dy, "self-eval", tmp_path, project="P01")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = find(ws, "一级指标").row
    cols = {ws.cell(row=head, column=c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(row=head + 1, column=cols["分值"]).value = "很多"
    ws.cell(row=head + 2, column=cols["完成等级"]).value = "还行"
    total_row = find(ws, "年度资金总额").row
    ws.cell(row=total_row, column=4).value = "一些"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    where = {p.location for p in exc.value.problems}
    letter = openpyxl.utils.get_column_letter
    assert f"{ws.title}!{letter(cols['分值'])}{head + 1}" in where
    assert f"{ws.title}!{letter(cols['完成等级'])}{head + 2}" in where
    assert f"{ws.title}!D{total_row}" in where


def test_a_blank_weight_or_target_on_a_form_is_not_filled_in_not_an_error(demo_dy, tmp_path):
    path = export(demo_dy, "self-eval", tmp_path, project="P01")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = find(ws, "一级指标").row
    cols = {ws.cell(row=head, column=c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(row=head + 1, column=cols["分值"]).value = None
    ws.cell(row=head + 2, column=cols["指标性质"]).value = None
    ws.cell(row=head + 2, column=cols["年度指标值(A)"]).value = None
    wb.save(path)
    (p,) = excel.import_file(path).data
    assert p.indicators[0].weight is None and p.indicators[1].target_text is None
    assert p.indicators[1].weight == demo_dy.projects[0].indicators[1].weight


def test_monitor_form_for_unknown_project_is_refused(demo_dy, tmp_path):
    path = export(demo_dy, "monitor", tmp_path, project="P01")
    wb = openpyxl.load_workbook(path)
    find(wb.worksheets[0], "P01").value = "P77"
    wb.save(path)
    with pytest.raises(InputError, match="P77"):
        merge_outcome(excel.import_file(path), demo_dy)


def test_dept_form_replaces_the_department_block_and_keeps_projects(demo_dy, tmp_path):
    path = export(demo_dy, "dept-self-eval", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    goal = find(ws, "年度总体目标")  # the official header block's label
    ws.cell(row=goal.row, column=goal.column + 2).value = "新的部门整体绩效目标"
    wb.save(path)
    merged = merge_outcome(excel.import_file(path), demo_dy)
    assert merged.goal == "新的部门整体绩效目标" and len(merged.projects) == len(demo_dy.projects)
    # A form exported by an earlier release (label 部门整体绩效目标) still reads.
    goal.value = "部门整体绩效目标"
    ws.cell(row=goal.row, column=goal.column + 2).value = "旧表的目标"
    wb.save(path)
    assert merge_outcome(excel.import_file(path), demo_dy).goal == "旧表的目标"


def test_a_sheet_that_is_no_form_is_refused(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议签到表"
    wb.save(path)
    with pytest.raises(InputError, match="没有可导入的表格"):
        excel.import_file(path)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice 未安装")
def test_libreoffice_opens_every_demo_export(demo_dy, tmp_path):
    files = [export(demo_dy, form, tmp_path) for form in ("self-eval", "dept-self-eval", "monitor")]
    files.append(tmp_path / "bulk.xlsx")
    excel.write_form(demo_dy, score_department(demo_dy), "bulk", files[-1])
    profile = tmp_path / f"lo_{uuid.uuid4().hex}"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stdout + done.stderr.replace("javaldx", "")
    for f in files:
        pdf = tmp_path / "pdf" / f"{f.stem}.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def import_into_database(path: Path) -> tuple[DepartmentYear, list[Problem]]:
    """Read a file and import it as ``jixiao import`` does; the stored year and the warnings."""
    read = imports.read_file(path)
    imports.apply(system_actor(), read.candidate, path.name)
    return load_department_year(read.candidate.department.code, read.candidate.year), read.warnings


def _reopen(**states: str) -> None:
    """Set the stored demo's project states (as if the workflow had returned them)."""
    Project.objects.filter(department_year__department__code="demo", department_year__year=2022).update(**states)


def _self_eval_with_a_new_actual(tmp_path) -> tuple[Path, openpyxl.Workbook, dict[str, int], int]:
    """P01's 自评表 exported from the database, with the first indicator's 实际完成值 set to 3件."""
    path = export(load_department_year("demo", 2022), "self-eval", tmp_path, project="P01")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = find(ws, "一级指标").row
    cols = {ws.cell(row=head, column=c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(row=head + 1, column=cols["实际完成值(B)"]).value = "3件"
    wb.save(path)
    return path, wb, cols, head


def test_form_import_into_an_editable_project_is_all_or_nothing(stored_demo, tmp_path):
    _reopen(status="草稿")
    before = exchange.to_dict(load_department_year("demo", 2022))
    path, wb, cols, head = _self_eval_with_a_new_actual(tmp_path)
    ws = wb.worksheets[0]
    weight = ws.cell(row=head + 2, column=cols["分值"])
    original = weight.value
    weight.value = "很多"  # one bad cell: nothing may change
    wb.save(path)
    with pytest.raises(InputError) as exc:
        import_into_database(path)
    assert [p.location for p in exc.value.problems] == [f"{ws.title}!{weight.coordinate}"]
    assert exchange.to_dict(load_department_year("demo", 2022)) == before

    weight.value = original
    wb.save(path)
    saved, warnings = import_into_database(path)
    assert saved.projects[0].indicators[0].actual_text == "3件" and not warnings
    assert saved.projects[1].code == "P02" and saved.projects[0].status == "草稿"


def test_form_import_into_an_approved_project_is_a_conflict_that_changes_nothing(stored_demo, tmp_path):
    before = exchange.to_dict(load_department_year("demo", 2022))  # the demo's projects are 已审核
    path, _, _, _ = _self_eval_with_a_new_actual(tmp_path)
    with pytest.raises(imports.ImportConflict) as exc:
        import_into_database(path)
    (conflict,) = exc.value.preview.conflicts
    assert conflict.ref == Ref("indicator", "P01", "P01-I1") and conflict.field == "实际完成值"
    assert "已审核" in conflict.message and "不能通过导入修改" in conflict.message
    assert exchange.to_dict(load_department_year("demo", 2022)) == before


# ------------------------------------------------------------------ read back = score as the source

# Ledger feeds whose values differ from what the stored rows say: the form must show what was scored.
LEDGER = {"invest.fdi_usd": "1900万美元", "invest.registered": "6个", "enterprise.policy_briefings": "5次"}


def _scores(result) -> tuple:
    return (result.total, result.grade, result.execution.score, [(r.code, r.score) for r in result.indicators])


@pytest.mark.parametrize("ratio", ("0.9", "0.85", "0.8333"))
def test_dept_form_read_back_scores_exactly_as_the_source(demo_dy, tmp_path, ratio):
    d07 = next(i for i in demo_dy.indicators if i.code == "D07")
    d07.ratio_override = Decimal(ratio)
    source = score_department(demo_dy, LEDGER)
    assert {r.feed for r in source.indicators} >= {"budget.project_execution_rate", "budget.carry_over_rate",
                                                   "invest.fdi_usd"}
    path = tmp_path / "dept.xlsx"
    excel.write_form(demo_dy, source, "dept-self-eval", path)
    outcome = excel.import_file(path)
    read = outcome.data
    assert read.department_template == demo_dy.department_template == "dept-step-2022"
    assert _scores(score_department(read)) == _scores(source)  # no ledger, no projects: the form alone
    assert not outcome.warnings
    assert not blocking(review(read))
    # Merged back into the stored year (with its ledger feeds), nothing changes.
    _assert_unchanged(merge_outcome(outcome, demo_dy, LEDGER), demo_dy, LEDGER)


def _assert_unchanged(merged, dy, feeds) -> None:
    """Same scores and the same indicators — feed-driven actuals keep the stored text, the in-band
    ratio and its reason survive (amounts come back as equal numbers: 500 for 500.00)."""
    assert score_department(merged, feeds) == score_department(dy, feeds)
    fields = ("actual_text", "feed", "ratio_override", "override_reason", "achievement", "stated_score")

    def inds(d):
        everything = (*d.indicators, *(i for p in d.projects for i in p.indicators))
        return [[getattr(i, f) for f in fields] for i in everything]

    assert inds(merged) == inds(dy)
    assert merged.stated == dy.stated and [p.stated for p in merged.projects] == [p.stated for p in dy.projects]


def test_project_self_eval_form_read_back_scores_exactly_as_the_source(demo_dy, tmp_path):
    demo_dy.project_template = "central-2020"
    p01, p05 = demo_dy.project("P01"), demo_dy.project("P05")
    p01.indicators[0].feed = "land.arbitration_cases"  # a project indicator fed from a ledger
    p05.indicators[3].ratio_override, p05.indicators[3].override_reason = Decimal("0.85"), "宣传覆盖面尚可"
    feeds = LEDGER | {"land.arbitration_cases": "1件"}
    source = score_department(demo_dy, feeds)
    path = tmp_path / "self-eval.xlsx"
    excel.write_form(demo_dy, source, "self-eval", path)
    outcome = excel.import_file(path)
    assert outcome.project_template == "central-2020" and not outcome.warnings
    shell = DepartmentYear(department=demo_dy.department, year=2022, project_template=outcome.project_template,
                           projects=outcome.data)
    read = {pr.code: pr for pr in score_department(shell).projects}
    for pr in source.projects:
        assert _scores(read[pr.code]) == _scores(pr), pr.code
    assert read["P01"].indicators[0].score < source.projects[0].indicators[0].weight  # the feed's 1件, not 2件
    _assert_unchanged(merge_outcome(outcome, demo_dy, feeds), demo_dy, feeds)


def test_score_ratio_on_the_form_needs_a_reason_and_a_valid_value(demo_dy, tmp_path):
    path = export(demo_dy, "dept-self-eval", tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = find(ws, "一级指标").row
    cols = {ws.cell(row=head, column=c).value: c for c in range(1, ws.max_column + 1)}
    ws.cell(row=head + 1, column=cols["得分比例"]).value = "90%"
    ws.cell(row=head + 2, column=cols["得分比例"]).value = "1.5%"
    ws.cell(row=head + 2, column=cols["得分比例调整理由"]).value = "理由"
    ws.cell(row=head + 3, column=cols["得分比例"]).value = 150
    wb.save(path)
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    letter = openpyxl.utils.get_column_letter
    where = {p.location: p.message for p in exc.value.problems}
    assert "必须写明调整理由" in where[f"{ws.title}!{letter(cols['得分比例调整理由'])}{head + 1}"]
    assert "0 到 1" in where[f"{ws.title}!{letter(cols['得分比例'])}{head + 3}"]
    assert f"{ws.title}!{letter(cols['得分比例'])}{head + 2}" not in where  # 1.5% = 0.015 is a valid ratio


# ------------------------------------------------------------------ monitoring forms


def _measures_cell(ws, label="资金纠偏措施"):
    c = find(ws, label)
    return ws.cell(row=c.row, column=c.column + 2)


def test_check_on_a_monitoring_form_runs_the_monitoring_checks(demo_dy, tmp_path, capsys):
    path = export(demo_dy, "monitor", tmp_path)
    assert main(["check", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    codes = {f["code"] for f in out["findings"]}
    assert codes and all(c.startswith("M-") for c in codes) and "M-WARNING-RED" in codes
    assert out["summary"]["by_code"]["M-WARNING-RED"]["title"] == "红色预警"
    assert set(out["findings"][0]) == {"code", "severity", "message", "location", "project", "indicator", "field",
                                       "numbers"}
    # P01 is red: without 纠偏措施 the checkpoint cannot be submitted — an error naming the place.
    wb = openpyxl.load_workbook(path)
    _measures_cell(wb.worksheets[0]).value = None
    wb.save(path)
    assert main(["check", str(path), "--json"]) == 1
    errors = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["severity"] == "错误"]
    assert [(f["code"], f["project"], f["field"]) for f in errors] == [("M-MEASURES-MISSING", "P01", "资金纠偏措施")]
    assert "红色预警" in errors[0]["message"] and "纠偏措施" in errors[0]["message"]


def _reopen_checkpoints(project: str, status: str) -> None:
    Checkpoint.objects.filter(project__code=project, project__department_year__department__code="demo").update(
        status=status)


def test_monitor_form_import_merges_checkpoints_all_or_nothing(stored_demo, tmp_path):
    _reopen_checkpoints("P02", "填报")  # P02's checkpoint may be changed, P01's is still 已审核
    before = exchange.to_dict(load_department_year("demo", 2022))
    path = export(load_department_year("demo", 2022), "monitor", tmp_path)
    wb = openpyxl.load_workbook(path)
    p01, p02 = wb.worksheets[0], wb.worksheets[1]
    _measures_cell(p02).value = "加快企业走访服务费用支付。"  # a fine change on P02 …
    _measures_cell(p01).value = "与仲裁委沟通加快开庭安排。"  # … and one on P01, 已审核
    wb.save(path)
    with pytest.raises(imports.ImportConflict) as exc:
        import_into_database(path)
    (conflict,) = exc.value.preview.conflicts
    assert conflict.ref.kind == "checkpoint" and conflict.ref.project == "P01" and conflict.field == "纠偏措施"
    assert "已审核" in conflict.message
    assert exchange.to_dict(load_department_year("demo", 2022)) == before  # nothing stored, P02 neither

    _reopen_checkpoints("P01", "退回")  # returned for changes: the same file now lands as a whole
    saved, warnings = import_into_database(path)
    assert saved.project("P02").checkpoints[0].measures == "加快企业走访服务费用支付。"
    assert saved.project("P01").checkpoints[0].measures == "与仲裁委沟通加快开庭安排。"
    assert saved.project("P01").checkpoints[0].status == "退回" and not warnings


def test_a_draft_checkpoint_may_still_lack_measures(demo_dy, tmp_path):
    """Merging is pure and knows no workflow: a 填报 checkpoint may lack its 纠偏措施 (the monitoring
    checks list it, and submitting is refused); a submitted one cannot be changed by an import at all
    (the application layer's conflict, above)."""
    demo_dy.project("P01").checkpoints[0].status = "填报"
    path = export(demo_dy, "monitor", tmp_path, project="P01")
    wb = openpyxl.load_workbook(path)
    _measures_cell(wb.worksheets[0]).value = None
    wb.save(path)
    merged = merge_outcome(excel.import_file(path), demo_dy)
    assert merged.project("P01").checkpoints[0].measures == ""
    assert merged.project("P01").checkpoints[0].status == "填报"


# ---------------------------------------------------------------- forms as officers print them


@pytest.mark.parametrize("form", ["dept-self-eval", "self-eval", "target", "monitor"])
def test_printed_forms_carry_no_internal_codes_and_the_signature_block(demo_dy, tmp_path, form):
    wb = openpyxl.load_workbook(export(demo_dy, form, tmp_path))
    ws = wb.worksheets[0]
    values = " ".join(str(v) for v in cells(ws).values())
    assert demo_dy.department.code not in values.split() and "demo" not in values
    assert demo_dy.department_template not in values and demo_dy.project_template not in values
    assert "部门编码" not in values and "评分模板" not in values
    for label in ("填报单位（盖章）：", "填报人：", "联系电话：", "填报日期：", "审核人："):
        assert label in cells(ws).values(), label
    year = find(ws, demo_dy.year)
    assert year.number_format == "0"  # 2022, not 2,022.00
    # Legible on A4: no text under 9 pt, no shrinking to one page, a scale of at least 80 %.
    assert all(c.font.sz >= 9 for row in ws.iter_rows() for c in row if c.value is not None and c.font.sz)
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale >= 80
    assert ws.print_title_rows  # a long indicator table repeats its header on every page
    header = find(ws, "一级指标").row
    assert ws.print_title_rows == f"${header}:${header}"
    # Computed cells and labels locked, what the unit fills in open; no password.
    assert ws.protection.sheet and not ws.protection.password
    assert find(ws, "一级指标").protection.locked
    assert not ws.cell(row=header + 1, column=3).protection.locked  # 三级指标 of the first indicator


def test_dropdowns_hold_every_value_the_form_uses(demo_dy, tmp_path):
    wb = openpyxl.load_workbook(export(demo_dy, "dept-self-eval", tmp_path))
    helper = wb[HELPER_SHEET]
    lists = {helper.cell(row=1, column=c).value: {helper.cell(row=r, column=c).value
                                                  for r in range(2, helper.max_row + 1)} - {None}
             for c in range(1, helper.max_column + 1)}
    assert {i.level1 for i in demo_dy.indicators} <= lists["level1"]
    assert {i.level2 for i in demo_dy.indicators} <= lists["level2"]  # 招商引资, 土地资源, …


def test_a_form_without_printed_codes_reads_back_its_department_and_template(demo_dy, tmp_path):
    path = export(demo_dy, "dept-self-eval", tmp_path)
    outcome = excel.import_file(path)
    assert outcome.data.department.code == demo_dy.department.code
    assert outcome.data.department_template == demo_dy.department_template
    # A form made elsewhere, without our properties, says what is missing and where.
    wb = openpyxl.load_workbook(path)
    wb.custom_doc_props = openpyxl.packaging.custom.CustomPropertyList()
    wb.save(path)
    with pytest.raises(InputError) as err:
        excel.import_file(path)
    assert "缺少部门编码" in str(err.value)


# ---------------------------------------------------------------- a typed value over a ledger's


def _dept_form_with_fdi(tmp_path: Path, value: str) -> Path:
    """The stored demo's 部门整体自评表 as exported, with 实际利用外资 changed by the unit."""
    dy = load_department_year("demo", 2022)
    path = tmp_path / "dept.xlsx"
    excel.write_form(dy, score_department(dy, FDI_LEDGER), "dept-self-eval", path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    row = find(ws, "实际利用外资").row
    header = find(ws, "实际完成值(B)")
    assert ws.cell(row=row, column=header.column).value == "1810万美元"
    ws.cell(row=row, column=header.column).value = value
    wb.save(path)
    return path


FDI_LEDGER = {"invest.fdi_usd": "1810万美元"}


def test_a_typed_value_over_a_ledgers_is_asked_not_ignored(stored_demo, tmp_path, monkeypatch):
    """1810 → 1350 in the 部门整体自评表: the preview asks (both values), apply refuses until the
    user chooses; keeping the ledger's changes nothing, recording the typed value needs a reason,
    unlinks the ledger for that indicator, scores 1350 and says so in the history."""
    monkeypatch.setattr(imports, "collect_feeds", lambda code, year: dict(FDI_LEDGER))
    DepartmentYearRow.objects.filter(department__code="demo", year=2022).update(status="草稿")  # editable
    path = _dept_form_with_fdi(tmp_path, "1350万美元")
    read = imports.read_file(path)
    ref = Ref("indicator", "", "D08")
    pv = imports.preview(system_actor(), read.candidate, path.name)
    (asked,) = [i for i in pv.conflicts if i.ref == ref]
    assert (asked.before, asked.after) == ("1810万美元", "1350万美元") and "招商引资台账" in asked.message
    with pytest.raises(imports.ImportConflict):
        imports.apply(system_actor(), read.candidate, path.name)
    # A typed value without a reason is still a question.
    choice = imports.Choice(imports.USE_TYPED, "")
    assert imports.preview(system_actor(), read.candidate, path.name, resolve={ref: choice}).conflicts
    # Keep the ledger's: nothing about D08 changes.
    kept = imports.apply(system_actor(), read.candidate, path.name,
                         resolve={ref: imports.Choice(imports.KEEP_LEDGER)})
    assert not [i for i in kept.items if i.ref == ref]
    stored = load_department_year("demo", 2022)
    assert next(i for i in stored.indicators if i.code == "D08").actual_text == "1810万美元"
    # Record the typed value, with its reason: it scores, and the history says which and why.
    typed = imports.apply(system_actor(), read.candidate, path.name,
                          resolve={ref: imports.Choice(imports.USE_TYPED, "台账漏记一笔撤资")})
    assert any("1350万美元" in said and "台账漏记一笔撤资" in said for said in typed.chosen)
    stored = load_department_year("demo", 2022)
    d08 = next(i for i in stored.indicators if i.code == "D08")
    assert (d08.actual_text, d08.feed) == ("1350万美元", None)
    result = score_department(stored, FDI_LEDGER)
    assert next(r for r in result.indicators if r.code == "D08").actual_text == "1350万美元"
