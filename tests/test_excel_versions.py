"""An Excel file carries the versions it was exported at: the bulk workbook in its grey 版本
columns, a standard form in its hidden sheet ``_jixiao``. Read back, the versions sit on the
objects (round trip exact), and an import of a stale file — one whose field was changed through
the application layer after the export — is a conflict naming who changed it, while a fresh
export of the same data imports without one. A file that does not say (a blank template filled
in by hand, the sheet removed) has versions None."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
import pytest

from jixiao import excel, exchange
from jixiao.budget.models import Checkpoint, DepartmentYear, Project
from jixiao.budget.store import load_department_year
from jixiao.core import model
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError
from jixiao.core.scoring import score_department
from jixiao.excel import bulk_schema as S
from jixiao.excel.workbook import VERSION_SHEET
from jixiao.services import imports, records
from jixiao.services.actor import SYSTEM_NAME, system_actor

DEMO = {"department_year__department__code": "demo", "department_year__year": 2022}


def stored() -> model.DepartmentYear:
    return load_department_year("demo", 2022)


def export(form: str, path: Path, project: str | None = None) -> Path:
    dy = stored()
    excel.write_form(dy, score_department(dy), form, path, project=project)
    return path


def preview(path: Path) -> imports.Preview:
    return imports.preview(system_actor(), imports.read_file(path).candidate, path.name)


def versions(dy: model.DepartmentYear) -> list[tuple[str, int | None]]:
    """Every object's version, named by its place."""
    out = [("year", dy.version)]
    out += [(f"budget {b.fund_source}/{b.nature}", b.version) for b in dy.budget_lines]
    out += [(f"indicator {i.code}", i.version) for i in dy.indicators]
    out += [(f"rectification {r.code}", r.version) for r in dy.rectifications]
    for p in dy.projects:
        out += [(p.code, p.version)]
        out += [(f"{p.code} fund {f.fund_source}", f.version) for f in p.funds]
        out += [(f"{p.code} indicator {i.code}", i.version) for i in p.indicators]
        out += [(f"{p.code} checkpoint {c.month}", c.version) for c in p.checkpoints]
    return out


@pytest.fixture
def editable(stored_demo) -> model.DepartmentYear:
    """The demo stored with its self-evaluations reopened (草稿) and P02's checkpoint at 填报, so
    the application layer lets their content change; saved once more so versions differ from 1."""
    Project.objects.filter(**DEMO).update(status="草稿")
    DepartmentYear.objects.filter(department__code="demo", year=2022).update(status="草稿")
    Checkpoint.objects.filter(project__code="P02", project__department_year__department__code="demo").update(
        status="填报")
    return stored()


def change_actual(project: str, indicator: str, text: str) -> None:
    """Someone else sets an actual through the application layer, based on the current version."""
    dy = stored()
    owner = dy.indicators if not project else dy.project(project).indicators
    ind = next(i for i in owner if i.code == indicator)
    records.set_actual(system_actor(), "demo", 2022, project, indicator, text, ind.version)


def the_conflict(result: imports.Preview) -> imports.Item:
    assert len(result.conflicts) == 1, result.text()
    return result.conflicts[0]


# ------------------------------------------------------------------ round trips keep the versions

def test_bulk_workbook_round_trip_keeps_every_version(editable, tmp_path):
    records.set_actual(system_actor(), "demo", 2022, "P01", "P01-I1", "3件", 1)  # P01-I1 at version 2
    dy = stored()
    path = export("bulk", tmp_path / "bulk.xlsx")
    back = excel.read_workbook(path)
    assert exchange.to_dict(back) == exchange.to_dict(dy)
    assert versions(back) == versions(dy) and ("P01 indicator P01-I1", 2) in versions(back)
    assert all(v is not None for _, v in versions(back))


def test_bulk_version_columns_are_grey_system_columns_at_the_end(editable, tmp_path):
    wb = openpyxl.load_workbook(export("bulk", tmp_path / "bulk.xlsx"))
    for sheet in (S.DEPARTMENT_SHEET, S.BUDGET_SHEET, S.INDICATOR_SHEET, S.CHECKPOINT_SHEET, S.RECTIFICATION_SHEET):
        last = list(wb[sheet][1])[-1]
        assert last.value == f"版本（{S.VERSION_NOTE}）", sheet
        assert last.fill.fgColor.rgb == "FFD9D9D9"
        assert isinstance(wb[sheet].cell(row=2, column=last.column).value, int)
    headers = [c.value for c in wb[S.PROJECT_SHEET][1]]
    assert headers[-2:] == [f"项目版本（{S.VERSION_NOTE}）", f"资金版本（{S.VERSION_NOTE}）"]


@pytest.mark.parametrize("form", ("target", "self-eval", "monitor", "dept-self-eval"))
def test_form_round_trip_keeps_the_versions_of_its_objects(editable, tmp_path, form):
    change_actual("P01", "P01-I2", "99%")
    dy = stored()
    path = export(form, tmp_path / f"{form}.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb[VERSION_SHEET].sheet_state == "veryHidden" and wb[VERSION_SHEET].protection.sheet
    outcome = excel.import_file(path)
    assert not outcome.warnings
    if form == "dept-self-eval":
        read = outcome.data
        assert isinstance(read, model.DepartmentYear)
        assert read.version == dy.version
        assert [b.version for b in read.budget_lines] == [b.version for b in dy.budget_lines]
        assert [i.version for i in read.indicators] == [i.version for i in dy.indicators]
        return
    assert isinstance(outcome.data, list)
    for p in outcome.data:
        source = dy.project(p.code)
        assert p.version == source.version
        assert [f.version for f in p.funds] == [f.version for f in source.funds]
        assert [i.version for i in p.indicators] == [i.version for i in source.indicators]
        months = {c.month: c.version for c in source.checkpoints}
        assert [c.version for c in p.checkpoints] == [months[c.month] for c in p.checkpoints]
    p01 = next(p for p in outcome.data if p.code == "P01")
    assert p01.indicators[1].version == 2  # changed once after being stored


def test_a_form_without_the_version_sheet_has_versions_none(editable, tmp_path):
    path = export("self-eval", tmp_path / "self-eval.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb[VERSION_SHEET]
    wb.save(path)
    outcome = excel.import_file(path)
    assert isinstance(outcome.data, list)
    objects = [o for p in outcome.data for o in (p, *p.funds, *p.indicators, *p.checkpoints)]
    assert objects and all(o.version is None for o in objects)


def test_a_blank_template_has_no_version_sheet(editable, tmp_path):
    wb = openpyxl.load_workbook(export("blank-self-eval", tmp_path / "blank.xlsx"))
    assert VERSION_SHEET not in wb.sheetnames


def test_a_version_sheet_of_another_department_year_is_ignored_with_a_warning(editable, tmp_path):
    path = export("self-eval", tmp_path / "self-eval.xlsx", project="P01")
    wb = openpyxl.load_workbook(path)
    wb[VERSION_SHEET]["B3"] = 2021
    wb.save(path)
    outcome = excel.import_file(path)
    (warning,) = outcome.warnings
    assert VERSION_SHEET in warning.location and "2021" in warning.message and "已忽略" in warning.message
    assert isinstance(outcome.data, list) and outcome.data[0].version is None


def test_an_edited_bulk_version_cell_is_named(editable, tmp_path):
    path = export("bulk", tmp_path / "bulk.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[S.INDICATOR_SHEET]
    cell = list(ws[1])[-1].column_letter + "3"
    ws[cell] = "新版本"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    (problem,) = exc.value.problems
    assert problem.location == f"{S.INDICATOR_SHEET}!{cell}" and "版本由系统填写" in problem.message


# ------------------------------------------------------------------ a stale file is a conflict


def _assert_names_who_changed(item: imports.Item, ref: Ref, text: str) -> None:
    assert item.ref == ref and item.field == "实际完成值"
    assert f"已被 {SYSTEM_NAME} 于" in item.message and f"改为「{text}」" in item.message
    assert "您的文件基于修改前的数据" in item.message


@pytest.mark.parametrize("form, project", [("bulk", None), ("self-eval", "P01"), ("self-eval", None)])
def test_stale_project_file_is_a_conflict_naming_who_changed_it(editable, tmp_path, form, project):
    stale = export(form, tmp_path / "stale.xlsx", project=project)
    change_actual("P01", "P01-I1", "9件")
    _assert_names_who_changed(the_conflict(preview(stale)), Ref("indicator", "P01", "P01-I1"), "9件")
    with pytest.raises(imports.ImportConflict):
        imports.apply(system_actor(), imports.read_file(stale).candidate, stale.name)
    assert stored().project("P01").indicators[0].actual_text == "9件"  # nothing reverted

    fresh = preview(export(form, tmp_path / "fresh.xlsx", project=project))
    assert not fresh.conflicts, fresh.text()
    assert not fresh.of("changed"), fresh.text()


def test_stale_department_form_is_a_conflict_naming_who_changed_it(editable, tmp_path):
    stale = export("dept-self-eval", tmp_path / "stale.xlsx")
    change_actual("", "D01", "已按要求编制部门预算并公开")
    _assert_names_who_changed(the_conflict(preview(stale)), Ref("indicator", "", "D01"), "已按要求编制部门预算并公开")
    fresh = preview(export("dept-self-eval", tmp_path / "fresh.xlsx"))
    assert not fresh.conflicts, fresh.text()


def test_stale_monitoring_form_is_a_conflict_on_its_checkpoint(editable, tmp_path):
    stale = export("monitor", tmp_path / "stale.xlsx", project="P02")
    cp = stored().project("P02").checkpoints[0]
    records.edit(system_actor(), "demo", 2022, Ref("checkpoint", "P02", str(cp.month)), {"measures": "加快支付进度。"},
                 cp.version)
    item = the_conflict(preview(stale))
    assert item.ref == Ref("checkpoint", "P02", str(cp.month)) and item.field == "纠偏措施"
    assert f"已被 {SYSTEM_NAME} 于" in item.message and "加快支付进度。" in item.message
    fresh = preview(export("monitor", tmp_path / "fresh.xlsx", project="P02"))
    assert not fresh.conflicts and not fresh.of("changed"), fresh.text()


def test_a_stale_change_elsewhere_does_not_block_the_fields_the_file_changes(editable, tmp_path):
    """Versions are per object and conflicts per field: a file based on an older version may still
    change a field nobody else touched — of another indicator, or of the same one."""
    path = export("self-eval", tmp_path / "form.xlsx", project="P01")
    change_actual("P01", "P01-I1", "9件")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = next(c for row in ws.iter_rows() for c in row if c.value == "一级指标").row
    cols = {ws.cell(row=head, column=c).value: c for c in range(1, ws.max_column + 1)}
    reason = cols["偏差原因分析及改进措施"]
    ws.cell(row=head + 1, column=reason).value = "已加快仲裁进度"  # P01-I1: another field than the actual
    ws.cell(row=head + 2, column=reason).value = "按期完成"  # P01-I2: nobody else changed it
    wb.save(path)
    result = preview(path)
    _assert_names_who_changed(the_conflict(result), Ref("indicator", "P01", "P01-I1"), "9件")
    changed = {(i.ref.key, i.field) for i in result.of("changed")}
    assert changed == {("P01-I1", "偏差原因分析及改进措施"), ("P01-I2", "偏差原因分析及改进措施")}


def test_without_versions_a_file_is_compared_with_the_stored_values_only(editable, tmp_path):
    """A hand-made file cannot be told stale: its differing value is a change (shown in the preview)."""
    path = export("self-eval", tmp_path / "form.xlsx", project="P01")
    wb = openpyxl.load_workbook(path)
    del wb[VERSION_SHEET]
    wb.save(path)
    change_actual("P01", "P01-I1", "9件")
    result = preview(path)
    assert not result.conflicts
    (item,) = result.of("changed")
    assert (item.ref, item.before, item.after) == (Ref("indicator", "P01", "P01-I1"), "9件", "2件")


def test_merge_keeps_the_files_versions_on_the_objects_it_touched(editable, tmp_path):
    path = export("self-eval", tmp_path / "form.xlsx", project="P01")
    change_actual("P01", "P01-I1", "9件")
    now = stored()
    merged = imports.read_file(path).candidate
    p01 = merged.project("P01")
    assert p01.indicators[0].version == 1 and now.project("P01").indicators[0].version == 2
    # what the form does not carry keeps the stored versions
    assert merged.version == now.version
    assert dataclasses.astuple(merged.project("P02")) == dataclasses.astuple(now.project("P02"))
