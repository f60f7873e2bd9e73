"""A monitoring report as JSON-ready data: amounts and percent numbers as display strings (the one
rounding rule), levels as ids with their Chinese labels."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from jixiao.core.display import fmt_amount, fmt_pct_number, fmt_score
from jixiao.core.monitoring.assessment import MonitoringReport, ProjectMonitoring
from jixiao.core.monitoring.indicators import IndicatorMonitoring


def _pct(fraction: Decimal | None) -> str | None:
    return None if fraction is None else fmt_pct_number(fraction, 1)


def _amount(amount: Decimal | None) -> str | None:
    return None if amount is None else fmt_amount(amount)


def report_to_dict(report: MonitoringReport) -> dict[str, Any]:
    """The report as JSON-ready data: amounts and percent numbers as display strings (the one
    rounding rule), levels as ids with their Chinese labels."""
    def indicator(i: IndicatorMonitoring) -> dict[str, Any]:
        return {
            "code": i.code, "level1": i.level1, "level2": i.level2, "name": i.name, "target": i.target_text,
            "reported": i.reported, "progress": i.progress_text, "forecast": i.forecast_text,
            "likelihood": i.likelihood, "causes": i.causes, "explanation": i.explanation, "measures": i.measures,
            "progress_rate": _pct(i.progress_rate), "projected_completion": _pct(i.projected_completion),
            "level": i.level, "level_label": report.label(i.level), "reasons": i.reasons,
            "needs_measures": i.needs_measures,
        }

    def project(p: ProjectMonitoring) -> dict[str, Any]:
        return {
            "code": p.code, "name": p.name, "origin": p.origin, "key_monitoring": p.key_monitoring,
            "budget": _amount(p.budget), "executed_to_date": fmt_amount(p.executed_to_date),
            "execution_progress": _pct(p.execution_progress),
            "level": p.level, "level_label": report.label(p.level), "reasons": p.reasons,
            "overall_level": p.overall_level,
            "forecast": {
                "method": p.forecast.method, "description": p.forecast.description,
                "executed": fmt_amount(p.forecast.executed), "rate": _pct(p.forecast.rate),
                "score": fmt_score(p.forecast.score), "score_trace": p.forecast.score_trace,
            },
            "stated_expected_executed": (
                None if p.stated_expected_executed is None else fmt_amount(p.stated_expected_executed)
            ),
            "stated_expected_rate": _pct(p.stated_expected_rate),
            "has_monthly_data": p.has_monthly_data,
            "cumulative": {str(m): fmt_amount(v) for m, v in p.cumulative.items()},
            "checkpoint": None if p.checkpoint is None else {
                "month": p.checkpoint.month, "status": p.checkpoint.status,
                "goal_progress": p.checkpoint.goal_progress, "causes": p.checkpoint.causes,
                "measures": p.checkpoint.measures,
            },
            "funds_needs_measures": p.funds_needs_measures,
            "indicators": [indicator(i) for i in p.indicators],
            "notes": p.notes,
        }

    t = report.totals
    return {
        "department": report.department_code, "department_name": report.department_name,
        "year": report.year, "month": report.month, "money_unit": report.money_unit,
        "rules": report.rules, "origin": report.origin,
        "time_progress": fmt_pct_number(report.time_progress, 1),
        "key_monitoring": report.key_monitoring, "key_threshold": report.key_threshold,
        "totals": {
            "budget": _amount(t.budget), "executed_to_date": fmt_amount(t.executed_to_date),
            "execution_progress": _pct(t.execution_progress), "forecast_executed": fmt_amount(t.forecast_executed),
            "forecast_rate": _pct(t.forecast_rate), "level": t.level, "level_label": report.label(t.level),
            "department_budget": _amount(t.department_budget), "counts": t.counts,
        },
        "projects": [project(p) for p in report.projects],
        "warnings": [
            {"level": w.level, "level_label": report.label(w.level), "project": w.project, "indicator": w.indicator,
             "message": w.message, "needs_measures": w.needs_measures, "measures": w.measures,
             "causes": w.causes, "explanation": w.explanation}
            for w in report.warnings
        ],
    }

