"""绩效运行监控表: the project blocks plus one checkpoint — the cut-off month, 1-X月执行情况, each
indicator's progress, forecast, likelihood, causes and measures, and the funds' causes and
measures. What the sheet shows beyond the checkpoint (1-X月执行数) goes to ``fs.monitor``."""
from __future__ import annotations

import re
from typing import Any

from jixiao.core import model
from jixiao.core.errors import Problem
from jixiao.core.numbers import normalize
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank, to_text
from jixiao.excel.forms_read.sheet import FormSheet, key, read_project_sheet, read_texts
from jixiao.excel.outcome import MonitorSheet

_REPORTED = ("progress_text", "forecast_text", "likelihood", "causes", "explanation", "measures")


def read_monitor(fs: FormSheet, money_unit: str) -> model.Project:
    sheet = read_project_sheet(fs, "monitor", money_unit)
    p = sheet.project
    month_v, month_at = fs.header_cell("month", "A3")
    month = fs.integer(month_v, month_at, "监控截止月份")
    if month is None or not 1 <= month <= 12:
        fs.problems.append(Problem(month_at, "请填写监控截止月份（1 到 12）", "监控截止月份"))
        month = 0
    progress = []
    for ir, ind in zip(sheet.rows, p.indicators, strict=True):
        v = ir.values
        if all(is_blank(v.get(a)) for a in _REPORTED):
            continue  # an indicator not reported at this checkpoint
        causes = _causes(fs, v.get("causes"), ir.cells["causes"])
        likelihood = normalize(to_text(v.get("likelihood"))) or "确定能"
        if likelihood not in model.LIKELIHOODS:
            fs.problems.append(Problem(ir.cells["likelihood"],
                                       f"「{likelihood}」无效，应为：{'、'.join(model.LIKELIHOODS)}", "完成目标可能性"))
        progress.append(model.IndicatorProgress(
            indicator=ind.code, progress_text=to_text(v.get("progress_text")).strip(),
            forecast_text=to_text(v.get("forecast_text")).strip(), likelihood=likelihood, causes=causes,
            explanation=to_text(v.get("explanation")).strip(), measures=to_text(v.get("measures")).strip()))
    funds_text = read_texts(fs, 0, [(L.MONITOR_FUNDS_CAUSES, "causes"), (L.MONITOR_FUNDS_MEASURES, "measures")])
    causes_at = fs.cell_right_of(fs.find({key(L.MONITOR_FUNDS_CAUSES)}))
    checkpoint = model.Checkpoint(month=month, goal_progress=sheet.goal_second, expected_executed=sheet.funds.expected,
                                  indicators=progress, causes=_causes(fs, funds_text.get("causes"), causes_at),
                                  measures=funds_text.get("measures", ""))
    # A sheet with nothing reported for the month carries no checkpoint (only the figures shown).
    reported = (progress or sheet.goal_second or checkpoint.causes or checkpoint.measures
                or checkpoint.expected_executed is not None)
    p.checkpoints = [checkpoint] if reported else []
    fs.monitor = MonitorSheet(fs.grid.name, month, sheet.funds.done)
    return p


def _causes(fs: FormSheet, value: Any, where: str) -> list[str]:
    causes = [c for c in re.split(r"[、,，;；\s]+", normalize(to_text(value))) if c]
    for c in causes:
        if c not in model.DEVIATION_CAUSES:
            fs.problems.append(Problem(where, f"偏差原因「{c}」无效，应为：{'、'.join(model.DEVIATION_CAUSES)}",
                                       "偏差原因"))
    return causes
