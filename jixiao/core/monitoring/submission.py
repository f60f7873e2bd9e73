"""What stops a checkpoint from being submitted: a red or 完全不可能 item without 纠偏措施, and
deviation causes or likelihoods outside the official lists."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jixiao.core.errors import Problem
from jixiao.core.model import DEVIATION_CAUSES, LIKELIHOODS, Checkpoint, DepartmentYear
from jixiao.core.monitoring.assessment import MonitoringReport, ProjectMonitoring, checkpoint_at
from jixiao.core.monitoring.rules import LEVEL_NAMES


@dataclass
class Blocker:
    code: str  # M-… finding code
    indicator: str | None  # IndicatorProgress.indicator; None for the funds block
    field: str
    message: str


def blockers(checkpoint: Checkpoint, assessment: ProjectMonitoring) -> list[Blocker]:
    out: list[Blocker] = []
    for cause in checkpoint.causes:
        if cause not in DEVIATION_CAUSES:
            out.append(Blocker("M-CAUSE-UNKNOWN", None, "偏差原因",
                               f"偏差原因「{cause}」应为 {'、'.join(DEVIATION_CAUSES)} 之一"))
    if assessment.funds_needs_measures and not checkpoint.measures.strip():
        out.append(Blocker("M-MEASURES-MISSING", None, "纠偏措施",
                            f"资金执行已达{LEVEL_NAMES[assessment.level]}（{'；'.join(assessment.reasons)}），请填写纠偏措施后再提交"))
    by_code = {i.code: i for i in assessment.indicators}
    for ip in checkpoint.indicators:
        if ip.likelihood not in LIKELIHOODS:
            out.append(Blocker("M-LIKELIHOOD-UNKNOWN", ip.indicator, "完成目标可能性",
                                f"完成目标可能性「{ip.likelihood}」应为 {'、'.join(LIKELIHOODS)} 之一"))
        for cause in ip.causes:
            if cause not in DEVIATION_CAUSES:
                out.append(Blocker("M-CAUSE-UNKNOWN", ip.indicator, "偏差原因",
                                    f"偏差原因「{cause}」应为 {'、'.join(DEVIATION_CAUSES)} 之一"))
        assessed = by_code.get(ip.indicator)
        if assessed is None:
            out.append(Blocker("M-INDICATOR-UNKNOWN", ip.indicator, "指标编码",
                               "指标编码不在本项目的绩效指标中，请核对"))
            continue
        if assessed.needs_measures and not ip.measures.strip():
            why = f"完成目标可能性为“{ip.likelihood}”" if ip.likelihood == "完全不可能" else "；".join(assessed.reasons)
            out.append(Blocker("M-MEASURES-MISSING", ip.indicator, "纠偏措施",
                                f"指标「{assessed.name}」{why}，请填写纠偏措施后再提交"))
    return out


def submission_problems(checkpoint: Checkpoint, assessment: ProjectMonitoring, where: str = "",
                        places: Mapping[str | None, str] | None = None) -> list[Problem]:
    """What stops a checkpoint from being submitted: a red or 完全不可能 item without 纠偏措施,
    and deviation causes or likelihoods outside the official lists. ``places`` may name the cell
    of an item (indicator code, or None for the funds block) on a form; it replaces the default
    location."""
    base = where or f"项目 {assessment.code} {checkpoint.month}月绩效运行监控表"
    known = places or {}
    problems: list[Problem] = []
    for b in blockers(checkpoint, assessment):
        default = f"{base}：资金执行" if b.indicator is None else f"{base}：指标 {b.indicator}"
        problems.append(Problem(known.get(b.indicator, default), b.message, b.field))
    return problems


def department_submission_problems(dy: DepartmentYear, report: MonitoringReport) -> list[Problem]:
    """Submission problems of every checkpoint of the report's month in the department-year."""
    problems: list[Problem] = []
    for p in dy.projects:
        cp = checkpoint_at(p, report.month)
        if cp is not None:
            problems.extend(submission_problems(cp, report.project(p.code)))
    return problems

