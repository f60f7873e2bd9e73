"""`jixiao invest summary|import|export`: the investment-promotion pipeline."""
from __future__ import annotations

import argparse

from jixiao.cli import ledgers as cli
from jixiao.core import invest
from jixiao.core.display import fmt_value
from jixiao.invest import records, store
from jixiao.services import ledgers

NOUN = "招商台账"


def register(sub: argparse._SubParsersAction) -> None:
    invest_sub = cli.ledger_commands(sub, "invest")
    cli.add_command(invest_sub, "summary",
                    "年度招商汇总：入库、签约、注册（原始数与分成计分数）、协议金额、实际利用外资、活动",
                    cmd_summary, json_output=True)
    cli.add_import(invest_sub, NOUN, cmd_import, excel_needs=("department", "year", "unit"))
    cli.add_export(invest_sub, NOUN, cmd_export)


def cmd_summary(args: argparse.Namespace) -> int:
    cli.setup()
    s = store.load_summary(args.department, args.year)
    data = s.as_dict()
    data["feeds"] = invest.invest_feeds(s)
    if args.json:
        return cli.print_json(data)
    note = "，示例口径" if s.illustrative_rules else ""
    print(f"{args.department} {args.year} 年度招商引资台账"
          f"（计分单位：{s.unit}；规则 {s.rule_id} v{s.rule_version}{note}）")
    print("指标\t计分数\t原始数")
    for label, key in (("新洽谈入库项目（个）", "pool_entered"), ("签约项目（个）", "signed"),
                       ("注册项目（个）", "registered")):
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
    ledger = cli.import_file(args, records.read_json,
                             lambda path: records.read_excel(path, args.department, args.year, args.unit))

    def done(ledger: invest.InvestLedger, saved: ledgers.Saved) -> str:
        s = store.load_summary(ledger.department, ledger.year)
        return (f"已导入 {ledger.department} {ledger.year} 年度招商台账：项目 {len(ledger.projects)} 个，"
                f"到资 {len(ledger.fdi)} 笔，活动 {len(ledger.events)} 场；"
                f"注册项目计分 {fmt_value(s.registered.credited, 2)} 个")

    return cli.run_import(args, "invest", ledger, done)


def cmd_export(args: argparse.Namespace) -> int:
    out = cli.export_path(args)
    cli.setup()
    ledger = store.load_ledger(args.department, args.year)
    cli.write_atomically(out, lambda tmp: records.write_json(ledger, tmp), lambda tmp: records.write_excel(ledger, tmp))
    print(f"已导出 {len(ledger.projects)} 个项目到 {out}")
    return 0
