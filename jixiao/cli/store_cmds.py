"""Commands on the stored department-years: demo, import, workflow, export. Every one of them
needs the database, so Django is configured before this module is imported (``django=True`` in
``jixiao/features.py``); the handlers call ``setup_database()`` for the schema."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from django.db import transaction

from jixiao import excel, exchange, features
from jixiao.budget import bulk
from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.cli.core_cmds import DEMO_FILE, department_args, setup_database
from jixiao.core.changes import Ref
from jixiao.core.display import DASH, fmt_amount
from jixiao.core.errors import InputError
from jixiao.core.model import DepartmentYear
from jixiao.core.scoring import score_department
from jixiao.excel.bulk_write import write_bulk_many
from jixiao.files import atomic_write
from jixiao.services import imports
from jixiao.services.actor import system_actor
from jixiao.services.demo import database_empty, demo_present, load_demo_year, reset_demo
from jixiao.services.findings import import_summary
from jixiao.services.scope import departments_under
from jixiao.services.workflow import transition
from jixiao.web.security import log_event


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="载入示例部门及其示例台账数据（已有时不改动；--reset 重新开始）",
                       description="载入示例部门及其示例台账数据。示例部门已存在时不作任何改动，"
                                   "以免覆盖您的修改；要丢弃示例数据上的全部修改、重新开始，请用 --reset。")
    p.add_argument("--reset", action="store_true",
                   help="删除示例部门的全部数据（年度数据、复核、台账、任务、佐证材料及其变更记录）后重新载入")
    p.add_argument("--yes", action="store_true", help="与 --reset 同用：不再询问确认")
    p.add_argument("--if-empty", action="store_true", help="只在数据库中还没有任何单位时载入（make run 使用）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="导入交换格式 .json 或 Excel .xlsx 文件："
                                      "先预览，无冲突时全部导入，否则全部不导入")
    p.add_argument("file", metavar="文件", help=".json 或 .xlsx")
    p.add_argument("--reason", default="", help="变更原因，记入变更记录")
    p.add_argument("--dry-run", action="store_true", help="只显示预览（新增、修改、删除、冲突、提示），不写入")
    p.add_argument("--delete-missing", action="store_true",
                   help="确认删除文件中没有而系统中有的项目、指标等（默认保留）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出预览")
    p.add_argument("--department", metavar="部门编码",
                   help="已发布的自评表（.xlsx/.xls/.docx/.pdf）中没有部门编码时，导入到该部门")
    fed = p.add_mutually_exclusive_group()
    fed.add_argument("--keep-ledger", action="store_true",
                     help="由台账取数的指标，文件中的实际完成值与台账不同时，保留台账数据")
    fed.add_argument("--use-typed", action="store_true",
                     help="由台账取数的指标，文件中的实际完成值与台账不同时，采用文件中的填报值"
                          "（须用 --reason 说明理由）")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("workflow", help="审核流程操作：提交、退回、审核通过、锁定、解除锁定等")
    department_args(p, required=True)
    p.add_argument("action", metavar="操作", help="submit / return / approve / lock / unlock（目标申报另有 ratify；"
                   "整改有 start / complete / confirm）")
    p.add_argument("--project", metavar="项目编码", help="对该项目操作；省略时对部门整体操作")
    p.add_argument("--stage", default=None, choices=("goals", "self_evaluation", "monitoring", "rectification"),
                   help="阶段：goals 目标申报 / self_evaluation 绩效自评（默认）/ "
                        "monitoring 运行监控 / rectification 整改")
    p.add_argument("--month", type=int, metavar="月份", help="运行监控：监控节点的截止月份")
    p.add_argument("--rectification", metavar="整改编码", help="整改：整改事项编码")
    p.add_argument("--comment", default="", help="意见或理由（退回、解除锁定时必填）")
    p.set_defaults(func=cmd_workflow)

    p = sub.add_parser("export", help="导出部门年度数据：交换格式 JSON 或标准表格",
                       description="导出一个部门年度；批量工作簿（--form bulk）也可包含多个部门："
                                   "重复 --department，或用 --bureau 导出所辖全部部门，每行注明部门编码和年度，"
                                   "可用 jixiao import-batch 导回。")
    p.add_argument("--department", action="append", metavar="部门编码",
                   help="部门编码；与 --form bulk 同用时可重复，多个部门写入同一个批量工作簿")
    p.add_argument("--bureau", metavar="部门编码",
                   help="与 --form bulk 同用：该上级部门（财政局）所辖、有该年度数据的全部部门写入同一个批量工作簿")
    p.add_argument("--year", type=int, required=True, metavar="年度")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", choices=("json",), help="json：交换格式文件")
    what.add_argument("--form", metavar="表格",
                      help="bulk 批量工作簿 / target 绩效目标申报表 / monitor 绩效运行监控表 / "
                           "self-eval 项目支出绩效自评表 / dept-self-eval 部门整体支出绩效自评表 / "
                           "blank-target、blank-self-eval 空白模板")
    p.add_argument("--project", metavar="项目编码", help="只导出该项目的表格")
    p.add_argument("-o", "--output", required=True, metavar="输出文件")
    p.set_defaults(func=cmd_export)


def _summary(dy: DepartmentYear) -> str:
    indicators = len(dy.indicators) + sum(len(p.indicators) for p in dy.projects)
    # a blank budget line leaves the total unknown: "—", never 0
    budget = DASH if dy.budget is None else f"{fmt_amount(dy.budget)} {dy.money_unit}"
    return (f"{dy.department.name}（{dy.department.code}）{dy.year} 年度：{len(dy.projects)} 个项目，"
            f"{indicators} 个指标，全年预算 {budget}")


def _confirm_reset() -> bool:
    if not sys.stdin.isatty():
        raise InputError("重置会删除示例部门上的全部修改；请在终端中确认，或加 --yes", location="--reset")
    answer = input("将删除示例部门的全部数据（含复核、台账、任务、佐证材料和变更记录）并重新载入。确定吗？[y/N] ")
    return answer.strip().lower() in ("y", "yes", "是")


def cmd_demo(args: argparse.Namespace) -> int:
    setup_database()
    if args.reset:
        if not args.yes and not _confirm_reset():
            print("已取消，未作改动。")
            return 1
        codes = reset_demo()
        print(f"已删除示例部门 {'、'.join(codes)} 的全部数据，重新载入：")
    elif args.if_empty and not database_empty():
        print("数据库中已有数据，未载入示例数据（您的数据保持不变）。")
        return 0
    elif demo_present():
        print("示例部门已存在，未作改动（您在示例数据上的修改都保留着）。"
              "如需丢弃修改、重新开始：jixiao demo --reset")
        return 0
    dy = exchange.read_file(DEMO_FILE)
    # Features with demo rows of their own (park ledgers, demo logins) declare a demo loader in
    # jixiao/features.py. It runs after the demo department is stored, in the same transaction,
    # and returns a line telling the user what it loaded.
    with transaction.atomic():
        load_demo_year(dy)
        lines = [loader(dy) for loader in features.demo_loaders()]
    print(f"已载入示例部门 {_summary(dy)}（标注“示例”的数值为示例数据）")
    for line in lines:
        print(line)
    print(f"查看评分：jixiao score --department {dy.department.code} --year {dy.year}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    setup_database()
    read = imports.read_file(args.file, args.department)
    name = Path(args.file).name
    actor = system_actor()
    if args.use_typed and not args.reason.strip():
        raise InputError("采用填报值须说明理由，请加 --reason", location="--use-typed")
    resolve = (imports.choose_for_all(read.candidate, imports.KEEP_LEDGER) if args.keep_ledger else
               imports.choose_for_all(read.candidate, imports.USE_TYPED, args.reason) if args.use_typed else None)
    for warning in read.warnings:
        print(f"提示：{warning}")
    if args.dry_run:
        preview = imports.preview(actor, read.candidate, name, args.delete_missing, resolve)
        print(json.dumps(preview.as_dict(), ensure_ascii=False, indent=2) if args.json else preview.text())
        return 1 if preview.conflicts else 0
    try:
        preview = imports.apply(actor, read.candidate, name, args.reason, args.delete_missing, resolve)
    except imports.ImportConflict as exc:
        print(json.dumps(exc.preview.as_dict(), ensure_ascii=False, indent=2) if args.json else exc.preview.text())
        sys.stderr.write(f"错误：{exc}。请先处理上述冲突（或在网页上退回、解除锁定；台账数据与填报值不同时用 "
                         "--keep-ledger 或 --use-typed --reason …选择）后重新导入\n")
        return 1
    print(json.dumps(preview.as_dict(), ensure_ascii=False, indent=2) if args.json else preview.text())
    print(f"已导入 {_summary(read.candidate)}")
    outcome = read.outcome
    months = ({code: sheet.month for code, sheet in outcome.monitoring.items()}
              if outcome is not None and outcome.form == "monitor" else None)
    print(import_summary(preview.candidate or read.candidate, args.file, months))
    return 0


def cmd_workflow(args: argparse.Namespace) -> int:
    setup_database()
    if args.stage == "monitoring" or args.month is not None:
        if not (args.project and args.month):
            raise InputError("运行监控的操作需要 --project 与 --month", location="参数")
        ref = Ref("checkpoint", args.project, str(args.month))
    elif args.stage == "rectification" or args.rectification:
        if not args.rectification:
            raise InputError("整改的操作需要 --rectification 整改编码", location="参数")
        ref = Ref("rectification", "", args.rectification)
    else:
        ref = Ref("project", args.project) if args.project else Ref("year")
    moved = transition(system_actor(), args.department, args.year, ref, args.action, args.comment, args.stage)
    print(f"{ref.path()}：{moved.before} → {moved.status}")
    return 0


def _output_path(path: str, suffix: str | None) -> Path:
    out = Path(path)
    if suffix and out.suffix.lower() != suffix:
        raise InputError(f"输出文件应以 {suffix} 结尾", location=path)
    if not out.parent.is_dir():
        raise InputError(f"输出目录「{out.parent}」不存在", location=path)
    if out.is_dir():
        raise InputError("输出路径是一个目录，请给出文件名", location=path)
    return out


def cmd_export(args: argparse.Namespace) -> int:
    out = _output_path(args.output, ".xlsx" if args.form else None)
    if args.form and args.form not in excel.FORMS:
        raise InputError(f"未知的表格类型「{args.form}」，可选：{'、'.join(excel.FORMS)}", location="--form")
    codes = list(dict.fromkeys(args.department or []))  # in the order given, each once
    if args.bureau or len(codes) > 1:
        return _export_many(args, codes, out)
    if not codes:
        raise InputError("请用 --department 指定部门（或用 --bureau 导出所辖全部部门的批量工作簿）",
                         location="--department")
    code = codes[0]
    setup_database()
    dy = load_department_year(code, args.year)
    if args.project is not None and all(p.code != args.project for p in dy.projects):
        raise InputError(f"部门 {code} 的 {args.year} 年度中没有项目「{args.project}」",
                         location="--project")
    if args.form:
        result = score_department(dy, collect_feeds(code, args.year))
        atomic_write(out, lambda tmp: excel.write_form(dy, result, args.form, tmp,
                                                            project=args.project))
    else:
        if args.project is not None:
            raise InputError("交换格式导出整个部门年度，不能与 --project 同时使用", location="--project")
        atomic_write(out, lambda tmp: exchange.write_file(dy, tmp))
    form = f"（{args.form}）" if args.form else ""
    log_event("导出", username=system_actor().name,
              detail=f"命令行导出 {code} {args.year} 年度{form} → {out}")
    print(f"已导出到 {out}")
    return 0


def _export_many(args: argparse.Namespace, codes: list[str], out: Path) -> int:
    """Several departments' years in one bulk workbook (``--bureau`` or a repeated ``--department``)."""
    if args.form != "bulk":
        raise InputError("多个部门只能导出为批量工作簿，请用 --form bulk", location="--form")
    if args.project is not None:
        raise InputError("多个部门的批量工作簿导出整个部门年度，不能与 --project 同时使用", location="--project")
    if args.bureau and codes:
        raise InputError("--bureau 与 --department 请只用其一", location="--bureau")
    setup_database()
    if args.bureau:
        bureau = m.Department.objects.filter(code=args.bureau).first()
        if bureau is None:
            raise InputError(f"找不到部门「{args.bureau}」", location="--bureau")
        codes = [d.code for d in departments_under(system_actor(), bureau, args.year)]
        if not codes:
            raise InputError(f"所辖部门没有 {args.year} 年度数据，未导出", location="--bureau")
    stored = set(m.DepartmentYear.objects.filter(department__code__in=codes, year=args.year)
                 .values_list("department__code", flat=True))
    missing = [c for c in codes if c not in stored]
    if missing:
        raise InputError(f"以下部门没有 {args.year} 年度数据：{'、'.join(missing)}", location="--department")
    years = list(bulk.iter_years((c, args.year) for c in codes))
    atomic_write(out, lambda tmp: write_bulk_many(years, tmp))
    which = f"{args.bureau} 所辖 {len(years)} 个部门" if args.bureau else "、".join(codes)
    log_event("导出", username=system_actor().name,
              detail=f"命令行导出 {which} {args.year} 年度（bulk）→ {out}")
    print(f"已导出 {len(years)} 个部门的 {args.year} 年度到 {out}")
    return 0
