"""``jixiao check``: goal-quality and consistency findings of a file or a stored department-year,
or — for a 绩效运行监控表, or with ``--month`` — the monitoring checks (codes M-…).

Exit code 0 when there is no 错误 finding, 1 when there is, 2 when the file cannot be read
(raised as InputError and turned into exit 2 by ``jixiao.cli.main``). A file is checked without
the database; ``--department/--year`` checks what is stored, with the ledger feeds.
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path

from jixiao.cli.core_cmds import read_department_year, setup_database
from jixiao.core.errors import InputError
from jixiao.core.model import Department, DepartmentYear
from jixiao.core.monitoring import check_month, review_monitoring
from jixiao.core.quality import QualityFinding, blocking, review, summarize
from jixiao.core.quality.findings import owner_label
from jixiao.core.quality.rules import SEVERITIES
from jixiao.published import read_if_published
from jixiao.services.findings import monitoring_titles, stored_findings

GOAL_TITLE = "绩效目标与自评审核"
MONITOR_TITLE = "绩效运行监控审核"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="审核绩效目标与自评数据的质量和一致性"
                                     "（交换格式 .json、Excel .xlsx 或数据库中的部门年度）；"
                                     "绩效运行监控表按监控规则审核")
    p.add_argument("file", nargs="?", metavar="文件",
                   help=".json（交换格式）、.xlsx（批量工作簿或标准表格），或已发布的自评表（.xlsx/.xls/.docx/.pdf）；"
                        "省略时用 --department 与 --year")
    p.add_argument("--department", metavar="部门编码", help="审核数据库中的部门年度（含台账自动取数）")
    p.add_argument("--year", type=int, metavar="年度")
    p.add_argument("--month", type=int, metavar="月",
                   help="与 --department 一起使用：按该截止月份审核绩效运行监控（代码 M-…）")
    p.add_argument("--project", action="append", default=[], metavar="项目编码",
                   help="与 --department 一起使用：只列出这些项目的问题（可多次给出）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出审核结果")
    p.set_defaults(func=cmd_check)


def findings_json(dy: DepartmentYear, findings: list[QualityFinding], source: str,
                  titles: Mapping[str, str] | None = None) -> dict:
    return {
        "file": source,
        "department": dy.department.code,
        "year": dy.year,
        "summary": summarize(findings, titles=titles),
        "findings": [f.to_dict() for f in findings],
    }


def findings_text(dy: DepartmentYear, findings: list[QualityFinding], title: str = GOAL_TITLE) -> str:
    """Findings grouped by owner (department first, then projects in file order)."""
    head = f"{dy.department.name}（{dy.department.code}）{dy.year} 年度 {title}"
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


def read_for_check(path: str) -> tuple[DepartmentYear, str, dict[str, int]]:
    """The department-year to review, the kind of file (``department`` for a whole or department
    level file, ``projects`` for project-level forms (申报表/自评表), whose department level then
    goes unreviewed, ``monitor`` for a 绩效运行监控表), and the monitoring month per project."""
    p = Path(path)
    if p.suffix.lower() != ".xlsx" or not p.is_file():
        return read_department_year(path), "department", {}
    from jixiao import excel  # noqa: PLC0415 — openpyxl (and numpy) only for a workbook: a .json starts faster

    outcome = excel.import_file(p)
    if isinstance(outcome.data, DepartmentYear):
        return outcome.data, "department", {}
    code = outcome.department_code or p.stem
    shell = DepartmentYear(department=Department(code=code, name=code), year=outcome.year or 0,
                           projects=list(outcome.data))
    if outcome.project_template:
        shell.project_template = outcome.project_template
    if outcome.form != "monitor":
        return shell, "projects", {}
    # The form shows 1-m月执行数 as one figure, not the monthly series: that is all the assessment
    # at month m uses (progress, and the linear forecast the export itself showed).
    months: dict[str, int] = {}
    for proj in shell.projects:
        sheet = outcome.monitoring.get(proj.code)
        if sheet is None or not 1 <= sheet.month <= 12:
            continue
        months[proj.code] = sheet.month
        proj.monthly_executed = {sheet.month: sheet.executed_to_date} if sheet.executed_to_date else {}
    return shell, "monitor", months


def _from_database(args: argparse.Namespace) -> tuple[DepartmentYear, list[QualityFinding], str]:
    if not args.year:
        raise InputError("请同时指定 --department 与 --year", location="参数")
    setup_database()
    from jixiao.budget.store import load_department_year  # noqa: PLC0415 — models: Django only for the database

    dy = load_department_year(args.department, args.year)
    unknown = [code for code in args.project if all(p.code != code for p in dy.projects)]
    if unknown:
        raise InputError(f"部门 {args.department} 的 {args.year} 年度中没有项目「{'、'.join(unknown)}」",
                         location="--project")
    if args.month is not None:
        check_month(args.month, "--month")
    return dy, stored_findings(dy, args.month, args.project), f"{args.department}/{args.year}"


def cmd_check(args: argparse.Namespace) -> int:
    monitoring = False
    reading = None
    if args.file:
        if args.department or args.year or args.month is not None or args.project:
            raise InputError("请只指定文件，或只指定 --department 与 --year，不要同时指定", location="参数")
        reading = read_if_published(args.file)  # a published 自评表 in a local layout
        dy, kind, months = (reading.dy, "published", {}) if reading else read_for_check(args.file)
        source = Path(args.file).name
        if kind == "monitor":
            findings, monitoring = review_monitoring(dy, months), True
        elif reading is not None:
            findings = reading.review()
        else:
            findings = review(dy)
            if kind == "projects":
                findings = [f for f in findings if f.project is not None]
    elif args.department:
        dy, findings, source = _from_database(args)
        monitoring = args.month is not None
    else:
        if args.month is not None or args.project or args.year:
            raise InputError("--year、--month 与 --project 须与 --department 一起使用", location="参数")
        raise InputError("请指定要审核的文件，或用 --department 与 --year 指定数据库中的部门年度", location="参数")
    titles = monitoring_titles() if monitoring else (reading.titles() if reading else None)
    if args.json:
        print(json.dumps(findings_json(dy, findings, source, titles), ensure_ascii=False, indent=2))
    else:
        print(findings_text(dy, findings, MONITOR_TITLE if monitoring else GOAL_TITLE))
    return 1 if blocking(findings) else 0
