"""Turning core values into what the pages show. Pure: no Django, no database."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from jixiao import features
from jixiao.core.display import DASH, fmt_amount_fixed, fmt_rate, fmt_score, fmt_value
from jixiao.core.errors import Problem
from jixiao.core.feed_labels import feed_label
from jixiao.core.model import DepartmentYear
from jixiao.core.quality import SEVERITIES, QualityFinding, department_summary
from jixiao.core.results import DepartmentResult, ProjectResult
from jixiao.core.targets import TargetError, parse_target, target_missing

_OPS = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "=": "＝"}


def target_label(text: str | None, unit: str = "") -> tuple[str, bool]:
    """How the target was understood, e.g. ("≥ 2 件", True); (reason, False) when unreadable or
    not filled in."""
    if text is None or target_missing(text):
        return "尚未填写指标值", False
    try:
        t = parse_target(text, unit)
    except TargetError as exc:
        return f"无法识别：{exc}", False
    if t.op == "qualitative":
        return f"定性：{t.text}", True
    u = t.unit or ""
    if t.op == "range" and t.value is not None and t.high is not None:
        return f"{fmt_value(t.value)}{u} ～ {fmt_value(t.high)}{u}", True
    if t.value is None:
        return f"无法识别：{t.text}", False
    return f"{_OPS[t.op]} {fmt_value(t.value)}{u}", True


def amount(d: Decimal | None) -> str:
    """An amount for tables ("1,153.25"); "—" when not filled in."""
    return DASH if d is None else fmt_amount_fixed(d)


def rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    return executed / budget if budget and executed is not None else None


def grade_counts(grades: list[str | None], order: tuple[str, ...] = ("优", "良", "中", "差")) -> dict[str, int]:
    """How many of each grade; a grade that cannot be computed (None) is not counted."""
    counts = dict.fromkeys(order, 0)
    for g in grades:
        if g is not None:
            counts[g] = counts.get(g, 0) + 1
    return counts


def feed_source(key: str) -> tuple[str, str | None]:
    """An indicator's feed as users know it, e.g. 「招商引资台账：实际利用外资」 (``core.feed_labels``,
    the same as the scoring trace), and the route name of that ledger's page (None when it has
    none), as its feature declares it (jixiao/features.py)."""
    return feed_label(key), features.feed_pages().get(key.split(".", 1)[0])


def project_rows(result: DepartmentResult, statuses: dict[str, str], url: Callable[[str], str]) -> list[dict]:
    """The department home's project table, formatted once per scored version of the year."""
    return [
        {
            "code": p.code, "name": p.name, "url": url(p.code),
            "budget": amount(p.budget), "executed": amount(p.executed),
            "rate": fmt_rate(p.execution.rate), "score": fmt_score(p.total), "grade": p.grade,
            "status": statuses.get(p.code, ""),
            "missing": sum(1 for i in p.indicators if i.score is None),
        }
        for p in result.projects
    ]


def completion_chart(p: ProjectResult, animation: bool = True) -> dict:
    """Bar chart: each indicator's score as a share of its weight (indicator completion)."""
    names = [i.name for i in p.indicators]
    shares = [
        float(fmt_value(i.score / i.weight * 100, 1)) if i.score is not None and i.weight else 0
        for i in p.indicators
    ]
    return {
        "animation": animation,
        "title": {"text": "指标完成情况（得分占分值 %）", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 20, "bottom": 90, "top": 40},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 30, "interval": 0}},
        "yAxis": {"type": "value", "max": 100},
        "series": [{"type": "bar", "name": "完成度", "data": shares}],
    }


def grade_chart(counts: dict[str, int], title: str, animation: bool = True) -> dict:
    return {
        "animation": animation,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "category", "data": list(counts)},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "name": "数量", "data": list(counts.values())}],
    }


def quality_summary(dy: DepartmentYear, findings: list[QualityFinding]) -> dict:
    """``department_summary`` laid out for the page: kinds of problem (errors first), counts per
    project, and every message grouped by kind."""
    summary = department_summary(dy, findings)
    rank = {s: n for n, s in enumerate(SEVERITIES)}
    kinds = sorted(summary["by_code"].items(), key=lambda kv: (rank.get(kv[1]["severity"], 9), -kv[1]["count"], kv[0]))
    messages: dict[str, list[dict]] = {}
    for f in findings:
        messages.setdefault(f.code, []).append({"location": f.location, "message": f.message})
    return {
        "total": summary["total"], "blocking": summary["blocking"],
        "by_severity": [(s, n) for s, n in summary["by_severity"].items()],
        "kinds": [{"code": code, **info, "messages": messages.get(code, [])} for code, info in kinds],
        "projects": [{"owner": owner, "counts": [row.get(s, 0) for s in SEVERITIES], "total": row["total"]}
                     for owner, row in summary["by_project"].items()],
        "severities": SEVERITIES,
    }


def severity_counts(findings: list[QualityFinding]) -> str:
    """「错误 2 · 警告 5」 for a table cell; "无" when nothing was found."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return " · ".join(f"{s} {n}" for s, n in counts.items() if n) or "无"


def progress_chart(budget: Decimal, monthly: dict[int, Decimal], animation: bool = True) -> dict:
    """Cumulative execution rate of project funds by month against time progress (month / 12)."""
    months = list(range(1, 13))
    running = Decimal(0)
    executed = []
    for mth in months:
        running += monthly.get(mth, Decimal(0))
        executed.append(float(fmt_value(running / budget * 100, 1)) if budget else 0)
    time_line = [float(fmt_value(Decimal(mth) / 12 * 100, 1)) for mth in months]
    return {
        "animation": animation,
        "title": {"text": "项目支出执行进度与时间进度（%）", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        # the legend at the foot: at the top it ran into the title on narrow charts
        "legend": {"bottom": 0, "data": ["执行进度", "时间进度"]},
        "grid": {"left": 40, "right": 20, "bottom": 50, "top": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{mth}月" for mth in months]},
        "yAxis": {"type": "value", "max": 100},
        "series": [
            {"type": "line", "name": "执行进度", "data": executed},
            {"type": "line", "name": "时间进度", "data": time_line, "lineStyle": {"type": "dashed"}},
        ],
    }


def problem_rows(problems: Iterable[Problem]) -> list[dict]:
    """Problems as table rows; an Excel location "自评表!F12" splits into sheet and cell."""
    rows = []
    for p in problems:
        sheet, sep, cell = p.location.rpartition("!")
        if not sep:
            sheet, cell = p.location, ""
        rows.append({"sheet": sheet, "cell": cell, "field": p.field, "message": p.message})
    return rows
