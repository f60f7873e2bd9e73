"""The scorecard of a department-year as JSON-ready data and as readable Chinese text.

Pure: takes a ``DepartmentResult`` from the rules engine, touches no database. Amounts are exact
Decimal strings ("1153.25"); rates are percent numbers with two decimals ("95.76"); scores have
two decimals ("96.00"). Rounding goes through ``jixiao.core.display``.

A blank (a weight or amount not filled in, a score or total that cannot be computed) is ``null``
in the JSON and "—" in the text, never 0; the text's trace lines say why a score is missing.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.core.display import DASH, fmt_amount_fixed, fmt_decimal, fmt_pct_number, fmt_rate, fmt_score
from jixiao.core.results import DepartmentResult, ExecutionResult, IndicatorResult, ProjectResult


def _amount(d: Decimal | None) -> str | None:
    """Exact value without the trailing zeros of its scale: 500.00 → "500", 1153.25 → "1153.25";
    None for a blank."""
    return None if d is None else f"{d.normalize():f}"


def _rate(budget: Decimal | None, executed: Decimal | None) -> Decimal | None:
    """executed / budget; None when a figure is blank or the budget is 0."""
    if budget is None or executed is None or not budget:
        return None
    return executed / budget


def _pct(fraction: Decimal | None) -> str | None:
    return None if fraction is None else fmt_pct_number(fraction, 2)


def _score(d: Decimal | None) -> str | None:
    return None if d is None else fmt_decimal(d, 2)


def _split(parts: dict[str, tuple[Decimal | None, Decimal | None]]) -> dict[str, dict[str, Any]]:
    return {
        name: {"budget": _amount(b), "executed": _amount(e), "execution_rate": _pct(_rate(b, e))}
        for name, (b, e) in parts.items()
    }


def _indicator(r: IndicatorResult) -> dict[str, Any]:
    return {
        "code": r.code, "level1": r.level1, "level2": r.level2, "name": r.name,
        "weight": _amount(r.weight), "score": _score(r.score),
        "actual": r.actual_text, "trace": r.trace, "flags": list(r.flags), "feed": r.feed,
    }


def _execution(e: ExecutionResult) -> dict[str, Any]:
    return {
        "execution_rate": _pct(e.rate), "execution_weight": _amount(e.weight),
        "execution_score": _score(e.score), "execution_trace": e.trace,
    }


def _project(p: ProjectResult) -> dict[str, Any]:
    return {
        "code": p.code, "name": p.name, "budget": _amount(p.budget), "executed": _amount(p.executed),
        **_execution(p.execution), "score": _score(p.total), "grade": p.grade, "trace": p.trace,
        "indicators": [_indicator(r) for r in p.indicators],
    }


def scorecard_dict(res: DepartmentResult) -> dict[str, Any]:
    return {
        "code": res.code, "name": res.name, "year": res.year, "money_unit": res.money_unit,
        "template": res.scheme, "project_template": res.project_scheme,
        "budget": _amount(res.budget), "executed": _amount(res.executed),
        **_execution(res.execution), "score": _score(res.total), "grade": res.grade,
        "trace": res.trace,
        "by_source": _split(res.by_source), "by_nature": _split(res.by_nature),
        "indicators": [_indicator(r) for r in res.indicators],
        "projects": [_project(p) for p in res.projects],
    }


def _indicator_lines(results: list[IndicatorResult], indent: str) -> list[str]:
    lines = []
    for r in results:
        head = (f"{indent}{r.code} {r.level1}／{r.level2}／{r.name}："
                f"分值 {fmt_score(r.weight)}，得分 {fmt_score(r.score)}")
        if r.actual_text is not None:
            head += f"，实际完成值 {r.actual_text}"
        lines.append(head)
        notes = [f"来自 {r.feed}"] if r.feed else []
        notes += r.flags
        if notes:
            lines.append(f"{indent}  〔{'；'.join(notes)}〕")
        lines.append(f"{indent}  {r.trace}")
    return lines


def _fixed(d: Decimal | None, unit: str) -> str:
    """An amount with its unit for the text; "—" (no unit) for a blank."""
    return DASH if d is None else f"{fmt_amount_fixed(d)} {unit}"


def _money_line(budget: Decimal | None, executed: Decimal | None, unit: str) -> str:
    return (f"全年预算数 {_fixed(budget, unit)}，执行数 {_fixed(executed, unit)}，"
            f"执行率 {fmt_rate(_rate(budget, executed), 2)}")


def _grade(grade: str | None) -> str:
    return DASH if grade is None else grade


def scorecard_text(res: DepartmentResult) -> str:
    unit = res.money_unit
    lines = [
        f"{res.name}（{res.code}）{res.year} 年度绩效自评评分",
        f"评分模板：部门整体 {res.scheme}；项目 {res.project_scheme}；金额单位：{unit}",
        "",
        "一、部门整体",
        f"  {_money_line(res.budget, res.executed, unit)}",
    ]
    for title, parts in (("按资金来源", res.by_source), ("按支出性质", res.by_nature)):
        # a line with a blank figure is shown (as "—"); one whose figures are both 0 is not
        shown = [(k, b, e) for k, (b, e) in parts.items() if b is None or e is None or b or e]
        if shown:
            lines.append(f"  {title}：")
            lines += [f"    {k}：{_money_line(b, e, unit)}" for k, b, e in shown]
    lines += [
        f"  总分 {fmt_score(res.total)} 分，等级：{_grade(res.grade)}",
        f"  计分：{res.trace}",
        f"  预算执行率得分：{res.execution.trace}",
    ]
    if res.indicators:
        lines.append("  部门整体指标：")
        lines += _indicator_lines(res.indicators, "    ")
    lines += ["", f"二、项目（{len(res.projects)} 个）"]
    for p in res.projects:
        lines += [
            "",
            f"  {p.code} {p.name}",
            f"    {_money_line(p.budget, p.executed, unit)}",
            f"    总分 {fmt_score(p.total)} 分，等级：{_grade(p.grade)}",
            f"    计分：{p.trace}",
            f"    预算执行率得分：{p.execution.trace}",
        ]
        lines += _indicator_lines(p.indicators, "    ")
    if not res.projects:
        lines.append(f"  {DASH}")
    return "\n".join(lines) + "\n"
