"""Shared fixtures. Pure tests need no database: pytest-django creates the test database only
for tests that ask for it (``db`` or the fixtures below), once per session.

The command line is tested in this process (``cli``): same parser, same handlers, same exit
codes, on the test database. Only the few tests that need a real process (the installed
command, its environment, a fresh SQLite file) start one, through ``run_installed``; they carry
the ``subprocess`` marker."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

import jixiao.cli
from jixiao import exchange
from jixiao.budget.store import save_department_year
from jixiao.core.model import DepartmentYear

# The Playwright fixture `site` (tests/browser_support.py) for the stage walks.
pytest_plugins = ["browser_support"]

DEMO_FILE = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"
DATA = Path(__file__).resolve().parent / "data"
# The console script `make install` puts beside the interpreter.
INSTALLED = Path(sys.executable).parent / "jixiao"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """Password hashing is slow on purpose (PBKDF2, a million rounds): the demo logins alone
    took seconds per test that loads them. No test is about the hasher's strength."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def demo_dy() -> DepartmentYear:
    """The demo department-year, freshly read (tests may change it)."""
    return exchange.read_file(DEMO_FILE)


@pytest.fixture
def stored_demo(db, demo_dy: DepartmentYear) -> DepartmentYear:
    """The demo department-year saved in the test database; returns what was saved."""
    save_department_year(demo_dy, who="pytest", reason="测试数据")
    return demo_dy


@dataclass
class Ran:
    """What a command did: its exit code and what it wrote (like ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


def in_process(mp: pytest.MonkeyPatch) -> None:
    """The test database is migrated once per session by pytest-django and Django is already
    configured: the CLI's own set-up (``django.setup()`` again, ``migrate``) has nothing to do."""
    mp.setattr(jixiao.cli, "django_setup", lambda *args, **kwargs: None)
    if hasattr(jixiao.cli, "configure_django"):
        mp.setattr(jixiao.cli, "configure_django", lambda: None)


def run_cli(*args: str | Path) -> int:
    """``jixiao.cli.main`` in this process (the caller captures the output)."""
    try:
        return jixiao.cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own usage errors
        return exc.code if isinstance(exc.code, int) else 1


@pytest.fixture
def cli(capsys, monkeypatch) -> Callable[..., Ran]:
    """``cli("score", path, "--json")`` runs the command line in this process, on the test
    database when the command needs one (ask for ``db`` too), and returns a ``Ran``."""
    in_process(monkeypatch)

    def run(*args: str | Path) -> Ran:
        capsys.readouterr()
        code = run_cli(*args)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@contextmanager
def rows_for_the_module(django_db_blocker) -> Iterator[None]:
    """For a module-scoped fixture: rows written inside ``with`` (the database is reachable
    there) stay for the module's tests, whose own changes are still rolled back (to a
    savepoint); all of it is rolled back after the module. Not for ``transactional_db`` tests."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_for_the_module(django_db_setup, django_db_blocker) -> Iterator[str]:
    """``jixiao demo`` (without demo logins) run once for the module; yields what it printed.
    Tests still ask for ``db``."""
    out = io.StringIO()
    with rows_for_the_module(django_db_blocker):
        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp, \
                override_settings(JIXIAO_DEMO=False), redirect_stdout(out):
            in_process(mp)
            assert run_cli("demo") == 0
        yield out.getvalue()


def run_installed(*args: str | Path, db: Path | str | None = None, demo_mode: bool = False,
                  timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed ``jixiao`` command in a child process, on its own SQLite file (or the URL
    given), never on the developer's database."""
    assert INSTALLED.is_file(), f"{INSTALLED} 不存在：请先运行 make install"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DB_ENGINE", "PYTEST_VERSION", "JIXIAO_DEMO")}
    if db is not None:
        env["DATABASE_URL"] = db if isinstance(db, str) else f"sqlite:///{db}"
    if demo_mode:
        env["JIXIAO_DEMO"] = "1"
    return subprocess.run([str(INSTALLED), *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture(scope="session")
def fresh_demo_sqlite(tmp_path_factory) -> Path:
    """A SQLite file created by the installed command from nothing (schema and demo, demo
    logins included): ``jixiao demo`` in a child process. Copy it before changing it."""
    db = tmp_path_factory.mktemp("installed") / "demo.sqlite3"
    proc = run_installed("demo", db=db, demo_mode=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "11 个项目" in proc.stdout and "jingban" in proc.stdout and "Jixiao#2022" in proc.stdout
    return db


def pytest_runtest_setup(item: pytest.Item) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if item.get_closest_marker("postgres") and not on_postgres:
        pytest.skip("只在 PostgreSQL 上运行（scripts/test.sh 的 PostgreSQL 部分）")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches the database (through ``db``, ``transactional_db``,
    ``live_server`` or any fixture built on them) ``database``: ``make check`` runs the others."""
    for item in items:
        if "django_db_setup" in getattr(item, "fixturenames", ()) or item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.database)

