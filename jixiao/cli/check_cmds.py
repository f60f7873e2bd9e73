"""``jixiao check FILE [--json]``: goal-quality and consistency findings of a file.

Exit code 0 when there is no 错误 finding, 1 when there is, 2 when the file cannot be read
(raised as InputError and turned into exit 2 by ``jixiao.cli.main``). No database is used.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from jixiao.core.model import Department, DepartmentYear
from jixiao.core.quality import Finding, blocking, review, summarize
from jixiao.core.quality.findings import owner_label
from jixiao.core.quality.rules import SEVERITIES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="审核绩效目标与自评数据的质量和一致性（交换格式 .json 或 Excel .xlsx）")
    p.add_argument("file", metavar="文件", help=".json（交换格式）或 .xlsx（批量工作簿或标准表格）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出审核结果")
    p.set_defaults(func=cmd_check)


def findings_json(dy: DepartmentYear, findings: list[Finding], source: str) -> dict:
    return {
        "file": source,
        "department": dy.department.code,
        "year": dy.year,
        "summary": summarize(findings),
        "findings": [f.to_dict() for f in findings],
    }


def findings_text(dy: DepartmentYear, findings: list[Finding]) -> str:
    """Findings grouped by owner (department first, then projects in file order)."""
    head = f"{dy.department.name}（{dy.department.code}）{dy.year} 年度 绩效目标与自评审核"
    if not findings:
        return f"{head}\n未发现问题。"
    lines = [head]
    owners: list[tuple[str | None, str]] = [(None, owner_label(None))]
    owners += [(p.code, owner_label(p)) for p in dy.projects]
    known = {code for code, _ in owners}
    owners += [(code, f"项目 {code}") for code in dict.fromkeys(f.project for f in findings) if code not in known]
    for code, label in owners:
        group = [f for f in findings if f.project == code]
        if not group:
            continue
        lines.append("")
        lines.append(f"{label}（{len(group)} 项）")
        for f in sorted(group, key=lambda f: SEVERITIES.index(f.severity)):
            where = f.location[len(label):].lstrip(" /")
            lines.append(f"  [{f.severity}] {f.code} {where}：{f.message}" if where
                         else f"  [{f.severity}] {f.code}：{f.message}")
    counts = summarize(findings)["by_severity"]
    lines.append("")
    lines.append(f"共 {len(findings)} 项：" + "，".join(f"{s} {counts[s]} 项" for s in SEVERITIES))
    if blocking(findings):
        lines.append("存在“错误”级问题，改正后才能提交。")
    return "\n".join(lines)


def import_summary(dy: DepartmentYear, source: str) -> str:
    """What ``jixiao import`` prints after storing a department-year: the findings by kind, worst
    first, with ledger feeds from the database (called after the data is saved, so an import is
    never refused for a warning; errors block submission later, in the workflow)."""
    from jixiao.budget.feeds import collect_feeds

    findings = review(dy, feeds=collect_feeds(dy.department.code, dy.year))
    if not findings:
        return "质量审核：未发现问题。"
    summary = summarize(findings)
    counts = "，".join(f"{s} {summary['by_severity'][s]} 项" for s in SEVERITIES)
    lines = [f"质量审核：发现 {len(findings)} 项（{counts}）"]
    ranked = sorted(summary["by_code"].items(),
                    key=lambda kv: (SEVERITIES.index(kv[1]["severity"]), -kv[1]["count"], kv[0]))
    lines += [f"  [{row['severity']}] {code} {row['title']}：{row['count']} 项" for code, row in ranked]
    lines.append(f"查看详情：jixiao check {source}")
    if summary["blocking"]:
        lines.append("存在“错误”级问题，改正后才能提交审核。")
    return "\n".join(lines)


def read_for_check(path: str) -> tuple[DepartmentYear, bool]:
    """The department-year to review, and whether it is only a shell around the projects of
    project-level forms (申报表/监控表/自评表), whose department level then goes unreviewed."""
    from jixiao.cli.core_cmds import read_department_year

    p = Path(path)
    if p.suffix.lower() != ".xlsx" or not p.is_file():
        return read_department_year(path), False
    from jixiao import excel

    outcome = excel.import_file(p)
    if isinstance(outcome.data, DepartmentYear):
        return outcome.data, False
    code = outcome.department_code or p.stem
    shell = DepartmentYear(department=Department(code=code, name=code), year=outcome.year or 0,
                           projects=list(outcome.data))
    return shell, True


def cmd_check(args: argparse.Namespace) -> int:
    dy, projects_only = read_for_check(args.file)
    findings = review(dy)
    if projects_only:
        findings = [f for f in findings if f.project is not None]
    if args.json:
        print(json.dumps(findings_json(dy, findings, Path(args.file).name), ensure_ascii=False, indent=2))
    else:
        print(findings_text(dy, findings))
    return 1 if blocking(findings) else 0
