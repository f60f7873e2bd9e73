"""The land ledger's rule sets: dated, versioned files under ``jixiao/rules/land/`` giving every
threshold of the idle / low-efficiency classification and of the 亩均 grading; reading them with
every problem reported, and choosing the set of a survey year (pinned, or newest in force)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from jixiao.core.errors import InputError
from jixiao.core.ledger import RuleReader, RuleSetHeader, load_rule_files, newest_in_force, pinned_rule_set

RULES_DIR = Path(__file__).resolve().parents[2] / "rules" / "land"

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
