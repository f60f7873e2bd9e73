"""Loading the shipped demo departments: the one write that takes workflow states from a file.

The demo is reference data the project ships (its states are part of what it demonstrates), so
reloading it is a system action of its own, not an import: it replaces the demo department-year
whole, states included, and records that in the history like any other change.
"""
from __future__ import annotations

from jixiao.budget.store import Saved, save_department_year
from jixiao.core import model as core
from jixiao.core.changes import assign_rectification_codes

DEMO_WHO = "系统（示例数据）"


def load_demo_year(dy: core.DepartmentYear) -> Saved:
    assign_rectification_codes(None, dy)
    return save_department_year(dy, who=DEMO_WHO, reason="载入示例数据")
