"""``jixiao exante``: 项目入库与事前绩效评估 on the command line — whether a proposal must be
assessed, the proposals of a department-year with their conclusions and cuts, the assessment
report (.docx) and the expert scoring form (.xlsx). The workflow itself (申报, 专家评分, 结论,
入库) is done in the browser, where each role acts as itself."""
from __future__ import annotations

import argparse
import json
from decimal import Decimal

from jixiao.cli.core_cmds import setup_database
from jixiao.core import exante as rules
from jixiao.core.display import fmt_amount, fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.exante import documents
from jixiao.exante.models import Proposal
from jixiao.services import exante
from jixiao.services.actor import system_actor
from jixiao.services.scope import department


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("exante", help="项目入库与事前绩效评估：是否须评估、申报列表、评估报告、专家评分表")
    s = p.add_subparsers(dest="exante_command", metavar="操作")
    t = s.add_parser("trigger", help="按规则判断项目是否须开展事前绩效评估")
    t.add_argument("--kind", choices=rules.KINDS, required=True, help="新增或延续")
    t.add_argument("--requested", required=True, metavar="万元", help="申请金额")
    t.add_argument("--last-year", metavar="万元", help="上年预算数（延续项目）")
    t.add_argument("--locality", default="default", help="地方口径（rules/exante.json 的 localities）")
    t.set_defaults(func=cmd_trigger)
    ls = s.add_parser("list", help="列出部门年度的入库申报、评估结论与核减情况")
    ls.add_argument("--department", required=True, metavar="部门编码")
    ls.add_argument("--year", required=True, type=int, metavar="年度")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)
    for name, helptext, fn in (("report", "生成事前绩效评估报告（.docx）", cmd_report),
                               ("form", "生成专家评分表（.xlsx）", cmd_form)):
        r = s.add_parser(name, help=helptext)
        r.add_argument("--department", required=True, metavar="部门编码")
        r.add_argument("--year", required=True, type=int, metavar="年度")
        r.add_argument("--project", required=True, metavar="项目编码")
        r.add_argument("-o", "--output", required=True, metavar="输出文件")
        r.set_defaults(func=fn)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _amount(text: str | None, where: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return exante._money(text, where, True)
    except InputError:
        raise InputError(f"“{text}”不是金额（万元）", location=where) from None


def cmd_trigger(args: argparse.Namespace) -> int:
    requested = _amount(args.requested, "--requested")
    assert requested is not None
    t = rules.trigger(args.kind, requested, _amount(args.last_year, "--last-year"), args.locality)
    print(t.reason)
    return 0


def _proposals(code: str, year: int) -> list[Proposal]:
    row = department(system_actor(), code, "view")
    return list(Proposal.objects.filter(department=row, year=year).order_by("code"))


def cmd_list(args: argparse.Namespace) -> int:
    setup_database()
    rows = _proposals(args.department, args.year)
    total = exante.totals(rows)
    if args.json:
        print(json.dumps({"proposals": [{
            "code": p.code, "name": p.name, "kind": p.kind, "status": p.status, "requested": str(p.requested),
            "panel_score": None if p.panel_score is None else str(p.panel_score), "conclusion": p.conclusion,
            "approved": None if p.approved is None else str(p.approved)} for p in rows],
            "cut": str(total.amount), "cut_rate": None if total.rate is None else str(total.rate)},
            ensure_ascii=False, indent=2))
        return 0
    for p in rows:
        print(f"{p.code} {p.name}：{p.kind}，申请 {fmt_amount(p.requested)} 万元，{p.status}"
              + (f"，专家组评分 {fmt_score(p.panel_score)}，{p.conclusion}，核定 {fmt_amount(p.approved)} 万元"
                 if p.panel_score is not None and p.approved is not None else ""))
    if not rows:
        print("（没有入库申报）")
    else:
        rate = f"，核减率 {fmt_rate(total.rate)}" if total.rate is not None else ""
        print(f"已作结论的项目合计核减 {fmt_amount(total.amount)} 万元{rate}")
    return 0


def _one(args: argparse.Namespace) -> Proposal:
    setup_database()
    found = [p for p in _proposals(args.department, args.year) if p.code == args.project]
    if not found:
        raise InputError(f"{args.department} {args.year} 年度没有项目编码为 {args.project} 的入库申报",
                         location="--project")
    return found[0]


def cmd_report(args: argparse.Namespace) -> int:
    p = _one(args)
    documents.write_report(p, args.output)
    print(f"已生成事前绩效评估报告：{args.output}")
    return 0


def cmd_form(args: argparse.Namespace) -> int:
    p = _one(args)
    documents.write_form(p, args.output)
    print(f"已生成专家评分表：{args.output}")
    return 0
