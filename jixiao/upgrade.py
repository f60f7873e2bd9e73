"""Upgrading a database to the installed version, without losing it.

Every command that needs the database brings the schema up to date first. A new database simply
gets the schema. An existing one gets the pending migrations only after a safe copy:

- SQLite (the default): a consistent copy of the file (SQLite's online backup) is written beside
  it, ``<name>.before-upgrade-<time>.sqlite3``, and then the migrations run;
- PostgreSQL: jixiao cannot copy the database itself, so it refuses and says how to take a
  ``pg_dump`` first; ``jixiao serve --migrate`` (or ``JIXIAO_MIGRATE=1``) then upgrades.

What each version changes in the data is in ``CHANGELOG.md``.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jixiao.core.errors import InputError
from jixiao.files import sqlite_copy


@dataclass(frozen=True)
class Upgraded:
    migrations: int
    backup: Path | None  # the copy taken before, for SQLite


def pending() -> tuple[int, bool]:
    """(migrations still to apply, whether the database has none applied at all)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return len(plan), not executor.loader.applied_migrations


def _sqlite_copy(db: Path) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    target = db.with_name(f"{db.stem}.before-upgrade-{stamp}{db.suffix or '.sqlite3'}")
    try:
        sqlite_copy(db, target)
    except InputError as exc:
        raise InputError(f"升级数据库前无法保存副本（{exc}），未升级；请检查磁盘空间和目录权限",
                         location=str(db)) from None
    return target


def ensure_schema(*, migrate_postgres: bool = False) -> Upgraded | None:
    """Create the schema of a new database, or upgrade an existing one after a copy."""
    count, fresh = pending()
    if not count:
        return None
    backup = None
    if not fresh:
        if connection.vendor == "sqlite":
            name = str(connection.settings_dict["NAME"])
            if name and name != ":memory:" and Path(name).is_file():
                backup = _sqlite_copy(Path(name))
        elif not (migrate_postgres or os.environ.get("JIXIAO_MIGRATE") == "1"):
            raise InputError(
                f"数据库需要升级到当前版本（{count} 项迁移），为保护数据未自动升级。请先备份："
                f"pg_dump -Fc -d 数据库名 -f jixiao-升级前.dump，然后运行 jixiao serve --migrate"
                "（或设置 JIXIAO_MIGRATE=1 后运行任一命令）。各版本的数据变化见 CHANGELOG.md", location="数据库")
    call_command("migrate", verbosity=0, interactive=False)
    if not fresh:
        where = f"；升级前的副本：{backup}" if backup else ""
        sys.stderr.write(f"数据库已升级到当前版本（{count} 项迁移）{where}\n")
    return Upgraded(count, backup)
