"""Findings of a stored department-year: what ``jixiao check --department`` reports and the
summary an import prints (errors block submission later, in the workflow — an import is never
refused for a finding)."""
from __future__ import annotations

import copy
from collections.abc import Mapping

from jixiao.budget.feeds import collect_feeds
from jixiao.core.model import DepartmentYear
from jixiao.core.monitoring import load_monitoring_rules, review_monitoring
from jixiao.core.quality import QualityFinding, review, summarize
from jixiao.core.quality.rules import SEVERITIES


def monitoring_titles() -> dict[str, str]:
    return {code: title for code, (_, title) in load_monitoring_rules().checks.items()}


def _scope_args(dy: DepartmentYear, month: int | None = None, projects: list[str] | None = None) -> str:
    args = f"--department {dy.department.code} --year {dy.year}"
    if month is not None:
        args += f" --month {month}"
    return args + "".join(f" --project {code}" for code in projects or [])


def stored_findings(dy: DepartmentYear, month: int | None = None, projects: list[str] | None = None,
                    months: Mapping[str, int] | None = None) -> list[QualityFinding]:
    """What ``jixiao check --department … --year …`` reports for a stored department-year (with the
    ledger feeds): the quality review, or with ``month``/``months`` the monitoring checks. With
    ``projects`` only those projects' findings."""
    if month is not None or months:
        wanted = set(projects or (months or {}))
        shell = _with_projects(dy, [p for p in dy.projects if not wanted or p.code in wanted])
        return review_monitoring(shell, month if month is not None else months)
    findings = review(dy, feeds=collect_feeds(dy.department.code, dy.year))
    if projects:
        findings = [f for f in findings if f.project in set(projects)]
    return findings


def _with_projects(dy: DepartmentYear, projects: list) -> DepartmentYear:
    shell = copy.copy(dy)
    shell.projects = projects
    return shell


def import_summary(dy: DepartmentYear, source: str = "", months: Mapping[str, int] | None = None) -> str:
    """What ``jixiao import`` prints after storing a department-year: the findings by kind, worst
    first (called after the data is saved, so an import is never refused for a warning; errors
    block submission later, in the workflow), and the ``jixiao check`` command that lists exactly
    these findings. ``months``: after a 监控表, the project codes and months it reported; the
    summary is then the monitoring checks of those projects."""
    lines: list[str] = []
    if months:
        by_month: dict[int, list[str]] = {}
        for code, m in months.items():
            by_month.setdefault(m, []).append(code)
        findings = []
        commands = []
        for m, codes in sorted(by_month.items()):
            findings += stored_findings(dy, m, codes)
            every = {p.code for p in dy.projects} <= set(codes)
            commands.append(f"jixiao check {_scope_args(dy, m, None if every else codes)}")
        label, titles = "监控审核", monitoring_titles()
    else:
        findings = stored_findings(dy)
        commands = [f"jixiao check {_scope_args(dy)}"]
        label, titles = "质量审核", None
    if not findings:
        return f"{label}：未发现问题。"
    summary = summarize(findings, titles=titles)
    counts = "，".join(f"{s} {summary['by_severity'][s]} 项" for s in SEVERITIES)
    lines.append(f"{label}：发现 {len(findings)} 项（{counts}）")
    ranked = sorted(summary["by_code"].items(),
                    key=lambda kv: (SEVERITIES.index(kv[1]["severity"]), -kv[1]["count"], kv[0]))
    lines += [f"  [{row['severity']}] {code} {row['title']}：{row['count']} 项" for code, row in ranked]
    lines += [f"查看详情：{command}" for command in commands]
    if summary["blocking"]:
        lines.append("存在“错误”级问题，改正后才能提交审核。")
    return "\n".join(lines)
