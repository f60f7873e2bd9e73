"""The command-line contract: exit codes, Chinese errors without tracebacks, JSON keys, and that
every command works on the configured database. The commands run in this process (``cli``, on
the test database: SQLite, then PostgreSQL under scripts/test.sh); the ``subprocess`` tests run
the installed command itself, where only a real process shows the behaviour."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from conftest import DEMO_FILE, run_installed
from django.core.exceptions import ImproperlyConfigured
from openpyxl import load_workbook

import jixiao.cli
from jixiao import exchange
from jixiao.budget import models as m
from jixiao.core.scoring import score_department
from jixiao.scorecard import scorecard_dict, scorecard_text
from jixiao.settings import parse_database_url

CARD_KEYS = {"budget", "executed", "execution_rate", "score", "grade"}
EXPORT = ("export", "--department", "demo", "--year", "2022")


def assert_bad_input(ran, *words: str) -> None:
    assert ran.returncode == 2, (ran.stdout, ran.stderr)
    assert "Traceback" not in ran.stderr + ran.stdout
    assert ran.stderr.startswith("错误："), ran.stderr
    for w in words:
        assert w in ran.stderr, ran.stderr


def content(dy, without: tuple[str, ...] = ("version",)):
    """The department-year without its rows' stored versions (or the other fields named);
    amounts compare as numbers."""
    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if k not in without}
        return [drop(v) for v in value] if isinstance(value, list) else value

    return exchange.from_dict(drop(exchange.to_dict(dy)))


@pytest.fixture
def demo(demo_for_the_module, db) -> None:
    """The demo department (``jixiao demo``, run once for this module) in the test database."""


def test_demo_loads_the_demo_department(demo_for_the_module, db, cli, settings):
    printed = demo_for_the_module  # what `jixiao demo` printed for this module
    assert "已载入示例部门" in printed and "11 个项目" in printed
    assert "jixiao score --department demo --year 2022" in printed
    settings.JIXIAO_DEMO = False
    again = cli("demo")  # a second run never replaces (your edits stay), nor duplicates
    assert again.returncode == 0, again.stderr
    assert "示例部门已存在，未作改动" in again.stdout and "jixiao demo --reset" in again.stdout
    assert m.DepartmentYear.objects.filter(department__code="demo", year=2022).count() == 1


def test_score_file_json(cli):
    ran = cli("score", DEMO_FILE, "--json")
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert doc.keys() >= CARD_KEYS
    assert (doc["budget"], doc["executed"], doc["execution_rate"]) == ("1153.25", "1104.37", "95.76")
    assert (doc["score"], doc["grade"]) == ("96.00", "优")
    assert doc["by_nature"]["基本支出"] == {"budget": "500", "executed": "491.48", "execution_rate": "98.30"}
    assert doc["by_source"]["政府性基金预算"]["execution_rate"] is None
    assert len(doc["projects"]) == 11
    for p in doc["projects"]:
        assert p.keys() >= CARD_KEYS
        assert p["indicators"], p["code"]
        assert all({"code", "name", "weight", "score", "trace", "flags", "feed"} <= i.keys()
                   for i in p["indicators"])
    p01 = next(p for p in doc["projects"] if p["code"] == "P01")
    assert (p01["budget"], p01["executed"], p01["execution_rate"]) == ("207.5", "185.3", "89.30")


def test_score_file_needs_no_database(cli, monkeypatch):
    # No `db` fixture: pytest-django refuses any query; and the database set-up must not run.
    def no_database() -> None:
        raise AssertionError("scoring a file opened the database")

    monkeypatch.setattr(jixiao.cli, "django_setup", no_database)
    ran = cli("score", DEMO_FILE, "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["grade"] == "优"


def test_scorecard_text_is_chinese_with_traces(demo_dy):
    res = score_department(demo_dy)
    text = scorecard_text(res)
    assert "总分 96 分，等级：优" in text
    assert "执行率 95.76%" in text
    assert res.projects[0].execution.trace in text
    assert scorecard_dict(res)["trace"] == res.trace


def test_missing_file_is_exit_2(cli, tmp_path):
    assert_bad_input(cli("score", tmp_path / "nope.json", "--json"), "nope.json", "找不到")


def test_malformed_json_is_exit_2(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"broken": ', encoding="utf-8")
    assert_bad_input(cli("import", bad), "bad.json", "JSON")  # refused before any database work
    assert_bad_input(cli("score", bad), "JSON")


def test_unsupported_file_type_and_missing_arguments(cli, tmp_path):
    csv = tmp_path / "data.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    assert_bad_input(cli("import", csv), "不支持的文件类型")
    assert_bad_input(cli("score"), "--department")


def test_argparse_errors_are_exit_2_in_chinese(cli):
    ran = cli("score", "--year", "二〇二二")
    assert ran.returncode == 2 and "参数有误" in ran.stderr and "Traceback" not in ran.stderr


def test_score_from_database_matches_the_file(demo, cli):
    ran = cli("score", "--department", "demo", "--year", "2022", "--json")
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert (doc["budget"], doc["executed"], doc["score"], doc["grade"]) == ("1153.25", "1104.37", "96.00", "优")
    text = cli("score", "--department", "demo", "--year", "2022")
    assert text.returncode == 0 and "等级：优" in text.stdout


def test_unknown_department_is_exit_2(demo, cli, tmp_path):
    assert_bad_input(cli("score", "--department", "nobody", "--year", "2022"),
                     "未找到部门 nobody 的 2022 年度数据")
    assert_bad_input(cli("export", "--department", "nobody", "--year", "2022", "--format", "json",
                         "-o", tmp_path / "x.json"), "未找到部门")
    assert not (tmp_path / "x.json").exists()


def test_export_import_round_trip(demo, cli, tmp_path):
    out = tmp_path / "demo.json"
    ran = cli(*EXPORT, "--format", "json", "-o", out)
    assert ran.returncode == 0, ran.stderr
    assert content(exchange.read_file(out)) == content(exchange.read_file(DEMO_FILE))
    # Back into the same database: nothing changes, not even a version.
    ran = cli("import", out)
    assert ran.returncode == 0, ran.stderr
    again = tmp_path / "again.json"
    assert cli(*EXPORT, "--format", "json", "-o", again).returncode == 0
    assert again.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
    # Into a database without that year: the same content; workflow states start afresh
    # (only the review workflow changes them), and the import says so.
    m.DepartmentYear.objects.filter(department__code="demo", year=2022).delete()
    assert_bad_input(cli(*EXPORT, "--format", "json", "-o", tmp_path / "gone.json"), "未找到部门")
    ran = cli("import", out)
    assert ran.returncode == 0, ran.stderr
    assert "导入不改变状态" in ran.stdout
    fresh = tmp_path / "fresh.json"
    assert cli(*EXPORT, "--format", "json", "-o", fresh).returncode == 0
    states = ("version", "status", "goal_status")
    assert content(exchange.read_file(fresh), states) == content(exchange.read_file(out), states)
    assert exchange.read_file(fresh).projects[0].status != exchange.read_file(out).projects[0].status
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.json", "demo.json", "fresh.json"], \
        "no temporary file is left behind"


def test_export_to_a_missing_directory_is_exit_2(demo, cli, tmp_path):
    assert_bad_input(cli(*EXPORT, "--format", "json", "-o", tmp_path / "no" / "such" / "dir.json"), "不存在")


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


def test_bulk_workbook_round_trip_through_import(demo, cli, tmp_path):
    bulk = tmp_path / "bulk.xlsx"
    ran = cli(*EXPORT, "--form", "bulk", "-o", bulk)
    assert ran.returncode == 0, ran.stderr
    m.DepartmentYear.objects.filter(department__code="demo", year=2022).delete()
    ran = cli("import", bulk)
    assert ran.returncode == 0, ran.stderr
    out = tmp_path / "back.json"
    assert cli(*EXPORT, "--format", "json", "-o", out).returncode == 0
    assert scorecard_dict(score_department(exchange.read_file(out))) == \
        scorecard_dict(score_department(exchange.read_file(DEMO_FILE)))


def test_form_export_arguments_are_checked(demo, cli, tmp_path):
    assert_bad_input(cli(*EXPORT, "--form", "nonsense", "-o", tmp_path / "x.xlsx"), "未知的表格类型")
    assert_bad_input(cli(*EXPORT, "--form", "target", "-o", tmp_path / "x.json"), ".xlsx")
    assert_bad_input(cli(*EXPORT, "--form", "target", "--project", "NOPE", "-o", tmp_path / "x.xlsx"), "NOPE")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("form", ("bulk", "target", "self-eval", "dept-self-eval", "monitor"))
def test_every_demo_form_checks_clean_and_import_suggests_an_accurate_check(demo, cli, tmp_path, form):
    path = tmp_path / f"{form}.xlsx"
    assert cli(*EXPORT, "--form", form, "-o", path).returncode == 0
    checked = cli("check", path, "--json")
    assert checked.returncode == 0, checked.stdout  # warnings allowed, no 错误
    codes = {f["code"] for f in json.loads(checked.stdout)["findings"]}
    assert all(c.startswith("M-") for c in codes) if form == "monitor" else not any(c.startswith("M-") for c in codes)
    imported = cli("import", path)
    assert imported.returncode == 0, imported.stderr
    counted = re.search(r"(?:质量|监控)审核：发现 (\d+) 项", imported.stdout)
    commands = re.findall(r"查看详情：jixiao (check [^\n]+)", imported.stdout)
    assert counted and len(commands) == 1, imported.stdout
    if form == "monitor":
        assert "--month 7" in commands[0] and "监控审核" in imported.stdout
    shown = cli(*commands[0].split(), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["summary"]["total"] == int(counted.group(1))


# ---------------------------------------------------------------- the installed command, in its own process


@pytest.mark.subprocess
def test_installed_command_bad_input_is_exit_2_without_traceback(tmp_path):
    """A real process: the console script, its exit status, and settings read from the
    environment at start-up (an unusable DATABASE_URL is a Chinese error, not a traceback)."""
    assert_bad_input(run_installed("score", tmp_path / "nope.json", "--json"), "nope.json", "找不到")
    assert_bad_input(run_installed("score", "--department", "demo", "--year", "2022", db="mysql://nowhere/none"),
                     "DATABASE_URL")
    # Scoring a file never opens the database, so even an unusable URL does not matter.
    proc = run_installed("score", DEMO_FILE, "--json", db="mysql://nowhere/none")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["grade"] == "优"


@pytest.mark.subprocess
def test_installed_command_creates_and_uses_a_fresh_sqlite_file(fresh_demo_sqlite, tmp_path):
    """`jixiao demo` built the schema in a new file (the session fixture); later commands on the
    same file find it in place and agree with scoring the file directly."""
    db = tmp_path / "db.sqlite3"
    shutil.copy(fresh_demo_sqlite, db)
    proc = run_installed("score", "--department", "demo", "--year", "2022", "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    assert (json.loads(proc.stdout)["score"], json.loads(proc.stdout)["grade"]) == ("96.00", "优")
    assert_bad_input(run_installed("score", "--department", "nobody", "--year", "2022", db=db), "未找到部门")


def test_import_asks_between_the_ledger_and_the_typed_value(db, cli, tmp_path):
    """实际利用外资 comes from the 招商 ledger (1810万美元); a form bringing 1350 is refused until
    the user chooses: --keep-ledger keeps the ledger's, --use-typed needs a reason."""
    assert cli("demo").returncode == 0
    m.DepartmentYear.objects.filter(department__code="demo", year=2022).update(status="草稿")
    form = tmp_path / "dept.xlsx"
    exported = cli("export", "--department", "demo", "--year", "2022", "--form", "dept-self-eval", "-o", form)
    assert exported.returncode == 0
    wb = load_workbook(form)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == "1810万美元"]
    assert len(cells) == 1
    cells[0].value = "1350万美元"
    wb.save(form)
    refused = cli("import", form)
    assert refused.returncode == 1 and "招商引资台账数据为“1810万美元”" in refused.stdout
    assert "--keep-ledger" in refused.stderr
    assert cli("import", form, "--use-typed").returncode == 2  # no reason given
    kept = cli("import", form, "--keep-ledger")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    card = json.loads(cli("score", "--department", "demo", "--year", "2022", "--json").stdout)
    assert [i["actual"] for i in card["indicators"] if i["name"] == "实际利用外资"] == ["1810万美元"]
    typed = cli("import", form, "--use-typed", "--reason", "以外汇管理部门核定数为准")
    assert typed.returncode == 0, typed.stdout + typed.stderr
    card = json.loads(cli("score", "--department", "demo", "--year", "2022", "--json").stdout)
    assert [i["actual"] for i in card["indicators"] if i["name"] == "实际利用外资"] == ["1350万美元"]
    assert m.ChangeLog.objects.filter(reason__contains="以外汇管理部门核定数为准").exists()
