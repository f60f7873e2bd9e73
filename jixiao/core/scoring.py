"""Scores: one indicator, budget execution, a project, a department — each with a Chinese trace.

All arithmetic is exact ``Decimal``; traces show rounded numbers through ``jixiao.core.display``
but the score carried in the result is the exact one. Totals are sums of exact parts and grades
are decided on the exact total (89.99 is 良).

Each function records its trace as steps while it computes (``jixiao.core.results``): the
sentence is chosen by the same branch that chose the number, and is only formatted when read.

Nothing here raises for what a user filled in (or left blank): a figure that cannot be computed
is ``None`` with a Chinese ``reason`` (``jixiao.core.results``), and a total over such parts says
it cannot be verified instead of counting the blanks as 0.

Indicator kinds, one function each: qualitative (bands of the scheme), and the quantitative
kinds ≥/> (``_more_is_better``), ≤/< (``_less_is_better``), = (``_equal_to``) and ranges
(``_within_range``). Each quantitative kind gives the completion ratio; ``_capped_score`` turns
it into points the same way for all of them.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache

from jixiao.core.display import fmt_pct_number, fmt_rate, fmt_value
from jixiao.core.errors import Problem
from jixiao.core.feed_labels import feed_label
from jixiao.core.model import FUND_SOURCES, NATURES, DepartmentYear, Indicator, Project, sum_known
from jixiao.core.money import unit_factor
from jixiao.core.results import (
    Cause,
    DepartmentResult,
    ExecutionResult,
    IndicatorResult,
    ProjectResult,
    TraceStep,
)
from jixiao.core.schemes import Category, ExecutionRule, Scheme, list_schemes, load_scheme
from jixiao.core.targets import (
    POSITIVE_OPS,
    Target,
    TargetError,
    actual_date,
    ceiling_by_meaning,
    deadline_met,
    indicator_target,
    is_execution_indicator,
    parse_actual,
    target_missing,
    unreadable_figure,
)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
OVER_COMPLETION_FLAG = "超额完成较多"
DEADLINE_AS_RATE_FLAG = "时限指标以百分比填报"
TABLE_SCHEME_NOTE = "按表内分值计分，未套用标准模板"

# Words in an actual value that settle a qualitative result when the evaluator chose none.
# Order matters: negations first, so "未完成" is not read as "完成".
_NOT_ACHIEVED_WORDS = ("未达成", "未完成", "未达到", "未实现", "未按期", "没有完成", "无法完成")
_PARTLY_WORDS = ("部分达成", "部分完成", "部分实现")
_ACHIEVED_WORDS = ("基本达成", "达成", "完成", "达到", "实现", "按期", "符合")


class ScoringError(ValueError):
    """Raised inside this module when an actual value cannot be scored against its target;
    ``score_indicator`` turns it into a result with ``Cause.UNSCORABLE`` and the message."""


# How a total names each kind of indicator that has no score ("3 项指标未填写分值").
_TOTAL_CAUSES: dict[Cause, str] = {
    Cause.MISSING_WEIGHT: "未填写分值",
    Cause.MISSING_TARGET: "未填写指标值",
    Cause.MISSING_ACTUAL: "未填写实际完成值",
    Cause.UNREADABLE_TARGET: "指标值无法识别",
    Cause.UNREADABLE_ACTUAL: "实际完成值无法识别",
    Cause.UNSCORABLE: "无法计分",
}


# ---------------------------------------------------------------- indicators


def infer_achievement(target_text: str, actual_text: str) -> str | None:
    """达成 / 部分达成 / 未达成 read from the actual text, or None when it says nothing clear."""
    actual = actual_text.strip()
    if not actual:
        return None
    for word in _NOT_ACHIEVED_WORDS:
        if word in actual:
            return "未达成"
    for word in _PARTLY_WORDS:
        if word in actual:
            return "部分达成"
    target = target_text.strip()
    if target and (actual == target or target in actual):
        return "达成"
    for word in _ACHIEVED_WORDS:
        if word in actual:
            return "达成"
    return None


def score_indicator(
    ind: Indicator, scheme: Scheme, actual_text: str | None = None, feed: str | None = None
) -> IndicatorResult:
    """Score one indicator against its target. ``actual_text`` overrides ``ind.actual_text``
    (a feed value); ``feed`` names that feed for the trace. An indicator that cannot be scored
    gets ``score=None`` with the ``reason`` and its ``cause``."""
    actual = actual_text if actual_text is not None else ind.actual_text
    if ind.weight is None or actual is None or not actual.strip():
        return _blank(ind, actual, feed)
    try:
        target = indicator_target(ind)
    except TargetError as exc:
        # A blank target (None, empty, a placeholder) never parses; anything else is unreadable.
        if target_missing(ind.target_text):
            return _blank(ind, actual, feed)
        return _not_computable(ind, actual, feed, Cause.UNREADABLE_TARGET, str(exc))
    try:
        if target.quantitative:
            result = _score_quantitative(ind, target, actual, scheme)
        elif target.deadline is not None and ind.achievement is None:
            result = _score_deadline(ind, target, actual, scheme)
        else:
            result = _score_qualitative(ind, actual, scheme)
    except (TargetError, ScoringError) as exc:  # TargetError: a ratio outside the level's band
        cause = Cause.UNREADABLE_ACTUAL if unreadable_figure(actual) else Cause.UNSCORABLE
        return _not_computable(ind, actual, feed, cause, str(exc))
    result.feed = feed
    if feed is not None:
        # the feed as users know it (「台账：指标」), never its internal key
        step = ("实际完成值取自「{feed}」：{actual}；", {"feed": feed_label(feed), "actual": actual})
        result.trace_steps.insert(0, step)
    return result


def _blank(ind: Indicator, actual: str | None, feed: str | None) -> IndicatorResult:
    """Not computable because fields are blank; the reason names every blank field, the cause
    the first of them."""
    blanks = [
        (cause, label) for cause, label, blank in (
            (Cause.MISSING_WEIGHT, "分值", ind.weight is None),
            (Cause.MISSING_TARGET, "指标值", target_missing(ind.target_text)),
            (Cause.MISSING_ACTUAL, "实际完成值", actual is None or not actual.strip()),
        ) if blank
    ]
    reason = f"未填写{'、'.join(label for _, label in blanks)}，无法计分"
    return _not_computable(ind, actual, feed, blanks[0][0], reason)


def _not_computable(ind: Indicator, actual: str | None, feed: str | None, cause: Cause, reason: str) -> IndicatorResult:
    return IndicatorResult(
        ind.code, ind.level1, ind.level2, ind.name, ind.weight, score=None, ratio=None,
        trace_steps=[("{reason}", {"reason": reason})], feed=feed, actual_text=actual, reason=reason, cause=cause,
    )


def _score_qualitative(ind: Indicator, actual: str, scheme: Scheme) -> IndicatorResult:
    """A described target: the evaluator's level (or the one the actual text states) gives a
    share of the points from the scheme's band, the band's default unless adjusted inside it."""
    assert ind.target_text is not None and ind.weight is not None  # blanks never reach a kind
    level = ind.achievement or infer_achievement(ind.target_text, actual)
    if level is None:
        raise ScoringError(f"无法从实际完成值「{actual}」判断达成程度，请选择达成、部分达成或未达成")
    band = scheme.qualitative.get(level)
    if band is None:
        raise ScoringError(f"达成程度「{level}」无法识别，应为达成、部分达成或未达成")
    how = "定性指标：由实际完成值判断为" if ind.achievement is None else "定性指标："
    ratio = band.default if ind.ratio_override is None else ind.ratio_override
    steps: list[TraceStep] = [(how + "{level}，按 {ratio:pct_value2}% 计", {"level": level, "ratio": ratio})]
    if ind.ratio_override is not None:
        if not band.contains(ratio):
            upper = "含" if band.high == 1 else "不含"
            raise TargetError(
                f"{level}的得分比例应在 {fmt_rate(band.low, 0)}（含）至 "
                f"{fmt_rate(band.high, 0)}（{upper}）之间，填写的是 {fmt_rate(ratio, 2)}"
            )
        if ind.override_reason:
            steps.append(("（评价人在档内调整：{reason}）", {"reason": ind.override_reason}))
        else:
            steps.append(("（评价人在档内调整）", {}))
    score = ind.weight * ratio
    steps.append(("：{score:pts} 分", {"score": score}))
    return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, score, ratio, steps,
                           actual_text=actual)


def _score_deadline(ind: Indicator, target: Target, actual: str, scheme: Scheme) -> IndicatorResult:
    """A time target ("10月前", "2022年12月31日前") against the month or date of the actual value;
    an actual of 100% is read as done on time (flagged: a date was asked for); an actual without
    a month or date is read as a described result ("按期完成")."""
    assert target.deadline is not None and ind.weight is not None
    deadline = target.deadline
    written = actual_date(actual)
    value, _, percent = parse_actual(actual)
    values = {"deadline": deadline.shown(), "actual": actual}
    if written is None and percent and value is not None and value >= HUNDRED:
        steps: list[TraceStep] = [("完成时限 {deadline}，实际完成值「{actual}」以百分比填报，"
                                   "按按期完成计：{score:pts} 分", values | {"score": ind.weight})]
        return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, ind.weight, ONE, steps,
                               flags=[DEADLINE_AS_RATE_FLAG], actual_text=actual)
    if written is None:
        return _score_qualitative(ind, actual, scheme)
    met = deadline_met(deadline, written)
    if met is None:
        raise ScoringError(f"实际完成值「{actual}」只写到月份，无法判断是否在完成时限「{target.text}」前完成，"
                           "请写明完成日期")
    if met:
        return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, ind.weight, ONE,
                               [("完成时限 {deadline}，实际完成「{actual}」，按期完成：{score:pts} 分",
                                 values | {"score": ind.weight})], actual_text=actual)
    ratio = scheme.qualitative["未达成"].default
    score = ind.weight * ratio
    return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, score, ratio,
                           [("完成时限 {deadline}，实际完成「{actual}」，逾期完成，按未达成 {ratio:pct_value2}% 计："
                             "{score:pts} 分", values | {"ratio": ratio, "score": score})], actual_text=actual)


def _comparable_actual(target: Target, actual: str) -> tuple[Decimal, list[TraceStep]]:
    """The actual figure in the target's unit, and a note for the trace when it was converted."""
    value, unit, percent = parse_actual(actual)
    if value is None:
        raise ScoringError(f"指标值「{target.text}」是定量的，实际完成值「{actual}」中没有数值")
    if percent != target.percent and unit and target.unit:
        raise ScoringError(f"指标值以「{target.unit}」计，实际完成值以「{unit}」计，无法比较")
    if not unit or not target.unit or unit == target.unit:
        return value, []
    factor = unit_factor(unit, target.unit)
    if factor is None:
        raise ScoringError(f"指标值单位「{target.unit}」与实际完成值单位「{unit}」不同，无法换算")
    converted = value * factor
    note = ("（实际完成值 {written:value}{written_unit} 折合 {converted:value}{unit}）",
            {"written": value, "written_unit": unit, "converted": converted, "unit": target.unit})
    return converted, [note]


def _more_is_better(t: Target, b: Decimal) -> tuple[Decimal, TraceStep]:
    """≥ / >: the ratio is actual ÷ target; a zero (or negative) target is met or not."""
    a = t.value
    assert a is not None  # quantitative targets always carry a value
    if a > 0:
        ratio = b / a
        return ratio, ("实际完成值 {actual:value} ÷ 指标值 {target:value} = {ratio:pct}%",
                       {"actual": b, "target": a, "ratio": ratio})
    if b >= a:
        return ONE, ("指标值为 {target:value}，实际完成值 {actual:value} 已达到指标值", {"actual": b, "target": a})
    return ZERO, ("指标值为 {target:value}，实际完成值 {actual:value} 未达到指标值", {"actual": b, "target": a})


def _less_is_better(t: Target, b: Decimal) -> tuple[Decimal, TraceStep]:
    """≤ / <: the ratio is target ÷ actual; with a zero on either side it is met or not."""
    a = t.value
    assert a is not None
    if a > 0 and b > 0:
        ratio = a / b
        return ratio, ("反向指标：指标值 {target:value} ÷ 实际完成值 {actual:value} = {ratio:pct}%",
                       {"actual": b, "target": a, "ratio": ratio})
    if b <= a:
        return ONE, ("反向指标：指标值 {target:value}，实际完成值 {actual:value} 未超过指标值",
                     {"actual": b, "target": a})
    return ZERO, ("反向指标：指标值 {target:value}，实际完成值 {actual:value} 超过指标值", {"actual": b, "target": a})


def _within_range(t: Target, b: Decimal) -> tuple[Decimal, TraceStep]:
    """A range: full inside it; below, actual ÷ lower bound; above, upper bound ÷ actual."""
    low, high = t.value, t.high
    assert low is not None and high is not None  # range targets carry both bounds
    values = {"actual": b, "low": low, "high": high}
    if low <= b <= high:
        return ONE, ("实际完成值 {actual:value} 在区间 {low:value}～{high:value} 内", values)
    if b < low:
        ratio = b / low if low > 0 and b > 0 else ZERO
        return ratio, ("实际完成值 {actual:value} 低于区间 {low:value}～{high:value} 的下限："
                       "{actual:value} ÷ {low:value} = {ratio:pct}%", values | {"ratio": ratio})
    ratio = high / b if high > 0 else ZERO
    return ratio, ("实际完成值 {actual:value} 高于区间 {low:value}～{high:value} 的上限："
                   "{high:value} ÷ {actual:value} = {ratio:pct}%", values | {"ratio": ratio})


_QUANTITATIVE_KINDS: dict[str, Callable[[Target, Decimal], tuple[Decimal, TraceStep]]] = {
    ">=": _more_is_better, ">": _more_is_better,
    "<=": _less_is_better, "<": _less_is_better,
    "range": _within_range,
}


def _direction_of_equal(ind: Indicator, target: Target) -> str:
    """"=95%" in these tables means "reach 95%" (达到): the direction is the indicator's meaning,
    as for a bare number — a ceiling for costs, control rates, incidents (and for "=0": none
    allowed), a floor otherwise — so over-achievement is not punished (10号: met or exceeded = full)."""
    return "<=" if ceiling_by_meaning(ind.name) or target.value == 0 else ">="


def _score_quantitative(ind: Indicator, target: Target, actual: str, scheme: Scheme) -> IndicatorResult:
    assert ind.weight is not None  # blanks never reach a kind
    b, note = _comparable_actual(target, actual)
    op = _direction_of_equal(ind, target) if target.op == "=" else target.op
    ratio, how = _QUANTITATIVE_KINDS[op](target, b)
    if target.op == "=" and b == target.value:
        how = ("实际完成值 {actual:value} 等于指标值 {target:value}", {"actual": b, "target": target.value})
    elif target.op == "=":
        how = ("指标值「=」按达到指标值理解：" + how[0], how[1])
    score, steps, over, flagged = _capped_score(ratio, ind.weight, target, scheme)
    return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, score, ratio,
                           [how, *note, *steps], over_completion=over,
                           flags=[OVER_COMPLETION_FLAG] if flagged else [], actual_text=actual)


def _capped_score(
    ratio: Decimal, weight: Decimal, target: Target, scheme: Scheme
) -> tuple[Decimal, list[TraceStep], Decimal | None, bool]:
    """(score, its trace steps, over-completion, flagged): points in proportion to the ratio,
    capped at the weight. Over-completion is a positive-indicator notion; beyond the scheme's
    margin it is flagged, because the target was probably set too low."""
    if ratio < ONE:
        if ratio > ZERO:
            score = weight * ratio
            return score, [("：{weight:value} × {ratio:pct}% = {score:pts} 分",
                            {"weight": weight, "ratio": ratio, "score": score})], None, False
        return ZERO, [("：0.00 分", {})], None, False
    full = "，超过 100% 按满分计：{weight:pts} 分" if ratio > ONE else "，按满分计：{weight:pts} 分"
    steps: list[TraceStep] = [(full, {"weight": weight})]
    if ratio == ONE or target.op not in POSITIVE_OPS or not target.value or target.value < 0:
        return weight, steps, None, False
    over = ratio - ONE
    flagged = over > scheme.over_completion_margin
    if flagged:
        steps.append(("（超额 {over:pct}%，超过 {margin:pct_value}% 的提示线，请说明指标值是否偏低）",
                      {"over": over, "margin": scheme.over_completion_margin}))
    return weight, steps, over, flagged


# ---------------------------------------------------------------- budget execution


def score_execution(budget: Decimal | None, executed: Decimal | None, rule: ExecutionRule) -> ExecutionResult:
    """Execution rate 全年执行数 ÷ 全年预算数 (adjusted, never the initial budget) and its score;
    not computable while either figure is blank."""
    blanks = [label for label, value in (("全年预算数", budget), ("执行数", executed)) if value is None]
    if blanks:
        reason = f"未填写{'、'.join(blanks)}，无法计算执行率"
        return ExecutionResult(budget, executed, None, rule.weight, None, [("{reason}", {"reason": reason})], reason)
    assert budget is not None and executed is not None  # not blank, checked above
    if budget == 0:
        return ExecutionResult(budget, executed, None, rule.weight, ZERO,
                               [("全年预算数为 0，无法计算执行率，{name}按 0 分计", {"name": rule.name})])
    rate = executed / budget
    head = ("执行数 {executed:value} ÷ 全年预算数 {budget:value} = {rate:pct}%",
            {"executed": executed, "budget": budget, "rate": rate})
    if rule.strategy == "proportional":
        score, steps = _proportional(rate, rule)
    else:
        score, steps = _step_deduction(rate, rule)
    return ExecutionResult(budget, executed, rate, rule.weight, score, [head, *steps])


def _proportional(rate: Decimal, rule: ExecutionRule) -> tuple[Decimal, list[TraceStep]]:
    """Points in proportion to the rate, capped at the weight."""
    if rate >= ONE:
        return rule.weight, [("，按满分计：{score:pts} 分", {"score": rule.weight})]
    capped = max(rate, ZERO)
    score = rule.weight * capped
    return score, [("；按比例计分：{weight:value} × {rate:pct}% = {score:pts} 分",
                     {"weight": rule.weight, "rate": capped, "score": score})]


def _step_deduction(rate: Decimal, rule: ExecutionRule) -> tuple[Decimal, list[TraceStep]]:
    """``step_points`` lost per ``step`` percentage points below 100% (a partial step counts as
    a whole one when the rule rounds up), never below 0."""
    step, points = rule.step, rule.step_points
    assert step is not None and points is not None  # checked when the scheme is loaded
    rule_step = ("；每低于 {step:value}% 扣 {points:value} 分", {"step": step, "points": points})
    shortfall = (ONE - rate) * HUNDRED  # percentage points below 100%
    if shortfall <= 0:
        return rule.weight, [rule_step, ("，未低于 100%：{score:pts} 分", {"score": rule.weight})]
    rounding = ROUND_CEILING if rule.step_rounding == "ceil" else ROUND_FLOOR
    steps = (shortfall / step).to_integral_value(rounding=rounding)
    deduction = min(steps * points, rule.weight)
    score = rule.weight - deduction
    return score, [rule_step, ("，差 {shortfall:value2}%，扣 {deduction:value} 分：{score:pts} 分",
                               {"shortfall": shortfall, "deduction": deduction, "score": score})]


# ---------------------------------------------------------------- grades and weights


def grade_for(total: Decimal, scheme: Scheme) -> str:
    """Grade by lower bounds, inclusive, on the exact total (no rounding first)."""
    for grade in scheme.grades:
        if total >= grade.min:
            return grade.name
    return scheme.grades[-1].name


def check_weights(indicators: Iterable[Indicator], scheme: Scheme, location: str = "") -> list[Problem]:
    """Weights per 一级指标 (plus the execution weight where it belongs) against the scheme.

    A class with no indicators at all may hand its points to others (10号 lets the unit move the
    weight of an absent class), so then only the grand total must still match.

    Blank weights are their own finding (a draft, not a wrong sum): while any is blank the grand
    total cannot be checked, nor the classes holding one; a class whose weights are all filled in
    is still checked when no class is absent (then no points can have moved).
    """
    inds = list(indicators)
    where = location or "绩效指标"
    problems: list[Problem] = []
    sums: dict[str, Decimal] = {}
    blank_classes: set[str] = set()
    for ind in inds:
        level1 = scheme.class_of(ind.level1)
        if level1 is None:
            known = "、".join(c.level1 for c in scheme.categories)
            problems.append(Problem(f"{where}：{ind.code}",
                                    f"一级指标「{ind.level1}」不在评分方案「{scheme.name}」中（应为 {known}）",
                                    "一级指标"))
            continue
        if ind.weight is None:
            blank_classes.add(level1)
            sums.setdefault(level1, ZERO)
            continue
        sums[level1] = sums.get(level1, ZERO) + ind.weight
    execution = scheme.execution
    if execution.level1 is not None:
        sums[execution.level1] = sums.get(execution.level1, ZERO) + execution.weight
    absent = any(c.level1 not in sums for c in scheme.categories)
    if blank_classes:
        reallocated = absent  # the grand total is unknown, so points may have moved
    else:
        grand = sum(sums.values(), ZERO) + (execution.weight if execution.level1 is None else ZERO)
        if grand != scheme.total:
            problems.append(Problem(where, f"分值合计 {fmt_value(grand)} 分"
                                           f"（含{execution.name} {fmt_value(execution.weight)} 分），"
                                           f"应为 {fmt_value(scheme.total)} 分", "分值"))
        reallocated = grand == scheme.total and absent
    if not reallocated:
        for cat in scheme.categories:
            got = sums.get(cat.level1, ZERO)
            if cat.level1 not in blank_classes and got != cat.weight:
                problems.append(Problem(f"{where}：{cat.level1}",
                                        f"「{cat.level1}」分值合计 {fmt_value(got)} 分，"
                                        f"评分方案规定 {fmt_value(cat.weight)} 分", "分值"))
    return problems


# ---------------------------------------------------------------- projects and departments


def _score_indicators(
    indicators: Iterable[Indicator], scheme: Scheme, feeds: Mapping[str, str]
) -> list[IndicatorResult]:
    """Every indicator scored, the actual value taken from its feed when the feed answered."""
    results = []
    for ind in indicators:
        if ind.feed is not None and ind.feed in feeds:
            results.append(score_indicator(ind, scheme, feeds[ind.feed], ind.feed))
        else:
            results.append(score_indicator(ind, scheme))
    return results


def _total(execution: ExecutionResult, results: Sequence[IndicatorResult]) -> Decimal:
    """Execution score (unless a row of the table carries it) plus the indicator scores of the
    parts that have one (leaves only: a subtotal row is the sum of its children)."""
    own = (execution.score or ZERO) if execution.counted else ZERO
    return own + sum((r.score for r in results if r.score is not None and not r.children), ZERO)


def _unverified_reason(
    execution: ExecutionResult, results: Sequence[IndicatorResult], rule: ExecutionRule
) -> str | None:
    """"总分无法核实：3 项指标未填写分值、预算执行率未计分（…）" when some part has no score."""
    counts: dict[Cause, int] = {}
    for r in results:
        if r.cause is not None and not r.children:
            counts[r.cause] = counts.get(r.cause, 0) + 1
    parts = [f"{n} 项指标{_TOTAL_CAUSES[cause]}" for cause, n in counts.items()]
    if not execution.computable and execution.counted:
        parts.append(f"{rule.name}未计分（{execution.reason}）")
    return f"总分无法核实：{'、'.join(parts)}" if parts else None


def _total_steps(
    execution: ExecutionResult, results: Sequence[IndicatorResult], scheme: Scheme,
    total: Decimal | None, grade: str | None, reason: str | None,
) -> list[TraceStep]:
    """"预算执行率 9.58 + 产出指标 … = 96.00 分，等级：优" for a project or a department: the
    score per 一级指标 of the scheme, with the execution score in its own block or in its class.
    An unverifiable total gives the reason and what the parts with a score add up to."""
    if total is None:
        return [("{reason}（已计分部分合计 {known:pts} 分）", {"reason": reason, "known": _total(execution, results)})]
    rule = scheme.execution
    by_class: dict[str, Decimal] = {cat.level1: ZERO for cat in scheme.categories}
    for r in results:
        if r.children:
            continue
        level1 = scheme.class_of(r.level1) or r.level1
        by_class[level1] = by_class.get(level1, ZERO) + (r.score or ZERO)
    parts: list[TraceStep] = []
    own = execution.score if execution.counted else None
    if own is not None and rule.level1 is None:
        parts.append(("{name} {score:pts}", {"name": rule.name, "score": own}))
    elif own is not None and rule.level1 is not None:
        by_class[rule.level1] = by_class.get(rule.level1, ZERO) + own
    for level1, score in by_class.items():
        lead = " + " if parts else ""
        parts.append((lead + "{name} {score:pts}", {"name": level1, "score": score}))
        if level1 == rule.level1 and own is not None:
            parts.append(("（含{name} {score:pts}）", {"name": rule.name, "score": own}))
    parts.append((" = {total:pts} 分，等级：{grade}", {"total": total, "grade": grade}))
    return parts


def _verified_total(
    execution: ExecutionResult, results: Sequence[IndicatorResult], scheme: Scheme
) -> tuple[Decimal | None, str | None, str | None, list[TraceStep]]:
    """(total, grade, reason, trace steps) of a project or a department's own block."""
    reason = _unverified_reason(execution, results, scheme.execution)
    total = None if reason else _total(execution, results)
    grade = None if total is None else grade_for(total, scheme)
    return total, grade, reason, _total_steps(execution, results, scheme, total, grade, reason)


# ---------------------------------------------------------------- the table's own scheme

TABLE_SCHEME_ID = "table"


@dataclass(frozen=True)
class SchemeChoice:
    """The scheme a table is scored with (real-work.md §2).

    ``how``: "declared" — the table fits the scheme its file names (or the default); "inferred" —
    it fits another shipped scheme; "table" — it fits none and is scored with its own weights
    (``scheme`` is then built from the table). ``execution_row``: the code of the 预算执行率 row
    that stands for the execution block (its weight is the execution weight). ``problems``: the
    table's weights against the declared scheme (empty unless ``how`` is "table")."""

    scheme: Scheme
    how: str
    declared: Scheme
    execution_row: str | None = None
    problems: tuple[Problem, ...] = ()


def _with_row(scheme: Scheme, row: Indicator) -> Scheme:
    """The scheme with its execution block carried by the row: the table's weight for it."""
    assert row.weight is not None
    return dataclasses.replace(scheme, execution=dataclasses.replace(scheme.execution, weight=row.weight))


def _fits(
    inds: Sequence[Indicator], scheme: Scheme, row: Indicator | None, every_class: bool = False,
    rows_total: Decimal | None = None,
) -> bool:
    """Whether the table's weights fit the scheme; with ``row``, that row standing for the
    execution block (in the block's class when the scheme puts it in one; an own block of the
    scheme may be a row in any class). ``every_class``: each class of the scheme must be in the
    table — a scheme is only inferred from a table that shows all of its parts, never by moving
    the points of an absent class (which ``check_weights`` allows for the declared scheme).
    ``rows_total``: Σ of the rows' weights (None while one is blank), computed once per table."""
    # the cheap test first (a table is tried against every shipped scheme): the rows make the
    # scheme's total less its execution block, or all of it when a row carries the block
    if rows_total is not None and rows_total != scheme.total - (ZERO if row is not None else scheme.execution.weight):
        return False
    if every_class:
        present = {scheme.class_of(i.level1) for i in inds} | {scheme.execution.level1}
        if any(c.level1 not in present for c in scheme.categories):
            return False
    if row is None:
        return not check_weights(inds, scheme)
    if scheme.execution.level1 is not None and scheme.class_of(row.level1) != scheme.execution.level1:
        return False
    return not check_weights([i for i in inds if i is not row], _with_row(scheme, row))


def _execution_row(inds: Sequence[Indicator]) -> Indicator | None:
    rows = [i for i in inds if is_execution_indicator(i.name) and i.weight is not None]
    return rows[0] if len(rows) == 1 else None


def _table_scheme(inds: Sequence[Indicator], declared: Scheme, row: Indicator | None) -> Scheme:
    """A scheme made of the table's own classes and weights (leaves only: the rows are the
    third-level indicators), with the declared scheme's execution rule, bands and grades. Without
    an execution row the execution block stays when the table leaves room for it, and is dropped
    when the table's own weights already make the full score."""
    weights: dict[str, Decimal] = {}
    for ind in inds:
        weights[ind.level1] = weights.get(ind.level1, ZERO) + (ind.weight or ZERO)
    categories = tuple(Category(level1, weight, ()) for level1, weight in weights.items())
    rows_total = sum(weights.values(), ZERO)
    if row is not None and row.weight is not None:  # _execution_row only takes a row with a weight
        execution = dataclasses.replace(declared.execution, weight=row.weight, level1=row.level1)
        total = rows_total
    else:
        keep = rows_total != declared.total  # the rows alone make the full score: no execution block
        execution = dataclasses.replace(declared.execution, weight=declared.execution.weight if keep else ZERO,
                                        level1=None)
        total = rows_total + execution.weight
    return dataclasses.replace(declared, id=TABLE_SCHEME_ID, version="1", name=TABLE_SCHEME_NOTE, total=total,
                               execution=execution, categories=categories, source="表内分值")


def choose_scheme(
    indicators: Sequence[Indicator], declared: Scheme, candidates: Sequence[Scheme] | None = None,
) -> SchemeChoice:
    """The scheme that fits a table's own classes and weights: the declared one, else a shipped
    scheme (same kind first), else the table's own weights. A 预算执行率 row is taken as the
    execution block when that is what makes the table fit (or when no shipped scheme fits).
    A table without indicators keeps the declared scheme."""
    inds = list(indicators)
    if not inds:
        return SchemeChoice(declared, "declared", declared)
    row = _execution_row(inds)
    total = sum_known(i.weight for i in inds)
    problems = tuple(check_weights(inds, declared))  # the declared scheme's verdict, kept for the report
    if not problems:
        return SchemeChoice(declared, "declared", declared)
    if row is not None and _fits(inds, declared, row, rows_total=total):
        return SchemeChoice(_with_row(declared, row), "declared", declared, row.code)
    others = [s for s in (candidates if candidates is not None else _shipped()) if s.ref != declared.ref]
    others.sort(key=lambda s: s.kind != declared.kind)  # stable: same kind first, then file order
    for scheme in others:
        if _fits(inds, scheme, None, every_class=True, rows_total=total):
            return SchemeChoice(scheme, "inferred", declared)
        if row is not None and _fits(inds, scheme, row, every_class=True, rows_total=total):
            return SchemeChoice(_with_row(scheme, row), "inferred", declared, row.code)
    return SchemeChoice(_table_scheme(inds, declared, row), "table", declared,
                        row.code if row is not None else None, problems)


@lru_cache(maxsize=1)
def _shipped() -> tuple[Scheme, ...]:
    """The shipped schemes, read once: they are data files of the release."""
    return tuple(list_schemes())


def _row_execution(
    budget: Decimal | None, executed: Decimal | None, rule: ExecutionRule, row: Indicator,
) -> ExecutionResult:
    """The execution of a table whose 预算执行率 is a row: from the budget figures when they are
    there, else from the rate the row states."""
    execution = score_execution(budget, executed, rule)
    if execution.computable or row.actual_text is None:
        return dataclasses.replace(execution, row=row.code)
    value, _, percent = parse_actual(row.actual_text)
    if value is None or not percent:
        return dataclasses.replace(execution, row=row.code)
    rate = value / HUNDRED
    score, steps = _proportional(rate, rule) if rule.strategy == "proportional" else _step_deduction(rate, rule)
    head = ("执行率取表内填报的 {rate:pct}%（未填写预算数或执行数）", {"rate": rate})
    return ExecutionResult(budget, executed, rate, rule.weight, score, [head, *steps], row=row.code)


def _row_result(row: Indicator, execution: ExecutionResult) -> IndicatorResult:
    if execution.score is None:
        reason = f"{execution.reason}，{row.name}无法计分"
        return IndicatorResult(row.code, row.level1, row.level2, row.name, row.weight, None, None,
                               [("{reason}", {"reason": reason})], actual_text=row.actual_text, reason=reason,
                               cause=Cause.UNSCORABLE)
    steps: list[TraceStep] = [("按预算执行率规则计分：", {}), *execution.trace_steps]
    return IndicatorResult(row.code, row.level1, row.level2, row.name, row.weight, execution.score, execution.rate,
                           steps, actual_text=row.actual_text)


# A subtotal row names a group: "一、示范区建设", "（二）产出数量", "1、…", or says 小计.
_GROUP_NAME = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、．](?!\d))|小计")


def _could_be_subtotal(ind: Indicator) -> bool:
    return (ind.weight is not None and target_missing(ind.target_text) and target_missing(ind.actual_text)
            and ind.weight > 0 and bool(_GROUP_NAME.search(ind.name)))


def subtotals(indicators: Sequence[Indicator]) -> dict[str, tuple[str, ...]]:
    """Parent rows that are subtotals of the rows below them (real-work.md §2: "一、示范区建设 15 =
    5 + 5 + 5"): a row named as a group, with a weight and neither target nor actual value,
    followed by at least two rows of its class whose weights add up to exactly its weight.
    Code of each such row → the codes of its children. Only the leaves are scored and summed."""
    out: dict[str, tuple[str, ...]] = {}
    inds = list(indicators)
    if not any(_could_be_subtotal(ind) for ind in inds):
        return out  # the common case: no row can be a subtotal
    i = 0
    while i < len(inds):
        parent = inds[i]
        if _could_be_subtotal(parent):
            assert parent.weight is not None
            children: list[str] = []
            total, j = ZERO, i + 1
            while j < len(inds) and total < parent.weight:
                child = inds[j]
                if _could_be_subtotal(child) or child.weight is None or child.level1 != parent.level1:
                    break
                children.append(child.code)
                total += child.weight
                j += 1
            if total == parent.weight and len(children) >= 2:
                out[parent.code] = tuple(children)
                i = j
                continue
        i += 1
    return out


def leaves(indicators: Sequence[Indicator]) -> list[Indicator]:
    """The indicators that are scored: every row but the subtotal rows."""
    parents = subtotals(indicators)
    return [i for i in indicators if i.code not in parents]


def _subtotal_result(parent: Indicator, children: Sequence[IndicatorResult]) -> IndicatorResult:
    codes = tuple(c.code for c in children)
    if any(c.score is None for c in children):
        reason = "所属指标有未计分项，小计无法核实"
        return IndicatorResult(parent.code, parent.level1, parent.level2, parent.name, parent.weight, None, None,
                               [("{reason}", {"reason": reason})], reason=reason, children=codes)
    score = sum((c.score for c in children if c.score is not None), ZERO)
    return IndicatorResult(parent.code, parent.level1, parent.level2, parent.name, parent.weight, score, None,
                           [("小计：{codes} 合计 {score:pts} 分", {"codes": "、".join(codes), "score": score})],
                           children=codes)


def _score_owner(
    indicators: Sequence[Indicator], budget: Decimal | None, executed: Decimal | None, declared: Scheme,
    feeds: Mapping[str, str],
) -> tuple[SchemeChoice, ExecutionResult, list[IndicatorResult]]:
    """Execution and indicators of a project or of the department's own block, with the scheme
    that fits its table (judged on the leaves); subtotal rows get their children's sum."""
    parents = subtotals(indicators)
    scored = [i for i in indicators if i.code not in parents]
    choice = choose_scheme(scored, declared)
    scheme = choice.scheme
    row = next((i for i in scored if i.code == choice.execution_row), None) if choice.execution_row else None
    if row is None:
        execution = score_execution(budget, executed, scheme.execution)
        results = _score_indicators(scored, scheme, feeds)
    else:
        execution = _row_execution(budget, executed, scheme.execution, row)
        results = [_row_result(row, execution) if ind is row else r
                   for ind, r in zip(scored, _score_indicators(scored, scheme, feeds), strict=True)]
    if not parents:
        return choice, execution, results
    by_code = {r.code: r for r in results}
    ordered = [by_code[i.code] if i.code not in parents
               else _subtotal_result(i, [by_code[c] for c in parents[i.code]]) for i in indicators]
    return choice, execution, ordered


def _choice_steps(choice: SchemeChoice) -> list[TraceStep]:
    if choice.how == "table":
        return [(TABLE_SCHEME_NOTE + "；", {})]
    if choice.how == "inferred":
        return [("按表内一级指标与分值适用评分方案「{name}」（{ref}）；", {"name": choice.scheme.name,
                                                          "ref": choice.scheme.ref})]
    return []


def score_project(p: Project, scheme: Scheme, feeds: Mapping[str, str] | None = None) -> ProjectResult:
    """A project scored with the scheme its table fits (``choose_scheme``; ``scheme`` is the
    declared one, used whenever the table fits it)."""
    choice, execution, results = _score_owner(p.indicators, p.budget, p.executed, scheme, feeds or {})
    total, grade, reason, steps = _verified_total(execution, results, choice.scheme)
    return ProjectResult(
        code=p.code, name=p.name, budget=execution.budget, executed=execution.executed, execution=execution,
        indicators=results, total=total, grade=grade, trace_steps=_choice_steps(choice) + steps, reason=reason,
        scheme=choice.scheme.ref,
    )


def _rate_text(num: Decimal | None, den: Decimal | None) -> str | None:
    """A rate as actual-value text; None (no feed) when a figure is blank or the base is 0."""
    if num is None or not den:
        return None
    return f"{fmt_pct_number(num / den)}%"


def budget_feeds(dy: DepartmentYear) -> dict[str, str]:
    """Indicator actuals the department's own figures already answer (as actual-value text).
    A feed whose denominator is 0 is left out, so the indicator keeps its typed value."""
    feeds: dict[str, str] = {}
    budget = dy.budget
    project_lines = [b for b in dy.budget_lines if b.nature == "项目支出"]
    candidates = {
        "budget.execution_rate": _rate_text(dy.executed, budget),
        "budget.project_execution_rate": _rate_text(
            sum_known(b.executed for b in project_lines), sum_known(b.budget for b in project_lines)
        ),
        "budget.carry_over_rate": _rate_text(sum((b.carry_over for b in dy.budget_lines), ZERO), budget),
        "projects.count": f"{len(dy.projects)}个",
        "projects.self_evaluated_share": _rate_text(
            Decimal(sum(1 for p in dy.projects if p.indicators and all(
                i.actual_text is not None and i.actual_text.strip() for i in p.indicators))),
            Decimal(len(dy.projects)),
        ),
    }
    for key, value in candidates.items():
        if value is not None:
            feeds[key] = value
    return feeds


def _split(
    lines: Iterable[tuple[str, Decimal | None, Decimal | None]], names: tuple[str, ...]
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """(budget, executed) per name, every name listed; a sum over a blank line is None."""
    budgets: dict[str, list[Decimal | None]] = {name: [] for name in names}
    executed: dict[str, list[Decimal | None]] = {name: [] for name in names}
    for key, budget, spent in lines:
        budgets.setdefault(key, []).append(budget)
        executed.setdefault(key, []).append(spent)
    return {key: (sum_known(budgets[key]), sum_known(executed[key])) for key in budgets}


def score_department(dy: DepartmentYear, feeds: Mapping[str, str] | None = None) -> DepartmentResult:
    dept_scheme = load_scheme(dy.department_template)
    proj_scheme = load_scheme(dy.project_template)
    all_feeds = budget_feeds(dy) | dict(feeds or {})
    choice, execution, results = _score_owner(dy.indicators, dy.budget, dy.executed, dept_scheme, all_feeds)
    total, grade, reason, steps = _verified_total(execution, results, choice.scheme)
    steps = _choice_steps(choice) + steps
    if not dy.indicators:
        # a file of projects only, or a report of budget figures only: the department's own block
        # has no indicators, so its execution score is all there is — no total to grade
        reason = "总分无法核实：部门整体未设绩效指标" + ("" if dy.budget_lines else "，也未填报预算执行情况")
        total, grade, steps = None, None, [("{reason}", {"reason": reason})]
    projects = [score_project(p, proj_scheme, all_feeds) for p in dy.projects]
    return DepartmentResult(
        code=dy.department.code, name=dy.department.name, year=dy.year, money_unit=dy.money_unit,
        budget=execution.budget, executed=execution.executed,
        by_source=_split(((b.fund_source, b.budget, b.executed) for b in dy.budget_lines), FUND_SOURCES),
        by_nature=_split(((b.nature, b.budget, b.executed) for b in dy.budget_lines), NATURES),
        execution=execution, indicators=results, total=total, grade=grade, trace_steps=steps,
        projects=projects, scheme=choice.scheme.ref, project_scheme=proj_scheme.ref, reason=reason,
    )
