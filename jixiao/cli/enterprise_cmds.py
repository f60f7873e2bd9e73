"""`jixiao enterprise summary|tickets|import|export`: enterprise services and economic monitoring."""
from __future__ import annotations

import argparse
from datetime import date

from jixiao.cli import ledgers as cli
from jixiao.core import enterprise as ent
from jixiao.core.errors import InputError
from jixiao.enterprise import records, store
from jixiao.services import ledgers

NOUN = "企业服务台账"


def register(sub: argparse._SubParsersAction) -> None:
    ent_sub = cli.ledger_commands(sub, "enterprise")
    cli.add_command(ent_sub, "summary",
                    "年度汇总：规上工业、限上商贸（同口径增速）、走访人次、宣讲会、问题直通车、专精特新",
                    cmd_summary, json_output=True)
    t = cli.add_command(ent_sub, "tickets", "问题直通车工单队列及逾期情况", cmd_tickets)
    t.add_argument("--as-of", metavar="日期", help="按该日期判断逾期（默认为年末与今天中较早者）")
    t.add_argument("--open", action="store_true", help="只列未办结的工单")
    cli.add_import(ent_sub, NOUN, cmd_import)
    cli.add_export(ent_sub, NOUN, cmd_export)


def cmd_summary(args: argparse.Namespace) -> int:
    cli.setup()
    s = store.load_summary(args.department, args.year)
    data = s.as_dict()
    data["feeds"] = ent.enterprise_feeds(s)
    if args.json:
        return cli.print_json(data)
    scale, quota = data["above_scale_industry"], data["above_quota_trade"]
    print(f"{args.department} {args.year} 年度企业服务与经济运行（规则 {s.rule_id} v{s.rule_version}；"
          f"统计数据版本 {data['latest_vintage']}）")
    print(f"规上工业企业 {scale['enterprises']} 家，工业总产值 {scale['current_yi']} 亿元，同口径增长 {scale['growth']}"
          f"（上年同期同口径 {scale['prior_same_scope_wan']} 万元）")
    print(f"工业大类 {data['industry_divisions']} 个，其中增长的：{'、'.join(data['growing_divisions']) or '无'}")
    for d in data["by_division"]:
        print(f"  {d['code']} {d['name']}{'（' + d['tag'] + '）' if d['tag'] else ''}：{d['enterprises']} 家，"
              f"{d['current_yi']} 亿元，{d['growth']}")
    print(f"限上商贸企业 {quota['enterprises']} 家，销售额 {quota['current_yi']} 亿元，同口径增长 {quota['growth']}")
    if data["published_prior_reference_wan"]:
        print("上年公布数（仅供参考，不用于计算增速）：" + "，".join(
            f"{k} {v} 万元" for k, v in data["published_prior_reference_wan"].items()))
    print(f"走访企业 {s.person_visits} 人次（{s.visits} 次走访，{s.enterprises_visited} 家企业）；"
          f"政策宣讲会 {s.briefings} 次")
    t = data["tickets"]
    print(f"问题直通车 {t['received']} 件，办结 {t['closed']} 件（{t['closure_rate']}），"
          + "，".join(f"{k} {v}" for k, v in t["by_flag"].items()))
    sp = data["specialised"]
    counting = "按最高级别各计一次" if sp["counting"] == "exclusive" else "各级分别计"
    print(f"专精特新“小巨人”（{counting}）：国家级 {sp['reported']['国家级']} 家，省级 {sp['reported']['省级']} 家；"
          f"各级分别计时省级 {sp['inclusive']['省级']} 家")
    plans = data["plans"]
    print(f"一企一策 {plans['enterprises']} 家企业，措施 {plans['measures']} 项（完成 {plans['measures_done']} 项）")
    if s.sample_rows:
        print(f"其中 {s.sample_rows} 条为示例数据")
    return 0


def cmd_tickets(args: argparse.Namespace) -> int:
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else min(date.today(), date(args.year, 12, 31))
    except ValueError:
        raise InputError(f"“{args.as_of}”不是日期，请写成 2022-12-31 的格式", "--as-of") from None
    cli.setup()
    ledger = store.load_ledger(args.department, args.year)
    rules = store.year_rules(args.department, args.year)
    names = {e.uscc: e.name for e in ledger.enterprises}
    print(f"问题直通车（截至 {as_of.isoformat()}）")
    for t in ledger.tickets:
        o = ent.overdue(t, rules, as_of)
        if args.open and t.reached(rules.closed_status):
            continue
        late = f"，逾期 {o.days_late} 天" if o.days_late else ""
        print(f"{t.ticket_id}\t{t.status}\t{o.flag}\t时限 {o.deadline.isoformat()}{late}\t{t.category}\t"
              f"{names.get(t.uscc, t.uscc)}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    ledger = cli.import_file(args, records.read_json, lambda path: records.read_excel(path, args.department, args.year))

    def done(ledger: ent.EnterpriseLedger, saved: ledgers.Saved) -> str:
        s = store.load_summary(ledger.department, ledger.year)
        return (f"已导入 {ledger.department} {ledger.year} 年度企业服务台账：企业 {s.enterprises} 家，"
                f"月度统计 {len(ledger.stats)} 条，走访 {s.person_visits} 人次，工单 {len(ledger.tickets)} 件")

    return cli.run_import(args, "enterprise", ledger, done)


def cmd_export(args: argparse.Namespace) -> int:
    out = cli.export_path(args)
    cli.setup()
    ledger = store.load_ledger(args.department, args.year)
    cli.write_atomically(out, lambda tmp: records.write_json(ledger, tmp), lambda tmp: records.write_excel(ledger, tmp))
    print(f"已导出 {len(ledger.enterprises)} 家企业到 {out}")
    return 0
