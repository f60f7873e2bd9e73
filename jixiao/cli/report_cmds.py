"""`jixiao report` (self-evaluation report .docx/.pdf) and `jixiao audit` (arithmetic audit)."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import zipfile
from pathlib import Path

from jixiao import cli
from jixiao.budget.feeds import collect_feeds
from jixiao.core.audit import audit_lines
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DepartmentYear
from jixiao.exchange import read_file
from jixiao.files import atomic_write
from jixiao.report.reading import read_report


def register(subparsers: argparse._SubParsersAction) -> None:
    rep = subparsers.add_parser(
        "report", help="生成部门整体（或单个项目）支出绩效自评报告 .docx/.pdf",
        description="从数据库（--department/--year）或交换格式文件（--file）起草自评报告；输出 .docx 或 .pdf。",
    )
    rep.add_argument("--department", help="部门编码，如 demo")
    rep.add_argument("--year", type=int, help="年度，如 2022")
    rep.add_argument("--file", help="直接从交换格式 JSON 文件生成（不使用数据库）")
    rep.add_argument("--project", help="项目编码：生成该项目的项目支出绩效自评报告")
    rep.add_argument("--bureau", help="上级部门（财政局）编码：所辖每个部门一份 .docx，打包为 .zip（后台任务）")
    rep.add_argument("-o", "--output", required=True, help="输出文件（.docx 或 .pdf；--bureau 时为 .zip）")
    rep.add_argument("--background", action="store_true",
                     help="作为后台任务生成（如转换 PDF）：由工作进程执行，本命令等待并显示进度")
    rep.set_defaults(func=report)

    aud = subparsers.add_parser(
        "audit", help="审核自评报告中的数字（执行率、合计、完成率、同比、计数）",
        description="退出码：0 未发现问题，1 发现不一致，2 文件无法读取。",
    )
    aud.add_argument("file", help="报告文件（.docx、.txt 或 .pdf）")
    aud.add_argument("--json", action="store_true", help="以 JSON 输出审核结果")
    aud.set_defaults(func=audit)


def _load(args: argparse.Namespace) -> tuple[DepartmentYear, dict[str, str]]:
    if args.file:
        if args.department or args.year:
            raise InputError([Problem("参数", "--file 与 --department/--year 只能二选一")])
        return read_file(Path(args.file)), {}
    missing = [name for name, value in (("--department", args.department), ("--year", args.year)) if not value]
    if missing:
        raise InputError([Problem("参数", f"请提供 {'、'.join(missing)}，或用 --file 指定交换格式文件")])
    cli.django_setup()
    from jixiao.budget.store import load_department_year  # noqa: PLC0415 — models: Django only for the database

    dy = load_department_year(args.department, args.year)
    return dy, collect_feeds(args.department, args.year)


def job_report(args: argparse.Namespace) -> int:
    """A background job (every department under a bureau, zipped; or one report with
    ``--background``): this command waits and shows progress."""
    out = Path(args.output)
    if args.bureau:
        if out.suffix.lower() != ".zip":
            raise InputError([Problem(args.output, "--bureau 的输出文件应以 .zip 结尾", "-o")])
        if args.department or args.file or args.project or not args.year:
            raise InputError([Problem("参数",
                                      "--bureau 需与 --year 同用，且不能与 --department/--file/--project 同用")])
    else:
        if out.suffix.lower() not in (".docx", ".pdf"):
            raise InputError([Problem(args.output, "输出文件应以 .docx 或 .pdf 结尾", "-o")])
        if args.file or not args.department or not args.year:
            raise InputError([Problem("参数", "--background 需与 --department 和 --year 同用（不能用于 --file）")])
    cli.django_setup()
    from jixiao.cli import job_cmds  # noqa: PLC0415 — models: Django only for the database
    from jixiao.services import jobs  # noqa: PLC0415 — likewise
    from jixiao.services.actor import system_actor  # noqa: PLC0415 — likewise

    if args.bureau:
        job = job_cmds.wait(jobs.start(system_actor(), "bureau_reports", args.bureau,
                                       {"bureau": args.bureau, "year": args.year}))
    else:
        job = job_cmds.wait(jobs.start(system_actor(), "report", args.department, {
            "code": args.department, "year": args.year, "project": args.project, "format": out.suffix.lower()}))
    for line in job.log.splitlines():  # what the job noted: departments left out, parts to complete
        if "未能生成" in line or "提示：" in line:
            sys.stderr.write(f"{line}\n")
    result = job_cmds.finished_output(job)
    if job.state != "done" or result is None:
        sys.stderr.write(f"错误：任务 {job.id} {job.state_label}：{job.error or '未生成结果文件'}\n")
        return 2 if job.state == "failed" else 1
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(result, out)
    except OSError as exc:
        raise InputError([Problem(str(out), f"无法写入输出文件（{exc.strerror or exc}）", "-o")]) from None
    if not args.bureau:
        print(f"已生成报告：{out}（任务 {job.id}）")
        return 0
    with zipfile.ZipFile(out) as zf:
        count = sum(1 for name in zf.namelist() if name.endswith(".docx"))
    print(f"已生成报告：{out}（{count} 个部门，任务 {job.id}）")
    return 0


def report(args: argparse.Namespace) -> int:
    if args.bureau or args.background:
        return job_report(args)
    from jixiao.report.generate import FORMATS, generate  # noqa: PLC0415 — matplotlib (~2 s) only for a report

    out = Path(args.output)
    if out.suffix.lower() not in FORMATS:
        raise InputError([Problem(args.output, "输出文件应以 .docx 或 .pdf 结尾", "-o")])
    dy, feeds = _load(args)
    files = []
    if not args.file:  # stored data: its 佐证材料 are listed in an appendix, as on the web
        from jixiao.services.evidence import by_indicator  # noqa: PLC0415 — models: Django only for the database

        files = by_indicator(dy)
    drafts = []  # written beside and renamed: a full disk leaves no truncated report
    atomic_write(out, lambda tmp: drafts.append(generate(dy, tmp, feeds, args.project, evidence=files)))
    draft = drafts[0]
    for warning in draft.warnings:
        sys.stderr.write(f"提示：{warning}\n")
    print(f"已生成报告：{out}" + (f"（{len(draft.warnings)} 处待补充）" if draft.warnings else ""))
    return 0


def audit(args: argparse.Namespace) -> int:
    text = read_report(Path(args.file))
    result = audit_lines(text.lines, text.locations, text.wrapped)
    if args.json:
        payload = {
            "file": args.file,
            "clean": result.clean,
            "claims_checked": result.checked,
            "findings": [f.to_dict() for f in result.findings],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for f in result.findings:
            print(f"{f.location}【{f.kind}】{f.message}\n    原文：{f.claim}")
        verdict = "未发现数字不一致" if result.clean else f"发现 {len(result.findings)} 处数字不一致"
        print(f"已核对 {result.checked} 处数字表述，{verdict}。")
    return 0 if result.clean else 1
