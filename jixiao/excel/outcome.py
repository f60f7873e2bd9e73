"""What reading an Excel upload gives back (``jixiao.excel.importing.import_file``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.core.errors import Problem
from jixiao.core.model import DepartmentYear, Project


@dataclass
class MonitorSheet:
    """A 监控表 sheet: its cut-off month and the 1-m月执行数 it shows (the form has no monthly
    series)."""

    sheet: str
    month: int
    executed_to_date: Decimal | None


@dataclass
class ImportOutcome:
    data: DepartmentYear | list[Project]  # a whole department-year, or projects to merge
    warnings: list[Problem] = field(default_factory=list)
    form: str = "bulk"  # bulk / dept-self-eval / project-forms
    department_code: str | None = None  # from the form header, for project forms
    year: int | None = None
    project_template: str | None = None  # 评分模板 of project forms (the sheets' header)
    # monitoring forms: project code -> what its sheet shows beyond the checkpoint
    monitoring: dict[str, MonitorSheet] = field(default_factory=dict)
