"""Upgrades keep data: a database made by jixiao 0.1.0 (tests/data/upgrade/0.1.0), upgraded by the
installed command, holds the same records and gives the same scores; SQLite gets a copy first,
PostgreSQL is not upgraded without ``--migrate``."""
from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import run_installed
from django.core.management import call_command
from django.db import connection

from jixiao import exchange
from jixiao.core.changes import diff_years, without_versions
from jixiao.core.errors import InputError
from jixiao.upgrade import ensure_schema, pending

OLD = Path(__file__).resolve().parent / "data" / "upgrade" / "0.1.0"
FIGURES = ("budget", "executed", "execution_rate", "execution_score", "score", "grade")



@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> Path:
    """A copy of the 0.1.0 database, upgraded by running a command on it."""
    folder = tmp_path_factory.mktemp("upgrade")
    db = folder / "jixiao.sqlite3"
    with gzip.open(OLD / "db.sqlite3.gz", "rb") as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return db


def _figures(card: dict) -> dict:
    out = {k: card.get(k) for k in FIGURES}
    out["projects"] = {p["code"]: {k: p.get(k) for k in FIGURES} for p in card["projects"]}
    out["indicators"] = {(p["code"], i["code"]): i.get("score") for p in card["projects"] for i in p["indicators"]}
    out["indicators"].update({("", i["code"]): i.get("score") for i in card.get("indicators", [])})
    return out


@pytest.mark.subprocess
@pytest.mark.parametrize("department", ["demo", "demo-b"])
def test_scores_after_the_upgrade_are_those_of_0_1_0(upgraded, department):
    proc = run_installed("score", "--department", department, "--year", "2022", "--json", db=upgraded,
                         timeout=300)
    assert proc.returncode == 0, proc.stderr
    before = json.loads((OLD / f"score-{department}.json").read_text(encoding="utf-8"))
    assert _figures(json.loads(proc.stdout)) == _figures(before)


@pytest.mark.subprocess
@pytest.mark.parametrize("department", ["demo", "demo-b"])
def test_records_after_the_upgrade_are_those_of_0_1_0(upgraded, tmp_path, department):
    out = tmp_path / "after.json"
    proc = run_installed("export", "--department", department, "--year", "2022", "--format", "json", "-o", out,
                         db=upgraded, timeout=300)
    assert proc.returncode == 0, proc.stderr
    before = without_versions(exchange.read_file(OLD / f"export-{department}.json"))
    after = without_versions(exchange.read_file(out))
    diff = diff_years(before, after)
    assert not (diff.added or diff.deleted or diff.changed), diff


@pytest.mark.subprocess
@pytest.mark.parametrize("ledger", ["land", "invest", "enterprise"])
def test_ledger_totals_after_the_upgrade_are_those_of_0_1_0(upgraded, ledger):
    proc = run_installed(ledger, "summary", "--department", "demo", "--year", "2022", "--json", db=upgraded,
                         timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads((OLD / f"summary-{ledger}.json").read_text(encoding="utf-8"))


@pytest.mark.subprocess
def test_the_upgrade_keeps_a_copy_of_the_old_file(tmp_path):
    db = tmp_path / "old.sqlite3"
    with gzip.open(OLD / "db.sqlite3.gz", "rb") as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    proc = run_installed("users", db=db, timeout=300)
    assert proc.returncode == 0, proc.stderr
    copies = list(tmp_path.glob("old.before-upgrade-*.sqlite3"))
    assert len(copies) == 1 and "数据库已升级到当前版本" in proc.stderr and str(copies[0]) in proc.stderr
    # the copy is the old database, intact: it still lacks the newer migrations
    with sqlite3.connect(f"file:{copies[0]}?mode=ro", uri=True) as conn:
        names = {r[0] for r in conn.execute("select app || '.' || name from django_migrations")}
    assert "budget.0002_versions_stages_reviews" in names
    assert "budget.0003_department_credit_code_active" not in names
    again = run_installed("users", db=db, timeout=300)  # nothing pending: no second copy
    assert again.returncode == 0 and len(list(tmp_path.glob("old.before-upgrade-*.sqlite3"))) == 1


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_is_upgraded_only_safely(settings, tmp_path):
    """In process, on whichever database the suite runs: one app taken back a migration, then
    brought up to date by ``ensure_schema`` — after a copy on SQLite; on PostgreSQL only with
    ``--migrate``."""
    call_command("migrate", "organisation", "zero", verbosity=0)
    try:
        assert pending()[0] >= 1
        if connection.vendor == "postgresql":
            with pytest.raises(InputError, match="pg_dump"):
                ensure_schema()
            assert pending()[0] >= 1  # refused: nothing changed
            done = ensure_schema(migrate_postgres=True)
            assert done is not None and done.backup is None
        else:
            done = ensure_schema()
            assert done is not None and done.backup is not None and done.backup.is_file()
            done.backup.unlink()
        assert pending()[0] == 0
    finally:
        call_command("migrate", verbosity=0)
