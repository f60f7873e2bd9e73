"""Time against money: 序时进度 (the share of the year gone) and 执行进度 (the share of the budget
spent) at the end of a month."""
from __future__ import annotations

from decimal import Decimal

from jixiao.core.errors import InputError, Problem
from jixiao.core.model import Project

ZERO = Decimal(0)
MONTHS = 12


def check_month(month: int, where: str = "截止月份") -> None:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= MONTHS:
        raise InputError([Problem(where, f"截止月份应为 1～12 的整数，实际为「{month}」", "截止月份")])


def time_progress(month: int) -> Decimal:
    """序时进度 at the end of ``month``: m/12 (July → 0.58333…)."""
    check_month(month)
    return Decimal(month) / Decimal(MONTHS)


def executed_to_date(project: Project, month: int) -> Decimal:
    """1-m月执行数: the sum of the monthly amounts up to and including ``month``."""
    return sum((v for m, v in project.monthly_executed.items() if int(m) <= month), ZERO)


def execution_progress(project: Project, month: int) -> Decimal | None:
    """执行进度 = 1-m月执行数 ÷ 全年预算数; None when the budget is 0 or blank."""
    check_month(month)
    budget = project.budget
    return executed_to_date(project, month) / budget if budget else None

