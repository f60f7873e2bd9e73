"""The command-line contract: exit codes, Chinese errors without tracebacks, JSON keys, and that
every command works on the database named by DATABASE_URL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from jixiao.cli import main
from jixiao.scorecard import scorecard_dict, scorecard_text
from jixiao.settings import parse_database_url

DEMO_FILE = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"
CARD_KEYS = {"budget", "executed", "execution_rate", "score", "grade"}


def jixiao(*args: str, db: Path | str | None = None) -> subprocess.CompletedProcess:
    """Run the command line in a child process, on its own SQLite file (or the URL given)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB_ENGINE")}
    if db is not None:
        env["DATABASE_URL"] = db if isinstance(db, str) else f"sqlite:///{db}"
    return subprocess.run(
        [sys.executable, "-c", "import sys; from jixiao.cli import main; sys.exit(main())", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )


def assert_bad_input(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.startswith("错误：")
    for w in words:
        assert w in proc.stderr


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "db.sqlite3"
    proc = jixiao("demo", db=db)
    assert proc.returncode == 0, proc.stderr
    assert "demo" in proc.stdout and "11 个项目" in proc.stdout
    return db


def test_score_file_json(capsys):
    assert main(["score", str(DEMO_FILE), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert CARD_KEYS <= doc.keys()
    assert (doc["budget"], doc["executed"], doc["execution_rate"]) == ("1153.25", "1104.37", "95.76")
    assert (doc["score"], doc["grade"]) == ("96.00", "优")
    assert doc["by_nature"]["基本支出"] == {"budget": "500", "executed": "491.48", "execution_rate": "98.30"}
    assert doc["by_source"]["政府性基金预算"]["execution_rate"] is None
    for p in doc["projects"]:
        assert CARD_KEYS <= p.keys()
        assert all({"code", "name", "weight", "score", "trace", "flags", "feed"} <= i.keys()
                   for i in p["indicators"])
    p01 = next(p for p in doc["projects"] if p["code"] == "P01")
    assert (p01["budget"], p01["executed"], p01["execution_rate"]) == ("207.5", "185.3", "89.30")


def test_score_file_needs_no_database():
    # A database URL that cannot work proves that scoring a file never opens a database.
    proc = jixiao("score", str(DEMO_FILE), "--json", db="mysql://nowhere/none")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["grade"] == "优"


def test_scorecard_text_is_chinese_with_traces(demo_dy):
    from jixiao.core.scoring import score_department

    res = score_department(demo_dy)
    text = scorecard_text(res)
    assert "总分 96 分，等级：优" in text
    assert "执行率 95.76%" in text
    assert res.projects[0].execution.trace in text
    assert scorecard_dict(res)["trace"] == res.trace


def test_missing_file_is_exit_2_without_traceback(tmp_path):
    assert_bad_input(jixiao("score", str(tmp_path / "nope.json"), "--json"), "nope.json", "找不到")


def test_malformed_json_is_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"broken": ', encoding="utf-8")
    assert_bad_input(jixiao("import", str(bad), db=tmp_path / "db.sqlite3"), "bad.json", "JSON")
    assert_bad_input(jixiao("score", str(bad)), "JSON")


def test_unsupported_file_type_and_missing_arguments(tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    assert_bad_input(jixiao("import", str(csv), db=tmp_path / "db.sqlite3"), "不支持的文件类型")
    assert_bad_input(jixiao("score"), "--department")


def test_unsupported_database_url_is_exit_2():
    proc = jixiao("score", "--department", "demo", "--year", "2022", db="mysql://nowhere/none")
    assert_bad_input(proc, "DATABASE_URL")


def test_score_from_database_matches_the_file(demo_db):
    proc = jixiao("score", "--department", "demo", "--year", "2022", "--json", db=demo_db)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["budget"], doc["executed"], doc["score"], doc["grade"]) == ("1153.25", "1104.37", "96.00", "优")
    text = jixiao("score", "--department", "demo", "--year", "2022", db=demo_db)
    assert "等级：优" in text.stdout


def test_unknown_department_is_exit_2(demo_db):
    assert_bad_input(jixiao("score", "--department", "nobody", "--year", "2022", db=demo_db),
                     "未找到部门 nobody 的 2022 年度数据")
    assert_bad_input(jixiao("export", "--department", "nobody", "--year", "2022", "--format", "json",
                            "-o", str(demo_db.parent / "x.json"), db=demo_db), "未找到部门")
    assert not (demo_db.parent / "x.json").exists()


def test_export_import_round_trip(demo_db, tmp_path):
    out = tmp_path / "demo.json"
    proc = jixiao("export", "--department", "demo", "--year", "2022", "--format", "json", "-o", str(out),
                  db=demo_db)
    assert proc.returncode == 0, proc.stderr
    from jixiao import exchange

    exported = exchange.read_file(out)
    assert exported == exchange.read_file(DEMO_FILE)
    # Into a fresh database, then out again: the same document.
    other = tmp_path / "other.sqlite3"
    proc = jixiao("import", str(out), db=other)
    assert proc.returncode == 0, proc.stderr
    assert "已导入" in proc.stdout
    again = tmp_path / "again.json"
    assert jixiao("export", "--department", "demo", "--year", "2022", "--format", "json", "-o", str(again),
                  db=other).returncode == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file is left behind"


def test_export_to_a_missing_directory_is_exit_2(demo_db, tmp_path):
    assert_bad_input(jixiao("export", "--department", "demo", "--year", "2022", "--format", "json",
                            "-o", str(tmp_path / "no" / "such" / "dir.json"), db=demo_db), "不存在")


@pytest.mark.parametrize(("url", "expected"), [
    ("sqlite:////tmp/x/db.sqlite3", {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x/db.sqlite3"}),
    ("sqlite:///tmp/x/db.sqlite3", {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x/db.sqlite3"}),
    ("postgres://u%40x:p%2Fw@127.0.0.1:5433/jx?sslmode=disable",
     {"ENGINE": "django.db.backends.postgresql", "NAME": "jx", "USER": "u@x", "PASSWORD": "p/w",
      "HOST": "127.0.0.1", "PORT": "5433", "OPTIONS": {"sslmode": "disable"}}),
    ("postgresql://db.internal/budget",
     {"ENGINE": "django.db.backends.postgresql", "NAME": "budget", "USER": "", "PASSWORD": "",
      "HOST": "db.internal", "PORT": "", "OPTIONS": {}}),
])
def test_database_url(url, expected):
    assert parse_database_url(url) == expected


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "postgres://host/", "postgres://h:port/db"])
def test_bad_database_url(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url)


def test_bulk_workbook_round_trip_through_import(demo_db, tmp_path):
    bulk = tmp_path / "bulk.xlsx"
    proc = jixiao("export", "--department", "demo", "--year", "2022", "--form", "bulk", "-o", str(bulk),
                  db=demo_db)
    assert proc.returncode == 0, proc.stderr
    other = tmp_path / "other.sqlite3"
    proc = jixiao("import", str(bulk), db=other)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "back.json"
    assert jixiao("export", "--department", "demo", "--year", "2022", "--format", "json", "-o", str(out),
                  db=other).returncode == 0
    from jixiao import exchange
    from jixiao.core.scoring import score_department

    assert scorecard_dict(score_department(exchange.read_file(out))) == \
        scorecard_dict(score_department(exchange.read_file(DEMO_FILE)))


def test_form_export_arguments_are_checked(demo_db, tmp_path):
    assert_bad_input(jixiao("export", "--department", "demo", "--year", "2022", "--form", "nonsense",
                            "-o", str(tmp_path / "x.xlsx"), db=demo_db), "未知的表格类型")
    assert_bad_input(jixiao("export", "--department", "demo", "--year", "2022", "--form", "target",
                            "-o", str(tmp_path / "x.json"), db=demo_db), ".xlsx")
    assert_bad_input(jixiao("export", "--department", "demo", "--year", "2022", "--form", "target",
                            "--project", "NOPE", "-o", str(tmp_path / "x.xlsx"), db=demo_db), "NOPE")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("form", ("bulk", "target", "self-eval", "dept-self-eval", "monitor"))
def test_every_demo_form_checks_clean_and_import_suggests_an_accurate_check(demo_db, tmp_path, form):
    import re
    import shutil

    db = tmp_path / "db.sqlite3"
    shutil.copy(demo_db, db)
    path = tmp_path / f"{form}.xlsx"
    assert jixiao("export", "--department", "demo", "--year", "2022", "--form", form, "-o", str(path), db=db).returncode == 0
    checked = jixiao("check", str(path), "--json")
    assert checked.returncode == 0, checked.stdout  # warnings allowed, no 错误
    codes = {f["code"] for f in json.loads(checked.stdout)["findings"]}
    assert all(c.startswith("M-") for c in codes) if form == "monitor" else not any(c.startswith("M-") for c in codes)
    imported = jixiao("import", str(path), db=db)
    assert imported.returncode == 0, imported.stderr
    counted = re.search(r"(?:质量|监控)审核：发现 (\d+) 项", imported.stdout)
    commands = re.findall(r"查看详情：jixiao (check [^\n]+)", imported.stdout)
    assert counted and len(commands) == 1, imported.stdout
    if form == "monitor":
        assert "--month 7" in commands[0] and "监控审核" in imported.stdout
    shown = jixiao(*commands[0].split(), "--json", db=db)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["summary"]["total"] == int(counted.group(1))
