"""``jixiao init`` (the first run without the demo) and ``jixiao org`` (the unit and user lists).

Both act through ``jixiao.services.organisation``; the command line is the system actor."""
from __future__ import annotations

import argparse
import getpass
import sys

from jixiao.cli.core_cmds import setup_database
from jixiao.core.errors import InputError
from jixiao.services import organisation
from jixiao.services.actor import system_actor


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="首次运行（不使用示例数据）：建立财政局和第一个系统管理员",
                       description="首次运行：建立财政局（顶级单位）和第一个系统管理员。密码须符合密码策略；"
                                   "已有管理员时拒绝执行。")
    p.add_argument("--bureau-code", required=True, metavar="编码", help="财政局的单位编码，如 440112")
    p.add_argument("--bureau-name", required=True, metavar="名称", help="财政局名称，如 广州市黄埔区财政局")
    p.add_argument("--admin", required=True, metavar="登录名", help="第一个系统管理员的登录名")
    p.add_argument("--name", default="", metavar="姓名", help="管理员姓名")
    p.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读取管理员密码（用于脚本）；否则在终端中输入两次")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("org", help="单位与用户名单：导出模板、导入（先预览）、重置密码")
    org_sub = p.add_subparsers(dest="org_command", metavar="操作")
    e = org_sub.add_parser("export", help="导出单位与用户名单（Excel 模板，含现有数据）")
    e.add_argument("-o", "--output", required=True, metavar="输出文件")
    e.set_defaults(func=cmd_export)
    i = org_sub.add_parser("import", help="导入单位与用户名单：先预览，有问题或冲突时全部不导入")
    i.add_argument("file", metavar="文件")
    i.add_argument("--dry-run", action="store_true", help="只显示预览，不写入")
    i.add_argument("--reason", default="", help="变更原因，记入变更记录")
    i.set_defaults(func=cmd_import)
    r = org_sub.add_parser("reset-password", help="为用户设置一次性密码，用户下次登录时须修改")
    r.add_argument("username", metavar="登录名")
    r.set_defaults(func=cmd_reset_password)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise InputError("请在终端中运行以输入密码，或使用 --password-stdin 从标准输入提供密码",
                         location="--password-stdin")
    first = getpass.getpass("管理员密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise InputError("两次输入的密码不一致", location="密码")
    return first


def cmd_init(args: argparse.Namespace) -> int:
    setup_database()
    password = _password(args)
    done = organisation.initialise(args.bureau_code, args.bureau_name, args.admin, password, args.name)
    print(f"已建立财政局 {done.bureau.name}（{done.bureau.code}）和系统管理员 {done.username}。")
    print("下一步：")
    print("  1. 启动服务：make run（或 jixiao serve），用该管理员登录；")
    print("  2. 导出单位与用户名单模板：jixiao org export -o 名单.xlsx（或在网页“组织与用户”中下载），"
          "填写所辖主管部门、单位和用户后导入：jixiao org import 名单.xlsx；")
    print("  3. 各单位经办人登录后即可填报绩效目标、运行监控和自评。")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    setup_database()
    n_units, n_users = organisation.export_lists(system_actor(), args.output)
    print(f"已导出 {n_units} 个单位、{n_users} 条用户角色到 {args.output}")
    return 0


def _print_preview(pv: organisation.OrgPreview) -> None:
    counts = pv.counts()
    print("预览：" + ("，".join(f"{k} {v}" for k, v in sorted(counts.items())) or "没有内容"))
    for c in pv.units + pv.users:
        if c.action == "不变":
            continue
        detail = "；".join(f"{label}：{before or '（空）'} → {after or '（空）'}"
                          for label, (before, after) in c.fields.items())
        print(f"  {c.action}{c.kind} {c.key}（{c.location}）{('：' + detail) if detail else ''}")
    for title, items in (("问题", pv.problems), ("冲突", pv.conflicts), ("提示", pv.warnings)):
        for p in items:
            print(f"  {title}：{p}")


def cmd_import(args: argparse.Namespace) -> int:
    setup_database()
    units, users, exported_at = organisation.read_lists(args.file)
    actor = system_actor()
    if args.dry_run:
        pv = organisation.preview_org(actor, units, users, exported_at)
        _print_preview(pv)
        print("（预览，未写入）")
        return 1 if pv.blocked else 0
    done = organisation.apply_org(actor, units, users, exported_at, args.reason)
    _print_preview(done.preview)
    if done.preview.blocked:
        print("有问题或冲突，全部未导入；请修改后重新导入。", file=sys.stderr)
        return 1
    print("已导入。")
    for username, password in done.passwords.items():
        print(f"  新用户 {username} 的初始密码：{password}（仅显示一次，首次登录时须修改）")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    setup_database()
    password = organisation.reset_password(system_actor(), args.username)
    print(f"用户 {args.username} 的一次性密码：{password}（仅显示一次，下次登录时须修改）")
    return 0
