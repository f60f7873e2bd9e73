"""The land-use survey ledger (土地使用状况一本帐): parcels, area units, the idle / low-efficiency
classification and the ledger aggregates. Pure functions over dataclasses — no Django here.

Areas are stored in m² and converted for display (1 公顷 = 15 亩 = 10000 m²). Money is 万元.
Every threshold comes from a dated, versioned rule set under ``jixiao/rules/land/``; a
classification names the rule set and version it used, so a year's figures stay reproducible
after the rules change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterable, Mapping

from jixiao.core.display import fmt_rate, fmt_value
from jixiao.core.errors import InputError
from jixiao.core.ledger import (
    RuleReader, RuleSetHeader, count_samples, load_rule_files, newest_in_force, pinned_rule_set,
)

RULES_DIR = Path(__file__).resolve().parent.parent / "rules" / "land"

M2_PER_HA = Decimal(10000)
MU_PER_HA = Decimal(15)

LAND_SOURCES: tuple[str, ...] = ("出让", "划拨", "集体", "其他")
RIGHT_TYPES: tuple[str, ...] = ("国有", "集体")
CONSTRUCTION_STATUSES: tuple[str, ...] = ("未动工", "在建", "停建", "竣工", "投产")
PRODUCTION_STATUSES: tuple[str, ...] = ("", "正常", "半停产", "停产")
DELAY_CAUSES: tuple[str, ...] = ("", "企业原因", "政府原因", "不可抗力")
LAND_STATUSES: tuple[str, ...] = ("正常", "低效", "闲置")
DISPOSAL_STRATEGIES: tuple[str, ...] = (
    "收储", "二次开发", "转型升级", "协议置换", "协议收回", "合作改造", "腾退", "征缴闲置费", "无偿收回",
)
DISPOSAL_STATUSES: tuple[str, ...] = ("未启动", "洽谈中", "实施中", "已完成")
NOT_IMPLEMENTED_REASONS: tuple[str, ...] = ("", "未到计划时序", "企业原因", "政府原因")


# ---------------------------------------------------------------- area units

def m2_to_ha(m2: Decimal) -> Decimal:
    return m2 / M2_PER_HA


def m2_to_mu(m2: Decimal) -> Decimal:
    # 15 亩 per 10000 m² exactly; dividing by 666.67 would drift on a 190-parcel sum
    return m2 * MU_PER_HA / M2_PER_HA


def ha_to_m2(ha: Decimal) -> Decimal:
    return ha * M2_PER_HA


def mu_to_m2(mu: Decimal) -> Decimal:
    return mu * M2_PER_HA / MU_PER_HA


# ---------------------------------------------------------------- the ledger rows

@dataclass
class Parcel:
    """One surveyed parcel (宗地) in one survey year. Money in 万元, areas in m²."""

    parcel_id: str  # 宗地编号
    survey_year: int
    street: str  # 所在街道
    location: str  # 坐落
    site_area_m2: Decimal  # 用地面积
    owner: str  # 土地使用权人
    owner_uscc: str = ""
    actual_user: str = ""  # 现状土地使用人
    actual_user_uscc: str = ""
    title_cert_no: str = ""  # 不动产权证号
    land_source: str = "出让"
    right_type: str = "国有"
    contract_no: str = ""
    contract_date: date | None = None
    agreed_start_date: date | None = None  # 约定动工日期
    agreed_completion_date: date | None = None
    approved_use: str = ""  # 批准用途代码, e.g. M1
    current_use: str = ""  # 现状用途代码
    planned_use: str = ""  # 规划用途代码
    industry_code: str = ""  # GB/T 4754-2017
    floor_area_m2: Decimal = Decimal("0")  # 已建建筑面积
    footprint_m2: Decimal = Decimal("0")  # 基底面积（含构筑物、堆场）
    planned_floor_area_m2: Decimal | None = None  # 应开发建设总面积（不含绿地）
    contract_far: Decimal | None = None
    total_investment_agreed: Decimal | None = None  # 约定总投资，不含地价和税费
    invested_to_date: Decimal | None = None  # 已投资额，不含地价和税费
    construction_status: str = "投产"
    suspension_start_date: date | None = None  # 停建起始日期
    production_status: str = ""  # 正常 / 半停产 / 停产
    fixed_asset_investment: Decimal | None = None
    output: Decimal | None = None  # 当年产值
    output_prev: Decimal | None = None
    tax: Decimal | None = None  # 当年入库税金
    tax_prev: Decimal | None = None
    employment: int | None = None
    delay_cause: str = ""  # 未按期动工或停建的原因
    non_compliant: str = ""  # 不符合产业政策或安全环保要求的情况说明；空 = 符合
    status_override: str = ""  # 人工认定的利用状态
    override_reason: str = ""
    enterprises: list[str] = field(default_factory=list)  # 宗地上经营企业的统一社会信用代码
    geometry: dict | None = None  # GeoJSON geometry (CGCS2000 经纬度)
    note: str = ""
    origin: str = "录入"

    @property
    def site_area_ha(self) -> Decimal:
        return m2_to_ha(self.site_area_m2)

    @property
    def site_area_mu(self) -> Decimal:
        return m2_to_mu(self.site_area_m2)


@dataclass
class Disposal:
    """Disposal of one parcel (处置跟踪). ``area_m2`` is the area being disposed of."""

    parcel_id: str
    strategy: str  # one of DISPOSAL_STRATEGIES
    status: str = "未启动"  # one of DISPOSAL_STATUSES
    partner: str = ""  # e.g. 区属国企
    partner_is_soe: bool = False
    start_date: date | None = None
    finish_date: date | None = None
    area_m2: Decimal = Decimal("0")
    disposed_m2: Decimal = Decimal("0")
    not_implemented_reason: str = ""
    note: str = ""
    origin: str = "录入"

    @property
    def remaining_m2(self) -> Decimal:
        return self.area_m2 - self.disposed_m2


@dataclass
class Ledger:
    """One department's ledger for one survey year."""

    department: str
    year: int
    parcels: list[Parcel] = field(default_factory=list)
    disposals: list[Disposal] = field(default_factory=list)
    origin: str = "录入"


# ---------------------------------------------------------------- rule sets

@dataclass(frozen=True)
class IdleRule:
    not_started_years: int
    built_floor_ratio_min: Fraction
    investment_ratio_min: Fraction
    suspension_years: int
    owner_causes: tuple[str, ...]
    fee_after_years: int
    fee_rate: Decimal
    recovery_after_years: int


@dataclass(frozen=True)
class MetricRule:
    code: str
    type: str
    metric: str  # tax_per_mu / output_per_mu / far / coverage
    label: str
    unit: str
    below: Decimal
    consecutive_years: int
    uses: tuple[str, ...]


@dataclass(frozen=True)
class Grading:
    method: str  # "rank" or "thresholds"
    metric: str
    label: str
    rank_percentiles: tuple[Decimal, ...]
    thresholds: tuple[Decimal, ...]
    grades: tuple[str, ...]
    graded_statuses: tuple[str, ...]
    ungraded_label: str


@dataclass(frozen=True)
class RuleSet(RuleSetHeader):
    idle: IdleRule
    evaluated_statuses: tuple[str, ...]
    metric_rules: tuple[MetricRule, ...]
    stop_code: str
    stop_type: str
    stop_statuses: tuple[str, ...]
    comply_code: str
    comply_type: str
    use_code: str
    use_type: str
    use_groups: Mapping[str, str]  # use code → group name
    grading: Grading


METRICS = ("tax_per_mu", "output_per_mu", "far", "coverage")


def _rule_set(data: Mapping[str, Any], source: str) -> RuleSet:
    """Build a RuleSet from its JSON; every missing or malformed entry is reported."""
    r = RuleReader(data, source)
    get = r.get

    def frac(obj: Any, key: str, path: str) -> Fraction:
        raw = get(obj, key, path)
        try:
            return Fraction(str(raw))
        except (ValueError, ZeroDivisionError):
            r.problem(f"{path}.{key}", f"“{raw}”不是比例（如 1/3 或 0.25）")
            return Fraction(0)

    header = r.header()
    idle_raw = get(data, "idle", "$") or {}
    low = get(data, "low_efficiency", "$") or {}
    grading_raw = get(data, "grading", "$") or {}
    rules = []
    for i, m in enumerate(get(low, "rules", "$.low_efficiency") or []):
        path = f"$.low_efficiency.rules[{i}]"
        metric = get(m, "metric", path)
        if metric is not None and metric not in METRICS:
            r.problem(f"{path}.metric", f"指标“{metric}”不受支持，可用：{'、'.join(METRICS)}")
        rules.append(MetricRule(
            code=str(get(m, "code", path)), type=str(get(m, "type", path)), metric=str(metric),
            label=str(get(m, "label", path)), unit=str(m.get("unit", "")),
            below=r.dec(get(m, "below", path), f"{path}.below"),
            consecutive_years=int(m.get("consecutive_years", 1)), uses=tuple(get(m, "uses", path) or ()),
        ))
    stop = get(low, "stopped_production", "$.low_efficiency") or {}
    comply = get(low, "non_compliant", "$.low_efficiency") or {}
    mismatch = get(low, "use_mismatch", "$.low_efficiency") or {}
    groups = {code: name for name, codes in (get(mismatch, "groups", "$.low_efficiency.use_mismatch") or {}).items()
              for code in codes}
    method = get(grading_raw, "method", "$.grading")
    if method not in ("rank", "thresholds", None):
        r.problem("$.grading.method", "评级方法应为 rank（按排名百分位）或 thresholds（按阈值）")
    percentiles = tuple(Decimal(str(x)) for x in grading_raw.get("rank_percentiles") or ())
    thresholds = tuple(Decimal(str(x)) for x in grading_raw.get("thresholds") or ())
    grades = tuple(get(grading_raw, "grades", "$.grading") or ())
    needed = percentiles if method == "rank" else thresholds
    if grades and len(needed) != len(grades) - 1:
        r.problem("$.grading", f"{len(grades)}个等级需要{len(grades) - 1}个分界值")
    idle = IdleRule(
        not_started_years=int(get(idle_raw, "not_started_years", "$.idle") or 0),
        built_floor_ratio_min=frac(idle_raw, "built_floor_ratio_min", "$.idle"),
        investment_ratio_min=frac(idle_raw, "investment_ratio_min", "$.idle"),
        suspension_years=int(get(idle_raw, "suspension_years", "$.idle") or 0),
        owner_causes=tuple(get(idle_raw, "owner_causes", "$.idle") or ()),
        fee_after_years=int(get(idle_raw, "fee_after_years", "$.idle") or 0),
        fee_rate=r.dec(get(idle_raw, "fee_rate", "$.idle"), "$.idle.fee_rate"),
        recovery_after_years=int(get(idle_raw, "recovery_after_years", "$.idle") or 0),
    )
    return r.done(RuleSet(
        **header, idle=idle,
        evaluated_statuses=tuple(get(low, "evaluated_statuses", "$.low_efficiency") or ()),
        metric_rules=tuple(rules),
        stop_code=str(get(stop, "code", "$.low_efficiency.stopped_production")),
        stop_type=str(get(stop, "type", "$.low_efficiency.stopped_production")),
        stop_statuses=tuple(get(stop, "statuses", "$.low_efficiency.stopped_production") or ()),
        comply_code=str(get(comply, "code", "$.low_efficiency.non_compliant")),
        comply_type=str(get(comply, "type", "$.low_efficiency.non_compliant")),
        use_code=str(get(mismatch, "code", "$.low_efficiency.use_mismatch")),
        use_type=str(get(mismatch, "type", "$.low_efficiency.use_mismatch")),
        use_groups=groups,
        grading=Grading(
            method=str(method), metric=str(get(grading_raw, "metric", "$.grading")),
            label=str(grading_raw.get("label", "")), rank_percentiles=percentiles, thresholds=thresholds,
            grades=grades, graded_statuses=tuple(grading_raw.get("graded_statuses") or ()),
            ungraded_label=str(grading_raw.get("ungraded_label", "不参评")),
        ),
    ))


def parse_rule_set(data: Mapping[str, Any], source: str = "规则") -> RuleSet:
    return _rule_set(data, source)


def load_rule_sets(directory: Path = RULES_DIR) -> list[RuleSet]:
    """Every rule set file in ``directory``, oldest first."""
    return load_rule_files(directory, _rule_set)


def select_rule_set(sets: Iterable[RuleSet], year: int, pinned: tuple[str, int] | None = None) -> RuleSet:
    """The rule set for a survey year: the pinned (id, version) a year was first classified with,
    otherwise the newest version in force at the year's end. Pinning is what keeps a past year's
    figures unchanged when a new rule version is added."""
    if pinned is not None:
        return pinned_rule_set(sets, pinned, "识别规则", "认定")
    return newest_in_force(sets, year, "土地识别规则", "land")


def rule_set_by_id(sets: Iterable[RuleSet], rule_id: str, version: int | None = None) -> RuleSet:
    matching = [rs for rs in sets if rs.id == rule_id and (version is None or rs.version == version)]
    if not matching:
        raise InputError(f"找不到识别规则“{rule_id}”" + (f" v{version}" if version else ""), "规则")
    return max(matching, key=lambda rs: rs.version)


# ---------------------------------------------------------------- classification

@dataclass(frozen=True)
class Finding:
    """One rule that fired on a parcel, with the numbers in Chinese."""

    code: str
    type: str
    message: str


@dataclass
class Classification:
    parcel_id: str
    status: str  # final status: the manual override when given, else the computed one
    computed_status: str
    findings: list[Finding]
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
                reasons.append(f"已建面积占应开发建设总面积 {fmt_rate(Decimal(ratio.numerator) / ratio.denominator, 1)}，"
                               f"不足{rule.built_floor_ratio_min}")
        if p.total_investment_agreed and p.total_investment_agreed > 0 and p.invested_to_date is not None:
            ratio = Fraction(p.invested_to_date) / Fraction(p.total_investment_agreed)
            if ratio < rule.investment_ratio_min:
                reasons.append(f"已投资额占总投资 {fmt_rate(Decimal(ratio.numerator) / ratio.denominator, 1)}，"
                               f"不足{fmt_rate(Decimal(rule.investment_ratio_min.numerator) / rule.investment_ratio_min.denominator, 0)}")
        if not reasons:
            return None
        return (f"{'，'.join(reasons)}，自 {p.suspension_start_date.isoformat()} 停建已满{rule.suspension_years}年",
                p.suspension_start_date)
    return None


def _low_efficiency(p: Parcel, rs: RuleSet, m: Mapping[str, Decimal | None]) -> list[Finding]:
    findings: list[Finding] = []
    if p.construction_status in rs.evaluated_statuses:
        for r in rs.metric_rules:
            if p.current_use not in r.uses:
                continue
            value = m.get(r.metric)
            if value is None or not value < r.below:
                continue
            text = f"{r.label} {_fmt_metric(r.metric, value, r.unit)}，低于阈值 {_fmt_metric(r.metric, r.below, r.unit)}"
            if r.consecutive_years >= 2:
                prev = m.get(f"{r.metric}_prev")
                if prev is None or not prev < r.below:
                    continue
                text = (f"{r.label}连续两年低于阈值 {_fmt_metric(r.metric, r.below, r.unit)}"
                        f"（上年 {_fmt_metric(r.metric, prev, r.unit)}，本年 {_fmt_metric(r.metric, value, r.unit)}）")
            findings.append(Finding(r.code, r.type, text))
    if p.production_status in rs.stop_statuses:
        findings.append(Finding(rs.stop_code, rs.stop_type, f"企业{p.production_status}"))
    if p.non_compliant.strip():
        findings.append(Finding(rs.comply_code, rs.comply_type, p.non_compliant.strip()))
    approved, current = rs.use_groups.get(p.approved_use), rs.use_groups.get(p.current_use)
    if approved and current and approved != current:
        findings.append(Finding(rs.use_code, rs.use_type,
                                f"批准用途 {p.approved_use}（{approved}），现状用途 {p.current_use}（{current}），用途不符"))
    return findings


def classify(p: Parcel, rs: RuleSet, as_of: date | None = None) -> Classification:
    """Classify one parcel: 闲置 takes precedence over 低效, else 正常. ``as_of`` defaults to the
    end of the survey year."""
    as_of = as_of or date(p.survey_year, 12, 31)
    m = metrics(p)
    findings: list[Finding] = []
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
                proposal = f"闲置满{rs.idle.fee_after_years}年，建议按出让价款的{fmt_rate(rs.idle.fee_rate, 0)}征缴土地闲置费"
            note = "" if p.delay_cause else "（未记录延迟原因，按企业原因认定）"
            findings.append(Finding("IDLE", "闲置", f"{text}{note}"))
        else:
            government_delay = True
            findings.append(Finding("IDLE-GOV", "政府原因延迟",
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


# ---------------------------------------------------------------- aggregates

@dataclass
class Group:
    count: int = 0
    area_m2: Decimal = Decimal("0")

    def add(self, area: Decimal) -> None:
        self.count += 1
        self.area_m2 += area

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "area_m2": fmt_value(self.area_m2, 2),
                "area_ha": fmt_value(m2_to_ha(self.area_m2), 2), "area_mu": fmt_value(m2_to_mu(self.area_m2), 2)}


@dataclass
class LandSummary:
    department: str
    year: int
    rule_id: str
    rule_version: int
    illustrative_rules: bool
    parcels: Group
    low_efficiency: Group
    idle: Group
    government_delay: Group
    by_status: dict[str, Group]
    by_street: dict[str, dict[str, Group]]  # street → status → group
    by_use: dict[str, dict[str, Group]]
    by_low_type: dict[str, Group]
    disposal_by_strategy: dict[str, Group]
    disposal_by_status: dict[str, Group]
    disposal_soe: Group
    disposal_area_m2: Decimal
    disposed_m2: Decimal
    remaining_m2: Decimal
    avg_tax_per_mu: Decimal | None
    avg_output_per_mu: Decimal | None
    grades: dict[str, int]
    sample_rows: int  # rows marked 示例

    @property
    def low_efficiency_share(self) -> Decimal | None:
        if self.parcels.area_m2 <= 0:
            return None
        return self.low_efficiency.area_m2 / self.parcels.area_m2

    def as_dict(self) -> dict[str, Any]:
        def groups(d: Mapping[str, Group]) -> dict[str, Any]:
            return {k: v.as_dict() for k, v in d.items()}

        def nested(d: Mapping[str, Mapping[str, Group]]) -> dict[str, Any]:
            return {k: groups(v) for k, v in d.items()}

        def ha(v: Decimal) -> str:
            return fmt_value(m2_to_ha(v), 2)

        return {
            "department": self.department, "year": self.year,
            "rule_set": {"id": self.rule_id, "version": self.rule_version, "illustrative": self.illustrative_rules},
            "parcels_surveyed": self.parcels.count,
            "surveyed_area_ha": ha(self.parcels.area_m2),
            "surveyed_area_mu": fmt_value(m2_to_mu(self.parcels.area_m2), 2),
            "low_efficiency_count": self.low_efficiency.count,
            "low_efficiency_area_ha": ha(self.low_efficiency.area_m2),
            "low_efficiency_area_mu": fmt_value(m2_to_mu(self.low_efficiency.area_m2), 2),
            "low_efficiency_area_share": fmt_rate(self.low_efficiency_share, 2),
            "idle_count": self.idle.count,
            "idle_area_ha": ha(self.idle.area_m2),
            "government_delay_count": self.government_delay.count,
            "government_delay_area_ha": ha(self.government_delay.area_m2),
            "by_status": groups(self.by_status),
            "by_low_efficiency_type": groups(self.by_low_type),
            "by_street": nested(self.by_street),
            "by_use": nested(self.by_use),
            "disposal": {
                "area_ha": ha(self.disposal_area_m2),
                "disposed_ha": ha(self.disposed_m2),
                "remaining_ha": ha(self.remaining_m2),
                "by_strategy": groups(self.disposal_by_strategy),
                "by_status": groups(self.disposal_by_status),
                "with_district_soe": self.disposal_soe.as_dict(),
            },
            "avg_tax_per_mu": None if self.avg_tax_per_mu is None else fmt_value(self.avg_tax_per_mu, 2),
            "avg_output_per_mu": None if self.avg_output_per_mu is None else fmt_value(self.avg_output_per_mu, 2),
            "grades": self.grades,
            "sample_rows": self.sample_rows,
        }


def summarize(ledger: Ledger, results: Iterable[Classification], rs: RuleSet,
              grades: Iterable[Grade] = ()) -> LandSummary:
    """Totals of one department's ledger for one year. Only the ledger's own parcels count: a
    classification or disposal that names a parcel outside the ledger is ignored."""
    by_id = {p.parcel_id: p for p in ledger.parcels}
    result_of = {c.parcel_id: c for c in results if c.parcel_id in by_id}
    total, low, idle, gov = Group(), Group(), Group(), Group()
    by_status: dict[str, Group] = {s: Group() for s in LAND_STATUSES}
    by_street: dict[str, dict[str, Group]] = {}
    by_use: dict[str, dict[str, Group]] = {}
    by_type: dict[str, Group] = {}
    tax_sum = out_sum = Decimal("0")
    tax_mu = out_mu = Decimal("0")
    for p in ledger.parcels:
        c = result_of.get(p.parcel_id)
        status = c.status if c else "正常"
        area = p.site_area_m2
        total.add(area)
        by_status[status].add(area)
        by_street.setdefault(p.street or "（未填）", {}).setdefault(status, Group()).add(area)
        by_use.setdefault(p.current_use or "（未填）", {}).setdefault(status, Group()).add(area)
        if status == "低效":
            low.add(area)
            for t in (c.types if c else []):
                by_type.setdefault(t, Group()).add(area)
        elif status == "闲置":
            idle.add(area)
        if c and c.government_delay:
            gov.add(area)
        if p.tax is not None and p.construction_status in rs.grading.graded_statuses:
            tax_sum += p.tax
            tax_mu += m2_to_mu(area)
        if p.output is not None and p.construction_status in rs.grading.graded_statuses:
            out_sum += p.output
            out_mu += m2_to_mu(area)
    d_strategy: dict[str, Group] = {}
    d_status: dict[str, Group] = {}
    soe = Group()
    d_area = d_done = Decimal("0")
    for d in ledger.disposals:
        if d.parcel_id not in by_id:
            continue
        d_strategy.setdefault(d.strategy, Group()).add(d.area_m2)
        d_status.setdefault(d.status, Group()).add(d.area_m2)
        if d.partner_is_soe:
            soe.add(d.area_m2)
        d_area += d.area_m2
        d_done += d.disposed_m2
    grade_counts: dict[str, int] = {}
    for g in grades:
        grade_counts[g.grade] = grade_counts.get(g.grade, 0) + 1
    return LandSummary(
        department=ledger.department, year=ledger.year, rule_id=rs.id, rule_version=rs.version,
        illustrative_rules=rs.illustrative, parcels=total, low_efficiency=low, idle=idle, government_delay=gov,
        by_status=by_status, by_street=by_street, by_use=by_use, by_low_type=by_type,
        disposal_by_strategy=d_strategy, disposal_by_status=d_status, disposal_soe=soe,
        disposal_area_m2=d_area, disposed_m2=d_done, remaining_m2=d_area - d_done,
        avg_tax_per_mu=tax_sum / tax_mu if tax_mu > 0 else None,
        avg_output_per_mu=out_sum / out_mu if out_mu > 0 else None,
        grades=grade_counts, sample_rows=count_samples(ledger.parcels),
    )


def land_feeds(s: LandSummary) -> dict[str, str]:
    """The indicator feeds this ledger supplies, as actual-value texts with their units."""
    def ha(v: Decimal) -> str:
        return f"{fmt_value(m2_to_ha(v), 2)}公顷"

    return {
        "land.parcels_surveyed": f"{s.parcels.count}宗",
        "land.surveyed_area_ha": ha(s.parcels.area_m2),
        "land.low_efficiency_count": f"{s.low_efficiency.count}个",
        "land.low_efficiency_area_ha": ha(s.low_efficiency.area_m2),
        "land.idle_count": f"{s.idle.count}宗",
        "land.idle_area_ha": ha(s.idle.area_m2),
        "land.disposal_area_ha": ha(s.disposal_area_m2),
    }
