"""API tokens for programs: ``jixiao token create USERNAME``, ``list``, ``revoke``.

``create`` prints the token on its last line; it is shown this once, only its SHA-256 is stored.
Tokens are named by their non-secret prefix (``jx_…``) or their number (``list``).
Django is configured before this module is imported (``django=True`` in ``jixiao/features.py``);
the handlers call ``setup_database()`` for the schema.
"""
from __future__ import annotations

import argparse
import unicodedata
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from jixiao.cli.core_cmds import setup_database
from jixiao.core.errors import InputError
from jixiao.web.models import ApiToken
from jixiao.web.tokens import create_token, hash_token


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("token", help="管理程序调用 API 的令牌：创建、列出、撤销")
    ops = p.add_subparsers(dest="token_command", metavar="操作", required=True)

    c = ops.add_parser("create", help="为用户创建 API 令牌（令牌只显示这一次，在最后一行）")
    c.add_argument("username", metavar="用户名")
    c.add_argument("--name", default="", metavar="用途", help="令牌用途，如“预算一体化系统”")
    c.set_defaults(func=cmd_create)

    ls = ops.add_parser("list", help="列出令牌（不显示令牌本身）")
    ls.add_argument("--user", metavar="用户名", help="只列出该用户的令牌")
    ls.set_defaults(func=cmd_list)

    r = ops.add_parser("revoke", help="撤销令牌：按前缀（jx_…）、编号或完整令牌，或用 --user 撤销该用户的全部令牌")
    r.add_argument("token", nargs="?", metavar="前缀或编号")
    r.add_argument("--user", metavar="用户名", help="撤销该用户的全部有效令牌")
    r.set_defaults(func=cmd_revoke)


def _user(username: str) -> User:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise InputError(f"用户「{username}」不存在，请核对用户名（jixiao users 可列出现有用户）", location="用户名")
    return user


def _when(value: datetime | None) -> str:
    return "—" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """Columns padded by display width (a Chinese character takes two); the last one unpadded."""
    def pad(text: str, width: int) -> str:
        shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        return text + " " * max(width - shown, 1)
    return "".join(pad(c, w) for c, w in zip(cells[:-1], widths, strict=True)) + cells[-1]


def cmd_create(args: argparse.Namespace) -> int:
    setup_database()
    user = _user(args.username)
    if not user.is_active:
        raise InputError(f"用户「{user.username}」已停用，不能为其创建令牌", location="用户名")
    row, token = create_token(user, args.name.strip())
    print(f"已为用户 {user.username} 创建 API 令牌（编号 {row.pk}，前缀 {row.prefix}）。"
          f"令牌只显示这一次，请妥善保存；调用时使用请求头 Authorization: Bearer 令牌：")
    print(token)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    setup_database()
    rows = ApiToken.objects.select_related("user").order_by("user__username", "created", "pk")
    if args.user:
        rows = rows.filter(user=_user(args.user))
    if not rows:
        print("（尚无令牌，用 jixiao token create 用户名 创建）")
        return 0
    widths = (6, 14, 14, 8, 18, 18)
    print(_row(("编号", "前缀", "用户", "状态", "创建时间", "最近使用", "用途"), widths))
    for t in rows:
        print(_row((str(t.pk), t.prefix, t.user.username, "已撤销" if t.revoked_at else "有效",
                    _when(t.created), _when(t.last_used), t.name), widths))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    if bool(args.token) == bool(args.user):
        raise InputError("请给出要撤销的令牌（前缀或编号），或用 --user 用户名 撤销该用户的全部令牌（二者选一）",
                         location="参数")
    setup_database()
    now = timezone.now()
    if args.user:
        user = _user(args.user)
        count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        print(f"已撤销用户 {user.username} 的 {count} 个令牌" if count else f"用户 {user.username} 没有有效的令牌")
        return 0
    value = args.token.strip()
    match = Q(prefix=value) | Q(key_hash=hash_token(value))
    if value.isdigit():
        match |= Q(pk=int(value))
    rows = list(ApiToken.objects.select_related("user").filter(match)[:2])
    if len(rows) != 1:
        raise InputError(f"未找到令牌「{value}」" if not rows else f"「{value}」对应多个令牌，请改用前缀",
                         location="令牌")
    row = rows[0]
    if row.revoked_at is not None:
        print(f"令牌 {row.prefix}（用户 {row.user.username}）已于 {_when(row.revoked_at)} 撤销，无需重复操作")
        return 0
    ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=now)
    print(f"已撤销令牌 {row.prefix}（用户 {row.user.username}）")
    return 0
