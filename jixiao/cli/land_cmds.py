"""`jixiao land classify|summary|import|export`: the land-use survey ledger."""
from __future__ import annotations

import argparse

from jixiao.cli import ledgers as cli
from jixiao.core import land
from jixiao.core.errors import InputError
from jixiao.land import excel, records, store
from jixiao.services import ledgers
from jixiao.services.actor import system_actor

NOUN = "土地台账"


def register(sub: argparse._SubParsersAction) -> None:
    land_sub = cli.ledger_commands(sub, "land")
    c = cli.add_command(land_sub, "classify", "按识别规则认定闲置、低效用地并列出每宗地的认定说明", cmd_classify,
                        json_output=True)
    c.add_argument("--rules", metavar="规则编号", help="改用指定的识别规则重新认定（如 land-2022），并作为该年度规则")
    c.add_argument("--rule-version", type=int, metavar="版本", help="与 --rules 一起使用，指定规则版本")
    c.add_argument("--all", action="store_true", help="列出全部宗地（默认只列闲置、低效和政府原因延迟的宗地）")
    cli.add_command(land_sub, "summary", "台账汇总：摸查地块、低效和闲置用地、处置进展", cmd_summary, json_output=True)
    cli.add_import(land_sub, NOUN, cmd_import)
    cli.add_export(land_sub, NOUN, cmd_export)


def cmd_classify(args: argparse.Namespace) -> int:
    if args.rule_version is not None and not args.rules:
        raise InputError("--rule-version 须与 --rules 一起使用", "参数")
    cli.setup()
    if args.rules:
        rs = ledgers.recount(system_actor(), "land", args.department, args.year, args.rules, args.rule_version).rules
    else:
        rs = store.year_rule_set(args.department, args.year)
    results = store.stored_results(args.department, args.year)
    shown = [c for c in results if args.all or c.status != "正常" or c.government_delay]
    if args.json:
        return cli.print_json({
            "department": args.department, "year": args.year,
            "rule_set": {"id": rs.id, "version": rs.version, "illustrative": rs.illustrative},
            "parcels": [{"parcel_id": c.parcel_id, "status": c.status, "computed_status": c.computed_status,
                         "types": c.types, "government_delay": c.government_delay, "proposal": c.proposal,
                         "explanation": c.explanation} for c in shown],
        })
    note = "，示例阈值" if rs.illustrative else ""
    print(f"{args.department} {args.year} 年度土地台账认定结果（{rs.label}{note}）：")
    for c in shown:
        print(f"{c.parcel_id}\t{c.status}\t{c.explanation}")
    counts = {s: sum(1 for c in results if c.status == s) for s in ("正常", "低效", "闲置")}
    print(f"共 {len(results)} 宗：正常 {counts['正常']}，低效 {counts['低效']}，闲置 {counts['闲置']}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    cli.setup()
    s = store.load_summary(args.department, args.year)
    data = s.as_dict()
    data["feeds"] = land.land_feeds(s)
    if args.json:
        return cli.print_json(data)
    note = "（示例阈值）" if s.illustrative_rules else ""
    print(f"{args.department} {args.year} 年度土地使用状况一本帐（规则 {s.rule_id} v{s.rule_version}{note}）")
    print(f"摸查地块 {data['parcels_surveyed']} 宗，面积 {data['surveyed_area_ha']} 公顷"
          f"（{data['surveyed_area_mu']} 亩）")
    print(f"低效用地 {data['low_efficiency_count']} 个，面积 {data['low_efficiency_area_ha']} 公顷"
          f"（{data['low_efficiency_area_mu']} 亩），占摸查面积 {data['low_efficiency_area_share']}")
    print(f"闲置土地 {data['idle_count']} 宗，面积 {data['idle_area_ha']} 公顷；"
          f"政府原因延迟 {data['government_delay_count']} 宗（不计入闲置）")
    d = data["disposal"]
    print(f"处置中 {d['area_ha']} 公顷，已处置 {d['disposed_ha']} 公顷，剩余 {d['remaining_ha']} 公顷；"
          + "，".join(f"{k} {v['count']} 宗 {v['area_ha']} 公顷" for k, v in d["by_strategy"].items()))
    for street, groups in data["by_street"].items():
        print(f"  {street}：" + "，".join(f"{k} {v['count']} 宗 {v['area_ha']} 公顷" for k, v in groups.items()))
    if s.sample_rows:
        print(f"其中 {s.sample_rows} 宗为示例数据")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    ledger = cli.import_file(args, records.read_json,
                             lambda path: excel.read_workbook(path, args.department, args.year))

    def done(ledger: land.Ledger, saved: ledgers.Saved) -> str:
        results = store.stored_results(ledger.department, ledger.year)
        low = sum(1 for c in results if c.status == "低效")
        idle = sum(1 for c in results if c.status == "闲置")
        return f"已导入 {ledger.department} {ledger.year} 年度土地台账：{len(results)} 宗，低效 {low}，闲置 {idle}"

    return cli.run_import(args, "land", ledger, done)


def cmd_export(args: argparse.Namespace) -> int:
    out = cli.export_path(args)
    cli.setup()
    ledger = store.load_ledger(args.department, args.year)
    cli.write_atomically(out, lambda tmp: records.write_json(ledger, tmp), lambda tmp: excel.write_workbook(
        ledger, store.stored_results(args.department, args.year), tmp))
    print(f"已导出 {len(ledger.parcels)} 宗地块到 {out}")
    return 0
