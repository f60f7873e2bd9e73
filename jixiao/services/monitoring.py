"""The monitoring assessment of a stored department-year (绩效运行监控), read once for the pages and
for the submission gate of a checkpoint, so both judge with the same history and rules.

The forecast uses the department's own earlier years (``rules.history_years`` of them); a
checkpoint's 提交 is refused while a red or 完全不可能 item has no 纠偏措施
(``jixiao.core.monitoring.submission``)."""
from __future__ import annotations

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core import model as core
from jixiao.core.changes import Ref
from jixiao.core.errors import Problem
from jixiao.core.monitoring import (
    MonitoringReport,
    MonitoringRules,
    assess_department,
    load_monitoring_rules,
    submission_problems,
)


def history(code: str, year: int, rules: MonitoringRules) -> list[core.DepartmentYear]:
    """The department's earlier years, nearest first, as many as the rules use."""
    earlier = (m.DepartmentYear.objects.filter(department__code=code, year__lt=year).order_by("-year")
               .values_list("year", flat=True))
    return [load_department_year(code, y) for y in earlier[: rules.history_years]]


def assess(dy: core.DepartmentYear, month: int, rules: MonitoringRules | None = None) -> MonitoringReport:
    rules = rules or load_monitoring_rules()
    return assess_department(dy, month, rules, history(dy.department.code, dy.year, rules))


def checkpoint_blockers(dy: core.DepartmentYear, ref: Ref) -> list[Problem]:
    """What stops the checkpoint ``ref`` of ``dy`` from being submitted."""
    project = dy.project(ref.project)
    cp = next(c for c in project.checkpoints if str(c.month) == ref.key)
    return submission_problems(cp, assess(dy, cp.month).project(project.code))
