"""Attacks by file (等保 入侵防范, 数据完整性): every case of the hostile corpus
(tests/hostile/make_hostile.py) is refused by ``jixiao import`` / ``jixiao audit`` with exit 2
and a Chinese message naming the place — never a traceback, never a stored value — and the
pure rules behind it (core/text.py, exchange/safejson.py, jixiao/files.py) hold on their own."""
from __future__ import annotations

import errno
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hostile import make_hostile

from jixiao import files
from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.core.text import normalize_code, number_problem, text_problem
from jixiao.exchange import safejson

# Where each JSON case must be reported (JSON path) and a word of the reason.
EXPECTED = {
    "huge-exponent": ("$.budget_lines[0].budget", "数量级"),
    "tiny-exponent": ("$.budget_lines[0].budget", "数量级"),
    "5000-digits": ("$.budget_lines[0].budget", "数量级"),
    "control-char": ("$.projects[0].name", "控制字符"),
    "vertical-tab": ("$.projects[0].name", "控制字符"),
    "noncharacter": ("$.projects[0].name", "非字符"),
    "nul": ("$.projects[0].name", "空字符"),
    "bidi-override": ("$.projects[0].name", "文字方向"),
    "zero-width-code": ("$.projects[0].code", "不可见字符"),
    "odd-month-key": ("$.projects[0].monthly_executed.²", "月份"),
    "lone-surrogate": ("$.department.name", "代理字符"),
    "deep-nesting": ("hostile-deep-nesting.json", "嵌套"),
    "duplicate-key": ("$.year", "多次"),
    "huge-literal": ("$.x", ""),
    "long-integer-literal": ("$.x", "过长"),
    "nan-literal": ("$.x", "NaN"),
}


def _refused(ran, where: str, word: str) -> None:
    assert ran.returncode == 2, ran.stdout + ran.stderr
    text = ran.stdout + ran.stderr
    assert "Traceback" not in text and "错误" in ran.stderr
    assert where in ran.stderr and word in ran.stderr


@pytest.mark.parametrize("name", sorted(make_hostile.json_cases()))
def test_hostile_json_is_refused_with_the_place_named(name, db, cli, tmp_path):
    assert name in EXPECTED, f"新的恶意样例「{name}」没有预期结果"
    path = tmp_path / f"hostile-{name}.json"
    path.write_text(make_hostile.json_cases()[name], encoding="utf-8", errors="surrogatepass")
    _refused(cli("import", path), *EXPECTED[name])
    assert not m.Department.objects.filter(code="hostile").exists()  # nothing stored


def test_the_decompression_bomb_is_refused_while_inflating(db, cli, tmp_path):
    path = tmp_path / "bomb.xlsx"
    compressed, uncompressed = make_hostile.xlsx_bomb(path)
    assert 400 < uncompressed / compressed < 500  # under the 500:1 ratio limit: only counting finds it
    _refused(cli("import", path), "bomb.xlsx", "单元格超过上限")


def test_a_package_that_lies_about_its_sizes_is_refused(db, cli, tmp_path):
    path = tmp_path / "lying.xlsx"
    make_hostile.xlsx_lying_sizes(path)
    _refused(cli("import", path), "lying.xlsx", "CRC")


def test_a_damaged_entry_is_refused(db, cli, tmp_path):
    good = tmp_path / "good.xlsx"
    assert cli("demo").returncode == 0
    assert cli("export", "--department", "demo", "--year", "2022", "--form", "bulk", "-o", good).returncode == 0
    bad = tmp_path / "bad-crc.xlsx"
    make_hostile.xlsx_bad_crc(bad, good)
    _refused(cli("import", bad), "bad-crc.xlsx", "CRC 校验失败")


def test_audit_refuses_a_docx_bomb_and_an_absurd_table(cli, tmp_path):
    bomb = tmp_path / "bomb.docx"
    make_hostile.docx_bomb(bomb)
    _refused(cli("audit", bomb), "bomb.docx", "解压后超过上限")
    span = tmp_path / "span.docx"
    make_hostile.docx_gridspan(span)
    _refused(cli("audit", span), "span.docx", "横跨 50000000 列")


# -- the pure rules ----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "word"), [
    ("A\x00B", "NUL"), ("A\x01B", "控制字符"), ("A\x7fB", "控制字符"), ("A\x85B", "控制字符"),
    ("A\ufffeB", "非字符"), ("A\U0001ffffB", "非字符"), ("A\ud800B", "代理"), ("A\u202eB", "方向"),
    ("A\u2066B", "方向"), ("A\u200bB", "不可见"), ("A\ufeffB", "不可见"), ("A\nB", "换行"),
])
def test_text_the_system_cannot_carry_is_named(value, word):
    assert word in text_problem(value)


def test_ordinary_text_passes_and_codes_are_normalised():
    assert text_problem("教育局 2022 年度（第一批）—— 项目 ①") == ""
    assert text_problem("第一段\n第二段\t完", multiline=True) == ""
    assert normalize_code(" Ｐ０１ ") == "P01"


@pytest.mark.parametrize("number", ["1e999999999", "1e-999999999", "9" * 41, "1e41"])
def test_absurd_numbers_are_refused(number):
    assert number_problem(Decimal(number))


@pytest.mark.parametrize("number", ["0", "123456789012.3456", "0.000001", "1.00000000000000000000000000000000000000"])
def test_ordinary_numbers_pass(number):
    assert number_problem(Decimal(number)) == ""


def test_strict_json_names_every_problem():
    with pytest.raises(InputError) as refused:
        safejson.loads('{"a": {"b": 1, "b": 2}, "c": [NaN], "d": ' + "1" * 60 + "}", "x.json")
    places = [p.location for p in refused.value.problems]
    assert places == ["x.json: $.a.b", "x.json: $.c[0]", "x.json: $.d"]
    assert safejson.loads('{"a": 1.5, "b": "[[["}', "x.json") == {"a": Decimal("1.5"), "b": "[[["}


def test_a_full_disk_leaves_no_partial_file(tmp_path):
    out = tmp_path / "report.docx"
    out.write_bytes(b"the previous report")

    def write(tmp: Path) -> None:
        tmp.write_bytes(b"half a rep")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError) as refused:
        files.atomic_write(out, write)
    assert "磁盘空间不足" in str(refused.value) and str(out) in str(refused.value)
    assert out.read_bytes() == b"the previous report"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["report.docx"]  # no temporary left


def test_a_backup_on_a_full_disk_leaves_no_file(db, cli, tmp_path, monkeypatch):
    def full(src: Path, tmp: Path) -> None:
        tmp.write_bytes(b"")
        raise OSError(errno.ENOSPC, "database or disk is full")

    import jixiao.cli.web_cmds as web_cmds  # noqa: PLC0415 — the module whose database is replaced

    monkeypatch.setattr("jixiao.files.online_copy", full)
    monkeypatch.setattr(web_cmds, "_sqlite_path", lambda: tmp_path / "db.sqlite3")
    out = tmp_path / "backup.sqlite3"
    ran = cli("backup", out)
    assert ran.returncode == 2 and "磁盘空间不足" in ran.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_workbook_cell_the_system_cannot_carry_is_named_by_its_address(db, cli, tmp_path):
    good = tmp_path / "bulk.xlsx"
    assert cli("demo").returncode == 0
    assert cli("export", "--department", "demo", "--year", "2022", "--form", "bulk", "-o", good).returncode == 0
    book = openpyxl.load_workbook(good)
    sheet = next(ws for ws in book.worksheets if ws.sheet_state == "visible" and any(
        c.value == "项目名称" for c in ws[1] + ws[2]))
    header = next(c for c in sheet[1] + sheet[2] if c.value == "项目名称")
    cell = sheet.cell(row=header.row + 1, column=header.column)
    cell.value = "项目\u202e名称"
    bad = tmp_path / "bidi.xlsx"
    book.save(bad)
    _refused(cli("import", bad), f"{sheet.title}!{cell.coordinate}", "文字方向")
