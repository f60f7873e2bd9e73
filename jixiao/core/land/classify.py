"""Classifying parcels — 闲置 (《闲置土地处置办法》) before 低效, else 正常, with a Chinese
explanation naming the rule set — and grading land users by 亩均效益."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from jixiao.core.display import fmt_rate, fmt_value
from jixiao.core.land.records import Parcel, m2_to_mu
from jixiao.core.land.rules import RuleSet


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired on a parcel, with the numbers in Chinese."""

    code: str
    type: str
    message: str


@dataclass
class Classification:
    parcel_id: str
    status: str  # final status: the manual override when given, else the computed one
    computed_status: str
    findings: list[RuleHit]
    explanation: str
    rule_id: str
    rule_version: int
    metrics: dict[str, Decimal | None]
    government_delay: bool = False  # idle conditions met, but the delay is not the owner's
    proposal: str = ""  # 处置建议 for idle land
    idle_years: Decimal | None = None

    @property
    def types(self) -> list[str]:
        seen: list[str] = []
        for f in self.findings:
            if f.type not in seen:
                seen.append(f.type)
        return seen


def add_years(d: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February falls back to the 28th."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _years_between(start: date, end: date) -> Decimal:
    return Decimal((end - start).days) / Decimal("365")


def metrics(p: Parcel) -> dict[str, Decimal | None]:
    """Per-parcel derived figures; ``None`` where a figure is missing or the area is zero."""
    area = p.site_area_m2
    mu = m2_to_mu(area) if area > 0 else None

    def per_mu(v: Decimal | None) -> Decimal | None:
        return None if v is None or mu is None else v / mu

    return {
        "site_area_mu": mu,
        "tax_per_mu": per_mu(p.tax),
        "tax_per_mu_prev": per_mu(p.tax_prev),
        "output_per_mu": per_mu(p.output),
        "output_per_mu_prev": per_mu(p.output_prev),
        "far": p.floor_area_m2 / area if area > 0 else None,
        "coverage": p.footprint_m2 / area if area > 0 else None,
        "invest_intensity_per_mu": per_mu(p.fixed_asset_investment),
    }


def _fmt_metric(metric: str, value: Decimal, unit: str) -> str:
    if metric == "coverage":
        return fmt_rate(value, 1)
    return f"{fmt_value(value, 2)}{(' ' + unit) if unit else ''}"


def _idle(p: Parcel, rs: RuleSet, as_of: date) -> tuple[str, date] | None:
    """The idle-land test of 《闲置土地处置办法》; returns (reason text, date the idle time is
    counted from) or None."""
    rule = rs.idle
    if p.construction_status == "未动工" and p.agreed_start_date is not None:
        deadline = add_years(p.agreed_start_date, rule.not_started_years)
        # "超过约定动工日期满一年": on the anniversary itself the parcel is not yet idle
        if as_of > deadline:
            return (f"约定动工日期 {p.agreed_start_date.isoformat()}，截至 {as_of.isoformat()} 仍未动工，"
                    f"超过{rule.not_started_years}年", p.agreed_start_date)
        return None
    if p.construction_status == "停建" and p.suspension_start_date is not None:
        if as_of < add_years(p.suspension_start_date, rule.suspension_years):
            return None
        reasons = []
        if p.planned_floor_area_m2 and p.planned_floor_area_m2 > 0:
            ratio = Fraction(p.floor_area_m2) / Fraction(p.planned_floor_area_m2)
            if ratio < rule.built_floor_ratio_min:
                reasons.append(f"已建面积占应开发建设总面积 "
                               f"{fmt_rate(Decimal(ratio.numerator) / ratio.denominator, 1)}，"
                               f"不足{rule.built_floor_ratio_min}")
        if p.total_investment_agreed and p.total_investment_agreed > 0 and p.invested_to_date is not None:
            ratio = Fraction(p.invested_to_date) / Fraction(p.total_investment_agreed)
            if ratio < rule.investment_ratio_min:
                minimum = rule.investment_ratio_min
                reasons.append(f"已投资额占总投资 {fmt_rate(Decimal(ratio.numerator) / ratio.denominator, 1)}，"
                               f"不足{fmt_rate(Decimal(minimum.numerator) / minimum.denominator, 0)}")
        if not reasons:
            return None
        return (f"{'，'.join(reasons)}，自 {p.suspension_start_date.isoformat()} 停建已满{rule.suspension_years}年",
                p.suspension_start_date)
    return None


def _low_efficiency(p: Parcel, rs: RuleSet, m: Mapping[str, Decimal | None]) -> list[RuleHit]:
    findings: list[RuleHit] = []
    if p.construction_status in rs.evaluated_statuses:
        for r in rs.metric_rules:
            if p.current_use not in r.uses:
                continue
            value = m.get(r.metric)
            if value is None or not value < r.below:
                continue
            text = (f"{r.label} {_fmt_metric(r.metric, value, r.unit)}，"
                    f"低于阈值 {_fmt_metric(r.metric, r.below, r.unit)}")
            if r.consecutive_years >= 2:
                prev = m.get(f"{r.metric}_prev")
                if prev is None or not prev < r.below:
                    continue
                text = (f"{r.label}连续两年低于阈值 {_fmt_metric(r.metric, r.below, r.unit)}"
                        f"（上年 {_fmt_metric(r.metric, prev, r.unit)}，本年 {_fmt_metric(r.metric, value, r.unit)}）")
            findings.append(RuleHit(r.code, r.type, text))
    if p.production_status in rs.stop_statuses:
        findings.append(RuleHit(rs.stop_code, rs.stop_type, f"企业{p.production_status}"))
    if p.non_compliant.strip():
        findings.append(RuleHit(rs.comply_code, rs.comply_type, p.non_compliant.strip()))
    approved, current = rs.use_groups.get(p.approved_use), rs.use_groups.get(p.current_use)
    if approved and current and approved != current:
        findings.append(RuleHit(rs.use_code, rs.use_type,
                                f"批准用途 {p.approved_use}（{approved}），现状用途 {p.current_use}（{current}），"
                                "用途不符"))
    return findings


def classify(p: Parcel, rs: RuleSet, as_of: date | None = None) -> Classification:
    """Classify one parcel: 闲置 takes precedence over 低效, else 正常. ``as_of`` defaults to the
    end of the survey year."""
    as_of = as_of or date(p.survey_year, 12, 31)
    m = metrics(p)
    findings: list[RuleHit] = []
    computed = "正常"
    government_delay = False
    proposal = ""
    idle_years: Decimal | None = None
    idle = _idle(p, rs, as_of)
    if idle is not None:
        text, since = idle
        idle_years = _years_between(since, as_of)
        cause = p.delay_cause or "企业原因"
        if cause in rs.idle.owner_causes:
            computed = "闲置"
            if as_of >= add_years(since, rs.idle.recovery_after_years):
                proposal = f"闲置满{rs.idle.recovery_after_years}年，建议依法无偿收回"
            else:
                proposal = (f"闲置满{rs.idle.fee_after_years}年，"
                            f"建议按出让价款的{fmt_rate(rs.idle.fee_rate, 0)}征缴土地闲置费")
            note = "" if p.delay_cause else "（未记录延迟原因，按企业原因认定）"
            findings.append(RuleHit("IDLE", "闲置", f"{text}{note}"))
        else:
            government_delay = True
            findings.append(RuleHit("IDLE-GOV", "政府原因延迟",
                                    f"{text}，但延迟原因为{cause}，单独记录，不认定为企业闲置"))
    if computed != "闲置":
        low = _low_efficiency(p, rs, m)
        if low:
            computed = "低效"
            findings.extend(low)
    status = p.status_override or computed
    parts = [f.message for f in findings] or ["未触发闲置或低效识别规则"]
    explanation = "；".join(parts)
    if proposal:
        explanation += f"；{proposal}"
    if p.status_override and p.status_override != computed:
        explanation += f"；人工认定为{p.status_override}（按规则为{computed}）：{p.override_reason}"
    explanation += f"（{rs.label}）"
    return Classification(
        parcel_id=p.parcel_id, status=status, computed_status=computed, findings=findings,
        explanation=explanation, rule_id=rs.id, rule_version=rs.version, metrics=m,
        government_delay=government_delay, proposal=proposal, idle_years=idle_years,
    )


def classify_all(parcels: Iterable[Parcel], rs: RuleSet) -> list[Classification]:
    return [classify(p, rs) for p in parcels]


# ---------------------------------------------------------------- 亩均 grading

@dataclass(frozen=True)
class Grade:
    user: str  # 现状土地使用人
    uscc: str
    grade: str
    value: Decimal | None  # the grading metric over all the user's graded parcels
    rank: int | None
    of: int
    explanation: str


def grade_users(parcels: Iterable[Parcel], rs: RuleSet) -> list[Grade]:
    """亩均效益 grade per land user (a user on several parcels is counted once, over the sum of
    its parcels). Parcels not in a graded status are listed as 不参评."""
    g = rs.grading
    sums: dict[str, list[Any]] = {}
    ungraded: dict[str, str] = {}
    for p in parcels:
        key = p.actual_user_uscc or p.owner_uscc or p.actual_user or p.owner
        name = p.actual_user or p.owner
        if p.construction_status not in g.graded_statuses or p.site_area_m2 <= 0:
            ungraded.setdefault(key, name)
            continue
        value = p.tax if g.metric == "tax_per_mu" else p.output
        entry = sums.setdefault(key, [name, Decimal("0"), Decimal("0"), True])
        entry[1] += value or Decimal("0")
        entry[2] += m2_to_mu(p.site_area_m2)
        entry[3] = entry[3] and value is not None
    scored = sorted(((k, v[0], v[1] / v[2]) for k, v in sums.items() if v[3]), key=lambda t: (-t[2], t[0]))
    n = len(scored)
    out: list[Grade] = []
    first_rank: dict[Decimal, int] = {}
    for i, (key, name, value) in enumerate(scored, start=1):
        rank = first_rank.setdefault(value, i)  # ties share the better rank
        if g.method == "rank":
            position = Decimal(rank) / Decimal(n) * 100
            idx = next((j for j, cut in enumerate(g.rank_percentiles) if position <= cut), len(g.rank_percentiles))
            why = f"{g.label} {fmt_value(value, 2)} 万元/亩，排名 {rank}/{n}（前 {fmt_value(position, 1)}%）"
        else:
            idx = next((j for j, cut in enumerate(g.thresholds) if value >= cut), len(g.thresholds))
            why = f"{g.label} {fmt_value(value, 2)} 万元/亩"
        out.append(Grade(name, key, g.grades[idx], value, rank, n, f"{why}，评为{g.grades[idx]}级（{rs.label}）"))
    for key, name in ungraded.items():
        if key not in sums:
            out.append(Grade(name, key, g.ungraded_label, None, None, n, f"未投产，{g.ungraded_label}（{rs.label}）"))
    return out


def result_fields(c: Classification) -> dict[str, Any]:
    """A classification as the values stored on its parcel (the ledger's derived fields)."""
    return {
        "status": c.status, "computed_status": c.computed_status,
        "findings": [{"code": f.code, "type": f.type, "message": f.message} for f in c.findings],
        "explanation": c.explanation, "government_delay": c.government_delay, "proposal": c.proposal,
        "rule_id": c.rule_id, "rule_version": c.rule_version,
    }


def from_result_fields(parcel: Parcel, values: Mapping[str, Any]) -> Classification:
    """The classification stored on a parcel (``result_fields`` read back)."""
    return Classification(
        parcel_id=parcel.parcel_id, status=values["status"], computed_status=values["computed_status"],
        findings=[RuleHit(**f) for f in values["findings"]], explanation=values["explanation"],
        rule_id=values["rule_id"], rule_version=values["rule_version"] or 0, metrics=metrics(parcel),
        government_delay=values["government_delay"], proposal=values["proposal"],
    )
