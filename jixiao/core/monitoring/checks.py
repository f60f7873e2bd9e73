"""The monitoring checks as findings (codes M-…, severities from ``checks`` in monitoring.json),
in the shape of the quality review, for ``jixiao check``."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from jixiao.core.model import DepartmentYear, Indicator, Project
from jixiao.core.monitoring.assessment import assess_project, history_for, project_warnings
from jixiao.core.monitoring.progress import check_month
from jixiao.core.monitoring.rules import MonitoringRules, load_monitoring_rules
from jixiao.core.monitoring.submission import blockers
from jixiao.core.quality.findings import QualityFinding, place
from jixiao.core.schemes import load_scheme


def _finding(rules: MonitoringRules, code: str, message: str, project: Project, ind: Indicator | None,
             field_name: str, numbers: dict[str, str] | None = None) -> QualityFinding:
    sev, _ = rules.checks[code]
    return QualityFinding(code=code, severity=sev, message=message, location=place(project, ind, field_name),
                   project=project.code, indicator=ind.code if ind is not None else None, field=field_name,
                   numbers=dict(numbers or {}))


def monitoring_month(project: Project, rules: MonitoringRules) -> int:
    """The month a project's monitoring form is at: its latest checkpoint, else the cut-off month."""
    return max((cp.month for cp in project.checkpoints), default=rules.cutoff_month)


def review_monitoring(
    dy: DepartmentYear, months: Mapping[str, int] | int | None = None, rules: MonitoringRules | None = None,
    history: Sequence[DepartmentYear] | None = None,
) -> list[QualityFinding]:
    """The monitoring checks of every project, as findings in the shape of the quality review
    (codes M-…, severities from ``checks`` in monitoring.json): each warning (red or yellow), a
    checkpoint not filled in, and everything ``submission_problems`` would refuse — a red or
    完全不可能 item without 纠偏措施 is an error. ``months``: one month for all projects, or one per
    project code; a project not named is assessed at ``monitoring_month``."""
    rules = rules or load_monitoring_rules()
    rule = load_scheme(dy.project_template).execution
    earlier = [h for h in (history or []) if h.year < dy.year and any(p.monthly_executed for p in h.projects)]
    out: list[QualityFinding] = []
    for p in dy.projects:
        if isinstance(months, int):
            month = months
        else:
            month = (months or {}).get(p.code) or monitoring_month(p, rules)
        check_month(month, f"项目 {p.code}：截止月份")
        series, basis = history_for(p.code, earlier) if earlier else ([], "本单位以前年度")
        a = assess_project(p, month, rules, money_unit=dy.money_unit, rule=rule, history=series or None, basis=basis)
        inds = {i.code: i for i in p.indicators}
        for w in project_warnings(a):
            if w.level == "green":
                continue  # a 完全不可能 item at a green level: reported below when measures are missing
            code = "M-WARNING-RED" if w.level == "red" else "M-WARNING-YELLOW"
            item = a if w.indicator is None else next(i for i in a.indicators if i.code == w.indicator)
            if not w.needs_measures:
                advice = "请分析原因，必要时采取纠偏措施"
            else:
                advice = "已填写纠偏措施，请跟踪落实" if w.measures.strip() else "须填写纠偏措施"
            out.append(_finding(rules, code, f"1-{month}月{rules.label(w.level)}：{'；'.join(item.reasons)}；{advice}",
                                p, inds.get(w.indicator) if w.indicator else None,
                                "资金执行" if w.indicator is None else "执行情况",
                                {"截止月份": f"{month}月", "预警等级": rules.label(w.level)}))
        if a.checkpoint is None:
            out.append(_finding(rules, "M-NOT-REPORTED",
                                f"尚未填报 {month}月绩效运行监控表（总体目标执行情况、指标执行情况）",
                                p, None, "监控表", {"截止月份": f"{month}月"}))
            continue
        for b in blockers(a.checkpoint, a):
            ind = inds.get(b.indicator) if b.indicator else None
            message = b.message if b.indicator is None or ind is not None else f"指标编码「{b.indicator}」{b.message}"
            out.append(_finding(rules, b.code, f"{month}月：{message}", p, ind,
                                f"资金{b.field}" if b.indicator is None else b.field, {"截止月份": f"{month}月"}))
    return out

