"""Mid-year monitoring (绩效运行监控, 双监控): budget execution against time, indicator progress,
warning levels and a forecast of the year-end execution score.

Pure functions over the core dataclasses. The thresholds (yellow band, forecast floor, key-monitoring
budget, likelihood mapping) are data in ``jixiao/rules/monitoring.json``; no official figure
exists for them, so localities change the file, never the code.

Rates are exact fractions (0.5833…); they are rounded only when shown, through
``jixiao.core.display``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jixiao.core.display import fmt_amount, fmt_pct_number, fmt_rate, fmt_score, fmt_value
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import (
    DEVIATION_CAUSES, LIKELIHOODS, ORIGINS, Checkpoint, DepartmentYear, Indicator, IndicatorProgress, Project,
    sum_known,
)
from jixiao.core.money import unit_factor
from jixiao.core.quality.findings import Finding, place
from jixiao.core.quality.rules import SEVERITIES
from jixiao.core.scoring import infer_achievement, score_execution
from jixiao.core.targets import (
    NEGATIVE_OPS, POSITIVE_OPS, Target, TargetError, parse_actual, parse_target, target_missing,
)
from jixiao.core.schemes import ExecutionRule, load_scheme

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "monitoring.json"
LEVELS: tuple[str, ...] = ("green", "yellow", "red")  # in rising severity
_LEVEL_NAMES = {"green": "绿色", "yellow": "黄色预警", "red": "红色预警"}  # for messages without the rules at hand
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
MONTHS = 12


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class MonitoringRules:
    id: str
    version: str
    name: str
    cutoff_month: int
    yellow_band: Decimal  # fraction below time progress still only yellow (0.10 = 10 pp)
    forecast_floor: Decimal  # projected execution rate below this fraction is red (0.90)
    key_project_budget: Decimal  # projects at or above this budget are 重点监控
    key_project_unit: str  # money unit of ``key_project_budget``
    key_all_departments: bool  # every department is 重点监控 (Huangpu practice)
    history_years: int  # how many earlier years make the unit's own monthly profile
    level_labels: dict[str, str]
    likelihood_levels: dict[str, str]  # 完成目标可能性 -> level
    projected_shortfall_level: str  # level when the projected completion misses the target
    measures_required_levels: tuple[str, ...]
    measures_required_likelihoods: tuple[str, ...]
    monthly_origin: dict[str, str]  # record origin -> origin of its monthly data
    source: str = ""
    # finding code (M-…) -> (severity, Chinese title): what ``review_monitoring`` reports, as data
    checks: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def label(self, level: str) -> str:
        return self.level_labels.get(level, level)


def rules_from_dict(data: Any, where: str = "监控规则") -> MonitoringRules:
    """Build the rules from parsed JSON, reporting every bad entry at once."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([Problem(where, "监控规则应为 JSON 对象")])

    def need(key: str) -> Any:
        if key not in data:
            problems.append(Problem(f"{where}: {key}", "缺少必填项", key))
        return data.get(key)

    def dec(key: str, value: Any) -> Decimal:
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            problems.append(Problem(f"{where}: {key}", f"应为数值，实际为「{value}」", key))
            return ZERO
        if number < 0:
            problems.append(Problem(f"{where}: {key}", "不能为负数", key))
        return number

    def level_map(key: str, keys: Sequence[str]) -> dict[str, str]:
        raw = need(key)
        if not isinstance(raw, dict):
            if raw is not None:
                problems.append(Problem(f"{where}: {key}", "应为对象", key))
            return {}
        for k in keys:
            if k not in raw:
                problems.append(Problem(f"{where}: {key}.{k}", f"缺少「{k}」", key))
        for k, v in raw.items():
            if k not in keys:
                problems.append(Problem(f"{where}: {key}.{k}", f"「{k}」不是可识别的取值（应为 {'、'.join(keys)}）", key))
            if key != "level_labels" and v not in LEVELS:
                problems.append(Problem(f"{where}: {key}.{k}", f"预警等级「{v}」应为 {'、'.join(LEVELS)}", key))
        return {str(k): str(v) for k, v in raw.items()}

    cutoff = need("cutoff_month")
    if cutoff is not None and (not isinstance(cutoff, int) or isinstance(cutoff, bool) or not 1 <= cutoff <= MONTHS):
        problems.append(Problem(f"{where}: cutoff_month", "截止月份应为 1～12 的整数", "截止月份"))
        cutoff = 7
    years = need("history_years")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or years < 0):
        problems.append(Problem(f"{where}: history_years", "历史年数应为非负整数", "history_years"))
        years = 0
    key_budget = need("key_project_budget") or {}
    if not isinstance(key_budget, dict) or "amount" not in key_budget or "unit" not in key_budget:
        problems.append(Problem(f"{where}: key_project_budget", "应写成 {\"amount\": \"100\", \"unit\": \"万元\"}", "重点监控预算额"))
        key_budget = {"amount": "0", "unit": "万元"}
    shortfall = need("projected_shortfall_level")
    if shortfall is not None and shortfall not in LEVELS:
        problems.append(Problem(f"{where}: projected_shortfall_level", f"预警等级应为 {'、'.join(LEVELS)}", "预警等级"))
    required_levels = tuple(need("measures_required_levels") or ())
    for level in required_levels:
        if level not in LEVELS:
            problems.append(Problem(f"{where}: measures_required_levels", f"预警等级「{level}」应为 {'、'.join(LEVELS)}"))
    required_likelihoods = tuple(need("measures_required_likelihoods") or ())
    for likelihood in required_likelihoods:
        if likelihood not in LIKELIHOODS:
            problems.append(Problem(f"{where}: measures_required_likelihoods", f"「{likelihood}」应为 {'、'.join(LIKELIHOODS)}"))
    rules = MonitoringRules(
        id=str(need("id") or ""),
        version=str(need("version") or ""),
        name=str(data.get("name", "")),
        cutoff_month=int(cutoff or 7),
        yellow_band=dec("yellow_band_pp", need("yellow_band_pp") or 0) / HUNDRED,
        forecast_floor=dec("forecast_floor_pct", need("forecast_floor_pct") or 0) / HUNDRED,
        key_project_budget=dec("key_project_budget.amount", key_budget["amount"]),
        key_project_unit=str(key_budget["unit"]),
        key_all_departments=bool(need("key_all_departments")),
        history_years=int(years or 0),
        level_labels=level_map("level_labels", LEVELS),
        likelihood_levels=level_map("likelihood_levels", LIKELIHOODS),
        projected_shortfall_level=str(shortfall or "yellow"),
        measures_required_levels=required_levels,
        measures_required_likelihoods=required_likelihoods,
        monthly_origin={str(k): str(v) for k, v in (need("monthly_origin") or {}).items()},
        source=str(data.get("source", "")),
        checks=_checks(data.get("checks"), where, problems),
    )
    for origin, mapped in rules.monthly_origin.items():
        if origin not in ORIGINS or mapped not in ORIGINS:
            problems.append(Problem(f"{where}: monthly_origin.{origin}", f"来源标记应为 {'、'.join(ORIGINS)}", "来源标记"))
    if problems:
        raise InputError(problems)
    return rules


# The finding codes ``review_monitoring`` emits; their severity and title are data (``checks`` in
# monitoring.json). A rules file without ``checks`` uses those of the default file.
CHECK_CODES: tuple[str, ...] = (
    "M-MEASURES-MISSING", "M-CAUSE-UNKNOWN", "M-LIKELIHOOD-UNKNOWN", "M-INDICATOR-UNKNOWN",
    "M-WARNING-RED", "M-WARNING-YELLOW", "M-NOT-REPORTED",
)


def _checks(raw: Any, where: str, problems: list[Problem]) -> dict[str, tuple[str, str]]:
    if raw is None:
        raw = json.loads(RULES_PATH.read_text(encoding="utf-8")).get("checks") or {}
    if not isinstance(raw, dict):
        problems.append(Problem(f"{where}: checks", "应为对象：检查代码 → {\"severity\", \"title\"}", "checks"))
        return {}
    out: dict[str, tuple[str, str]] = {}
    for code, spec in raw.items():
        severity = spec.get("severity") if isinstance(spec, dict) else None
        if severity not in SEVERITIES:
            problems.append(Problem(f"{where}: checks.{code}.severity", f"应为{'、'.join(SEVERITIES)}之一", "checks"))
            continue
        out[str(code)] = (severity, str(spec.get("title") or code))
    for code in CHECK_CODES:
        if code not in out and not any(p.location == f"{where}: checks.{code}.severity" for p in problems):
            problems.append(Problem(f"{where}: checks.{code}", f"缺少检查「{code}」的级别和名称", "checks"))
    return out


def load_monitoring_rules(path: str | Path | None = None) -> MonitoringRules:
    """The rules file (default ``jixiao/rules/monitoring.json``)."""
    if path is None:
        return _default_rules()
    return _read_rules(Path(path))


@lru_cache(maxsize=1)
def _default_rules() -> MonitoringRules:
    return _read_rules(RULES_PATH)


def _read_rules(path: Path) -> MonitoringRules:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"无法读取监控规则文件：{exc.strerror or exc}", str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"监控规则文件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列", str(path)) from exc
    return rules_from_dict(data, path.name)


# ---------------------------------------------------------------- time and execution


def check_month(month: int, where: str = "截止月份") -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= MONTHS:
        raise InputError([Problem(where, f"截止月份应为 1～12 的整数，实际为「{month}」", "截止月份")])


def time_progress(month: int) -> Decimal:
    """序时进度 at the end of ``month``: m/12 (July → 0.58333…)."""
    check_month(month)
    return Decimal(month) / Decimal(MONTHS)


def executed_to_date(project: Project, month: int) -> Decimal:
    """1-m月执行数: the sum of the monthly amounts up to and including ``month``."""
    return sum((v for m, v in project.monthly_executed.items() if int(m) <= month), ZERO)


def execution_progress(project: Project, month: int) -> Decimal | None:
    """执行进度 = 1-m月执行数 ÷ 全年预算数; None when the budget is 0 or blank."""
    check_month(month)
    budget = project.budget
    return executed_to_date(project, month) / budget if budget else None


def severity(level: str) -> int:
    return LEVELS.index(level)


def worst(levels: Sequence[str]) -> str:
    return max(levels, key=severity, default="green")


def warning_level(time: Decimal, execution: Decimal, forecast_rate: Decimal | None, rules: MonitoringRules) -> str:
    """green: execution ≥ t; yellow: t − band ≤ execution < t; red: execution < t − band, or the
    projected full-year execution rate below the floor (rules.md §6.2)."""
    if execution < time - rules.yellow_band:
        return "red"
    if forecast_rate is not None and forecast_rate < rules.forecast_floor:
        return "red"
    if execution < time:
        return "yellow"
    return "green"


# ---------------------------------------------------------------- forecast


@dataclass
class Forecast:
    method: str  # "history" (the unit's own monthly profile) or "linear" (run rate)
    executed: Decimal  # projected 全年执行数
    rate: Decimal | None  # projected execution rate (fraction); None when the budget is 0 or blank
    score: Decimal | None  # expected execution score under the project scheme's rule; None: budget blank
    description: str  # the method and its numbers, in Chinese
    score_trace: str = ""


def _history_sums(history: Sequence[Mapping[int, Decimal]], month: int) -> tuple[Decimal, Decimal]:
    """(Σ 1-m月执行数, Σ 全年执行数) over the earlier years that spent anything."""
    spent_to_month = ZERO
    spent_year = ZERO
    for series in history:
        total = sum(series.values(), ZERO)
        if total <= 0:
            continue
        spent_to_month += sum((v for m, v in series.items() if int(m) <= month), ZERO)
        spent_year += total
    return spent_to_month, spent_year


def _default_rule() -> ExecutionRule:
    return load_scheme("central-2020").execution


def forecast(
    project: Project,
    month: int,
    history: Sequence[Mapping[int, Decimal]] | None = None,
    *,
    rule: ExecutionRule | None = None,
    basis: str = "本单位以前年度",
    money_unit: str = "",
) -> Forecast:
    """Projected year-end execution from the months so far.

    With ``history`` (monthly series of earlier years), 1-m月执行数 is divided by the share of the
    year those years had spent by month m, so a unit that always pays in December is not
    predicted to fall short in July. Without it, the monthly run rate is extended to 12 months.
    """
    check_month(month)
    rule = rule or _default_rule()
    done = executed_to_date(project, month)
    to_month, year = _history_sums(history, month) if history else (ZERO, ZERO)
    if to_month > 0:
        share = to_month / year
        projected = done * year / to_month  # not done / share: keeps the division exact where it can be
        method = "history"
        description = (
            f"按{basis}月度支出规律推算：以往 1-{month}月累计支出占全年的 {fmt_rate(share)}，"
            f"1-{month}月已执行 {fmt_amount(done)}{money_unit} ÷ {fmt_rate(share)} = {fmt_amount(projected)}{money_unit}"
        )
    else:
        projected = done * MONTHS / month
        method = "linear"
        why = f"（{basis}1-{month}月无支出记录，无法按以往规律推算）" if history else ""
        description = (
            f"按线性进度推算{why}：1-{month}月已执行 {fmt_amount(done)}{money_unit}，月均 {fmt_amount(done / month)}{money_unit}，"
            f"× 12 个月 = {fmt_amount(projected)}{money_unit}"
        )
    budget = project.budget
    result = score_execution(budget, projected, rule)
    return Forecast(method, projected, result.rate, result.score, description, result.trace)


# ---------------------------------------------------------------- indicators


@dataclass
class IndicatorMonitoring:
    code: str
    level1: str
    level2: str
    name: str
    target_text: str | None
    reported: bool  # the checkpoint has a row for this indicator
    progress_text: str = ""
    forecast_text: str = ""
    likelihood: str = ""
    causes: list[str] = field(default_factory=list)
    explanation: str = ""
    measures: str = ""
    progress_rate: Decimal | None = None  # 1-m月执行情况 ÷ 年度指标值, quantitative targets only
    projected_completion: Decimal | None = None  # 全年预计完成 ÷ 年度指标值 (fraction)
    level: str = "green"
    reasons: list[str] = field(default_factory=list)  # Chinese, why the level is not green
    needs_measures: bool = False


def _in_target_unit(text: str, target: Target) -> Decimal | None:
    """The figure of a progress/forecast text in the target's unit; None when it has none or the
    units cannot be compared."""
    value, unit, percent = parse_actual(text)
    if value is None:
        return None
    if not unit or not target.unit or unit == target.unit:
        return value
    if percent != target.percent:
        return None
    factor = unit_factor(unit, target.unit)
    return value * factor if factor is not None else None


def _completion(target: Target, value: Decimal) -> tuple[Decimal | None, bool]:
    """(completion ratio, misses the target) of a projected value."""
    assert target.value is not None  # quantitative targets carry a value
    if target.op in POSITIVE_OPS or target.op == "range":
        ratio = value / target.value if target.value > 0 else None
        misses = value < target.value or (target.op == ">" and value == target.value)
        return ratio, misses
    if target.op in NEGATIVE_OPS:
        ratio = target.value / value if value > 0 else None
        misses = value > target.value or (target.op == "<" and value == target.value)
        return ratio, misses
    ratio = value / target.value if target.value else None
    return ratio, value != target.value


def assess_indicator(ind: Indicator, progress: IndicatorProgress | None, rules: MonitoringRules) -> IndicatorMonitoring:
    out = IndicatorMonitoring(ind.code, ind.level1, ind.level2, ind.name, ind.target_text, progress is not None)
    if progress is None:
        out.reasons.append("未填报本期执行情况")
        return out
    out.progress_text, out.forecast_text = progress.progress_text, progress.forecast_text
    out.likelihood, out.causes = progress.likelihood, list(progress.causes)
    out.explanation, out.measures = progress.explanation, progress.measures
    levels = [rules.likelihood_levels.get(progress.likelihood, "green")]
    if levels[0] != "green":
        out.reasons.append(f"完成目标可能性为“{progress.likelihood}”")
    target: Target | None = None
    if target_missing(ind.target_text):
        out.reasons.append("未填写年度指标值，未比较预计完成情况")
    else:
        try:
            target = parse_target(ind.target_text or "", ind.unit)
        except TargetError as exc:
            out.reasons.append(f"年度指标值无法识别，未比较预计完成情况：{exc}")
    if target is not None and target.quantitative:
        done = _in_target_unit(progress.progress_text, target) if progress.progress_text else None
        if done is not None and target.value:
            out.progress_rate = done / target.value
        projected = _in_target_unit(progress.forecast_text, target) if progress.forecast_text else None
        if projected is not None:
            ratio, misses = _completion(target, projected)
            out.projected_completion = ratio
            if misses:
                levels.append(rules.projected_shortfall_level)
                share = f"，为指标值的 {fmt_rate(ratio)}" if ratio is not None and target.op not in NEGATIVE_OPS else ""
                out.reasons.append(f"全年预计完成「{progress.forecast_text}」未达到年度指标值「{ind.target_text}」{share}")
    elif target is not None and progress.forecast_text:
        achieved = infer_achievement(target.text, progress.forecast_text)
        if achieved in ("未达成", "部分达成"):
            levels.append(rules.projected_shortfall_level)
            out.reasons.append(f"全年预计完成情况「{progress.forecast_text}」表明{achieved}")
    out.level = worst(levels)
    out.needs_measures = (
        out.level in rules.measures_required_levels or progress.likelihood in rules.measures_required_likelihoods
    )
    return out


# ---------------------------------------------------------------- projects and the department


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
        return self.labels.get(level, _LEVEL_NAMES.get(level, level))

    def project(self, code: str) -> ProjectMonitoring:
        for p in self.projects:
            if p.code == code:
                return p
        raise KeyError(code)


def _is_key_project(budget: Decimal | None, money_unit: str, rules: MonitoringRules) -> bool:
    factor = unit_factor(money_unit, rules.key_project_unit)
    if factor is None:
        raise InputError([Problem("金额单位", f"金额单位「{money_unit}」无法与重点监控标准的「{rules.key_project_unit}」换算", "金额单位")])
    return budget is not None and budget * factor >= rules.key_project_budget


def _checkpoint(project: Project, month: int) -> Checkpoint | None:
    for cp in project.checkpoints:
        if cp.month == month:
            return cp
    return None


def _funds_reasons(t: Decimal, progress: Decimal | None, fc: Forecast, stated_rate: Decimal | None,
                   month: int, rules: MonitoringRules) -> list[str]:
    reasons: list[str] = []
    if progress is not None and progress < t:
        gap = t - progress
        beyond = f"，差距超过 {fmt_value(rules.yellow_band * HUNDRED)} 个百分点" if progress < t - rules.yellow_band else ""
        reasons.append(f"1-{month}月执行进度 {fmt_rate(progress)}，低于序时进度 {fmt_rate(t)}（相差 {fmt_value(gap * HUNDRED, 1)} 个百分点{beyond}）")
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
    cp = _checkpoint(project, month)
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


def _history_for(code: str, history: Sequence[DepartmentYear]) -> tuple[list[dict[int, Decimal]], str]:
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
        series, basis = _history_for(p.code, earlier) if earlier else ([], "本单位以前年度")
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


# ---------------------------------------------------------------- submission


@dataclass
class _Blocker:
    code: str  # M-… finding code
    indicator: str | None  # IndicatorProgress.indicator; None for the funds block
    field: str
    message: str


def _blockers(checkpoint: Checkpoint, assessment: ProjectMonitoring) -> list[_Blocker]:
    out: list[_Blocker] = []
    for cause in checkpoint.causes:
        if cause not in DEVIATION_CAUSES:
            out.append(_Blocker("M-CAUSE-UNKNOWN", None, "偏差原因", f"偏差原因「{cause}」应为 {'、'.join(DEVIATION_CAUSES)} 之一"))
    if assessment.funds_needs_measures and not checkpoint.measures.strip():
        out.append(_Blocker("M-MEASURES-MISSING", None, "纠偏措施",
                            f"资金执行已达{_LEVEL_NAMES[assessment.level]}（{'；'.join(assessment.reasons)}），请填写纠偏措施后再提交"))
    by_code = {i.code: i for i in assessment.indicators}
    for ip in checkpoint.indicators:
        if ip.likelihood not in LIKELIHOODS:
            out.append(_Blocker("M-LIKELIHOOD-UNKNOWN", ip.indicator, "完成目标可能性",
                                f"完成目标可能性「{ip.likelihood}」应为 {'、'.join(LIKELIHOODS)} 之一"))
        for cause in ip.causes:
            if cause not in DEVIATION_CAUSES:
                out.append(_Blocker("M-CAUSE-UNKNOWN", ip.indicator, "偏差原因",
                                    f"偏差原因「{cause}」应为 {'、'.join(DEVIATION_CAUSES)} 之一"))
        assessed = by_code.get(ip.indicator)
        if assessed is None:
            out.append(_Blocker("M-INDICATOR-UNKNOWN", ip.indicator, "指标编码", "指标编码不在本项目的绩效指标中，请核对"))
            continue
        if assessed.needs_measures and not ip.measures.strip():
            why = f"完成目标可能性为“{ip.likelihood}”" if ip.likelihood == "完全不可能" else "；".join(assessed.reasons)
            out.append(_Blocker("M-MEASURES-MISSING", ip.indicator, "纠偏措施",
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
    for b in _blockers(checkpoint, assessment):
        default = f"{base}：资金执行" if b.indicator is None else f"{base}：指标 {b.indicator}"
        problems.append(Problem(known.get(b.indicator, default), b.message, b.field))
    return problems


def department_submission_problems(dy: DepartmentYear, report: MonitoringReport) -> list[Problem]:
    """Submission problems of every checkpoint of the report's month in the department-year."""
    problems: list[Problem] = []
    for p in dy.projects:
        cp = _checkpoint(p, report.month)
        if cp is not None:
            problems.extend(submission_problems(cp, report.project(p.code)))
    return problems


# ---------------------------------------------------------------- findings (jixiao check)


def _finding(rules: MonitoringRules, code: str, message: str, project: Project, ind: Indicator | None,
             field_name: str, numbers: dict[str, str] | None = None) -> Finding:
    sev, _ = rules.checks[code]
    return Finding(code=code, severity=sev, message=message, location=place(project, ind, field_name),
                   project=project.code, indicator=ind.code if ind is not None else None, field=field_name,
                   numbers=dict(numbers or {}))


def monitoring_month(project: Project, rules: MonitoringRules) -> int:
    """The month a project's monitoring form is at: its latest checkpoint, else the cut-off month."""
    return max((cp.month for cp in project.checkpoints), default=rules.cutoff_month)


def review_monitoring(
    dy: DepartmentYear, months: Mapping[str, int] | int | None = None, rules: MonitoringRules | None = None,
    history: Sequence[DepartmentYear] | None = None,
) -> list[Finding]:
    """The monitoring checks of every project, as findings in the shape of the quality review
    (codes M-…, severities from ``checks`` in monitoring.json): each warning (red or yellow), a
    checkpoint not filled in, and everything ``submission_problems`` would refuse — a red or
    完全不可能 item without 纠偏措施 is an error. ``months``: one month for all projects, or one per
    project code; a project not named is assessed at ``monitoring_month``."""
    rules = rules or load_monitoring_rules()
    rule = load_scheme(dy.project_template).execution
    earlier = [h for h in (history or []) if h.year < dy.year and any(p.monthly_executed for p in h.projects)]
    out: list[Finding] = []
    for p in dy.projects:
        if isinstance(months, int):
            month = months
        else:
            month = (months or {}).get(p.code) or monitoring_month(p, rules)
        check_month(month, f"项目 {p.code}：截止月份")
        series, basis = _history_for(p.code, earlier) if earlier else ([], "本单位以前年度")
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
            out.append(_finding(rules, "M-NOT-REPORTED", f"尚未填报 {month}月绩效运行监控表（总体目标执行情况、指标执行情况）",
                                p, None, "监控表", {"截止月份": f"{month}月"}))
            continue
        for b in _blockers(a.checkpoint, a):
            ind = inds.get(b.indicator) if b.indicator else None
            message = b.message if b.indicator is None or ind is not None else f"指标编码「{b.indicator}」{b.message}"
            out.append(_finding(rules, b.code, f"{month}月：{message}", p, ind,
                                f"资金{b.field}" if b.indicator is None else b.field, {"截止月份": f"{month}月"}))
    return out


# ---------------------------------------------------------------- plain output


def _pct(fraction: Decimal | None) -> str | None:
    return None if fraction is None else fmt_pct_number(fraction, 1)


def _amount(amount: Decimal | None) -> str | None:
    return None if amount is None else fmt_amount(amount)


def report_to_dict(report: MonitoringReport) -> dict[str, Any]:
    """The report as JSON-ready data: amounts and percent numbers as display strings (the one
    rounding rule), levels as ids with their Chinese labels."""
    def indicator(i: IndicatorMonitoring) -> dict[str, Any]:
        return {
            "code": i.code, "level1": i.level1, "level2": i.level2, "name": i.name, "target": i.target_text,
            "reported": i.reported, "progress": i.progress_text, "forecast": i.forecast_text,
            "likelihood": i.likelihood, "causes": i.causes, "explanation": i.explanation, "measures": i.measures,
            "progress_rate": _pct(i.progress_rate), "projected_completion": _pct(i.projected_completion),
            "level": i.level, "level_label": report.label(i.level), "reasons": i.reasons,
            "needs_measures": i.needs_measures,
        }

    def project(p: ProjectMonitoring) -> dict[str, Any]:
        return {
            "code": p.code, "name": p.name, "origin": p.origin, "key_monitoring": p.key_monitoring,
            "budget": _amount(p.budget), "executed_to_date": fmt_amount(p.executed_to_date),
            "execution_progress": _pct(p.execution_progress),
            "level": p.level, "level_label": report.label(p.level), "reasons": p.reasons,
            "overall_level": p.overall_level,
            "forecast": {
                "method": p.forecast.method, "description": p.forecast.description,
                "executed": fmt_amount(p.forecast.executed), "rate": _pct(p.forecast.rate),
                "score": fmt_score(p.forecast.score), "score_trace": p.forecast.score_trace,
            },
            "stated_expected_executed": None if p.stated_expected_executed is None else fmt_amount(p.stated_expected_executed),
            "stated_expected_rate": _pct(p.stated_expected_rate),
            "has_monthly_data": p.has_monthly_data,
            "cumulative": {str(m): fmt_amount(v) for m, v in p.cumulative.items()},
            "checkpoint": None if p.checkpoint is None else {
                "month": p.checkpoint.month, "status": p.checkpoint.status,
                "goal_progress": p.checkpoint.goal_progress, "causes": p.checkpoint.causes,
                "measures": p.checkpoint.measures,
            },
            "funds_needs_measures": p.funds_needs_measures,
            "indicators": [indicator(i) for i in p.indicators],
            "notes": p.notes,
        }

    t = report.totals
    return {
        "department": report.department_code, "department_name": report.department_name,
        "year": report.year, "month": report.month, "money_unit": report.money_unit,
        "rules": report.rules, "origin": report.origin,
        "time_progress": fmt_pct_number(report.time_progress, 1),
        "key_monitoring": report.key_monitoring, "key_threshold": report.key_threshold,
        "totals": {
            "budget": _amount(t.budget), "executed_to_date": fmt_amount(t.executed_to_date),
            "execution_progress": _pct(t.execution_progress), "forecast_executed": fmt_amount(t.forecast_executed),
            "forecast_rate": _pct(t.forecast_rate), "level": t.level, "level_label": report.label(t.level),
            "department_budget": _amount(t.department_budget), "counts": t.counts,
        },
        "projects": [project(p) for p in report.projects],
        "warnings": [
            {"level": w.level, "level_label": report.label(w.level), "project": w.project, "indicator": w.indicator,
             "message": w.message, "needs_measures": w.needs_measures, "measures": w.measures,
             "causes": w.causes, "explanation": w.explanation}
            for w in report.warnings
        ],
    }
