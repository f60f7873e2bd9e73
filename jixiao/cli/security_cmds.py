"""``jixiao security-log``: the security log (logins, failures, lock-outs, logouts, denied
accesses, admin actions, exports), newest first; ``--json`` prints ``{"entries": [...]}``;
``--prune`` removes entries older than the retention period (JIXIAO_SECURITY_LOG_DAYS).

Django is configured before this module is imported (``django=True`` in ``jixiao/features.py``)."""
from __future__ import annotations

import argparse

from django.utils import timezone

from jixiao.cli.core_cmds import setup_database
from jixiao.core.errors import InputError
from jixiao.services.actor import system_actor
from jixiao.web import seclog
from jixiao.web.models import SECURITY_EVENT_KINDS

HELP = "安全审计日志：登录、失败、锁定、退出、拒绝访问、后台操作、导出"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("security-log", help=HELP, description=HELP)
    p.add_argument("--json", action="store_true", help="以 JSON 输出：{\"entries\": [...]}")
    p.add_argument("--kind", default="", metavar="类型", help=f"只列出一类：{'、'.join(SECURITY_EVENT_KINDS)}")
    p.add_argument("--user", default="", metavar="用户名", help="只列出该用户的记录")
    p.add_argument("--limit", type=int, default=0, metavar="条数", help="最多列出的条数（默认全部）")
    p.add_argument("--prune", action="store_true", help="删除超过保存期（JIXIAO_SECURITY_LOG_DAYS，默认 180 天）的记录")
    p.set_defaults(func=cmd_security_log)


def cmd_security_log(args: argparse.Namespace) -> int:
    if args.kind and args.kind not in SECURITY_EVENT_KINDS:
        raise InputError(f"类型「{args.kind}」无效，应为：{'、'.join(SECURITY_EVENT_KINDS)}", location="--kind")
    if args.limit < 0:
        raise InputError("条数不能为负数", location="--limit")
    setup_database()
    if args.prune:
        count = seclog.prune(system_actor().name)
        print(f"已删除超过保存期（{seclog.retention_days()} 天）的安全审计记录 {count} 条。")
        return 0
    rows = seclog.entries(args.kind, args.user)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print(seclog.as_json(rows))
        return 0
    for e in rows.iterator():
        where = f" {e.path}" if e.path else ""
        status = f" [{e.status}]" if e.status else ""
        when = timezone.localtime(e.when)
        print(f"{when:%Y-%m-%d %H:%M:%S} {e.kind} {e.username or '-'} {e.ip or '-'}{where}{status} {e.detail}")
    return 0
