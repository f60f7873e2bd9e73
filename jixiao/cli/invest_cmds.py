"""`jixiao invest summary|import|export`: the investment-promotion pipeline."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jixiao.core.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("invest", help="招商引资台账：汇总、导入、导出")
    invest_sub = p.add_subparsers(dest="invest_command", metavar="子命令", parser_class=type(p))

    s = invest_sub.add_parser("summary", help="年度招商汇总：入库、签约、注册（原始数与分成计分数）、协议金额、实际利用外资、活动")
    _department_args(s)
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_summary)

    i = invest_sub.add_parser("import", help="导入招商台账 .json 或 .xlsx（全部成功或全部不导入）")
    i.add_argument("file", metavar="文件")
    i.add_argument("--department", metavar="部门编码", help="Excel 文件须指定部门")
    i.add_argument("--year", type=int, metavar="年度", help="Excel 文件须指定年度")
    i.add_argument("--unit", metavar="计分单位", help="Excel 文件须指定本部门在分成计分中的单位名称")
    i.add_argument("--reason", default="", help="导入原因")
    i.set_defaults(func=cmd_import)

    e = invest_sub.add_parser("export", help="导出招商台账为 .json 或 .xlsx")
    _department_args(e)
    e.add_argument("-o", "--output", required=True, metavar="文件", help=".json 或 .xlsx")
    e.set_defaults(func=cmd_export)

    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _department_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--department", required=True, metavar="部门编码")
    p.add_argument("--year", type=int, required=True, metavar="年度")


def _setup() -> None:
    from jixiao.cli.core_cmds import setup_database

    setup_database()


def cmd_summary(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.core import invest
    from jixiao.investment import store

    s = store.load_summary(args.department, args.year)
    data = s.as_dict()
    data["feeds"] = invest.invest_feeds(s)
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return 0
    note = "，示例口径" if s.illustrative_rules else ""
    print(f"{args.department} {args.year} 年度招商引资台账（计分单位：{s.unit}；规则 {s.rule_id} v{s.rule_version}{note}）")
    print("指标\t计分数\t原始数")
    for label, key in (("新洽谈入库项目（个）", "pool_entered"), ("签约项目（个）", "signed"), ("注册项目（个）", "registered")):
        print(f"{label}\t{data[key]['credited']}\t{data[key]['raw']}")
    for label, key in (("协议投资总额", "agreed_investment"), ("协议达产年产值/营收", "agreed_output")):
        print(f"{label}（{s.amount_unit}）\t{data[key]['credited']}\t{data[key]['raw']}")
    print(f"实际利用外资（{s.fdi_unit}）\t{data['fdi']['credited']}\t{data['fdi']['raw']}")
    print(f"招商推介活动 {s.promotion_events} 次；园区招商交流活动 {s.exchange_events} 场"
          f"（其中区外 {s.exchange_outside_district} 场）；区领导带队赴市外拜访企业 {s.leader_visits} 家"
          f"（{s.leader_visit_rows} 次拜访）")
    print("项目阶段：" + "，".join(f"{k} {v}" for k, v in s.by_stage.items() if v))
    if s.sample_rows:
        print(f"其中 {s.sample_rows} 条为示例数据")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError("找不到该文件，请检查路径", str(path))
    suffix = path.suffix.lower()
    if suffix == ".json":
        from jixiao.investment.records import read_json

        ledger = read_json(path)
        if args.department and args.department != ledger.department or args.year and args.year != ledger.year:
            raise InputError(f"文件中的部门、年度为 {ledger.department} {ledger.year}，与参数不一致", path.name)
    elif suffix == ".xlsx":
        if not (args.department and args.year and args.unit):
            raise InputError("导入 Excel 台账须用 --department、--year 和 --unit 指明部门、年度和计分单位", "参数")
        from jixiao.investment.records import read_excel

        ledger = read_excel(path, args.department, args.year, args.unit)
    else:
        raise InputError(f"不支持的文件类型“{suffix or path.name}”，请使用 .json 或 .xlsx", path.name)
    _setup()
    from jixiao.core.display import fmt_value
    from jixiao.investment import store

    s = store.save_ledger(ledger, user="命令行", reason=args.reason or f"导入 {path.name}")
    print(f"已导入 {ledger.department} {ledger.year} 年度招商台账：项目 {len(ledger.projects)} 个，"
          f"到资 {len(ledger.fdi)} 笔，活动 {len(ledger.events)} 场；注册项目计分 {fmt_value(s.registered.credited, 2)} 个")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise InputError("输出文件应以 .json 或 .xlsx 结尾", str(out))
    if not out.parent.is_dir():
        raise InputError("输出目录不存在", str(out.parent))
    _setup()
    from jixiao.investment import records, store

    ledger = store.load_ledger(args.department, args.year)
    tmp = out.with_name(f".{out.stem}.part{suffix}")
    try:
        (records.write_json if suffix == ".json" else records.write_excel)(ledger, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    print(f"已导出 {len(ledger.projects)} 个项目到 {out}")
    return 0
