"""项目支出绩效目标申报表: header, funds, 年度总体目标 and the indicators with their targets —
the blocks every project form has, and nothing more."""
from __future__ import annotations

from jixiao.core import model
from jixiao.excel.forms_read.sheet import FormSheet, read_project_sheet


def read_target(fs: FormSheet, money_unit: str) -> model.Project:
    return read_project_sheet(fs, "target", money_unit).project
