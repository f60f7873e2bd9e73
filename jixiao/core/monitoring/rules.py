"""The monitoring rules as data (``jixiao/rules/monitoring.json``): warning bands, forecast floor,
key-monitoring budget, likelihood mapping and the M-… check catalogue. No official figure exists
for the thresholds, so localities change the file, never the code."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jixiao.core.errors import InputError, Problem
from jixiao.core.model import LIKELIHOODS, ORIGINS
from jixiao.core.monitoring.progress import MONTHS
from jixiao.core.quality.rules import SEVERITIES

RULES_PATH = Path(__file__).resolve().parent.parent.parent / "rules" / "monitoring.json"
LEVELS: tuple[str, ...] = ("green", "yellow", "red")  # in rising severity
LEVEL_NAMES = {"green": "绿色", "yellow": "黄色预警", "red": "红色预警"}  # for messages without the rules at hand
ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class MonitoringRules:
    id: str
    version: str
    name: str
    cutoff_month: int
    yellow_band: Decimal  # fraction below time progress still only yellow (0.10 = 10 pp)
    forecast_floor: Decimal  # projected execution rate below this fraction is red (0.90)
    key_project_budget: Decimal  # projects at or above this budget are 重点监控
    key_project_unit: str  # money unit of ``key_project_budget``
    key_all_departments: bool  # every department is 重点监控 (Huangpu practice)
    history_years: int  # how many earlier years make the unit's own monthly profile
    level_labels: dict[str, str]
    likelihood_levels: dict[str, str]  # 完成目标可能性 -> level
    projected_shortfall_level: str  # level when the projected completion misses the target
    measures_required_levels: tuple[str, ...]
    measures_required_likelihoods: tuple[str, ...]
    monthly_origin: dict[str, str]  # record origin -> origin of its monthly data
    source: str = ""
    # finding code (M-…) -> (severity, Chinese title): what ``review_monitoring`` reports, as data
    checks: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def label(self, level: str) -> str:
        return self.level_labels.get(level, level)


def rules_from_dict(data: Any, where: str = "监控规则") -> MonitoringRules:
    """Build the rules from parsed JSON, reporting every bad entry at once."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([Problem(where, "监控规则应为 JSON 对象")])

    def need(key: str) -> Any:
        if key not in data:
            problems.append(Problem(f"{where}: {key}", "缺少必填项", key))
        return data.get(key)

    def dec(key: str, value: Any) -> Decimal:
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            problems.append(Problem(f"{where}: {key}", f"应为数值，实际为「{value}」", key))
            return ZERO
        if number < 0:
            problems.append(Problem(f"{where}: {key}", "不能为负数", key))
        return number

    def level_map(key: str, keys: Sequence[str]) -> dict[str, str]:
        raw = need(key)
        if not isinstance(raw, dict):
            if raw is not None:
                problems.append(Problem(f"{where}: {key}", "应为对象", key))
            return {}
        for k in keys:
            if k not in raw:
                problems.append(Problem(f"{where}: {key}.{k}", f"缺少「{k}」", key))
        for k, v in raw.items():
            if k not in keys:
                problems.append(Problem(f"{where}: {key}.{k}", f"「{k}」不是可识别的取值（应为 {'、'.join(keys)}）",
                                        key))
            if key != "level_labels" and v not in LEVELS:
                problems.append(Problem(f"{where}: {key}.{k}", f"预警等级「{v}」应为 {'、'.join(LEVELS)}", key))
        return {str(k): str(v) for k, v in raw.items()}

    cutoff = need("cutoff_month")
    if cutoff is not None and (not isinstance(cutoff, int) or isinstance(cutoff, bool) or not 1 <= cutoff <= MONTHS):
        problems.append(Problem(f"{where}: cutoff_month", "截止月份应为 1～12 的整数", "截止月份"))
        cutoff = 7
    years = need("history_years")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or years < 0):
        problems.append(Problem(f"{where}: history_years", "历史年数应为非负整数", "history_years"))
        years = 0
    key_budget = need("key_project_budget") or {}
    if not isinstance(key_budget, dict) or "amount" not in key_budget or "unit" not in key_budget:
        problems.append(Problem(f"{where}: key_project_budget", "应写成 {\"amount\": \"100\", \"unit\": \"万元\"}",
                                "重点监控预算额"))
        key_budget = {"amount": "0", "unit": "万元"}
    shortfall = need("projected_shortfall_level")
    if shortfall is not None and shortfall not in LEVELS:
        problems.append(Problem(f"{where}: projected_shortfall_level", f"预警等级应为 {'、'.join(LEVELS)}", "预警等级"))
    required_levels = tuple(need("measures_required_levels") or ())
    for level in required_levels:
        if level not in LEVELS:
            problems.append(Problem(f"{where}: measures_required_levels",
                                    f"预警等级「{level}」应为 {'、'.join(LEVELS)}"))
    required_likelihoods = tuple(need("measures_required_likelihoods") or ())
    for likelihood in required_likelihoods:
        if likelihood not in LIKELIHOODS:
            problems.append(Problem(f"{where}: measures_required_likelihoods",
                                    f"「{likelihood}」应为 {'、'.join(LIKELIHOODS)}"))
    rules = MonitoringRules(
        id=str(need("id") or ""),
        version=str(need("version") or ""),
        name=str(data.get("name", "")),
        cutoff_month=int(cutoff or 7),
        yellow_band=dec("yellow_band_pp", need("yellow_band_pp") or 0) / HUNDRED,
        forecast_floor=dec("forecast_floor_pct", need("forecast_floor_pct") or 0) / HUNDRED,
        key_project_budget=dec("key_project_budget.amount", key_budget["amount"]),
        key_project_unit=str(key_budget["unit"]),
        key_all_departments=bool(need("key_all_departments")),
        history_years=int(years or 0),
        level_labels=level_map("level_labels", LEVELS),
        likelihood_levels=level_map("likelihood_levels", LIKELIHOODS),
        projected_shortfall_level=str(shortfall or "yellow"),
        measures_required_levels=required_levels,
        measures_required_likelihoods=required_likelihoods,
        monthly_origin={str(k): str(v) for k, v in (need("monthly_origin") or {}).items()},
        source=str(data.get("source", "")),
        checks=_checks(data.get("checks"), where, problems),
    )
    for origin, mapped in rules.monthly_origin.items():
        if origin not in ORIGINS or mapped not in ORIGINS:
            problems.append(Problem(f"{where}: monthly_origin.{origin}", f"来源标记应为 {'、'.join(ORIGINS)}",
                                    "来源标记"))
    if problems:
        raise InputError(problems)
    return rules


# The finding codes ``review_monitoring`` emits; their severity and title are data (``checks`` in
# monitoring.json). A rules file without ``checks`` uses those of the default file.
CHECK_CODES: tuple[str, ...] = (
    "M-MEASURES-MISSING", "M-CAUSE-UNKNOWN", "M-LIKELIHOOD-UNKNOWN", "M-INDICATOR-UNKNOWN",
    "M-WARNING-RED", "M-WARNING-YELLOW", "M-NOT-REPORTED",
)


def _checks(raw: Any, where: str, problems: list[Problem]) -> dict[str, tuple[str, str]]:
    if raw is None:
        raw = json.loads(RULES_PATH.read_text(encoding="utf-8")).get("checks") or {}
    if not isinstance(raw, dict):
        problems.append(Problem(f"{where}: checks", "应为对象：检查代码 → {\"severity\", \"title\"}", "checks"))
        return {}
    out: dict[str, tuple[str, str]] = {}
    for code, spec in raw.items():
        severity = spec.get("severity") if isinstance(spec, dict) else None
        if severity not in SEVERITIES:
            problems.append(Problem(f"{where}: checks.{code}.severity", f"应为{'、'.join(SEVERITIES)}之一", "checks"))
            continue
        out[str(code)] = (severity, str(spec.get("title") or code))
    for code in CHECK_CODES:
        if code not in out and not any(p.location == f"{where}: checks.{code}.severity" for p in problems):
            problems.append(Problem(f"{where}: checks.{code}", f"缺少检查「{code}」的级别和名称", "checks"))
    return out


def load_monitoring_rules(path: str | Path | None = None) -> MonitoringRules:
    """The rules file (default ``jixiao/rules/monitoring.json``)."""
    if path is None:
        return _default_rules()
    return _read_rules(Path(path))


@lru_cache(maxsize=1)
def _default_rules() -> MonitoringRules:
    return _read_rules(RULES_PATH)


def _read_rules(path: Path) -> MonitoringRules:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"无法读取监控规则文件：{exc.strerror or exc}", str(path)) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"监控规则文件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列", str(path)) from exc
    return rules_from_dict(data, path.name)

