"""部门整体支出绩效自评表: a whole department-year — header, 预算明细 (budget lines by fund source
and nature), the texts, the department indicators, and the stated 自评得分 / 自评等级."""
from __future__ import annotations

from decimal import Decimal

from jixiao.core import model
from jixiao.core.errors import Problem
from jixiao.core.numbers import normalize
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank, to_text
from jixiao.excel.forms_read.sheet import (
    FormSheet,
    indicator_table,
    key,
    money_factor,
    read_footer,
    read_indicator,
    read_scheme,
    read_texts,
)

_AMOUNTS = (("年初预算数", "initial"), ("全年预算数", "budget"), ("全年执行数", "executed"),
            ("年末结转和结余", "carry_over"))


def read_dept_self_eval(fs: FormSheet) -> model.DepartmentYear:
    fs.read_header(12)
    found_unit = fs.find({key("金额单位")}, 0, 12)
    money_unit = "万元"
    if found_unit:
        value, _ = fs.right_of(*found_unit)
        money_unit = normalize(to_text(value)) or "万元"
    year_v, year_at = fs.header_cell("year", "A3")
    year = fs.integer(year_v, year_at, "年度")
    code = fs.text("department_code")
    if not code:
        fs.problems.append(Problem(fs.header_cell("department_code", "A3")[1], "缺少部门编码", "部门编码"))
    if year is None:
        fs.problems.append(Problem(year_at, "缺少年度", "年度"))
    tid, _ = read_scheme(fs, "dept-default")
    texts = read_texts(fs, 0, L.DEPT_TEXT_FIELDS)
    lines = _budget_detail(fs, money_unit)
    rows, head = indicator_table(fs, 0, "dept-self-eval")
    indicators = [read_indicator(fs, ir, f"D-I{n}") for n, ir in enumerate(rows, start=1)]
    total, grade = read_footer(fs, head, ("自评得分", "自评等级"))
    dy = model.DepartmentYear(
        department=model.Department(code=code, name=fs.text("department_name")),
        year=year or 0, money_unit=money_unit, department_template=tid, budget_lines=lines, indicators=indicators,
        stated=model.Stated(total=total, grade=grade))
    for attr, text in texts.items():
        setattr(dy, attr, text)
    return dy


def _budget_detail(fs: FormSheet, money_unit: str) -> list[model.BudgetLine]:
    head: tuple[int, dict[str, int]] | None = None
    for r, row in enumerate(fs.grid.rows):
        keys = {key(v): c for c, v in enumerate(row) if not is_blank(v)}
        if key("资金来源") in keys and key("支出性质") in keys:
            head = (r, keys)
            break
    if head is None:
        fs.problems.append(Problem(f"{fs.grid.name}!A1",
                                   f"找不到「{L.DEPT_BUDGET_DETAIL}」表（列：{'、'.join(L.DEPT_DETAIL_COLUMNS)}）",
                                   "预算明细"))
        return []
    r0, keys = head
    source_c, nature_c = keys[key("资金来源")], keys[key("支出性质")]
    above = fs.find({key(L.DEPT_BUDGET_DETAIL)}, max(0, r0 - 2), r0)
    factor = money_factor(fs, fs.grid.get(*above), money_unit, fs.grid.addr(*above)) if above else Decimal(1)
    lines = []
    for r in range(r0 + 1, len(fs.grid.rows)):
        if any(not is_blank(v) and key(v) == key("一级指标") for v in fs.grid.rows[r]):
            break  # the indicator table follows
        source = normalize(to_text(fs.grid.get(r, source_c)))
        nature = normalize(to_text(fs.grid.get(r, nature_c)))
        if not source and not nature:
            if all(is_blank(v) for v in fs.grid.rows[r]):
                continue
            break
        if source not in model.FUND_SOURCES:
            fs.problems.append(Problem(fs.grid.addr(r, source_c),
                                       f"「{source}」无效，应为：{'、'.join(model.FUND_SOURCES)}", "资金来源"))
        if nature not in model.NATURES:
            fs.problems.append(Problem(fs.grid.addr(r, nature_c),
                                       f"「{nature}」无效，应为：{'、'.join(model.NATURES)}", "支出性质"))
        amounts: dict[str, Decimal | None] = {}
        for label, attr in _AMOUNTS:
            c = keys.get(key(label))
            value = fs.decimal(fs.grid.get(r, c), fs.grid.addr(r, c), label) if c is not None else None
            amounts[attr] = None if value is None else value * factor
        # A blank 全年预算数/全年执行数 is None: not filled in yet (the quality review lists it).
        carry_over = amounts["carry_over"]
        lines.append(model.BudgetLine(source, nature, amounts["budget"], amounts["executed"], amounts["initial"],
                                      Decimal(0) if carry_over is None else carry_over))
    return lines
