"""Mid-year monitoring (绩效运行监控, 双监控): budget execution against time, indicator progress,
warning levels and a forecast of the year-end execution score.

Pure functions over the core dataclasses, one module per concern:

- ``rules``: the thresholds and the M-… check catalogue as data (``jixiao/rules/monitoring.json``);
- ``progress``: 序时进度 and 执行进度 at the end of a month;
- ``levels``: green / yellow / red and how execution against time sets them;
- ``forecast``: projected year-end execution and its expected score;
- ``indicators``: indicator progress and forecast against the target;
- ``assessment``: a project's and a department's status and warnings (``MonitoringReport``);
- ``submission``: what stops a checkpoint from being submitted;
- ``checks``: the monitoring checks as findings for ``jixiao check``;
- ``output``: a report as JSON-ready data.

Rates are exact fractions (0.5833…); they are rounded only when shown, through
``jixiao.core.display``. The names below are what the web pages, the CLI, Excel and the report
import from ``jixiao.core.monitoring``.
"""
from __future__ import annotations

from jixiao.core.monitoring.assessment import (
    MonitoringReport,
    MonitoringTotals,
    MonitoringWarning,
    ProjectMonitoring,
    assess_department,
    assess_project,
    collect_warnings,
    project_warnings,
)
from jixiao.core.monitoring.checks import monitoring_month, review_monitoring
from jixiao.core.monitoring.forecast import Forecast, forecast
from jixiao.core.monitoring.indicators import IndicatorMonitoring, assess_indicator
from jixiao.core.monitoring.levels import severity, warning_level, worst
from jixiao.core.monitoring.output import report_to_dict
from jixiao.core.monitoring.progress import MONTHS, check_month, executed_to_date, execution_progress, time_progress
from jixiao.core.monitoring.rules import (
    CHECK_CODES,
    LEVELS,
    RULES_PATH,
    MonitoringRules,
    load_monitoring_rules,
    rules_from_dict,
)
from jixiao.core.monitoring.submission import department_submission_problems, submission_problems

__all__ = [
    "CHECK_CODES", "LEVELS", "MONTHS", "RULES_PATH", "Forecast", "IndicatorMonitoring", "MonitoringReport",
    "MonitoringRules", "MonitoringTotals", "MonitoringWarning", "ProjectMonitoring", "assess_department",
    "assess_indicator", "assess_project", "check_month", "collect_warnings", "department_submission_problems",
    "executed_to_date", "execution_progress", "forecast", "load_monitoring_rules", "monitoring_month",
    "project_warnings", "report_to_dict", "review_monitoring", "rules_from_dict", "severity",
    "submission_problems", "time_progress", "warning_level", "worst",
]
