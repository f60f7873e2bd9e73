"""`jixiao users`, `jixiao backup`, `jixiao restore` on a throw-away SQLite database."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def run(args: list[str], db: Path, demo_mode: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    env.pop("PYTEST_VERSION", None)
    env.pop("JIXIAO_DEMO", None)
    env["JIXIAO_DEBUG"] = "1"
    if demo_mode:
        env["JIXIAO_DEMO"] = "1"
    code = "import sys; from jixiao.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "site.sqlite3"
    out = run(["demo"], db)
    assert out.returncode == 0, out.stderr
    assert "jingban" in out.stdout and "Jixiao#2022" in out.stdout
    return db


def test_demo_outside_demo_mode_creates_no_logins(tmp_path):
    db = tmp_path / "real.sqlite3"
    out = run(["demo"], db, demo_mode=False)
    assert out.returncode == 0, out.stderr
    assert "未创建示例账号" in out.stdout and "JIXIAO_DEMO=1" in out.stdout
    assert "Jixiao#2022" not in out.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM auth_user").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM budget_department WHERE code = 'demo-b'").fetchone()[0] == 1


def test_users_lists_demo_logins_and_roles(demo_db):
    out = run(["users"], demo_db)
    assert out.returncode == 0 and "caizheng" in out.stdout and "财政审核" in out.stdout
    assert "黄埔区示例街道办事处（示例）" in out.stdout


def test_backup_and_restore_round_trip(demo_db, tmp_path):
    backup = tmp_path / "b.sqlite3"
    assert run(["backup", str(backup)], demo_db).returncode == 0
    with sqlite3.connect(demo_db) as conn:
        conn.execute("DELETE FROM web_loginattempt")
        conn.execute("UPDATE budget_project SET name = 'changed'")
    restored = run(["restore", str(backup)], demo_db)
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(demo_db) as conn:
        assert conn.execute("SELECT count(*) FROM budget_project WHERE name = 'changed'").fetchone()[0] == 0


def test_backup_refuses_to_overwrite_and_restore_checks_the_file(demo_db, tmp_path):
    existing = tmp_path / "x.sqlite3"
    existing.write_text("x")
    out = run(["backup", str(existing)], demo_db)
    assert out.returncode == 2 and "已存在" in out.stderr and "Traceback" not in out.stderr
    out = run(["restore", str(existing)], demo_db)
    assert out.returncode == 2 and "Traceback" not in out.stderr
