"""Excel in and out: the standard forms (openpyxl) and the bulk workbook (our streaming writer
``xlsx_stream``; calamine reads both).

Public API:
  write_form(dy, result, form, path, project=None)   export one form (see ``FORMS``)
  read_workbook(path) -> DepartmentYear              bulk workbook or 部门整体支出绩效自评表
  read_project_forms(path) -> list[Project]          project-level forms (申报表/监控表/自评表)
  import_file(path) -> ImportOutcome                 any of the above, with warnings

Every bad input raises ``InputError`` listing every problem with its sheet!cell; nothing is
returned half-read.
"""
from __future__ import annotations

from pathlib import Path

from jixiao.core.errors import InputError
from jixiao.core.model import DepartmentYear, Project
from jixiao.core.results import DepartmentResult
from jixiao.excel.bulk_write import write_bulk
from jixiao.excel.importing import ImportOutcome, import_file

FORMS: dict[str, str] = {
    "bulk": "批量工作簿",
    "target": "项目支出绩效目标申报表",
    "monitor": "绩效运行监控表",
    "self-eval": "项目支出绩效自评表",
    "dept-self-eval": "部门整体支出绩效自评表",
    "blank-target": "项目支出绩效目标申报表（空白模板）",
    "blank-self-eval": "项目支出绩效自评表（空白模板）",
}

__all__ = ["FORMS", "ImportOutcome", "import_file", "read_project_forms", "read_workbook", "write_form"]


def write_form(dy: DepartmentYear, result: DepartmentResult, form: str, path: str | Path,
               project: str | None = None) -> None:
    """Write ``form`` for the department-year (or only ``project``) to ``path``."""
    if form not in FORMS:
        raise InputError(f"未知的表格类型「{form}」，可选：{'、'.join(FORMS)}", location="--form")
    if project is not None and all(p.code != project for p in dy.projects):
        raise InputError(f"没有项目「{project}」", location="--project")
    if form == "bulk":
        write_bulk(dy, path)
        return
    # Lazy: openpyxl costs about 0.2 s to import, and reading a workbook or writing the bulk one
    # does not need it.
    from jixiao.excel.forms_write import write_standard_form  # noqa: PLC0415 — see above

    write_standard_form(dy, result, form, Path(path), project)


def read_workbook(path: str | Path) -> DepartmentYear:
    """A complete department-year from the bulk workbook or a 部门整体支出绩效自评表."""
    outcome = import_file(path)
    if not isinstance(outcome.data, DepartmentYear):
        raise InputError("该文件是项目级表格（申报表/监控表/自评表），不含完整的部门年度数据；"
                         "请用“导入”把它合并到已有的部门年度", location=Path(path).name)
    return outcome.data


def read_project_forms(path: str | Path) -> list[Project]:
    """The projects of project-level forms (one sheet per project)."""
    outcome = import_file(path)
    if isinstance(outcome.data, DepartmentYear):
        raise InputError("该文件是部门级工作簿，不是项目级表格", location=Path(path).name)
    return outcome.data
