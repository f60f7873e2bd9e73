"""Indicator progress at a checkpoint: 1-m月执行情况 and 全年预计完成 against the year's target, and
the unit's own likelihood."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.core.display import fmt_rate
from jixiao.core.model import Indicator, IndicatorProgress
from jixiao.core.money import unit_factor
from jixiao.core.monitoring.levels import worst
from jixiao.core.monitoring.rules import MonitoringRules
from jixiao.core.scoring import infer_achievement
from jixiao.core.targets import (
    NEGATIVE_OPS,
    POSITIVE_OPS,
    Target,
    TargetError,
    parse_actual,
    parse_target,
    target_missing,
)


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
            target = parse_target(ind.target_text or "", ind.unit, ind.name)
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

