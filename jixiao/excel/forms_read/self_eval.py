"""项目支出绩效自评表: the project blocks plus 实际完成情况, the explanations, and the figures the
unit states (执行率, 得分, 总分, 等级). The scores are computed from the indicators; a stated figure
is kept only where it differs, with a warning."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.core import model
from jixiao.core.display import fmt_decimal
from jixiao.core.errors import Problem
from jixiao.core.schemes import Scheme
from jixiao.core.scoring import ScoringError, score_project
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank
from jixiao.excel.forms_read.sheet import (
    FormSheet,
    IndicatorRow,
    read_footer,
    read_project_sheet,
    read_scheme,
    read_texts,
)


def read_self_eval(fs: FormSheet, money_unit: str) -> model.Project:
    sheet = read_project_sheet(fs, "self-eval", money_unit)
    p = sheet.project
    p.goal_actual = sheet.goal_second
    for attr, value in read_texts(fs, sheet.head, L.PROJECT_TEXT_FIELDS).items():
        setattr(p, attr, value)
    total_score, grade = read_footer(fs, sheet.head, (L.TOTAL_LABEL, L.GRADE_LABEL))
    rate_v, rate_at = sheet.funds.cell("执行率")
    score_v, score_at = sheet.funds.cell("得分")
    p.stated = model.Stated(execution_rate=_stated_rate(fs, rate_v, rate_at),
                            execution_score=fs.decimal(score_v, score_at, "得分") if score_at else None,
                            total=total_score, grade=grade)
    _, scheme = read_scheme(fs, "central-2020")
    if scheme is not None and not fs.problems:
        _check_stated(fs, p, scheme, sheet.rows, score_at)
    return p


def _stated_rate(fs: FormSheet, value: Any, where: str) -> Decimal | None:
    """执行率 as percent: "89.3%" or 89.3 as written, or the fraction 0.893 of a percent-formatted cell."""
    if is_blank(value):
        return None
    number = fs.decimal(value, where, "执行率")
    if number is None:
        return None
    return number * 100 if isinstance(value, float) and number <= Decimal("1.5") else number


def _compare(fs: FormSheet, what: str, stated: Decimal | None, computed: Decimal | None, where: str) -> Decimal | None:
    """Keep a stated figure only when it differs from the computed one, and warn about it."""
    if stated is None or computed is None:
        return stated
    if Decimal(fmt_decimal(stated, 2)) == Decimal(fmt_decimal(computed, 2)):
        return None
    fs.warnings.append(Problem(where, f"表中填写的{what}为 {fmt_decimal(stated, 2)}，"
                                      f"系统按评分规则计算为 {fmt_decimal(computed, 2)}；"
                                      "已按系统计算结果评分，填写值作为“自评值”保留", what))
    return stated


def _check_stated(fs: FormSheet, p: model.Project, scheme: Scheme, rows: list[IndicatorRow], score_at: str) -> None:
    try:
        result = score_project(p, scheme)
    except ScoringError as exc:
        fs.problems.append(Problem(fs.grid.name, f"无法评分：{exc}"))
        return
    by_code = {r.code: r for r in result.indicators}
    for ir, ind in zip(rows, p.indicators, strict=True):
        computed = by_code[ind.code].score if ind.code in by_code else None
        ind.stated_score = _compare(fs, f"指标「{ind.name}」得分", ind.stated_score, computed,
                                    ir.cells.get("score", ""))
    st = p.stated
    st.execution_score = _compare(fs, "执行率得分", st.execution_score, result.execution.score, score_at)
    rate = result.execution.rate * 100 if result.execution.rate is not None else None
    st.execution_rate = _compare(fs, "执行率（%）", st.execution_rate, rate, score_at)
    st.total = _compare(fs, "总分", st.total, result.total, fs.grid.name)
    if st.grade is not None and st.grade == result.grade:
        st.grade = None
    elif st.grade is not None:
        fs.warnings.append(Problem(fs.grid.name, f"表中填写的等级为「{st.grade}」，系统计算为「{result.grade}」",
                                   "等级"))
