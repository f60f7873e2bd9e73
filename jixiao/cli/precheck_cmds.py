"""``jixiao precheck``: a 复核 rule pack run on a file or a stored department-year — the score a
reviewer applying the pack would give each indicator, and why.

Exit code 0 when no P0 finding, 1 with a P0 finding (it blocks submission), 2 when the input
cannot be read. A file is checked without the database; ``--department/--year`` uses what is
stored, with the ledger feeds and the evidence attached to each indicator."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from jixiao.cli.check_cmds import read_for_check
from jixiao.cli.core_cmds import setup_database
from jixiao.core.display import fmt_score
from jixiao.core.errors import InputError
from jixiao.core.precheck import Precheck, load_pack, pack_names, run_pack
from jixiao.core.scoring import score_department
from jixiao.core.workpaper import Workpaper, build
from jixiao.published import read_if_published

HELP = "预检：按复核规则包审核自评，给出每项指标的复核得分与理由（P0 阻断、P1 扣分、P2 提示）"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("precheck", help=HELP, description=HELP)
    p.add_argument("file", nargs="?", metavar="文件",
                   help=".json、.xlsx 或已发布的自评表；省略时用 --department 与 --year")
    p.add_argument("--department", metavar="部门编码")
    p.add_argument("--year", type=int, metavar="年度")
    p.add_argument("--pack", default="default", metavar="规则包", help=f"复核规则包（可用：{'、'.join(pack_names())}）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--workpaper", metavar="文件.xlsx", help="同时导出复核底稿（底稿、偏离度、差值表）")
    p.set_defaults(func=cmd_precheck)


def _from_file(path: str, pack_name: str) -> tuple[Precheck, Workpaper]:
    pack = load_pack(pack_name)
    if not Path(path).is_file():
        raise InputError("找不到该文件，请检查路径", location=path)
    reading = read_if_published(path)
    dy = reading.dy if reading else read_for_check(path)[0]
    result = score_department(dy)
    checked = run_pack(dy, result, pack)
    return checked, build(dy, result, checked)


def cmd_precheck(args: argparse.Namespace) -> int:
    load_pack(args.pack)  # an unknown pack is refused before anything is read
    if args.file:
        if args.department or args.year:
            raise InputError("请只指定文件，或只指定 --department 与 --year，不要同时指定", location="参数")
        result, workpaper = _from_file(args.file, args.pack)
        source = Path(args.file).name
    elif args.department and args.year:
        setup_database()
        from jixiao.services.actor import system_actor  # noqa: PLC0415 — models: Django only for the database
        from jixiao.services.precheck import stored_review  # noqa: PLC0415

        result, workpaper = stored_review(system_actor(), args.department, args.year, args.pack)
        source = f"{args.department}/{args.year}"
    else:
        raise InputError("请指定文件，或用 --department 与 --year 指定数据库中的部门年度", location="参数")
    if args.workpaper:
        from jixiao.excel.workpaper import write_workpaper  # noqa: PLC0415 — openpyxl only when asked

        write_workpaper(workpaper, args.workpaper)
    if args.json:
        print(json.dumps({"source": source, **result.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print(text(result, source))
    return 1 if result.blocking else 0


def text(result: Precheck, source: str) -> str:
    lines = [f"预检（{result.pack.name}，{result.pack.label}）：{source}"]
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("P0", "P1", "P2")}
    lines.append(f"阻断 {counts['P0']} 项，扣分 {counts['P1']} 项，提示 {counts['P2']} 项")
    for f in result.findings:
        where = "/".join(x for x in (f.project or "部门整体", f.indicator) if x)
        cut = f"（扣 {fmt_score(f.deduction)} 分）" if f.deduction else ""
        lines.append(f"  [{f.severity}] {f.code} {where}：{f.message}{cut}")
    lines.append("自评与复核得分（按项目）：")
    for project, (own, review) in result.totals().items():
        lines.append(f"  {project or '部门整体'}：自评 {fmt_score(own)}，复核 {fmt_score(review)}，"
                     f"差 {fmt_score(own - review)}")
    if result.blocking:
        lines.append("存在阻断项（P0），改正后才能提交。")
    return "\n".join(lines)
