"""`jixiao land classify|summary|import|export`: the land-use survey ledger."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jixiao.core.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("land", help="土地使用状况一本帐：识别、汇总、导入、导出")
    land_sub = p.add_subparsers(dest="land_command", metavar="子命令", parser_class=type(p))

    c = land_sub.add_parser("classify", help="按识别规则认定闲置、低效用地并列出每宗地的认定说明")
    _department_args(c)
    c.add_argument("--rules", metavar="规则编号", help="改用指定的识别规则重新认定（如 land-2022），并作为该年度规则")
    c.add_argument("--rule-version", type=int, metavar="版本", help="与 --rules 一起使用，指定规则版本")
    c.add_argument("--all", action="store_true", help="列出全部宗地（默认只列闲置、低效和政府原因延迟的宗地）")
    c.add_argument("--json", action="store_true", help="输出 JSON")
    c.set_defaults(func=cmd_classify)

    s = land_sub.add_parser("summary", help="台账汇总：摸查地块、低效和闲置用地、处置进展")
    _department_args(s)
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_summary)

    i = land_sub.add_parser("import", help="导入土地台账 .json 或 .xlsx（全部成功或全部不导入）")
    i.add_argument("file", metavar="文件")
    i.add_argument("--department", metavar="部门编码", help="Excel 文件须指定部门")
    i.add_argument("--year", type=int, metavar="年度", help="Excel 文件须指定年度")
    i.add_argument("--reason", default="", help="变更原因，记入变更记录")
    i.set_defaults(func=cmd_import)

    e = land_sub.add_parser("export", help="导出土地台账为 .json 或 .xlsx")
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


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def cmd_classify(args: argparse.Namespace) -> int:
    if args.rule_version is not None and not args.rules:
        raise InputError("--rule-version 须与 --rules 一起使用", "参数")
    _setup()
    from jixiao.land import store

    if args.rules:
        rs = store.reclassify(args.department, args.year, args.rules, args.rule_version, user="命令行")
    else:
        rs = store.year_rule_set(args.department, args.year)
    results = store.stored_results(args.department, args.year)
    shown = [c for c in results if args.all or c.status != "正常" or c.government_delay]
    if args.json:
        _print_json({
            "department": args.department, "year": args.year,
            "rule_set": {"id": rs.id, "version": rs.version, "illustrative": rs.illustrative},
            "parcels": [{"parcel_id": c.parcel_id, "status": c.status, "computed_status": c.computed_status,
                         "types": c.types, "government_delay": c.government_delay, "proposal": c.proposal,
                         "explanation": c.explanation} for c in shown],
        })
        return 0
    print(f"{args.department} {args.year} 年度土地台账认定结果（{rs.label}{'，示例阈值' if rs.illustrative else ''}）：")
    for c in shown:
        print(f"{c.parcel_id}\t{c.status}\t{c.explanation}")
    counts = {s: sum(1 for c in results if c.status == s) for s in ("正常", "低效", "闲置")}
    print(f"共 {len(results)} 宗：正常 {counts['正常']}，低效 {counts['低效']}，闲置 {counts['闲置']}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    _setup()
    from jixiao.core import land
    from jixiao.land import store

    s = store.load_summary(args.department, args.year)
    data = s.as_dict()
    data["feeds"] = land.land_feeds(s)
    if args.json:
        _print_json(data)
        return 0
    note = "（示例阈值）" if s.illustrative_rules else ""
    print(f"{args.department} {args.year} 年度土地使用状况一本帐（规则 {s.rule_id} v{s.rule_version}{note}）")
    print(f"摸查地块 {data['parcels_surveyed']} 宗，面积 {data['surveyed_area_ha']} 公顷（{data['surveyed_area_mu']} 亩）")
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
    path = Path(args.file)
    if not path.is_file():
        raise InputError("找不到该文件，请检查路径", str(path))
    suffix = path.suffix.lower()
    if suffix == ".json":
        from jixiao.land.records import read_json

        ledger = read_json(path)
        if args.department and args.department != ledger.department or args.year and args.year != ledger.year:
            raise InputError(f"文件中的部门、年度为 {ledger.department} {ledger.year}，与参数不一致", path.name)
    elif suffix == ".xlsx":
        if not args.department or not args.year:
            raise InputError("导入 Excel 台账须用 --department 和 --year 指明部门和年度", "参数")
        from jixiao.land.excel import read_workbook

        ledger = read_workbook(path, args.department, args.year)
    else:
        raise InputError(f"不支持的文件类型“{suffix or path.name}”，请使用 .json 或 .xlsx", path.name)
    _setup()
    from jixiao.land import store

    results = store.save_ledger(ledger, user="命令行", reason=args.reason or f"导入 {path.name}")
    low = sum(1 for c in results if c.status == "低效")
    idle = sum(1 for c in results if c.status == "闲置")
    print(f"已导入 {ledger.department} {ledger.year} 年度土地台账：{len(ledger.parcels)} 宗，低效 {low}，闲置 {idle}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.output)
    suffix = out.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise InputError("输出文件应以 .json 或 .xlsx 结尾", str(out))
    if not out.parent.is_dir():
        raise InputError("输出目录不存在", str(out.parent))
    _setup()
    from jixiao.land import store

    ledger = store.load_ledger(args.department, args.year)
    tmp = out.with_name(out.name + ".part")
    if suffix == ".json":
        from jixiao.land.records import write_json

        write_json(ledger, tmp)
    else:
        from jixiao.land.excel import write_workbook

        write_workbook(ledger, store.stored_results(args.department, args.year), tmp)
    tmp.replace(out)
    print(f"已导出 {len(ledger.parcels)} 宗地块到 {out}")
    return 0
