"""Scores: one indicator, budget execution, a project, a department — each with a Chinese trace.

All arithmetic is exact ``Decimal``; traces show rounded numbers through ``jixiao.core.display``
but the score carried in the result is the exact one. Totals are sums of exact parts and grades
are decided on the exact total (89.99 is 良).

The numbers are computed at once, the traces only when read (``jixiao.core.results.Deferred``):
each trace function below recomputes from the same inputs what it explains and formats it, so a
trace read later is the text an eager engine would have written.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache, partial

from jixiao.core.display import fmt_decimal, fmt_pct_number, fmt_rate, fmt_value
from jixiao.core.errors import Problem
from jixiao.core.model import FUND_SOURCES, NATURES, DepartmentYear, Indicator, Project
from jixiao.core.money import unit_factor
from jixiao.core.results import (
    Deferred, DepartmentResult, ExecutionResult, IndicatorResult, ProjectResult, text_of,
)
from jixiao.core.targets import NEGATIVE_OPS, POSITIVE_OPS, Target, TargetError, parse_actual, parse_target
from jixiao.core.schemes import ExecutionRule, Scheme, load_scheme

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
OVER_COMPLETION_FLAG = "超额完成较多"

# Words in an actual value that settle a qualitative result when the evaluator chose none.
# Order matters: negations first, so "未完成" is not read as "完成".
_NOT_ACHIEVED_WORDS = ("未达成", "未完成", "未达到", "未实现", "未按期", "没有完成", "无法完成")
_PARTLY_WORDS = ("部分达成", "部分完成", "部分实现")
_ACHIEVED_WORDS = ("基本达成", "达成", "完成", "达到", "实现", "按期", "符合")


class ScoringError(ValueError):
    """An indicator that cannot be scored as filled in; the Chinese message says what to fix."""


def _pts(d: Decimal) -> str:
    return fmt_decimal(d, 2)


# Target values, weights and full-mark scores repeat across thousands of rows; formatting them
# once keeps the trace cheap on large batches. Equal Decimals (7 and 7.0) format alike here.
_known_value = lru_cache(maxsize=16384)(fmt_value)
_known_pts = lru_cache(maxsize=4096)(_pts)


def _where(ind: Indicator) -> str:
    return f"指标「{ind.name}」（{ind.code}）"


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


def _score_qualitative(
    target_text: str, actual: str, weight: Decimal, achievement: str | None,
    override: Decimal | None, override_reason: str, tpl: Scheme,
) -> tuple[Decimal, Decimal, str]:
    level = achievement or infer_achievement(target_text, actual)
    if level is None:
        raise ScoringError(f"无法从实际完成值「{actual}」判断达成程度，请选择达成、部分达成或未达成")
    band = tpl.qualitative.get(level)
    if band is None:
        raise ScoringError(f"达成程度「{level}」无法识别，应为达成、部分达成或未达成")
    if override is not None:
        ratio = override
        if not band.contains(ratio):
            upper = "含" if band.high == 1 else "不含"
            raise TargetError(
                f"{level}的得分比例应在 {fmt_rate(band.low, 0)}（含）至 "
                f"{fmt_rate(band.high, 0)}（{upper}）之间，填写的是 {fmt_rate(ratio, 2)}"
            )
        reason = f"（评价人在档内调整：{override_reason}）" if override_reason else "（评价人在档内调整）"
    else:
        ratio, reason = band.default, ""
    score = weight * ratio
    how = "由实际完成值判断为" if achievement is None else ""
    return score, ratio, f"定性指标：{how}{level}，按 {fmt_value(ratio * HUNDRED, 2)}% 计{reason}：{_pts(score)} 分"


def _comparable_actual(target: Target, actual: str) -> tuple[Decimal, Decimal | None, str]:
    """The actual figure in the target's unit; when it was converted, also the figure and the
    unit as written (for the trace's note)."""
    value, unit, percent = parse_actual(actual)
    if value is None:
        raise ScoringError(f"指标值「{target.text}」是定量的，实际完成值「{actual}」中没有数值")
    if percent != target.percent and unit and target.unit:
        raise ScoringError(f"指标值以「{target.unit}」计，实际完成值以「{unit}」计，无法比较")
    if not unit or not target.unit or unit == target.unit:
        return value, None, ""
    factor = unit_factor(unit, target.unit)
    if factor is None:
        raise ScoringError(f"指标值单位「{target.unit}」与实际完成值单位「{unit}」不同，无法换算")
    return value * factor, value, unit


def _conversion_note(target: Target, converted: Decimal, value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    return f"（实际完成值 {fmt_value(value)}{unit} 折合 {fmt_value(converted)}{target.unit}）"


def _pct(fraction: Decimal) -> str:
    return fmt_decimal(fraction.scaleb(2), 2)


def _ratio_quantitative(t: Target, b: Decimal) -> Decimal:
    """Completion ratio before the cap. ``_ratio_sentence`` explains it and follows the same
    branches."""
    a = t.value
    assert a is not None  # quantitative targets always carry a value
    op = t.op
    if op in POSITIVE_OPS:
        if a > 0:
            return b / a
        return ONE if b >= a else ZERO
    if op in NEGATIVE_OPS:
        if a > 0 and b > 0:
            return a / b
        return ONE if b <= a else ZERO
    if op == "=":
        if b == a:
            return ONE
        if a == 0:
            return ZERO
        return max(ZERO, ONE - abs(b - a) / abs(a))
    high = t.high
    assert high is not None  # range targets carry both bounds
    if a <= b <= high:
        return ONE
    if b < a:
        return b / a if a > 0 and b > 0 else ZERO
    return high / b if high > 0 else ZERO


def _ratio_sentence(t: Target, b: Decimal, r: Decimal) -> tuple[str, str]:
    """The sentence that explains the ratio ``r`` of ``_ratio_quantitative``, and the ratio as
    shown (reused by the caller when the ratio is also the capped share)."""
    a = t.value
    assert a is not None
    va, vb = _known_value(a), fmt_value(b)
    if t.op in POSITIVE_OPS:
        if a > 0:
            shown = _pct(r)
            return f"实际完成值 {vb} ÷ 指标值 {va} = {shown}%", shown
        return f"指标值为 {va}，实际完成值 {vb} {'已达到' if r else '未达到'}指标值", ""
    if t.op in NEGATIVE_OPS:
        if a > 0 and b > 0:
            shown = _pct(r)
            return f"反向指标：指标值 {va} ÷ 实际完成值 {vb} = {shown}%", shown
        return f"反向指标：指标值 {va}，实际完成值 {vb} {'未超过' if r else '超过'}指标值", ""
    if t.op == "=":
        if b == a:
            return f"实际完成值 {vb} 等于指标值 {va}", ""
        if a == 0:
            return f"指标值为 0，实际完成值 {vb} 不等于指标值", ""
        deviation = abs(b - a) / abs(a)
        shown = _pct(r)
        return f"实际完成值 {vb} 偏离指标值 {va} 的 {_pct(deviation)}%，按 1 − 偏离度 = {shown}%", shown
    high = t.high
    assert high is not None
    vh = _known_value(high)
    if a <= b <= high:
        return f"实际完成值 {vb} 在区间 {va}～{vh} 内", ""
    if b < a:
        shown = _pct(r)
        return f"实际完成值 {vb} 低于区间 {va}～{vh} 的下限：{vb} ÷ {va} = {shown}%", shown
    shown = _pct(r)
    return f"实际完成值 {vb} 高于区间 {va}～{vh} 的上限：{vh} ÷ {vb} = {shown}%", shown


# (score, ratio, trace, over_completion, flagged)
_Outcome = tuple[Decimal, Decimal, "str | Deferred", Decimal | None, bool]


def _quantitative_trace(target: Target, actual: str, weight: Decimal, tpl: Scheme) -> str:
    """The trace of a quantitative outcome of ``_outcome``: its numbers again, then the text."""
    b, written, written_unit = _comparable_actual(target, actual)
    ratio = _ratio_quantitative(target, b)
    how, shown = _ratio_sentence(target, b, ratio)
    note = _conversion_note(target, b, written, written_unit)
    if ratio < ONE:
        if ratio > ZERO:
            return f"{how}{note}：{_known_value(weight)} × {shown}% = {_pts(weight * ratio)} 分"
        return f"{how}{note}：0.00 分"
    trace = f"{how}{note}，{'超过 100% ' if ratio > ONE else ''}按满分计：{_known_pts(weight)} 分"
    if ratio == ONE or target.op not in POSITIVE_OPS or not target.value or target.value < 0:
        return trace
    over = ratio - ONE
    if over <= tpl.over_completion_margin:
        return trace
    margin = _known_value(tpl.over_completion_margin.scaleb(2))
    return trace + f"（超额 {_pct(over)}%，超过 {margin}% 的提示线，请说明指标值是否偏低）"


def _outcome(
    target_text: str, unit: str, actual: str, weight: Decimal, achievement: str | None,
    override: Decimal | None, override_reason: str, tpl: Scheme,
) -> _Outcome:
    """Score of one target/actual/weight combination; the trace is deferred. Pure, so it is
    memoised per template (``_outcomes``)."""
    target = parse_target(target_text, unit)
    if target.op == "qualitative":
        score, ratio, trace = _score_qualitative(target_text, actual, weight, achievement, override, override_reason, tpl)
        return score, ratio, trace, None, False
    # _comparable_actual's and _ratio_quantitative's common cases written out: this runs once
    # per distinct row, and most rows of a large batch are distinct.
    b, b_unit, _ = parse_actual(actual)
    t_unit = target.unit
    if b is None or (b_unit and t_unit and b_unit != t_unit):
        b = _comparable_actual(target, actual)[0]
    a = target.value
    if a is not None and a > ZERO and target.op in POSITIVE_OPS:
        ratio = b / a
    else:
        ratio = _ratio_quantitative(target, b)
    trace = Deferred((_quantitative_trace, target, actual, weight, tpl))
    if ratio < ONE:
        if ratio > ZERO:
            return weight * ratio, ratio, trace, None, False
        return ZERO, ratio, trace, None, False
    if ratio == ONE or target.op not in POSITIVE_OPS or not target.value or target.value < 0:
        return weight, ratio, trace, None, False
    over = ratio - ONE
    return weight, ratio, trace, over, over > tpl.over_completion_margin


@lru_cache(maxsize=32)
def _outcomes(tpl: Scheme) -> Callable[[str, str, str, Decimal, str | None, Decimal | None, str], _Outcome]:
    """``_outcome`` for one template, memoised: real batches repeat the same combinations ("≥95%"
    against "100%", "按期完成" against "已完成") many times over. One memo per template, so
    the template is hashed once per list of indicators rather than once per indicator."""

    return lru_cache(maxsize=131072)(partial(_outcome, tpl=tpl))


def score_indicator(
    ind: Indicator, tpl: Scheme, actual_text: str | None = None, feed: str | None = None
) -> IndicatorResult:
    """Score one indicator against its target. ``actual_text`` overrides ``ind.actual_text``
    (a feed value); ``feed`` names that feed for the trace."""
    actual = actual_text if actual_text is not None else ind.actual_text
    return _score_one(ind, actual, feed, _outcomes(tpl))


def _score_one(
    ind: Indicator, actual: str | None, feed: str | None,
    outcome: Callable[[str, str, str, Decimal, str | None, Decimal | None, str], _Outcome],
) -> IndicatorResult:
    if actual is None or not actual.strip():
        return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, None, None,
                               "尚未填报实际完成值", None, [], feed, actual)
    try:
        score, ratio, trace, over, flagged = outcome(
            ind.target_text, ind.unit, actual, ind.weight, ind.achievement, ind.ratio_override, ind.override_reason,
        )
    except (TargetError, ScoringError) as exc:
        raise type(exc)(f"{_where(ind)}：{exc}") from exc
    if feed is not None:
        trace = Deferred((_fed_trace, feed, actual, trace))
    return IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, score, ratio, trace, over,
                           [OVER_COMPLETION_FLAG] if flagged else [], feed, actual)


def _fed_trace(feed: str, actual: str, trace: str | Deferred) -> str:
    return f"实际完成值取自「{feed}」：{actual}；{text_of(trace)}"


# ---------------------------------------------------------------- budget execution


def score_execution(budget: Decimal, executed: Decimal, rule: ExecutionRule) -> ExecutionResult:
    """Execution rate 全年执行数 ÷ 全年预算数 (adjusted, never the initial budget) and its score."""
    if budget == 0:
        return ExecutionResult(
            budget, executed, None, rule.weight, ZERO,
            f"全年预算数为 0，无法计算执行率，{rule.name}按 0 分计",
        )
    rate = executed / budget
    score = _execution_score(rate, rule)[0]
    return ExecutionResult(budget, executed, rate, rule.weight, score,
                           Deferred((_execution_trace, budget, executed, rule)))


def _execution_score(rate: Decimal, rule: ExecutionRule) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(score, capped rate, shortfall in percentage points, deduction) — the last three for the
    trace."""
    if rule.strategy == "proportional":
        capped = min(max(rate, ZERO), ONE)
        return rule.weight * capped, capped, ZERO, ZERO
    step, points = rule.step, rule.step_points
    assert step is not None and points is not None  # checked when the template is loaded
    shortfall = (ONE - rate) * HUNDRED  # percentage points below 100%
    if shortfall <= 0:
        return rule.weight, ONE, shortfall, ZERO
    rounding = ROUND_CEILING if rule.step_rounding == "ceil" else ROUND_FLOOR
    steps = (shortfall / step).to_integral_value(rounding=rounding)
    deduction = min(steps * points, rule.weight)
    return rule.weight - deduction, ONE, shortfall, deduction


def _execution_trace(budget: Decimal, executed: Decimal, rule: ExecutionRule) -> str:
    rate = executed / budget
    score, capped, shortfall, deduction = _execution_score(rate, rule)
    head = f"执行数 {fmt_value(executed)} ÷ 全年预算数 {fmt_value(budget)} = {fmt_pct_number(rate)}%"
    if rule.strategy == "proportional":
        if rate >= ONE:
            return f"{head}，按满分计：{_pts(score)} 分"
        return f"{head}；按比例计分：{fmt_value(rule.weight)} × {fmt_pct_number(capped)}% = {_pts(score)} 分"
    assert rule.step is not None and rule.step_points is not None
    rule_text = f"每低于 {fmt_value(rule.step)}% 扣 {fmt_value(rule.step_points)} 分"
    if shortfall <= 0:
        return f"{head}；{rule_text}，未低于 100%：{_pts(rule.weight)} 分"
    return f"{head}；{rule_text}，差 {fmt_value(shortfall, 2)}%，扣 {fmt_value(deduction)} 分：{_pts(score)} 分"


# ---------------------------------------------------------------- grades and weights


def grade_for(total: Decimal, tpl: Scheme) -> str:
    """Grade by lower bounds, inclusive, on the exact total (no rounding first)."""
    for grade in tpl.grades:
        if total >= grade.min:
            return grade.name
    return tpl.grades[-1].name


def check_weights(indicators: Iterable[Indicator], tpl: Scheme, location: str = "") -> list[Problem]:
    """Weights per 一级指标 (plus the execution weight where it belongs) against the template.

    A class with no indicators at all may hand its points to others (10号 lets the unit move the
    weight of an absent class), so then only the grand total must still match.
    """
    inds = list(indicators)
    where = location or "绩效指标"
    problems: list[Problem] = []
    sums: dict[str, Decimal] = {}
    for ind in inds:
        if tpl.category(ind.level1) is None:
            known = "、".join(c.level1 for c in tpl.categories)
            problems.append(Problem(f"{where}：{ind.code}", f"一级指标「{ind.level1}」不在评分方案「{tpl.name}」中（应为 {known}）", "一级指标"))
            continue
        sums[ind.level1] = sums.get(ind.level1, ZERO) + ind.weight
    if tpl.execution.level1 is not None:
        sums[tpl.execution.level1] = sums.get(tpl.execution.level1, ZERO) + tpl.execution.weight
    grand = sum(sums.values(), ZERO) + (tpl.execution.weight if tpl.execution.level1 is None else ZERO)
    if grand != tpl.total:
        problems.append(Problem(where, f"分值合计 {fmt_value(grand)} 分（含{tpl.execution.name} {fmt_value(tpl.execution.weight)} 分），应为 {fmt_value(tpl.total)} 分", "分值"))
    reallocated = grand == tpl.total and any(c.level1 not in sums for c in tpl.categories)
    if not reallocated:
        for cat in tpl.categories:
            got = sums.get(cat.level1, ZERO)
            if got != cat.weight:
                problems.append(Problem(f"{where}：{cat.level1}", f"「{cat.level1}」分值合计 {fmt_value(got)} 分，评分方案规定 {fmt_value(cat.weight)} 分", "分值"))
    return problems


# ---------------------------------------------------------------- projects and departments


def _score_indicators(
    indicators: Iterable[Indicator], tpl: Scheme, feeds: Mapping[str, str]
) -> tuple[list[IndicatorResult], Decimal]:
    """The results, and the sum of their scores (added in order, as ``sum`` would).
    ``_score_one`` written out: this loop runs once per indicator of the batch."""
    outcome = _outcomes(tpl)
    out: list[IndicatorResult] = []
    append = out.append
    subtotal = ZERO
    for ind in indicators:
        feed = ind.feed
        if feed is not None and feed in feeds:
            actual: str | None = feeds[feed]
        else:
            feed, actual = None, ind.actual_text
        if feed is not None or actual is None or not actual.strip():
            r = _score_one(ind, actual, feed, outcome)
            append(r)
            if r.score is not None:
                subtotal += r.score
            continue
        try:
            score, ratio, trace, over, flagged = outcome(
                ind.target_text, ind.unit, actual, ind.weight, ind.achievement, ind.ratio_override,
                ind.override_reason,
            )
        except (TargetError, ScoringError) as exc:
            raise type(exc)(f"{_where(ind)}：{exc}") from exc
        append(IndicatorResult(ind.code, ind.level1, ind.level2, ind.name, ind.weight, score, ratio, trace, over,
                               [OVER_COMPLETION_FLAG] if flagged else [], None, actual))
        subtotal += score
    return out, subtotal


def _parts_trace(execution_score: Decimal, results: Sequence[IndicatorResult], tpl: Scheme, total: Decimal) -> str:
    """"预算执行率 9.58 + 产出指标 … = 96.00 分，等级：优" for a project or a department."""
    by_class: dict[str, Decimal] = {cat.level1: ZERO for cat in tpl.categories}
    for r in results:
        by_class[r.level1] = by_class.get(r.level1, ZERO) + (r.score or ZERO)
    parts = []
    if tpl.execution.level1 is None:
        parts.append(f"{tpl.execution.name} {_pts(execution_score)}")
    else:
        by_class[tpl.execution.level1] = by_class.get(tpl.execution.level1, ZERO) + execution_score
    for level1, score in by_class.items():
        extra = f"（含{tpl.execution.name} {_pts(execution_score)}）" if level1 == tpl.execution.level1 else ""
        parts.append(f"{level1} {_pts(score)}{extra}")
    missing = sum(1 for r in results if r.score is None)
    note = f"；{missing} 项指标尚未填报实际完成值，按 0 分计" if missing else ""
    return f"{' + '.join(parts)} = {_pts(total)} 分，等级：{grade_for(total, tpl)}{note}"


def score_project(p: Project, tpl: Scheme, feeds: Mapping[str, str] | None = None) -> ProjectResult:
    budget, executed = p.budget, p.executed
    execution = score_execution(budget, executed, tpl.execution)
    results, subtotal = _score_indicators(p.indicators, tpl, feeds or {})
    total = execution.score + subtotal
    return ProjectResult(
        code=p.code, name=p.name, budget=budget, executed=executed, execution=execution,
        indicators=results, total=total, grade=grade_for(total, tpl),
        trace=Deferred((_parts_trace, execution.score, tuple(results), tpl, total)),
    )


def _rate_text(num: Decimal, den: Decimal) -> str | None:
    return f"{fmt_pct_number(num / den)}%" if den else None


def budget_feeds(dy: DepartmentYear) -> dict[str, str]:
    """Indicator actuals the department's own figures already answer (as actual-value text).
    A feed whose denominator is 0 is left out, so the indicator keeps its typed value."""
    feeds: dict[str, str] = {}
    budget = dy.budget
    project_lines = [b for b in dy.budget_lines if b.nature == "项目支出"]
    candidates = {
        "budget.execution_rate": _rate_text(dy.executed, budget),
        "budget.project_execution_rate": _rate_text(
            sum((b.executed for b in project_lines), ZERO), sum((b.budget for b in project_lines), ZERO)
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


def _split(lines: Iterable[tuple[str, Decimal, Decimal]], names: tuple[str, ...]) -> dict[str, tuple[Decimal, Decimal]]:
    out: dict[str, tuple[Decimal, Decimal]] = {name: (ZERO, ZERO) for name in names}
    for key, budget, executed in lines:
        b, e = out.get(key, (ZERO, ZERO))
        out[key] = (b + budget, e + executed)
    return out


def score_department(dy: DepartmentYear, feeds: Mapping[str, str] | None = None) -> DepartmentResult:
    dept_tpl = load_scheme(dy.department_template)
    proj_tpl = load_scheme(dy.project_template)
    all_feeds = budget_feeds(dy) | dict(feeds or {})
    budget, executed = dy.budget, dy.executed
    execution = score_execution(budget, executed, dept_tpl.execution)
    results, subtotal = _score_indicators(dy.indicators, dept_tpl, all_feeds)
    total = execution.score + subtotal
    projects = [score_project(p, proj_tpl, all_feeds) for p in dy.projects]
    return DepartmentResult(
        code=dy.department.code, name=dy.department.name, year=dy.year, money_unit=dy.money_unit,
        budget=budget, executed=executed,
        by_source=_split(((b.fund_source, b.budget, b.executed) for b in dy.budget_lines), FUND_SOURCES),
        by_nature=_split(((b.nature, b.budget, b.executed) for b in dy.budget_lines), NATURES),
        execution=execution, indicators=results, total=total, grade=grade_for(total, dept_tpl),
        trace=Deferred((_parts_trace, execution.score, tuple(results), dept_tpl, total)),
        projects=projects, scheme=dept_tpl.ref, project_scheme=proj_tpl.ref,
    )
