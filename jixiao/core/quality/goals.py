"""Goal-setting checks (目标审核): what can be judged before any actual value exists.

They run on one "owner" at a time — a project with the project scheme, or the department's
own indicators with the department scheme — so both levels get the same review.

A blank weight, target or budget is reported under its own missing-value code; every check that
does not need the blank value still runs on the same indicator.
"""
from __future__ import annotations

from collections.abc import Sequence

from jixiao.core.display import fmt_value
from jixiao.core.library import last_year_warning, weaker_figures, weaker_than_last_year
from jixiao.core.model import DepartmentYear, Indicator, Project
from jixiao.core.numbers import normalize
from jixiao.core.quality.findings import Collector, QualityFinding
from jixiao.core.quality.rules import QualityRules, load_rules
from jixiao.core.schemes import Scheme, load_scheme
from jixiao.core.scoring import SchemeChoice, choose_scheme, subtotals
from jixiao.core.targets import (
    NEGATIVE_OPS,
    Target,
    TargetError,
    indicator_target,
    target_missing,
)


def _ends_with(name: str, endings: Sequence[str], exceptions: Sequence[str]) -> bool:
    return any(name.endswith(e) for e in endings) and not any(x in name for x in exceptions)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in normalize(text))


def _check_target(out: Collector, rules: QualityRules, owner: Project | None, ind: Indicator, t: Target) -> None:
    name = normalize(ind.name)
    if t.second_quantity:
        out.add(rules, "Q-TARGET-SECOND-QUANTITY",
                f"指标值「{ind.target_text}」写了两个数值，按第一个数值计分，“{t.note}”仅作备注；"
                "一个指标值只应写一个数值，另一项要求请单列指标",
                owner, ind, "指标值", {"备注": t.note})
    if not t.quantitative:
        vague = [w for w in rules.vague_words if w in t.text]
        if vague and not _has_digit(t.text):
            out.add(rules, "Q-TARGET-VAGUE",
                    f"指标值「{ind.target_text}」含“{'”“'.join(vague)}”等描述性词语而没有数值，年底无法判断是否完成；"
                    "请改为可衡量的数值（如“≥95%”“≥10个”）或明确的完成标准",
                    owner, ind, "指标值", {"模糊词": "、".join(vague)})
        return
    if not t.percent and not t.unit:
        out.add(rules, "Q-UNIT-MISSING",
                f"指标值「{ind.target_text}」只有数字没有计量单位，请在指标值或度量单位中写明单位（如个、次、万元、%）",
                owner, ind, "度量单位")
    if not t.percent and t.unit and _ends_with(name, rules.rate_name_endings, rules.rate_name_exceptions):
        out.add(rules, "Q-UNIT-MISMATCH",
                f"指标「{ind.name}」是比率，指标值却以「{t.unit}」计；请把指标值改为百分比，或把指标名称改为数量",
                owner, ind, "度量单位", {"计量单位": t.unit})
    elif t.percent and _ends_with(name, rules.count_name_endings, rules.count_name_exceptions):
        out.add(rules, "Q-UNIT-MISMATCH",
                f"指标「{ind.name}」是数量，指标值却以百分比计；请写明数量及单位，或把指标名称改为比率",
                owner, ind, "度量单位", {"计量单位": "%"})
    if (
        ind.level2 in rules.count_level2 and t.op in NEGATIVE_OPS and not t.percent
        and (not t.unit or t.unit in rules.count_units)
    ):
        out.add(rules, "Q-UPPER-BOUND-OUTPUT",
                f"产出数量指标「{ind.name}」的指标值「{ind.target_text}」是上限（≤），做得越多反而越不达标；"
                "产出数量应设下限（≥），控制类指标请归入成本或效益指标",
                owner, ind, "指标值")
    _check_last_year(out, rules, owner, ind, t)


def _check_last_year(out: Collector, rules: QualityRules, owner: Project | None, ind: Indicator, t: Target) -> None:
    # the same comparison and message as the warning shown when the target is typed (core.library)
    weaker = weaker_than_last_year(ind.target_text, ind.unit, ind.last_year_actual)
    message = last_year_warning(ind.target_text, ind.unit, ind.last_year_actual)
    if weaker is not None and message is not None:
        out.add(rules, "Q-TARGET-BELOW-LAST-YEAR", message, owner, ind, "指标值", weaker_figures(weaker))


def _check_scheme(out: Collector, rules: QualityRules, owner: Project | None, choice: SchemeChoice) -> None:
    """The table's weights against its scheme (real-work.md §2): another shipped scheme that fits
    is named (提示); a table that fits none is scored with its own weights, and what differs from
    the declared scheme is reported — a full score split differently as Q-SCHEME-MISMATCH, a
    total that is not the full score as Q-WEIGHT-SUM, a class the scheme does not know as
    Q-LEVEL1-UNKNOWN (Q-LEVEL1-MISSING when the table has no 一级指标 at all)."""
    declared = choice.declared
    if choice.how == "inferred":
        out.add(rules, "Q-SCHEME-INFERRED",
                f"表内一级指标与分值不符合评分方案「{declared.name}」，符合「{choice.scheme.name}」，已按该方案计分",
                owner, None, "评分方案", {"适用方案": choice.scheme.ref, "默认方案": declared.ref})
        return
    if choice.how != "table":
        return
    unknown = [p for p in choice.problems if p.field == "一级指标"]
    blank_class = [p for p in unknown if "一级指标「」" in p.message]
    if blank_class:
        out.add(rules, "Q-LEVEL1-MISSING",
                f"{len(blank_class)} 项指标未填写一级指标，无法对照评分方案「{declared.name}」；已按表内分值计分",
                owner, None, "一级指标", {"未填写一级指标": str(len(blank_class))})
    for problem in unknown:
        if problem not in blank_class:
            out.add(rules, "Q-LEVEL1-UNKNOWN", f"{problem.message}；请调整", owner, None, "一级指标")
    sums = [p for p in choice.problems if p.field != "一级指标"]
    if not sums:
        return
    full = choice.scheme.total == declared.total
    if unknown:
        # the sums against the declared scheme leave the unknown classes out: judge the table's own
        if not full:
            out.add(rules, "Q-WEIGHT-SUM",
                    f"表内分值合计 {fmt_value(choice.scheme.total)} 分（含{choice.scheme.execution.name} "
                    f"{fmt_value(choice.scheme.execution.weight)} 分），应为 {fmt_value(declared.total)} 分；请调整",
                    owner, None, "分值", {"表内总分": fmt_value(choice.scheme.total)})
        return
    if full:
        split = "、".join(f"{c.level1} {fmt_value(c.weight)}" for c in choice.scheme.categories)
        if choice.scheme.execution.weight and choice.execution_row is None:
            split = f"{choice.scheme.execution.name} {fmt_value(choice.scheme.execution.weight)}、{split}"
        out.add(rules, "Q-SCHEME-MISMATCH",
                f"表内分值（{split}）合计 {fmt_value(choice.scheme.total)} 分，"
                f"但各部分与评分方案「{declared.name}」不符（{'；'.join(p.message for p in sums)}），"
                "也不符合其他已发布方案；已按表内分值计分，请确认适用的评分方案",
                owner, None, "分值", {"表内总分": fmt_value(choice.scheme.total), "默认方案": declared.ref})
        return
    for problem in sums:
        out.add(rules, "Q-WEIGHT-SUM", f"{problem.message}；请调整", owner, None, problem.field or "分值")


def _check_set(
    out: Collector, rules: QualityRules, owner: Project | None, inds: list[Indicator], choice: SchemeChoice
) -> None:
    scheme = choice.scheme
    if len(inds) < rules.min_indicators:
        out.add(rules, "Q-TOO-FEW",
                f"只设置了 {len(inds)} 个绩效指标，少于 {rules.min_indicators} 个，难以全面反映产出和效益；请补充指标",
                owner, None, "绩效指标", {"指标数": str(len(inds)), "最少": str(rules.min_indicators)})
    if not inds:
        return
    present = {scheme.class_of(ind.level1) for ind in inds}
    for cat in scheme.categories:
        if cat.level1 not in present:
            out.add(rules, "Q-CATEGORY-MISSING",
                    f"没有「{cat.level1}」类指标（评分方案「{scheme.name}」规定 {fmt_value(cat.weight)} 分）；"
                    "请补充该类指标",
                    owner, None, "一级指标", {"一级指标": cat.level1, "方案分值": fmt_value(cat.weight)})
    satisfaction_class = any(w in cat.level1 for cat in scheme.categories for w in rules.satisfaction_words)
    if not satisfaction_class and not any(
        w in f"{ind.level1}{ind.level2}{ind.name}" for ind in inds for w in rules.satisfaction_words
    ):
        out.add(rules, "Q-SATISFACTION-MISSING",
                "没有服务对象满意度指标；请增设满意度指标（如“服务对象满意度≥90%”）",
                owner, None, "绩效指标")
    first: dict[str, Indicator] = {}
    for ind in inds:
        key = normalize(ind.name).replace(" ", "")
        if key in first:
            out.add(rules, "Q-DUPLICATE",
                    f"与指标 {first[key].code} 名称相同（「{ind.name}」），重复设置会重复计分；请合并或改为不同的指标",
                    owner, ind, "三级指标", {"重复的指标": first[key].code})
        else:
            first[key] = ind
    _check_scheme(out, rules, owner, choice)


def _review_owner(
    out: Collector, rules: QualityRules, owner: Project | None, inds: list[Indicator], declared: Scheme
) -> None:
    parents = subtotals(inds)
    inds = [i for i in inds if i.code not in parents]  # a subtotal row is checked at year-end, against its rows
    choice = choose_scheme(inds, declared)
    scheme = choice.scheme
    for ind in inds:
        if ind.weight is None:
            out.add(rules, "Q-MISSING-WEIGHT",
                    f"未填写分值，该指标无法计分；请按评分方案「{scheme.name}」填写分值", owner, ind, "分值")
        hits = [n for n in rules.input_indicator_names if n in ind.name]
        if ind.level1 in rules.output_level1 and hits:
            out.add(rules, "Q-INPUT-AS-OUTPUT",
                    f"「{ind.name}」反映的是资金投入或管理过程，不是产出；请改为项目实际交付的产品或服务（数量、质量、时效、成本）",
                    owner, ind, "三级指标", {"投入类名称": hits[0]})
        if target_missing(ind.target_text):
            written = (ind.target_text or "").strip()
            shown = f"（填写的「{written}」表示没有指标值）" if written else ""
            out.add(rules, "Q-MISSING-TARGET",
                    f"未填写年度指标值{shown}，年底无法判断是否完成；请填写可衡量的指标值（如“≥95%”“≥10个”）或明确的完成标准",
                    owner, ind, "指标值")
            continue
        try:
            target = indicator_target(ind)
        except TargetError as exc:
            out.add(rules, "Q-TARGET-UNREADABLE", f"{exc}", owner, ind, "指标值")
            continue
        _check_target(out, rules, owner, ind, target)
    _check_set(out, rules, owner, inds, choice)


def _review_budget(out: Collector, dept_rules: QualityRules, proj_rules: QualityRules, dy: DepartmentYear) -> None:
    """A blank 全年预算数 leaves the execution rate, and so the total, uncomputable."""
    message = "{label}未填写全年预算数，无法计算执行率；请填写调整后的全年预算数（没有预算的填 0）"
    for line in dy.budget_lines:
        if line.budget is None:
            out.add(dept_rules, "Q-MISSING-BUDGET", message.format(label=f"{line.fund_source}·{line.nature}"),
                    None, None, "全年预算数")
    for p in dy.projects:
        for f in p.funds:
            if f.budget is None:
                out.add(proj_rules, "Q-MISSING-BUDGET", message.format(label=f"资金来源「{f.fund_source}」"),
                        p, None, "全年预算数")


def review_goals(dy: DepartmentYear, rules: QualityRules | None = None) -> list[QualityFinding]:
    """Goal-setting findings for the department's own indicators and every project.

    ``rules`` replaces the per-scheme rules for both levels (tests, what-if reviews)."""
    out = Collector()
    dept_scheme = load_scheme(dy.department_template)
    proj_scheme = load_scheme(dy.project_template)
    dept_rules = rules or load_rules(dy.department_template)
    if dy.indicators or not dy.projects:
        # a file of project tables holds no department block to review ("0 个绩效指标" would be noise)
        _review_owner(out, dept_rules, None, dy.indicators, dept_scheme)
    proj_rules = rules or load_rules(dy.project_template)
    for p in dy.projects:
        _review_owner(out, proj_rules, p, p.indicators, proj_scheme)
    _review_budget(out, dept_rules, proj_rules, dy)
    return out.findings
