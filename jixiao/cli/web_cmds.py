"""Web-application commands: ``jixiao serve``, ``jixiao users`` (demo logins and who holds which
role), ``jixiao backup FILE`` / ``jixiao restore FILE`` for the SQLite default database.

Every one of them needs the database, so Django is configured before this module is imported
(``django=True`` in ``jixiao/features.py``); the handlers call ``setup_database()`` for the schema."""
from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.db import connections
from waitress.server import create_server

from jixiao import cli
from jixiao.budget import models as m
from jixiao.cli.core_cmds import setup_database
from jixiao.core.errors import InputError
from jixiao.files import sqlite_copy
from jixiao.web.demo import demo_logins_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="启动网页服务")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--migrate", action="store_true",
                   help="PostgreSQL：确认已用 pg_dump 备份后，把数据库升级到当前版本（SQLite 会先自动保存副本再升级）")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("users", help="列出示例账号及各用户的部门角色")
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("backup", help="备份 SQLite 数据库到文件（运行中也可安全备份）")
    p.add_argument("file", metavar="文件")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="用备份文件替换当前 SQLite 数据库（请先停止网页服务）")
    p.add_argument("file", metavar="文件")
    p.set_defaults(func=cmd_restore)


def _collect_static_if_needed() -> None:
    """Hashed static files must exist before a production server starts; skip when unchanged."""
    if settings.DEBUG or settings.STATIC_ROOT is None:
        return  # whitenoise serves straight from the app directories
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    newest = max(
        (os.path.getmtime(storage.path(name))
         for finder in get_finders() for name, storage in finder.list([])),
        default=0.0,
    )
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return
    call_command("collectstatic", interactive=False, verbosity=0)


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise InputError(f"端口「{args.port}」无效，应为 1 到 65535", location="--port")
    setup_database(migrate_postgres=args.migrate)
    _collect_static_if_needed()
    from jixiao.wsgi import application  # noqa: PLC0415 — importing it builds the web application: serve only

    try:
        server = create_server(application, host=args.host, port=args.port, threads=8, **_waitress_options())
    except OSError as exc:
        raise InputError(f"无法在 {args.host}:{args.port} 启动服务：{exc.strerror or exc}",
                         location="--port") from None
    print(f"jixiao 已启动：http://{args.host}:{args.port}/ （按 Ctrl+C 停止）", flush=True)
    server.run()
    return 0


def _waitress_options() -> dict[str, Any]:
    """Request bodies capped while they stream in (before Django sees them), and — behind a
    proxy — X-Forwarded-For/-Proto believed from JIXIAO_TRUSTED_PROXIES only (waitress removes
    them from everyone else), so the client address and https are the proxy's word, not a caller's."""
    options: dict[str, Any] = {"max_request_body_size": settings.JIXIAO_REQUEST_MAX_BYTES,
                                  "clear_untrusted_proxy_headers": True}
    proxies = settings.JIXIAO_TRUSTED_PROXIES
    if len(proxies) > 1:
        raise InputError("JIXIAO_TRUSTED_PROXIES 只能填写一个代理服务器地址（waitress 只信任一个直接相连的代理）",
                         location="JIXIAO_TRUSTED_PROXIES")
    if proxies:
        options.update(trusted_proxy=proxies[0], trusted_proxy_count=1,
                       trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"})
    return options


def cmd_users(args: argparse.Namespace) -> int:
    setup_database()
    print(demo_logins_text())
    print("\n当前用户与角色：")
    rows = m.Membership.objects.select_related("user", "department").order_by("user__username", "department__code")
    if not rows:
        print("  （尚无用户，运行 jixiao demo 创建示例账号）")
    for r in rows:
        print(f"  {r.user.username:<10} {r.role:<6} {r.department.name}（{r.department.code}）")
    return 0


def _sqlite_path() -> Path:
    setup_database()
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        raise InputError("backup/restore 只用于默认的 SQLite 数据库；PostgreSQL 请使用 pg_dump / pg_restore",
                         location="DATABASE_URL")
    return Path(db["NAME"])


def cmd_backup(args: argparse.Namespace) -> int:
    out = Path(args.file)
    if not out.parent.is_dir():
        raise InputError(f"目录「{out.parent}」不存在", location=args.file)
    if out.exists():
        raise InputError("文件已存在，为避免覆盖请换一个文件名", location=args.file)
    src = _sqlite_path()
    sqlite_copy(src, out)  # written beside and renamed: a full disk leaves no 0-byte file behind
    print(f"已备份到 {out}")
    return 0


def _check_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"不是有效的 SQLite 备份文件：{exc}", location=str(path)) from None
    if ok != "ok":
        raise InputError(f"备份文件已损坏：{ok}", location=str(path))
    if "budget_departmentyear" not in tables:
        raise InputError("该文件不是 jixiao 的数据库备份（缺少 budget_departmentyear 表）", location=str(path))


def cmd_restore(args: argparse.Namespace) -> int:
    src = Path(args.file)
    if not src.is_file():
        raise InputError("找不到该文件，请检查路径", location=args.file)
    _check_backup(src)
    dst = _sqlite_path()
    connections.close_all()
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    cli.django_setup()  # a backup from an older version gets the newer migrations
    print(f"已从 {src} 恢复数据库 {dst}")
    return 0
