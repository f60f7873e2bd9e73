"""The forecast of year-end execution from the months so far, and its expected execution score."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jixiao.core.display import fmt_amount, fmt_rate
from jixiao.core.model import Project
from jixiao.core.monitoring.progress import MONTHS, check_month, executed_to_date
from jixiao.core.schemes import ExecutionRule, load_scheme
from jixiao.core.scoring import score_execution

ZERO = Decimal(0)


@dataclass
class Forecast:
    method: str  # "history" (the unit's own monthly profile) or "linear" (run rate)
    executed: Decimal  # projected 全年执行数
    rate: Decimal | None  # projected execution rate (fraction); None when the budget is 0 or blank
    score: Decimal | None  # expected execution score under the project scheme's rule; None: budget blank
    description: str  # the method and its numbers, in Chinese
    score_trace: str = ""


def _history_sums(history: Sequence[Mapping[int, Decimal]], month: int) -> tuple[Decimal, Decimal]:
    """(Σ 1-m月执行数, Σ 全年执行数) over the earlier years that spent anything."""
    spent_to_month = ZERO
    spent_year = ZERO
    for series in history:
        total = sum(series.values(), ZERO)
        if total <= 0:
            continue
        spent_to_month += sum((v for m, v in series.items() if int(m) <= month), ZERO)
        spent_year += total
    return spent_to_month, spent_year


def _default_rule() -> ExecutionRule:
    return load_scheme("central-2020").execution


def forecast(
    project: Project,
    month: int,
    history: Sequence[Mapping[int, Decimal]] | None = None,
    *,
    rule: ExecutionRule | None = None,
    basis: str = "本单位以前年度",
    money_unit: str = "",
) -> Forecast:
    """Projected year-end execution from the months so far.

    With ``history`` (monthly series of earlier years), 1-m月执行数 is divided by the share of the
    year those years had spent by month m, so a unit that always pays in December is not
    predicted to fall short in July. Without it, the monthly run rate is extended to 12 months.
    """
    check_month(month)
    rule = rule or _default_rule()
    done = executed_to_date(project, month)
    to_month, year = _history_sums(history, month) if history else (ZERO, ZERO)
    if to_month > 0:
        share = to_month / year
        projected = done * year / to_month  # not done / share: keeps the division exact where it can be
        method = "history"
        description = (
            f"按{basis}月度支出规律推算：以往 1-{month}月累计支出占全年的 {fmt_rate(share)}，"
            f"1-{month}月已执行 {fmt_amount(done)}{money_unit} ÷ {fmt_rate(share)} = "
            f"{fmt_amount(projected)}{money_unit}"
        )
    else:
        projected = done * MONTHS / month
        method = "linear"
        why = f"（{basis}1-{month}月无支出记录，无法按以往规律推算）" if history else ""
        description = (
            f"按线性进度推算{why}：1-{month}月已执行 {fmt_amount(done)}{money_unit}，"
            f"月均 {fmt_amount(done / month)}{money_unit}，"
            f"× 12 个月 = {fmt_amount(projected)}{money_unit}"
        )
    budget = project.budget
    result = score_execution(budget, projected, rule)
    return Forecast(method, projected, result.rate, result.score, description, result.trace)

