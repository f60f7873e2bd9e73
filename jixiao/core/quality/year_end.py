"""Year-end checks (自评审核): the unit's stated figures against the computed ones, and the
judgement calls the seed complains about (targets set too low, boilerplate, missing reasons).

Stated values are compared at the precision they are printed with (real-work.md §3): the
computed value, rounded half-up to the stated number of decimals, must equal the stated one.
Rates: 31.00% claims two decimals, so 31.08% is a mismatch. Scores and totals the same way
(8.6 for 8.62 is rounding; 2.16 for 2.1548 is not); a whole number is taken as printed with
``whole_score_places`` decimals (``quality.json``), so 20 for 19.996 agrees and 9 for 8.62 does not.

What the result could not compute is reported once, by its cause, and every check that does not
need the missing figure still runs: a blank 执行数 stops the rate checks, not the indicator ones.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from jixiao.core.display import fmt_amount, fmt_decimal, fmt_pct_number, fmt_score, fmt_value
from jixiao.core.model import DepartmentYear, FundLine, Indicator, Project, Stated, sum_known
from jixiao.core.narrative import figures_across, narrative_fields, narrative_figures
from jixiao.core.numbers import normalize
from jixiao.core.quality.findings import Collector
from jixiao.core.quality.rules import QualityRules
from jixiao.core.results import Cause, DepartmentResult, ExecutionResult, IndicatorResult
from jixiao.core.schemes import Scheme
from jixiao.core.scoring import DEADLINE_AS_RATE_FLAG, grade_for, infer_achievement, leaves
from jixiao.core.targets import TargetError, indicator_target, parse_actual

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
_TRIM = re.compile(r"[\s。．.，,；;：:！!、（）()“”\"'…]+")


def _places(stated: Decimal) -> int:
    exponent = stated.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _agrees(stated: Decimal, computed: Decimal, rules: QualityRules) -> bool:
    """Whether a stated figure is the computed one at the precision it is printed with."""
    places = _places(stated) or rules.whole_score_places
    return Decimal(fmt_decimal(computed, places)) == stated


def _at_precision(stated: Decimal, computed: Decimal, rules: QualityRules) -> str:
    """The computed figure as the stated one would print it: "19.67"."""
    return fmt_decimal(computed, _places(stated) or rules.whole_score_places)


def _met(ind: Indicator, r: IndicatorResult) -> tuple[bool, bool]:
    """(quantitative, met): whether the target is a figure (or a deadline), and whether the
    actual reached it."""
    assert ind.target_text is not None  # only scored indicators get here
    try:
        target = indicator_target(ind)
        quantitative = target.quantitative or (target.deadline is not None and ind.achievement is None)
    except TargetError:
        quantitative = False
    if quantitative:
        return True, r.ratio is not None and r.ratio >= ONE
    level = ind.achievement or infer_achievement(ind.target_text, r.actual_text or "")
    return False, level == "达成"


def _stated_score(
    out: Collector, rules: QualityRules, owner: Project | None, ind: Indicator, r: IndicatorResult, scheme: Scheme
) -> None:
    stated = ind.stated_score
    if stated is None or r.score is None or ind.weight is None or ind.target_text is None:
        return
    nums = {"填报得分": fmt_value(stated), "计算得分": fmt_score(r.score), "分值": fmt_value(ind.weight)}
    if stated > ind.weight:
        out.add(rules, "Q-SCORE-ABOVE-WEIGHT",
                f"填报得分 {fmt_value(stated)} 分超过该指标分值 {fmt_value(ind.weight)} 分；得分不能超过分值",
                owner, ind, "得分", nums)
        return
    quantitative, met = _met(ind, r)
    full = stated >= ind.weight
    agrees = _agrees(stated, r.score, rules)
    nums["计算得分（按填报精度）"] = _at_precision(stated, r.score, rules)
    # 20 for a computed 19.996 is rounding, not a claim of full marks
    if full and not met and not agrees:
        out.add(rules, "Q-FULL-MARKS-MISSED",
                f"实际完成值「{r.actual_text}」未达到指标值「{ind.target_text}」，却填报满分 {fmt_value(stated)} 分；"
                f"应按完成比例计 {fmt_score(r.score)} 分",
                owner, ind, "得分", nums)
        return
    if not quantitative:
        level = ind.achievement or infer_achievement(ind.target_text, r.actual_text or "")
        band = scheme.qualitative.get(level or "")
        if band is not None and ind.weight > 0 and not band.contains(stated / ind.weight):
            out.add(rules, "Q-SCORE-MISMATCH",
                    f"定性指标判定为{level}，得分应在分值的 "
                    f"{fmt_value(band.low * HUNDRED)}%～{fmt_value(band.high * HUNDRED)}% 之间，"
                    f"填报 {fmt_value(stated)} 分不在此范围；请按档次重新计分",
                    owner, ind, "得分", nums)
        return
    allowed_cut = (r.over_completion or ZERO) > rules.target_low_margin and ind.deviation_reason.strip()
    if met and not full and not agrees and stated < r.score and not allowed_cut:
        out.add(rules, "Q-DEDUCTED-MET",
                f"实际完成值「{r.actual_text}」已达到指标值「{ind.target_text}」，应得满分 {fmt_value(ind.weight)} 分，"
                f"却填报 {fmt_value(stated)} 分；达到指标值的按满分计（指标值明显偏低而适度调减的，须写明偏差原因）",
                owner, ind, "得分", nums)
    elif not met and not agrees:
        out.add(rules, "Q-SCORE-MISMATCH",
                f"填报得分 {stated} 分，按实际完成值计算应为 {fmt_value(r.score)} 分，"
                f"按填报的精度为 {_at_precision(stated, r.score, rules)} 分；请更正得分",
                owner, ind, "得分", nums)


def _indicators(
    out: Collector, rules: QualityRules, owner: Project | None, inds: list[Indicator],
    results: Mapping[str, IndicatorResult], scheme: Scheme,
) -> None:
    for ind in inds:
        r = results.get(ind.code)
        if r is None:
            continue
        if r.children:
            _subtotal(out, rules, owner, ind, r, [i for i in inds if i.code in r.children], results)
            continue
        if r.cause == Cause.MISSING_ACTUAL:
            out.add(rules, "Q-MISSING-ACTUAL", "未填写实际完成值，该指标无法计分，总分无法核实；请填写全年实际完成值",
                    owner, ind, "实际完成值")
        elif r.cause == Cause.UNSCORABLE:
            out.add(rules, "Q-UNSCORABLE", f"{r.reason}", owner, ind, "实际完成值")
        elif r.cause == Cause.UNREADABLE_ACTUAL:
            out.add(rules, "Q-ACTUAL-UNREADABLE",
                    f"实际完成值「{r.actual_text}」含有数字，但不是可识别的数值（{r.reason}）；"
                    "请写成如“236人次”“97%”的数值，千分位三位一组，数字中不夹字母",
                    owner, ind, "实际完成值")
        if DEADLINE_AS_RATE_FLAG in r.flags:
            out.add(rules, "Q-DEADLINE-AS-RATE",
                    f"指标值「{ind.target_text}」是完成时限，实际完成值却填为「{r.actual_text}」；已按按期完成计分，"
                    "请填写实际完成的月份或日期（如“9月”“2022-09-30”）",
                    owner, ind, "实际完成值")
        if r.score is None or ind.weight is None:
            continue  # blank weights and targets, unreadable targets: goal-setting findings
        over = r.over_completion
        if over is not None and over > rules.target_low_margin:
            out.add(rules, "Q-TARGET-LOW",
                    f"实际完成值「{r.actual_text}」超过指标值「{ind.target_text}」{fmt_pct_number(over)}%，"
                    f"超出 {fmt_value(rules.target_low_margin * HUNDRED)}% 的提示线，指标值可能设置偏低；"
                    "请分析原因并在下一年度据实提高指标值",
                    owner, ind, "指标值",
                    {"超额比例": f"{fmt_pct_number(over)}%",
                     "提示线": f"{fmt_value(rules.target_low_margin * HUNDRED)}%"})
        if r.score < ind.weight and not ind.deviation_reason.strip():
            out.add(rules, "Q-DEVIATION-REASON-MISSING",
                    f"得分 {fmt_score(r.score)} 分未达满分 {fmt_value(ind.weight)} 分，"
                    "未填写偏差原因分析及改进措施；请补充",
                    owner, ind, "偏差原因分析及改进措施",
                    {"计算得分": fmt_score(r.score), "分值": fmt_value(ind.weight)})
        _stated_score(out, rules, owner, ind, r, scheme)


def _subtotal(
    out: Collector, rules: QualityRules, owner: Project | None, ind: Indicator, r: IndicatorResult,
    children: list[Indicator], results: Mapping[str, IndicatorResult],
) -> None:
    """A subtotal row's stated score against its rows: their stated scores when all are stated,
    else the computed ones (at the precision the subtotal is printed)."""
    stated = ind.stated_score
    if stated is None:
        return
    parts = [c.stated_score for c in children]
    if all(p is not None for p in parts):
        basis: Decimal | None = sum((p for p in parts if p is not None), ZERO)
        what = "所属各项填报得分合计"
    else:
        basis, what = r.score, "所属各项计算得分合计"
    if basis is None or _agrees(stated, basis, rules):
        return
    out.add(rules, "Q-SUBTOTAL-MISMATCH",
            f"小计行填报 {stated} 分，{what}为 {fmt_value(basis)} 分（{'、'.join(c.code for c in children)}）；"
            "请核对小计与各项得分",
            owner, ind, "得分", {"填报小计": fmt_value(stated), what: fmt_value(basis)})


def _execution(
    out: Collector, rules: QualityRules, owner: Project | None, stated: Stated,
    execution: ExecutionResult, explanation: str,
) -> None:
    budget, executed, rate = execution.budget, execution.executed, execution.rate
    if budget is None or executed is None:
        return  # no rate to check; the blank figure is its own finding
    money = {"全年预算数": fmt_amount(budget), "执行数": fmt_amount(executed)}
    if stated.execution_rate is not None and rate is not None:
        places = _places(stated.execution_rate)
        computed = Decimal(fmt_pct_number(rate, places))
        if computed != stated.execution_rate:
            out.add(rules, "Q-RATE-MISMATCH",
                    f"填报执行率 {stated.execution_rate}%，"
                    f"而执行数 {fmt_amount(executed)} ÷ 全年预算数 {fmt_amount(budget)} "
                    f"= {fmt_pct_number(rate, max(places, 2))}%（保留 {places} 位小数为 {computed}%）；"
                    "请更正执行率或金额",
                    owner, None, "预算执行率",
                    money | {"填报执行率": f"{stated.execution_rate}%", "计算执行率": f"{fmt_pct_number(rate, 4)}%"})
    if stated.execution_score is not None:
        nums = {"填报得分": fmt_value(stated.execution_score), "计算得分": fmt_score(execution.score),
                "分值": fmt_value(execution.weight)}
        if stated.execution_score > execution.weight:
            out.add(rules, "Q-SCORE-ABOVE-WEIGHT",
                    f"预算执行率填报得分 {fmt_value(stated.execution_score)} 分"
                    f"超过分值 {fmt_value(execution.weight)} 分",
                    owner, None, "预算执行率得分", nums)
        elif execution.score is not None and not _agrees(stated.execution_score, execution.score, rules):
            out.add(rules, "Q-SCORE-MISMATCH",
                    f"预算执行率填报得分 {fmt_value(stated.execution_score)} 分，"
                    f"按评分规则应为 {fmt_score(execution.score)} 分"
                    f"（{execution.trace}）；请更正得分",
                    owner, None, "预算执行率得分", nums)
    if rate is not None and rate < rules.execution_explain_below and not explanation.strip():
        out.add(rules, "Q-EXECUTION-UNEXPLAINED",
                f"预算执行率 {fmt_pct_number(rate)}% 低于 {fmt_value(rules.execution_explain_below * HUNDRED)}%，"
                "未说明原因；请说明执行率偏低的原因及改进措施",
                owner, None, "执行率偏低原因说明", money | {"执行率": f"{fmt_pct_number(rate)}%"})


def _execution_row(
    out: Collector, rules: QualityRules, owner: Project | None, inds: list[Indicator], execution: ExecutionResult,
) -> None:
    """A table's own 预算执行率 row against the budget figures (real-work.md §4), at the precision
    the row states its rate."""
    row = next((i for i in inds if i.code == execution.row), None)
    if row is None or execution.budget is None or execution.executed is None or execution.rate is None:
        return
    value, _, percent = parse_actual(row.actual_text)
    if value is None or not percent:
        return
    places = _places(value)
    computed = Decimal(fmt_pct_number(execution.rate, places))
    if computed != value:
        out.add(rules, "Q-RATE-MISMATCH",
                f"指标「{row.name}」填报 {row.actual_text}，而执行数 {fmt_amount(execution.executed)} ÷ "
                f"全年预算数 {fmt_amount(execution.budget)} = {fmt_pct_number(execution.rate, max(places, 2))}%"
                f"（保留 {places} 位小数为 {computed}%）；请更正执行率或金额",
                owner, row, "实际完成值",
                {"填报执行率": str(row.actual_text), "计算执行率": f"{fmt_pct_number(execution.rate, 4)}%"})


def _carry_over(
    out: Collector, rules: QualityRules, owner: Project | None, inds: list[Indicator], execution: ExecutionResult,
) -> None:
    """A stated 结转结余率 against the share of the budget left unspent (1 − execution rate), at the
    precision the rate is stated: "0%" carried over with 76% spent leaves 24% unaccounted for."""
    if execution.rate is None:
        return
    unspent = (ONE - execution.rate) * HUNDRED
    for ind in inds:
        if not any(w in normalize(ind.name) for w in rules.carry_over_names):
            continue
        value, _, percent = parse_actual(ind.actual_text)
        if value is None or not percent:
            continue
        places = _places(value)
        shown = Decimal(fmt_decimal(unspent, places))
        if shown == value:
            continue
        nums = {"结转结余率": f"{value}%", "执行率": f"{fmt_pct_number(execution.rate)}%",
                "未执行比例": f"{fmt_value(unspent, 2)}%"}
        if value > shown:
            text = "结转结余与已执行资金合计超过全年预算"
        else:
            text = "未执行资金去向不明；如已收回财政，请在说明中写明收回金额"
        out.add(rules, "Q-CARRYOVER-MISMATCH",
                f"「{ind.name}」填报 {ind.actual_text}，而预算执行率 {fmt_pct_number(execution.rate)}%，"
                f"未执行部分占全年预算 {fmt_value(unspent, 2)}%：{text}；请核对",
                owner, ind, "实际完成值", nums)


def _idle_lines(
    out: Collector, rules: QualityRules, owner: Project | None, lines: list[tuple[str, Decimal | None, Decimal | None]],
) -> None:
    """A fund line with a budget and nothing spent while the other lines spend: usually money that
    never arrived or was never used, and the overall rate hides it."""
    spending = [label for label, _, executed in lines if executed is not None and executed > 0]
    if not spending:
        return
    for label, budget, executed in lines:
        if budget is not None and budget > 0 and executed == 0:
            out.add(rules, "Q-FUND-LINE-IDLE",
                    f"{label}全年预算数 {fmt_amount(budget)}，执行数为 0，而其他资金已有支出；"
                    "请说明该项资金未执行的原因",
                    owner, None, "执行数", {"全年预算数": fmt_amount(budget), "执行数": "0"})


def _totals(
    out: Collector, rules: QualityRules, owner: Project | None, stated: Stated, inds: list[Indicator],
    total: Decimal | None, total_reason: str | None, scheme: Scheme,
) -> None:
    if stated.total is not None:
        inds = leaves(inds)  # a subtotal row is not a part of the total
        parts = [ind.stated_score for ind in inds]
        basis: Decimal | None
        if stated.execution_score is not None and inds and all(s is not None for s in parts):
            basis = stated.execution_score + sum((s for s in parts if s is not None), ZERO)
            what = "各项填报得分合计"
        else:
            basis, what = total, "按实际完成值计算的总分"
        if stated.total > scheme.total:
            out.add(rules, "Q-SCORE-ABOVE-WEIGHT",
                    f"填报总分 {fmt_value(stated.total)} 分超过满分 {fmt_value(scheme.total)} 分", owner, None, "总分",
                    {"填报总分": fmt_value(stated.total), "满分": fmt_value(scheme.total)})
        elif not inds:
            out.add(rules, "Q-TOTAL-UNVERIFIED",
                    f"填报总分 {fmt_value(stated.total)} 分，但表中没有可核对的指标得分，总分无法核实；"
                    "请提供完整的绩效指标表",
                    owner, None, "总分", {"填报总分": fmt_value(stated.total)})
        elif basis is None:
            out.add(rules, "Q-TOTAL-UNVERIFIED",
                    f"填报总分 {fmt_value(stated.total)} 分，{total_reason}；补齐后再核对总分",
                    owner, None, "总分", {"填报总分": fmt_value(stated.total)})
        elif not _agrees(stated.total, basis, rules):
            out.add(rules, "Q-TOTAL-MISMATCH",
                    f"填报总分 {stated.total} 分，{what}为 {fmt_value(basis)} 分"
                    f"（按填报的精度为 {_at_precision(stated.total, basis, rules)} 分）；请核对各项得分与总分",
                    owner, None, "总分", {"填报总分": fmt_value(stated.total), what: fmt_score(basis)})
    if stated.grade is not None:
        basis = stated.total if stated.total is not None else total
        if basis is None:
            return  # neither a stated nor a computed total to grade
        expected = grade_for(basis, scheme)
        if stated.grade != expected:
            out.add(rules, "Q-GRADE-MISMATCH",
                    f"总分 {fmt_score(basis)} 分对应等级为「{expected}」，填报的是「{stated.grade}」；请按等级标准更正",
                    owner, None, "评价等级", {"总分": fmt_score(basis), "填报等级": stated.grade, "应为等级": expected})


def _overspend(out: Collector, rules: QualityRules, owner: Project | None, label: str, line: FundLine) -> None:
    if line.executed is None:
        out.add(rules, "Q-MISSING-EXECUTED",
                f"{label}未填写执行数，无法计算执行率；请填写全年执行数（没有支出的填 0）",
                owner, None, "执行数")
        return
    if line.budget is not None and line.executed > line.budget:
        out.add(rules, "Q-OVERSPEND",
                f"{label}执行数 {fmt_amount(line.executed)} 超过全年预算数 {fmt_amount(line.budget)}；"
                "请核对执行数，或先办理预算调整",
                owner, None, "执行数", {"全年预算数": fmt_amount(line.budget), "执行数": fmt_amount(line.executed)})


def _budget_cut(
    out: Collector, rules: QualityRules, p: Project | None, inds: list[Indicator],
    results: Mapping[str, IndicatorResult], initial: Decimal | None, budget: Decimal | None, flagged: bool,
) -> None:
    """A budget cut during the year (flagged, or 年初 above 全年) while every scored indicator still
    has full marks: a project, or the department's own block."""
    cut = flagged or (initial is not None and budget is not None and initial > budget)
    scored = [results[i.code] for i in inds
              if i.code in results and results[i.code].score is not None and not results[i.code].children]
    if cut and scored and all(r.score is not None and r.weight is not None and r.score >= r.weight for r in scored):
        nums = {"全年预算数": fmt_amount(budget)} if budget is not None else {}
        if initial is not None:
            nums["年初预算数"] = fmt_amount(initial)
        out.add(rules, "Q-CUT-TARGETS-CLAIMED",
                "年度中预算被调减，但原定绩效指标仍全部满分完成；请按调减后的预算同步调整指标值，或说明资金减少而产出不变的原因",
                p, None, "绩效指标", nums)


def _boilerplate(out: Collector, rules: QualityRules, owner: Project | None, field_name: str, text: str) -> None:
    body = _TRIM.sub("", normalize(text or ""))
    if text.strip() and (body in rules.boilerplate_phrases or not body):
        out.add(rules, "Q-BOILERPLATE",
                f"「{text.strip()}」是套话，没有说明实际情况；请写明具体问题、原因和可执行的改进措施",
                owner, None, field_name)


def year_end_owner(
    out: Collector, rules: QualityRules, owner: Project | None, inds: list[Indicator],
    results: list[IndicatorResult], execution: ExecutionResult, total: Decimal | None,
    total_reason: str | None, stated: Stated, explanation: str, scheme: Scheme,
) -> None:
    """The year-end checks of a project (``owner``) or of the department's own block (None), on
    its indicators, execution and total as ``jixiao.core.scoring`` computed them."""
    by_code = {r.code: r for r in results}
    _indicators(out, rules, owner, inds, by_code, scheme)
    _execution(out, rules, owner, stated, execution, explanation)
    _execution_row(out, rules, owner, inds, execution)
    _carry_over(out, rules, owner, inds, execution)
    _totals(out, rules, owner, stated, inds, total, total_reason, scheme)
    if owner is not None:
        for f in owner.funds:
            _overspend(out, rules, owner, f"资金来源「{f.fund_source}」", f)
        _idle_lines(out, rules, owner, [(f"资金来源「{f.fund_source}」", f.budget, f.executed) for f in owner.funds])
        _budget_cut(out, rules, owner, inds, by_code, owner.initial_budget, owner.budget, owner.budget_cut_midyear)
        _boilerplate(out, rules, owner, "存在的问题", owner.problems)
        _boilerplate(out, rules, owner, "改进措施", owner.measures)


def department_cut(out: Collector, rules: QualityRules, dy: DepartmentYear, results: list[IndicatorResult]) -> None:
    """The department's budget cut during the year (年初 above 全年 over its budget lines) while its
    own indicators all keep full marks."""
    lines = dy.budget_lines
    initial = None if not lines or any(b.initial is None for b in lines) else sum_known(b.initial for b in lines)
    _budget_cut(out, rules, None, dy.indicators, {r.code: r for r in results}, initial, dy.budget, False)


def year_end_department(out: Collector, rules: QualityRules, dy: DepartmentYear) -> None:
    """Checks of the department's own figures that need no score."""
    for line in dy.budget_lines:
        as_fund = FundLine(line.fund_source, line.budget, line.executed, line.initial)
        _overspend(out, rules, None, f"{line.fund_source}·{line.nature}", as_fund)
    _idle_lines(out, rules, None, [(f"{b.fund_source}·{b.nature}", b.budget, b.executed) for b in dy.budget_lines])
    _boilerplate(out, rules, None, "存在的主要问题", dy.problems)
    _boilerplate(out, rules, None, "下一步改进措施", dy.measures)
    for i, rect in enumerate(dy.rectifications, start=1):
        owner = None
        if rect.project is not None:
            owner = next((p for p in dy.projects if p.code == rect.project), None)
        _boilerplate(out, rules, owner, f"整改事项 {i} 问题", rect.problem)
        _boilerplate(out, rules, owner, f"整改事项 {i} 措施", rect.measure)


def narrative(out: Collector, rules: QualityRules, dy: DepartmentYear, result: DepartmentResult) -> None:
    """Figures typed in the narrative fields that disagree with the data or with each other
    (the same check the drafted report warns of), so that they are caught at submission."""
    actuals = {ind.name: res.actual_text or "" for ind, res in zip(dy.indicators, result.indicators, strict=False)
               if res.actual_text}
    fields = narrative_fields(dy)
    for message in narrative_figures(actuals, fields) + figures_across(fields):
        out.add(rules, "Q-NARRATIVE-FIGURE", message, None, None, "叙述中的数字")
