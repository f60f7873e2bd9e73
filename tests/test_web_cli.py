"""`jixiao demo` with and without demo mode, `jixiao users`, `jixiao backup`, `jixiao restore`.

The first two run in this process on the test database. backup and restore work on the SQLite
file itself (and restore reconnects), so they run the installed command on a file of their own."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import run_installed
from django.contrib.auth import authenticate, get_user_model
from web_support import FAST_HASHERS

from jixiao.budget import models as m


def test_demo_outside_demo_mode_creates_no_logins(db, cli, settings):

    settings.JIXIAO_DEMO = False
    out = cli("demo")
    assert out.returncode == 0, out.stderr
    assert "未创建示例账号" in out.stdout and "JIXIAO_DEMO=1" in out.stdout
    assert "Jixiao#2022" not in out.stdout
    assert get_user_model().objects.count() == 0
    assert m.Department.objects.filter(code="demo-b").count() == 1


def test_demo_mode_creates_the_logins_and_users_lists_them_with_roles(db, cli, settings):
    settings.JIXIAO_DEMO = True
    settings.PASSWORD_HASHERS = FAST_HASHERS
    out = cli("demo")
    assert out.returncode == 0, out.stderr
    assert "jingban" in out.stdout and "Jixiao#2022" in out.stdout
    assert authenticate(username="jingban-b", password="Jixiao#2022") is not None
    out = cli("users")
    assert out.returncode == 0, out.stderr
    assert "caizheng" in out.stdout and "财政审核" in out.stdout
    assert "黄埔区示例街道办事处（示例）" in out.stdout
    assert "jingban-b  经办人" in out.stdout  # a membership row, not only the list of demo logins


def test_users_on_an_empty_database_says_so(db, cli):
    out = cli("users")
    assert out.returncode == 0 and "尚无用户" in out.stdout


def test_backup_refuses_to_overwrite_and_restore_checks_the_file(cli, tmp_path):
    # Both are refused before any database work.
    existing = tmp_path / "x.sqlite3"
    existing.write_text("not a database, " * 100)
    out = cli("backup", existing)
    assert out.returncode == 2 and "已存在" in out.stderr and "Traceback" not in out.stderr
    out = cli("backup", tmp_path / "no" / "b.sqlite3")
    assert out.returncode == 2 and "不存在" in out.stderr
    out = cli("restore", existing)
    assert out.returncode == 2 and "不是有效的 SQLite 备份文件" in out.stderr
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    out = cli("restore", other)
    assert out.returncode == 2 and "budget_departmentyear" in out.stderr
    assert cli("restore", tmp_path / "missing.sqlite3").returncode == 2


@pytest.fixture
def site_db(fresh_demo_sqlite, tmp_path) -> Path:
    db = tmp_path / "site.sqlite3"
    shutil.copy(fresh_demo_sqlite, db)
    return db


@pytest.mark.subprocess
def test_backup_and_restore_round_trip(site_db, tmp_path):
    backup = tmp_path / "b.sqlite3"
    done = run_installed("backup", backup, db=site_db)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(site_db) as conn:
        conn.execute("DELETE FROM web_loginthrottle")
        conn.execute("UPDATE budget_project SET name = 'changed'")
    restored = run_installed("restore", backup, db=site_db)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(site_db) as conn:
        assert conn.execute("SELECT count(*) FROM budget_project WHERE name = 'changed'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM budget_project").fetchone()[0] > 0
    out = run_installed("users", db=site_db)
    assert out.returncode == 0 and "jingban-b" in out.stdout


@pytest.mark.postgres
def test_backup_and_restore_refer_postgresql_to_its_own_tools(db, cli, tmp_path):
    for command in ("backup", "restore"):
        path = tmp_path / "b.sqlite3" if command == "backup" else site_file(tmp_path)
        out = cli(command, path)
        assert out.returncode == 2 and "pg_dump" in out.stderr, out.stderr
    assert not (tmp_path / "b.sqlite3").exists()


def site_file(tmp_path: Path) -> Path:
    """A file that passes restore's own checks (a SQLite file with the jixiao tables)."""
    path = tmp_path / "looks-like-a-backup.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE budget_departmentyear (id)")
    return path
