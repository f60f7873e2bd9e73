"""Warning levels (green / yellow / red): their order and how execution against time sets them."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from jixiao.core.monitoring.rules import LEVELS, MonitoringRules


def severity(level: str) -> int:
    return LEVELS.index(level)


def worst(levels: Sequence[str]) -> str:
    return max(levels, key=severity, default="green")


def warning_level(time: Decimal, execution: Decimal, forecast_rate: Decimal | None, rules: MonitoringRules) -> str:
    """green: execution ≥ t; yellow: t − band ≤ execution < t; red: execution < t − band, or the
    projected full-year execution rate below the floor (rules.md §6.2)."""
    if execution < time - rules.yellow_band:
        return "red"
    if forecast_rate is not None and forecast_rate < rules.forecast_floor:
        return "red"
    if execution < time:
        return "yellow"
    return "green"

