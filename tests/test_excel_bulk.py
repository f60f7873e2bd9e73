"""Bulk workbook: exact round trip (demo + generated department-years), problems named by cell,
real-world variants, and every kind of bad file."""
from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import excel, exchange
from jixiao.core import model
from jixiao.core.errors import InputError
from jixiao.core.quality import review
from jixiao.core.schemes import load_scheme
from jixiao.excel import safety
from jixiao.excel.bulk_read import read_bulk
from jixiao.excel.bulk_write import write_bulk
from jixiao.excel.workbook import open_book


def roundtrip(dy: model.DepartmentYear, path: Path) -> model.DepartmentYear:
    write_bulk(dy, path)
    return excel.read_workbook(path)


def test_demo_round_trip_is_exact(demo_dy, tmp_path):
    back = roundtrip(demo_dy, tmp_path / "demo.xlsx")
    assert exchange.to_dict(back) == exchange.to_dict(demo_dy)


# ---------------------------------------------------------------- generated department-years

TEXT = st.text(alphabet=st.sampled_from(list("绩效目标完成情况资金项目ABCxyz0123456789 ，。、%≥≤()（）\n-=+@'\"<>&")),
               max_size=25)
FORMULA_LIKE = st.sampled_from(["=SUM(A1:A3)", "+86 20 1234", "-负面影响", "@cmd", "=HYPERLINK(\"http://x\")"])
FREE = st.one_of(TEXT.filter(lambda t: t == "" or t.strip() != ""), FORMULA_LIKE)
OPT = st.one_of(st.none(), FREE.filter(bool))
MONEY = st.one_of(*(st.decimals(min_value=0, max_value=10**9, places=p, allow_nan=False) for p in range(5)))
TARGETS = st.sampled_from(["≥7个", "100%", "按期完成", "≤90万元", "≥90%", "=3项", "≥10公顷", "效果明显"])
VERSIONS = st.none() | st.integers(1, 10**6)  # None: a copy not read from the database


@st.composite
def weights_for(draw, total: Decimal) -> list[Decimal]:
    """Split ``total`` into 1–3 parts, written with 0–2 decimals (trailing zeros kept)."""
    n = draw(st.integers(1, 3))
    cents = int(total * 100)
    cuts = sorted(draw(st.lists(st.integers(1, cents - 1), min_size=n - 1, max_size=n - 1, unique=True)))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, cents], strict=True)]
    out = []
    for cents_part in parts:
        value = Decimal(cents_part) / 100
        out.append(value.quantize(Decimal(1)) if value == value.to_integral_value() and draw(st.booleans()) else value)
    return out


@st.composite
def indicators_for(draw, template_id: str, prefix: str) -> list[model.Indicator]:
    tpl = load_scheme(template_id)
    out = []
    for cat in tpl.categories:
        # the execution weight counts inside its class when the template puts it there
        own = tpl.execution.weight if tpl.execution.level1 == cat.level1 else Decimal(0)
        for w in draw(weights_for(cat.weight - own)):
            out.append(model.Indicator(
                code=f"{prefix}I{len(out) + 1:02d}", level1=cat.level1, level2=draw(st.sampled_from(cat.level2)),
                name=draw(FREE), target_text=draw(TARGETS), weight=w, unit=draw(st.sampled_from(["", "个"])),
                original_target_text=draw(st.none() | TARGETS), version=draw(VERSIONS),
                actual_text=draw(OPT), achievement=draw(st.none() | st.sampled_from(model.ACHIEVEMENTS)),
                deviation_reason=draw(FREE), basis=draw(FREE), core=draw(st.booleans()),
                last_year_actual=draw(OPT), stated_score=draw(st.none() | MONEY),
                origin=draw(st.sampled_from(model.ORIGINS)),
            ))
    return out


@st.composite
def department_years(draw) -> model.DepartmentYear:
    projects = []
    for i in range(draw(st.integers(0, 3))):
        code = f"P{i + 1:02d}"
        inds = draw(indicators_for("central-2020", f"{code}-"))
        funds = [model.FundLine(src, draw(MONEY), draw(MONEY), draw(st.none() | MONEY), draw(VERSIONS))
                 for src in draw(st.lists(st.sampled_from(model.FUND_SOURCES), min_size=1, max_size=2, unique=True))]
        checkpoints = []
        causes = st.lists(st.sampled_from(model.DEVIATION_CAUSES), max_size=2, unique=True)
        for month in draw(st.lists(st.integers(1, 12), max_size=2, unique=True)):
            progress = [model.IndicatorProgress(ind.code, draw(FREE), draw(FREE),
                                                draw(st.sampled_from(model.LIKELIHOODS)), draw(causes), draw(FREE),
                                                draw(FREE))
                        for ind in draw(st.lists(st.sampled_from(inds), max_size=2, unique_by=lambda x: x.code))]
            checkpoints.append(model.Checkpoint(month, draw(FREE), draw(st.none() | MONEY), progress, draw(causes),
                                                draw(FREE), draw(st.sampled_from(model.CHECKPOINT_STATUSES)),
                                                draw(VERSIONS)))
        projects.append(model.Project(
            code=code, name=draw(FREE), unit=draw(FREE), category=draw(FREE), funds=funds, goal=draw(FREE),
            goal_actual=draw(FREE), indicators=inds,
            monthly_executed=draw(st.dictionaries(st.integers(1, 12), MONEY, max_size=4)),
            checkpoints=checkpoints, execution_explanation=draw(FREE), budget_cut_midyear=draw(st.booleans()),
            status=draw(st.sampled_from(model.STATUSES)), goal_status=draw(st.sampled_from(model.GOAL_STATUSES)),
            stated=model.Stated(draw(st.none() | MONEY), draw(st.none() | MONEY), draw(st.none() | MONEY),
                                draw(st.none() | st.sampled_from(["优", "良"]))),
            origin=draw(st.sampled_from(model.ORIGINS)), version=draw(VERSIONS),
        ))
    keys = draw(st.lists(st.tuples(st.sampled_from(model.FUND_SOURCES), st.sampled_from(model.NATURES)), max_size=4,
                         unique=True))
    lines = [model.BudgetLine(s, n, draw(MONEY), draw(MONEY), draw(st.none() | MONEY), draw(MONEY),
                              draw(st.sampled_from(model.ORIGINS)), draw(VERSIONS)) for s, n in keys]
    rects = [model.Rectification(draw(FREE), draw(FREE), draw(FREE), draw(st.none() | st.just("2024-06-30")),
                                 draw(st.sampled_from(model.RECTIFICATION_STATUSES)),
                                 draw(st.none() | st.sampled_from([p.code for p in projects] or [None])),
                                 f"R{i + 1:02d}", draw(VERSIONS))
             for i in range(draw(st.integers(0, 2)))]
    return model.DepartmentYear(
        department=model.Department("d-01", draw(FREE.filter(bool)), draw(st.none() | st.just("fin")), draw(OPT),
                                    draw(st.lists(FREE, max_size=3))),
        year=draw(st.integers(2015, 2030)), money_unit=draw(st.sampled_from(["万元", "元"])),
        department_template="dept-default", budget_lines=lines, work_tasks=draw(FREE), goal=draw(FREE),
        indicators=draw(st.none() | indicators_for("dept-default", "D")) or [], projects=projects,
        problems=draw(FREE), rectifications=rects, status=draw(st.sampled_from(model.STATUSES)),
        stated=model.Stated(draw(st.none() | MONEY), None, draw(st.none() | MONEY), None),
        origin=draw(st.sampled_from(model.ORIGINS)), version=draw(VERSIONS),
    )


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(dy=department_years())
def test_generated_round_trip_is_exact(dy, tmp_path):
    assert exchange.to_dict(roundtrip(dy, tmp_path / "gen.xlsx")) == exchange.to_dict(dy)


def test_formula_like_text_is_written_as_text_never_as_formula(demo_dy, tmp_path):
    demo_dy.projects[0].name = "=HYPERLINK(\"http://evil\",\"点我\")"
    demo_dy.projects[0].goal = "+cmd|' /C calc'!A0"
    demo_dy.goal = "@SUM(1+1)"
    path = tmp_path / "inj.xlsx"
    write_bulk(demo_dy, path)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    wb = openpyxl.load_workbook(path)
    cell = wb["项目"]["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix
    assert exchange.to_dict(excel.read_workbook(path)) == exchange.to_dict(demo_dy)


# ---------------------------------------------------------------- problems, named by cell

def _edit(path: Path, edits: dict[tuple[str, str], object]) -> None:
    wb = openpyxl.load_workbook(path)
    for (sheet, ref), value in edits.items():
        wb[sheet][ref] = value
    wb.save(path)


def _header_col(path: Path, sheet: str, header: str) -> str:
    ws = openpyxl.load_workbook(path)[sheet]
    for cell in ws[1]:
        if cell.value and str(cell.value).startswith(header):
            return cell.column_letter
    raise AssertionError(header)


def test_every_problem_is_reported_with_its_cell(demo_dy, tmp_path):
    path = tmp_path / "bad.xlsx"
    write_bulk(demo_dy, path)
    weight = _header_col(path, "指标", "分值")
    source = _header_col(path, "预算", "资金来源")
    budget = _header_col(path, "项目", "全年预算数")
    _edit(path, {("指标", f"{weight}3"): "十五分", ("预算", f"{source}2"): "自筹资金",
                 ("项目", f"{budget}2"): "-5", ("月度执行", "A2"): "P99"})
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    where = {p.location for p in exc.value.problems}
    assert f"指标!{weight}3" in where
    assert f"预算!{source}2" in where
    assert "月度执行!A2" in where
    text = str(exc.value)
    assert "自筹资金" in text and "P99" in text and "十五分" in text


def test_weights_that_do_not_add_up_are_read_and_reported_as_a_finding(demo_dy, tmp_path):
    path = tmp_path / "w.xlsx"
    write_bulk(demo_dy, path)
    weight = _header_col(path, "指标", "分值")
    rows = list(openpyxl.load_workbook(path)["指标"].iter_rows(min_row=2, values_only=True))
    first_project_row = next(i for i, r in enumerate(rows, start=2) if r[0] == "P01")
    _edit(path, {("指标", f"{weight}{first_project_row}"): 99})
    dy = excel.import_file(path).data  # a finding, not a refusal (real-work §1)
    assert isinstance(dy, model.DepartmentYear)
    sums = [f for f in review(dy) if f.code == "Q-WEIGHT-SUM"]
    assert sums and {f.project for f in sums} == {"P01"}


# ---------------------------------------------------------------- real-world variants

def test_shifted_blank_rows_and_columns_numbers_as_text_full_width_and_yuan_header(demo_dy, tmp_path):
    path = tmp_path / "v.xlsx"
    write_bulk(demo_dy, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["预算"]
    ws.insert_rows(1, 2)  # a title and a blank row above the header
    ws["A1"] = "部门预算（单位自填）"
    ws.insert_cols(1)  # a blank column before the table
    budget_col = next(c for c in ws[3] if c.value and str(c.value).startswith("全年预算数"))
    budget_col.value = "全年预算数（元） "  # 元 instead of 万元, trailing space
    for row in ws.iter_rows(min_row=4, min_col=budget_col.column, max_col=budget_col.column):
        for cell in row:
            if cell.value is not None:
                cell.value = str((Decimal(str(cell.value)) * 10000).normalize()).translate(
                    {ord(d): ord(d) + 0xFEE0 for d in "0123456789"})  # full-width digits, stored as text
    source_col = next(c for c in ws[3] if c.value == "资金来源")
    ws.cell(row=4, column=source_col.column).value = "一般公共预算 "
    wb.save(path)
    back = excel.read_workbook(path)
    def lines(dy):
        return [(b.fund_source, b.budget) for b in dy.budget_lines]

    assert lines(back) == lines(demo_dy)


def test_chinese_numerals_in_a_number_cell(demo_dy, tmp_path):
    path = tmp_path / "cn.xlsx"
    write_bulk(demo_dy, path)
    weight = _header_col(path, "指标", "分值")
    ws = openpyxl.load_workbook(path)["指标"]
    row = next(c.row for c in ws["A"] if c.value == "P01" and ws[f"{weight}{c.row}"].value == 20)
    _edit(path, {("指标", f"{weight}{row}"): "二十"})
    back = excel.read_workbook(path)
    assert back.projects[0].indicators[0].weight == Decimal(20)


# ---------------------------------------------------------------- bad files

@pytest.mark.parametrize("content, phrase", [
    (b"", "空"),
    (b"a,b\n1,2\n", "CSV"),
    (bytes(range(256)) * 16, "无法识别"),
    (b"PK\x03\x04" + b"\0" * 100, "损坏"),
])
def test_not_an_xlsx(tmp_path, content, phrase):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    assert phrase in str(exc.value)


def test_encrypted_workbook(tmp_path):
    # An encrypted .xlsx is an OLE compound file holding an "EncryptedPackage" stream.
    path = tmp_path / "locked.xlsx"
    ole_magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    path.write_bytes(ole_magic + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 500)
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    assert "密码" in str(exc.value)


def test_old_xls_container(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2000)
    with pytest.raises(InputError, match="xls"):
        excel.import_file(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match="不是 Excel 工作簿"):
        excel.import_file(path)


def test_decompression_bomb_is_refused_from_the_central_directory(demo_dy, tmp_path):
    path = tmp_path / "bomb.xlsx"
    write_bulk(demo_dy, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/filler.bin", b"\0" * (64 * 1024 * 1024))
    with pytest.raises(InputError, match="压缩"):
        excel.import_file(path)


def test_row_limit(demo_dy, tmp_path, monkeypatch):
    path = tmp_path / "rows.xlsx"
    write_bulk(demo_dy, path)
    limits = safety.load_limits()
    monkeypatch.setattr(safety, "load_limits", lambda: type(limits)(**{**limits.__dict__, "max_rows_per_sheet": 10}))
    with pytest.raises(InputError, match="超过上限 10 行"):
        excel.import_file(path)


def test_size_limit(demo_dy, tmp_path, monkeypatch):
    path = tmp_path / "size.xlsx"
    write_bulk(demo_dy, path)
    limits = safety.load_limits()
    monkeypatch.setattr(safety, "load_limits", lambda: type(limits)(**{**limits.__dict__, "max_file_bytes": 1000}))
    with pytest.raises(InputError, match="超过上限"):
        excel.import_file(path)


def test_formula_with_cached_value_is_used_with_a_warning(demo_dy, tmp_path):
    path = tmp_path / "f.xlsx"
    write_bulk(demo_dy, path)
    budget = _header_col(path, "预算", "全年预算数")
    # openpyxl writes formulas without cached values; put one in by hand with its cached <v>.
    _rewrite_cell(path, "xl/worksheets/sheet3.xml", f"{budget}2", b'<f>400+100</f><v>500</v>')
    outcome = excel.import_file(path)
    assert outcome.data.budget_lines[0].budget == Decimal(500)
    assert any(w.location == f"预算!{budget}2" and "计算结果" in w.message for w in outcome.warnings)


def test_formula_without_cached_value_is_an_error(demo_dy, tmp_path):
    path = tmp_path / "f2.xlsx"
    write_bulk(demo_dy, path)
    budget = _header_col(path, "预算", "全年预算数")
    _edit(path, {("预算", f"{budget}2"): "=400+100"})  # openpyxl stores no cached value
    with pytest.raises(InputError) as exc:
        excel.import_file(path)
    assert exc.value.problems[0].location == f"预算!{budget}2"
    assert "没有保存计算结果" in str(exc.value)


def test_hidden_sheet_is_named_in_a_warning(demo_dy, tmp_path):
    path = tmp_path / "h.xlsx"
    write_bulk(demo_dy, path)
    wb = openpyxl.load_workbook(path)
    extra = wb.create_sheet("旧数据")
    extra["A1"] = "不要导入"
    extra.sheet_state = "hidden"
    wb.save(path)
    outcome = excel.import_file(path)
    assert any("旧数据" in w.location and "隐藏" in w.message for w in outcome.warnings)


def _rewrite_cell(path: Path, part: str, ref: str, inner: bytes) -> None:
    with zipfile.ZipFile(path) as z:
        items = {n: z.read(n) for n in z.namelist()}
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.S)
    attrs = re.sub(rb'\s*t="[^"]*"', b"", pattern.search(items[part]).group(1))
    items[part] = pattern.sub(b'<c r="' + ref.encode() + b'"' + attrs + b">" + inner + b"</c>", items[part], count=1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in items.items():
            z.writestr(n, data)


def test_blank_weight_target_and_amounts_read_as_not_filled_in(demo_dy, tmp_path):
    """A blank 分值, 年度指标值, 全年预算数 or 全年执行数 is None (not filled in yet, never 0) and no
    reading problem; the quality review lists it."""
    path = tmp_path / "blank.xlsx"
    write_bulk(demo_dy, path)
    weight, target = _header_col(path, "指标", "分值"), _header_col(path, "指标", "年度指标值")
    budget, executed = _header_col(path, "预算", "全年预算数"), _header_col(path, "项目", "全年执行数")
    _edit(path, {("指标", f"{weight}2"): None, ("指标", f"{target}3"): None, ("预算", f"{budget}2"): None,
                 ("项目", f"{executed}2"): None})
    problems: list = []
    with open_book(path) as book:
        dy, _ = read_bulk(book, problems, [])
    assert not problems and dy is not None
    assert dy.indicators[0].weight is None and dy.indicators[1].target_text is None
    assert dy.budget_lines[0].budget is None and dy.projects[0].funds[0].executed is None


def test_a_workbook_of_an_earlier_release_still_reads(demo_dy, tmp_path):
    """Without the columns added since (目标申报状态, 原指标值, 整改编码, the 版本 columns) and with the
    state names of then (监控 草稿, 整改 未开始): initial states, no codes, versions unknown."""
    path = tmp_path / "old.xlsx"
    write_bulk(demo_dy, path)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for cell in reversed(list(ws[1])):
            if cell.value and (str(cell.value).startswith(("目标申报状态", "原指标值", "整改编码"))
                               or "版本" in str(cell.value)):
                ws.delete_cols(cell.column)
    status = next(c.column for c in wb["监控"][1] if c.value == "状态")
    wb["监控"].cell(row=2, column=status).value = "草稿"
    wb["整改"].cell(row=2, column=next(c.column for c in wb["整改"][1] if c.value == "整改状态")).value = "未开始"
    wb.save(path)
    back = excel.read_workbook(path)
    assert {p.goal_status for p in back.projects} == {"草稿"}
    assert back.projects[0].checkpoints[0].status == "填报" and back.rectifications[0].status == "待整改"
    assert back.rectifications[0].code == ""
