"""The monitoring status of a project and of a department at the end of a month: funds level,
forecast, indicator levels, and the warnings that name what is not green."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.core.display import fmt_rate, fmt_value
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import Checkpoint, DepartmentYear, Project, sum_known
from jixiao.core.money import unit_factor
from jixiao.core.monitoring.forecast import Forecast, forecast
from jixiao.core.monitoring.indicators import IndicatorMonitoring, assess_indicator
from jixiao.core.monitoring.levels import severity, warning_level, worst
from jixiao.core.monitoring.progress import check_month, executed_to_date, time_progress
from jixiao.core.monitoring.rules import LEVEL_NAMES, LEVELS, MonitoringRules, load_monitoring_rules
from jixiao.core.schemes import ExecutionRule, load_scheme

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass
class MonitoringWarning:
    level: str  # yellow / red
    message: str  # Chinese, names the project and indicator; the level label is not part of it
    project: str | None = None  # Project.code; None for the department as a whole
    indicator: str | None = None  # Indicator.code for indicator warnings
    needs_measures: bool = False  # 纠偏措施 are required before the checkpoint can be submitted
    measures: str = ""  # the measures the unit wrote, if any
    causes: list[str] = field(default_factory=list)
    explanation: str = ""


@dataclass
class ProjectMonitoring:
    code: str
    name: str
    origin: str  # 示例 when the monthly data is illustrative
    budget: Decimal | None  # None = a fund line's budget is blank
    executed_to_date: Decimal
    execution_progress: Decimal | None
    level: str  # funds level (execution against time, forecast floor)
    reasons: list[str]
    forecast: Forecast
    key_monitoring: bool
    cumulative: dict[int, Decimal]  # month -> 1-m月累计执行数, for charts
    has_monthly_data: bool
    checkpoint: Checkpoint | None  # the unit's checkpoint of this month, if filled in
    stated_expected_executed: Decimal | None
    stated_expected_rate: Decimal | None
    indicators: list[IndicatorMonitoring]
    funds_needs_measures: bool
    overall_level: str  # worst of the funds level and the indicator levels
    notes: list[str] = field(default_factory=list)


@dataclass
class MonitoringTotals:
    budget: Decimal | None  # Σ project budgets (项目支出); None when one is blank
    executed_to_date: Decimal
    execution_progress: Decimal | None
    forecast_executed: Decimal
    forecast_rate: Decimal | None
    level: str
    department_budget: Decimal | None  # whole department (budget lines), for information
    counts: dict[str, int]  # level -> number of projects at that overall level


@dataclass
class MonitoringReport:
    department_code: str
    department_name: str
    parent_code: str | None
    year: int
    month: int
    money_unit: str
    time_progress: Decimal
    rules: str  # "<id>@<version>"
    key_monitoring: bool  # the department as a whole is under key monitoring
    key_threshold: str  # e.g. "100万元"
    origin: str  # 示例 when any monitoring figure is illustrative
    projects: list[ProjectMonitoring]
    totals: MonitoringTotals
    warnings: list[MonitoringWarning]
    labels: dict[str, str] = field(default_factory=dict)  # level -> Chinese label from the rules

    def label(self, level: str) -> str:
        return self.labels.get(level, LEVEL_NAMES.get(level, level))

    def project(self, code: str) -> ProjectMonitoring:
        for p in self.projects:
            if p.code == code:
                return p
        raise KeyError(code)


def _is_key_project(budget: Decimal | None, money_unit: str, rules: MonitoringRules) -> bool:
    factor = unit_factor(money_unit, rules.key_project_unit)
    if factor is None:
        raise InputError([Problem(
            "金额单位", f"金额单位「{money_unit}」无法与重点监控标准的「{rules.key_project_unit}」换算", "金额单位"
        )])
    return budget is not None and budget * factor >= rules.key_project_budget


def checkpoint_at(project: Project, month: int) -> Checkpoint | None:
    for cp in project.checkpoints:
        if cp.month == month:
            return cp
    return None


def _funds_reasons(t: Decimal, progress: Decimal | None, fc: Forecast, stated_rate: Decimal | None,
                   month: int, rules: MonitoringRules) -> list[str]:
    reasons: list[str] = []
    if progress is not None and progress < t:
        gap = t - progress
        beyond = (f"，差距超过 {fmt_value(rules.yellow_band * HUNDRED)} 个百分点"
                  if progress < t - rules.yellow_band else "")
        reasons.append(f"1-{month}月执行进度 {fmt_rate(progress)}，低于序时进度 {fmt_rate(t)}"
                       f"（相差 {fmt_value(gap * HUNDRED, 1)} 个百分点{beyond}）")
    floor = fmt_rate(rules.forecast_floor, 0)
    if fc.rate is not None and fc.rate < rules.forecast_floor:
        reasons.append(f"预计全年执行率 {fmt_rate(fc.rate)}，低于 {floor}")
    if stated_rate is not None and stated_rate < rules.forecast_floor:
        reasons.append(f"单位填报的全年预计执行率 {fmt_rate(stated_rate)}，低于 {floor}")
    return reasons


def assess_project(
    project: Project,
    month: int,
    rules: MonitoringRules,
    *,
    money_unit: str = "万元",
    rule: ExecutionRule | None = None,
    history: Sequence[Mapping[int, Decimal]] | None = None,
    basis: str = "本单位以前年度",
) -> ProjectMonitoring:
    t = time_progress(month)
    budget = project.budget
    done = executed_to_date(project, month)
    progress = done / budget if budget else None
    fc = forecast(project, month, history, rule=rule, basis=basis, money_unit=money_unit)
    cp = checkpoint_at(project, month)
    stated = cp.expected_executed if cp is not None else None
    stated_rate = stated / budget if stated is not None and budget else None
    notes: list[str] = []
    has_data = any(int(m) <= month for m in project.monthly_executed)
    if not has_data:
        notes.append(f"未录入 1-{month}月执行数，按 0 计")
    if progress is None:
        level = "green"
        reasons: list[str] = []
        notes.append("未填写全年预算数，不作执行进度预警" if budget is None else "全年预算数为 0，不作执行进度预警")
    else:
        level = warning_level(t, progress, fc.rate, rules)
        if stated_rate is not None and stated_rate < rules.forecast_floor:
            level = "red"
        reasons = _funds_reasons(t, progress, fc, stated_rate, month, rules)
    if cp is None:
        notes.append(f"尚未填报 {month}月绩效运行监控表")
    progress_by_code = {ip.indicator: ip for ip in cp.indicators} if cp is not None else {}
    indicators = [assess_indicator(ind, progress_by_code.get(ind.code), rules) for ind in project.indicators]
    if cp is not None:
        for code in progress_by_code:
            if code not in {ind.code for ind in project.indicators}:
                notes.append(f"监控表中的指标编码「{code}」不在本项目的绩效指标中")
    cumulative: dict[int, Decimal] = {}
    running = ZERO
    for m in range(1, month + 1):
        running += project.monthly_executed.get(m, ZERO)
        cumulative[m] = running
    return ProjectMonitoring(
        code=project.code, name=project.name,
        origin=rules.monthly_origin.get(project.origin, project.origin),
        budget=budget, executed_to_date=done, execution_progress=progress, level=level, reasons=reasons,
        forecast=fc, key_monitoring=_is_key_project(budget, money_unit, rules), cumulative=cumulative,
        has_monthly_data=has_data, checkpoint=cp, stated_expected_executed=stated,
        stated_expected_rate=stated_rate, indicators=indicators,
        funds_needs_measures=level in rules.measures_required_levels,
        overall_level=worst([level, *(i.level for i in indicators)]), notes=notes,
    )


def history_for(code: str, history: Sequence[DepartmentYear]) -> tuple[list[dict[int, Decimal]], str]:
    """Earlier years' series of the same project where they exist, else the department's own
    aggregate profile (all its projects), with a Chinese name of the basis."""
    same = [p.monthly_executed for dy in history for p in dy.projects if p.code == code and p.monthly_executed]
    years = sorted(dy.year for dy in history)
    span = f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"
    if same:
        return same, f"本项目 {span} 的"
    aggregate: list[dict[int, Decimal]] = []
    for dy in history:
        series: dict[int, Decimal] = {}
        for p in dy.projects:
            for m, v in p.monthly_executed.items():
                series[int(m)] = series.get(int(m), ZERO) + v
        aggregate.append(series)
    return aggregate, f"本单位 {span} 全部项目的"


def assess_department(
    dy: DepartmentYear,
    month: int | None = None,
    rules: MonitoringRules | None = None,
    history: Sequence[DepartmentYear] | None = None,
) -> MonitoringReport:
    """The monitoring status of every project of a department-year at the end of ``month``
    (default: the rules' cut-off month). ``history``: the same department's earlier years, for
    the forecast by the unit's own monthly profile."""
    rules = rules or load_monitoring_rules()
    month = rules.cutoff_month if month is None else month
    check_month(month)
    t = time_progress(month)
    rule = load_scheme(dy.project_template).execution
    earlier = [h for h in (history or []) if h.year < dy.year and any(p.monthly_executed for p in h.projects)]
    projects = []
    for p in dy.projects:
        series, basis = history_for(p.code, earlier) if earlier else ([], "本单位以前年度")
        projects.append(assess_project(p, month, rules, money_unit=dy.money_unit, rule=rule,
                                       history=series or None, basis=basis))
    budget = sum_known(p.budget for p in projects)
    done = sum((p.executed_to_date for p in projects), ZERO)
    projected = sum((p.forecast.executed for p in projects), ZERO)
    progress = done / budget if budget else None
    forecast_rate = projected / budget if budget else None
    level = warning_level(t, progress, forecast_rate, rules) if progress is not None else "green"
    counts = {lv: sum(1 for p in projects if p.overall_level == lv) for lv in LEVELS}
    totals = MonitoringTotals(budget, done, progress, projected, forecast_rate, level, dy.budget, counts)
    report = MonitoringReport(
        department_code=dy.department.code, department_name=dy.department.name,
        parent_code=dy.department.parent_code, year=dy.year, month=month, money_unit=dy.money_unit,
        time_progress=t, rules=rules.ref, key_monitoring=rules.key_all_departments,
        key_threshold=f"{fmt_value(rules.key_project_budget)}{rules.key_project_unit}",
        origin="示例" if any(p.origin == "示例" for p in projects) else dy.origin,
        projects=projects, totals=totals, warnings=[], labels=dict(rules.level_labels),
    )
    report.warnings = collect_warnings(report)
    return report


def collect_warnings(report: MonitoringReport) -> list[MonitoringWarning]:
    """Every non-green item as a Chinese message, red first, then in project order."""
    out: list[MonitoringWarning] = []
    t = report.totals
    if t.level != "green" and t.execution_progress is not None:
        out.append(MonitoringWarning(t.level, f"部门项目支出合计 1-{report.month}月执行进度 "
                                     f"{fmt_rate(t.execution_progress)}，序时进度 {fmt_rate(report.time_progress)}，"
                                     f"预计全年执行率 {fmt_rate(t.forecast_rate)}"))
    for p in report.projects:
        out.extend(project_warnings(p))
    out.sort(key=lambda w: -severity(w.level))  # stable: project order kept within a level
    return out


def project_warnings(p: ProjectMonitoring) -> list[MonitoringWarning]:
    """The non-green items of one project (funds first, then indicators in order)."""
    out: list[MonitoringWarning] = []
    head = f"项目「{p.name}」（{p.code}）"
    if p.level != "green":
        cp = p.checkpoint
        out.append(MonitoringWarning(
            p.level, f"{head}{'；'.join(p.reasons)}", p.code, None,
            p.funds_needs_measures, cp.measures if cp else "", list(cp.causes) if cp else [], "",
        ))
    for ind in p.indicators:
        if ind.level == "green" and not ind.needs_measures:
            continue
        out.append(MonitoringWarning(
            ind.level, f"{head}指标「{ind.name}」{'；'.join(ind.reasons)}",
            p.code, ind.code, ind.needs_measures, ind.measures, list(ind.causes), ind.explanation,
        ))
    return out

