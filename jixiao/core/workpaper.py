"""The reviewer's workpaper (复核底稿): per indicator what the unit claimed and what the review
gives, the 偏离度 (completion against the self-score) and the 差值表 (自评 − 复核 per indicator
and per project). Built from a pre-check (the pack's scores) and, where the finance bureau has
recorded its own review, those scores instead. Pure."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from jixiao.core.display import fmt_rate
from jixiao.core.model import DepartmentYear
from jixiao.core.precheck import Precheck
from jixiao.core.results import DepartmentResult

_DIGITS = set("0123456789")


@dataclass(frozen=True)
class Row:
    project: str  # "" = 部门整体
    project_name: str
    code: str
    level1: str
    level2: str
    name: str
    nature: str  # 定量 / 定性
    target: str
    weight: Decimal | None
    self_actual: str
    self_score: Decimal | None
    review_actual: str
    review_score: Decimal | None
    completion: Decimal | None  # the completion ratio the scoring computed (B/A, A/B …)
    note: str  # the pack's reasons, or the reviewer's comment

    @property
    def difference(self) -> Decimal | None:
        if self.self_score is None or self.review_score is None:
            return None
        return self.self_score - self.review_score

    @property
    def self_rate(self) -> Decimal | None:
        """自评得分率 (self-score ÷ 分值), to set beside the completion in the 偏离度 sheet."""
        if self.self_score is None or not self.weight:
            return None
        return self.self_score / self.weight

    @property
    def deviation(self) -> Decimal | None:
        """偏离度: 自评得分率 − 目标完成率 (capped at 100 %); positive when the unit scored itself
        higher than its completion supports."""
        if self.self_rate is None or self.completion is None:
            return None
        return self.self_rate - min(self.completion, Decimal(1))


@dataclass(frozen=True)
class Workpaper:
    department: str
    year: int
    pack: str
    rows: list[Row]

    def by_project(self) -> list[tuple[str, str, Decimal, Decimal]]:
        """(project code, name, 自评合计, 复核合计) in the order of the rows."""
        out: dict[str, list] = {}
        for r in self.rows:
            entry = out.setdefault(r.project, [r.project_name, Decimal(0), Decimal(0)])
            entry[1] += r.self_score or 0
            entry[2] += r.review_score or 0
        return [(code, name, own, review) for code, (name, own, review) in out.items()]


def build(dy: DepartmentYear, result: DepartmentResult, precheck: Precheck,
          reviewed: Mapping[tuple[str, str], tuple[Decimal, str]] | None = None) -> Workpaper:
    """``reviewed``: the finance bureau's own scores and comments per (project, indicator), which
    take precedence over the pack's."""
    reviewed = reviewed or {}
    names = {p.code: p.name for p in dy.projects}
    indicators = {(p.code, i.code): i for p in dy.projects for i in p.indicators}
    indicators.update({("", i.code): i for i in dy.indicators})
    results = {(p.code, r.code): r for p in result.projects for r in p.indicators}
    results.update({("", r.code): r for r in result.indicators})
    reasons: dict[tuple[str, str], list[str]] = {}
    for f in precheck.findings:
        if f.indicator:
            reasons.setdefault((f.project, f.indicator), []).append(f"{f.code}：{f.message}")
    rows = []
    executions = {p.code: p.execution for p in result.projects}
    for r in precheck.indicators:
        key = (r.project, r.code)
        ind, res = indicators.get(key), results.get(key)
        if ind is None:  # the execution row: the rate computed from the amounts
            ex = executions.get(r.project)
            rate = fmt_rate(ex.rate) if ex is not None and ex.rate is not None else ""
            rows.append(Row(r.project, names.get(r.project, "部门整体"), r.code, r.level1, r.level2, r.name, "定量",
                            "100%", r.weight, rate, r.self_score, rate,
                            reviewed.get(key, (r.review_score, ""))[0], ex.rate if ex else None, ""))
            continue
        target = ind.target_text or ""
        actual = (res.actual_text if res and res.actual_text else ind.actual_text) or ""
        score, note = reviewed.get(key, (r.review_score, "；".join(reasons.get(key, []))))
        rows.append(Row(r.project, names.get(r.project, "部门整体"), r.code, r.level1, r.level2, r.name,
                        "定量" if _DIGITS & set(target) else "定性", target, r.weight, actual, r.self_score,
                        actual, score, res.ratio if res else None, note))
    return Workpaper(dy.department.code, dy.year, precheck.pack.label, rows)
