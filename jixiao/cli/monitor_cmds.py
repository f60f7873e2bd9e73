"""``jixiao monitor``: the mid-year monitoring status (双监控) of a department at a cut-off month."""
from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

from jixiao import cli
from jixiao.core.display import DASH, fmt_amount, fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.core.model import DepartmentYear
from jixiao.core.monitoring import (
    MonitoringReport,
    MonitoringRules,
    assess_department,
    check_month,
    load_monitoring_rules,
    report_to_dict,
)
from jixiao.exchange import read_file


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "monitor", help="绩效运行监控（双监控）：执行进度、指标进度、预警与年末预测",
        description="按截止月份计算序时进度、执行进度、预警等级和年末执行率预测。",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--department", metavar="编码", help="部门编码（从数据库读取）")
    src.add_argument("--file", metavar="F.json", help="交换格式文件（不读数据库）")
    p.add_argument("--year", type=int, metavar="年度", help="年度（与 --department 一起使用）")
    p.add_argument("--month", type=int, metavar="月", help="截止月份 1～12（默认取监控规则中的截止月份，一般为 7）")
    p.add_argument("--history", action="append", default=[], metavar="F.json",
                   help="以前年度的交换格式文件，用于按本单位月度支出规律预测（可多次给出）")
    p.add_argument("--rules", metavar="R.json", help="监控规则文件（默认 jixiao/rules/monitoring.json）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--docx", metavar="out.docx", help="同时生成绩效运行监控报告（Word）")
    p.set_defaults(func=handle_monitor)


def _from_database(code: str, year: int, rules: MonitoringRules) -> tuple[DepartmentYear, list[DepartmentYear]]:
    cli.django_setup()
    from jixiao.budget.store import department_years, load_department_year  # noqa: PLC0415 — models: Django only for the database

    dy = load_department_year(code, year)
    earlier = sorted((s.year for s in department_years([code]) if s.year < year), reverse=True)
    history = [load_department_year(code, y) for y in earlier[: rules.history_years]]
    return dy, history


def _read_files(paths: list[str]) -> list[DepartmentYear]:
    return [read_file(path) for path in paths]


def load_inputs(args: argparse.Namespace, rules: MonitoringRules) -> tuple[DepartmentYear, list[DepartmentYear]]:
    """The department-year to monitor and its earlier years (database, plus any --history files)."""
    if args.file:
        return _read_files([args.file])[0], _read_files(args.history)
    if args.year is None:
        raise InputError("使用 --department 时请同时给出 --year（年度）", "命令行参数")
    dy, history = _from_database(args.department, args.year, rules)
    return dy, history + _read_files(args.history)


def _amount(d: Decimal | None, unit: str = "") -> str:
    """An amount with its unit; "—" when blank (a blank project budget leaves the sum unknown), never 0."""
    return DASH if d is None else f"{fmt_amount(d)}{unit}"


def text_report(report: MonitoringReport) -> str:
    """A plain-text summary for the terminal."""
    t = report.totals
    unit = report.money_unit
    lines = [
        f"{report.department_name}（{report.department_code}）{report.year}年 1-{report.month}月绩效运行监控"
        + ("〔含示例数据〕" if report.origin == "示例" else ""),
        f"序时进度 {fmt_rate(report.time_progress)}；项目支出合计 预算 {_amount(t.budget, unit)}，"
        f"1-{report.month}月执行 {fmt_amount(t.executed_to_date)}{unit}，执行进度 {fmt_rate(t.execution_progress)}，"
        f"预计全年执行率 {fmt_rate(t.forecast_rate)}（{report.label(t.level)}）",
        f"重点监控：{'本部门纳入' if report.key_monitoring else '本部门未纳入'}；"
        f"项目预算 ≥ {report.key_threshold} 的项目标“★”",
        "",
    ]
    for p in report.projects:
        star = "★" if p.key_monitoring else " "
        sample = "〔示例〕" if p.origin == "示例" else ""
        lines.append(
            f"{star}{p.code} {p.name}{sample}：预算 {_amount(p.budget)}，已执行 {fmt_amount(p.executed_to_date)}，"
            f"执行进度 {fmt_rate(p.execution_progress)}，{report.label(p.level)}；"
            f"预计全年执行率 {fmt_rate(p.forecast.rate)}，预计执行率得分 {fmt_score(p.forecast.score)}"
        )
        lines.append(f"    预测方法：{p.forecast.description}")
    lines.append("")
    if report.warnings:
        lines.append(f"预警 {len(report.warnings)} 条：")
        for w in report.warnings:
            measures = (f"（纠偏措施：{w.measures}）" if w.measures
                        else "（须填写纠偏措施）" if w.needs_measures else "")
            lines.append(f"- {report.label(w.level)}：{w.message}{measures}")
    else:
        lines.append("无预警。")
    return "\n".join(lines)


def handle_monitor(args: argparse.Namespace) -> int:
    rules = load_monitoring_rules(args.rules)
    if args.month is not None:
        check_month(args.month, "--month")
    dy, history = load_inputs(args, rules)
    report = assess_department(dy, args.month, rules, history)
    if args.docx:
        from jixiao.report.monitoring import write_monitoring_docx  # noqa: PLC0415 — python-docx only for --docx

        write_monitoring_docx(report, Path(args.docx))
    if args.json:
        sys.stdout.write(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text_report(report) + "\n")
        if args.docx:
            sys.stdout.write(f"已生成监控报告：{args.docx}\n")
    return 0
