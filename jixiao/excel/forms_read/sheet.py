"""What the form readers share: a sheet with its header, problems and warnings (``FormSheet``),
finding labels, and the blocks several forms have — funds, 年度总体目标, the indicator table, the
footer and the free-text fields."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core import model
from jixiao.core.errors import InputError, Problem
from jixiao.core.money import is_money_unit, unit_factor
from jixiao.core.numbers import normalize
from jixiao.core.schemes import Scheme, load_scheme
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank, label_key, split_unit, to_bool, to_decimal, to_int, to_text
from jixiao.excel.outcome import MonitorSheet
from jixiao.excel.workbook import Grid

_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_MONTHS = re.compile(r"^1-\d+月")
_OPS = ("≥", "≤", ">=", "<=", "=", ">", "<")
_FINANCE_WORDS = ("财政拨款", "财政资金", "当年财政", "本年财政", "一般公共")


def key(text: Any) -> str:
    """Label comparison key: folded, no spaces/colons, no parenthesised parts ("全年预算数(A)")."""
    return _PAREN.sub("", label_key(text))


def month_key(text: Any) -> str:
    """``key`` with any "1-N月" prefix read as "1-X月" (the forms name the cut-off month)."""
    return _MONTHS.sub("1-X月", key(text))


def _lookup(columns: list[tuple[str, str]], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, attr in columns:
        for variant in (label, *aliases.get(label, ())):
            out.setdefault(key(variant), attr)
            out.setdefault(label_key(variant), attr)
    return out


@dataclass
class FormSheet:
    grid: Grid
    problems: list[Problem]
    warnings: list[Problem]
    header: dict[str, tuple[Any, str]] = field(default_factory=dict)  # attr -> (value, cell)
    monitor: MonitorSheet | None = None  # set when the sheet is a 监控表
    # Header fields the form does not print but the workbook records (``forms_read.identity``):
    # the department code and 评分模板 of an exported form. A printed value wins.
    defaults: dict[str, tuple[Any, str]] = field(default_factory=dict)

    def find(self, labels: set[str], start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        rows = self.grid.rows
        for r in range(start, len(rows) if end is None else min(end, len(rows))):
            for c, v in enumerate(rows[r]):
                if not is_blank(v) and key(v) in labels:
                    return r, c
        return None

    def right_of(self, r: int, c: int) -> tuple[Any, int]:
        """The value to the right of a label (skipping the label's own merged area and blanks),
        stopping at the next label."""
        row = self.grid.rows[r]
        for cc in range(self.grid.merged_end(r, c) + 1, len(row)):
            v = row[cc]
            if not is_blank(v):
                return v, cc
        return None, c + 1

    def cell_right_of(self, found: tuple[int, int] | None) -> str:
        """The address of the value cell right of a found label (the sheet's name without one)."""
        if found is None:
            return self.grid.name
        return self.grid.addr(found[0], self.grid.merged_end(*found) + 1)

    def read_header(self, limit: int) -> None:
        labels = {key(k): a for k, a in L.HEADER_FIELDS.items()}
        labels.update({key(k): L.HEADER_FIELDS[v] for k, v in L.HEADER_ALIASES.items()})
        for r in range(min(limit, len(self.grid.rows))):
            for c, v in enumerate(self.grid.rows[r]):
                if is_blank(v) or key(v) not in labels:
                    continue
                attr = labels[key(v)]
                if attr in self.header:
                    continue
                value, vc = self.right_of(r, c)
                if value is not None and key(value) in labels:
                    value = None
                self.header[attr] = (value, self.grid.addr(r, vc))
        for attr, given in self.defaults.items():
            if self.header.get(attr, (None, ""))[0] in (None, ""):
                self.header[attr] = given

    def text(self, attr: str) -> str:
        value = self.header.get(attr, (None, ""))[0]
        return normalize(to_text(value)) if value is not None else ""

    def header_cell(self, attr: str, default: str = "A1") -> tuple[Any, str]:
        """A header field's value and cell; (None, sheet!default) when the header lacks it."""
        return self.header.get(attr, (None, f"{self.grid.name}!{default}"))

    def decimal(self, value: Any, where: str, label: str) -> Decimal | None:
        """A number cell; a problem (and None) when it is not a number."""
        try:
            return to_decimal(value)
        except ValueError as exc:
            self.problems.append(Problem(where, str(exc), label))
            return None

    def integer(self, value: Any, where: str, label: str) -> int | None:
        """A whole-number cell; a problem (and None) when it is not one."""
        try:
            return to_int(value)
        except ValueError as exc:
            self.problems.append(Problem(where, str(exc), label))
            return None


def money_factor(fs: FormSheet, block_label: Any, dest_unit: str, where: str) -> Decimal:
    """The factor turning the amounts of a block labelled e.g. "项目资金（元）" into ``dest_unit``."""
    _, unit = split_unit(normalize(to_text(block_label)))
    if not unit:
        return Decimal(1)
    factor = unit_factor(unit, dest_unit) if is_money_unit(unit) else None
    if factor is None:
        fs.problems.append(Problem(where, f"金额单位「{unit}」无法换算为{dest_unit}", "金额单位"))
        return Decimal(1)
    return factor


def _fund_source(label: str) -> str:
    name = normalize(label).replace(" ", "")
    for prefix in ("其中:", "其中：", "其中"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name in model.FUND_SOURCES:
        return name
    if any(w in name for w in _FINANCE_WORDS):
        return "一般公共预算"
    return "其他"


@dataclass
class FundsTotal:
    """The 年度资金总额 row: its amounts in the destination money unit, and the cells of the
    figures a form states there (执行率, 得分) as (value, cell), or (None, "") when absent."""

    initial: Decimal | None = None
    budget: Decimal | None = None
    executed: Decimal | None = None
    done: Decimal | None = None  # 1-X月执行数 (监控表)
    expected: Decimal | None = None  # 全年预计执行数 (监控表)
    stated: dict[str, tuple[Any, str]] = field(default_factory=dict)

    def cell(self, label: str) -> tuple[Any, str]:
        return self.stated.get(label, (None, ""))


@dataclass
class Funds:
    lines: list[model.FundLine]
    total: FundsTotal
    end: int  # the row after the block


def read_funds(fs: FormSheet, money_unit: str) -> Funds:
    """Fund lines, the total row's figures (执行率, 得分, 1-X月执行数 …), and the row after the block."""
    found = fs.find({key(L.FUNDS_TOTAL), key("资金总额"), key("年度资金总额合计")})
    if found is None:
        fs.problems.append(Problem(f"{fs.grid.name}!A1",
                                   f"找不到「{L.FUNDS_TOTAL}」行（项目资金），请按模板填写资金情况", "项目资金"))
        return Funds([], FundsTotal(), 0)
    r, c0 = found
    budget_heads = (key("全年预算数"), key("全年预算数(A)"))
    head_r = next((rr for rr in range(r - 1, max(-1, r - 4), -1)
                   if any(key(v) in budget_heads for v in fs.grid.rows[rr] if not is_blank(v))), None)
    if head_r is None:
        fs.problems.append(Problem(fs.grid.addr(r, c0), "资金表缺少「全年预算数」列标题", "全年预算数"))
        return Funds([], FundsTotal(), r + 1)
    cols: dict[str, int] = {}
    unit_label: Any = None
    for c, v in enumerate(fs.grid.rows[head_r]):
        if is_blank(v):
            continue
        k = key(v)
        if k.startswith(key("项目资金")) or k == key("资金"):
            unit_label = v
        cols.setdefault(month_key(v), c)
    factor = Decimal(1)
    if unit_label is not None:
        factor = money_factor(fs, unit_label, money_unit, fs.grid.addr(head_r, 0))

    def amount(rr: int, label: str) -> Decimal | None:
        col = cols.get(key(label))
        if col is None:
            return None
        v = fs.decimal(fs.grid.get(rr, col), fs.grid.addr(rr, col), label)
        return None if v is None else v * factor

    total = FundsTotal(initial=amount(r, "年初预算数"), budget=amount(r, "全年预算数"),
                       executed=amount(r, "全年执行数"), done=amount(r, "1-X月执行数"),
                       expected=amount(r, "全年预计执行数"))
    for label in ("执行率", "得分"):
        col = cols.get(key(label))
        if col is not None:
            total.stated[label] = (fs.grid.get(r, col), fs.grid.addr(r, col))
    lines: list[model.FundLine] = []
    rr = r + 1
    while rr < len(fs.grid.rows):
        label = fs.grid.get(rr, c0)
        if is_blank(label):
            if all(is_blank(v) for v in fs.grid.rows[rr]):
                rr += 1
                continue
            break
        text = normalize(to_text(label))
        if not (text.startswith("其中") or text.replace(" ", "") in model.FUND_SOURCES
                or "资金" in text or "拨款" in text):
            break
        budget, executed = amount(rr, "全年预算数"), amount(rr, "全年执行数")
        if budget is not None or executed is not None:
            # A blank amount (or a form without the column, e.g. 全年执行数 on a 申报表) is None: not filled in.
            source = _fund_source(text)
            line = model.FundLine(source, budget, executed, amount(rr, "年初预算数"))
            same = next((f for f in lines if f.fund_source == source), None)
            if same is None:
                lines.append(line)
            else:  # two local rows folded onto one fund source (e.g. 上年结转 + 其他资金 → 其他)
                same.budget = model.sum_known((same.budget, line.budget))
                same.executed = model.sum_known((same.executed, line.executed))
                same.initial = model.sum_known((same.initial, line.initial))
        rr += 1
    if not lines and total.budget is not None:
        lines.append(model.FundLine("一般公共预算", total.budget, total.executed, total.initial))
        fs.warnings.append(Problem(fs.grid.addr(r, c0), "没有按资金来源分行，已全部计入“一般公共预算”", "资金来源"))
    return Funds(lines, total, rr)


def read_goal(fs: FormSheet, start: int) -> tuple[str, str]:
    """The 年度总体目标: (预期目标, 实际完成情况 or 1-X月执行情况)."""
    found = fs.find({key(L.GOAL_LABEL), key("总体目标"), key("年度目标")}, start)
    if found is None:
        return "", ""
    r, c = found
    heads = {month_key(v): cc for cc, v in enumerate(fs.grid.rows[r]) if not is_blank(v)}  # the last one of a label
    exp_c = heads.get(key(L.GOAL_EXPECTED))
    if exp_c is None:  # "年度总体目标 | text" on one row
        value, _ = fs.right_of(r, c)
        return to_text(value).strip(), ""
    act_c = heads.get(key(L.GOAL_ACTUAL), heads.get(key(L.GOAL_PROGRESS)))
    return (to_text(fs.grid.merged_value(r + 1, exp_c)).strip(),
            to_text(fs.grid.merged_value(r + 1, act_c)).strip() if act_c is not None else "")


@dataclass
class IndicatorRow:
    values: dict[str, Any]
    cells: dict[str, str]
    row: int


def indicator_table(fs: FormSheet, start: int, kind: str) -> tuple[list[IndicatorRow], int]:
    """The rows of the indicator table at or after ``start``, and the row of its header."""
    lookup = _lookup(L.INDICATOR_COLUMNS[kind], L.COLUMN_ALIASES)
    names = (key("三级指标"), key("指标名称"), key("指标内容"))
    for rr in range(start, len(fs.grid.rows)):
        row = fs.grid.rows[rr]
        keys = {_MONTHS.sub("1-X月", label_key(v)): c for c, v in enumerate(row) if not is_blank(v)}
        keys.update({key(v): c for c, v in enumerate(row) if not is_blank(v)})
        if key("一级指标") in keys and any(k in keys for k in names):
            cols: dict[str, int] = {}
            for k, c in sorted(keys.items(), key=lambda kv: kv[1]):
                attr = lookup.get(k)
                if attr and attr not in cols:
                    cols[attr] = c
            return _indicator_rows(fs, rr, cols), rr
    fs.problems.append(Problem(f"{fs.grid.name}!A{start + 1}",
                               "找不到绩效指标表头（应有「一级指标」「二级指标」「三级指标」等列）", "绩效指标"))
    return [], len(fs.grid.rows)


_STOP = {key(x) for x in (L.TOTAL_LABEL, "合计", "自评得分", "总计", *(lbl for lbl, _ in L.PROJECT_TEXT_FIELDS),
                          *(lbl for lbl, _ in L.DEPT_TEXT_FIELDS), "评价结论",
                          *(lbl for row in L.SIGNATURES for lbl in row))}


def _indicator_rows(fs: FormSheet, head: int, cols: dict[str, int]) -> list[IndicatorRow]:
    out: list[IndicatorRow] = []
    carry: dict[str, Any] = {}
    for rr in range(head + 1, len(fs.grid.rows)):
        row = fs.grid.rows[rr]
        first = next((v for v in row if not is_blank(v)), None)
        if first is None:
            continue
        if key(first) in _STOP:
            break
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for attr, c in cols.items():
            if attr in ("level1", "level2"):
                v = fs.grid.merged_value(rr, c)
                v = v if not is_blank(v) else carry.get(attr)  # a merged or omitted 一级/二级 repeats
                carry[attr] = v
            else:
                v = fs.grid.get(rr, c)
            values[attr] = v
            cells[attr] = fs.grid.addr(rr, c)
        if is_blank(values.get("name")) and is_blank(values.get("target_text")):
            continue
        out.append(IndicatorRow(values, cells, rr))
    return out


def _target_text(op: Any, value: Any) -> str:
    text = normalize(to_text(value))
    op_text = normalize(to_text(op)).replace(" ", "")
    if op_text in (">=", "＞＝"):
        op_text = "≥"
    if op_text in ("<=", "＜＝"):
        op_text = "≤"
    if op_text and not text.startswith(_OPS) and op_text not in ("定性", "定量"):
        return f"{op_text}{text}"
    return text


_REQUIRED = (("三级指标", "name"), ("一级指标", "level1"), ("二级指标", "level2"))


def read_indicator(fs: FormSheet, ir: IndicatorRow, code: str) -> model.Indicator:
    """One row of the indicator table as an indicator (``code`` when the row has none)."""
    v, cells = ir.values, ir.cells
    for lbl, attr in _REQUIRED:
        if is_blank(v.get(attr)):
            fs.problems.append(Problem(cells.get(attr, fs.grid.addr(ir.row, 0)), "必填，不能为空", lbl))
    # A blank 分值 or 指标值 is "not filled in yet" (None), never 0: the quality review lists it.
    weight = fs.decimal(v["weight"], cells["weight"], "分值") if "weight" in v else None
    core = False
    if not is_blank(v.get("core")):
        try:
            core = to_bool(v["core"])
        except ValueError as exc:
            fs.problems.append(Problem(cells["core"], str(exc), "核心指标"))
    actual = v.get("actual_text")
    achievement = normalize(to_text(v.get("achievement"))) or None
    if achievement is not None and achievement not in model.ACHIEVEMENTS:
        fs.problems.append(Problem(cells["achievement"],
                                   f"「{achievement}」无效，应为：{'、'.join(model.ACHIEVEMENTS)}", "完成等级"))
    stated = fs.decimal(v.get("score"), cells.get("score", ""), "得分") if "score" in v else None
    ratio = _ratio(fs, v.get("ratio_override"), cells.get("ratio_override", ""))
    reason = to_text(v.get("override_reason")).strip()
    if ratio is not None and not reason:
        fs.problems.append(Problem(cells.get("override_reason", cells["ratio_override"]),
                                   "填写了得分比例，必须写明调整理由", "得分比例调整理由"))
    return model.Indicator(
        code=normalize(to_text(v.get("code"))) or code,
        level1=normalize(to_text(v.get("level1"))), level2=normalize(to_text(v.get("level2"))),
        name=to_text(v.get("name")).strip(), target_text=_target_text(v.get("op"), v.get("target_text")) or None,
        weight=weight, unit=normalize(to_text(v.get("unit"))),
        actual_text=None if is_blank(actual) else to_text(actual).strip(), achievement=achievement,
        deviation_reason=to_text(v.get("deviation_reason")).strip(), basis=to_text(v.get("basis")).strip(),
        data_source=to_text(v.get("data_source")).strip(), core=core, stated_score=stated,
        ratio_override=ratio, override_reason=reason if ratio is not None else "",
    )


def _ratio(fs: FormSheet, value: Any, where: str) -> Decimal | None:
    """得分比例 as a fraction: 0.9 as written, or 90 / "90%" read as a percent."""
    if is_blank(value):
        return None
    number = fs.decimal(value, where, "得分比例")
    if number is None:
        return None
    if number > 1 or (isinstance(value, str) and value.strip().endswith(("%", "％"))):
        number = number / 100
    if not Decimal(0) <= number <= Decimal(1):
        fs.problems.append(Problem(where, f"得分比例「{to_text(value)}」应在 0 到 1（0% 到 100%）之间", "得分比例"))
        return None
    return number


def read_footer(fs: FormSheet, start: int, labels: tuple[str, str]) -> tuple[Decimal | None, str | None]:
    """The total score and grade right of the two ``labels`` (e.g. 总分, 等级) at or after ``start``."""
    total: Decimal | None = None
    grade: str | None = None
    found = fs.find({key(labels[0])}, start)
    if found:
        value, vc = fs.right_of(*found)
        if value is not None and key(value) != key(labels[1]):
            total = fs.decimal(value, fs.grid.addr(found[0], vc), labels[0])
    found = fs.find({key(labels[1])}, start)
    if found:
        value, _ = fs.right_of(*found)
        grade = normalize(to_text(value)) or None
    return total, grade


def read_texts(fs: FormSheet, start: int, fields: list[tuple[str, str]]) -> dict[str, str]:
    """attr -> the text right of its label, for the ``(label, attr)`` fields the sheet has."""
    out = {}
    for label, attr in fields:
        found = fs.find({key(x) for x in (label, *L.TEXT_ALIASES.get(label, ()))}, start)
        if found:
            value, _ = fs.right_of(*found)
            out[attr] = to_text(value).strip()
    return out


def read_scheme(fs: FormSheet, default: str) -> tuple[str, Scheme | None]:
    """The 评分模板 the header names (``default`` without one), and the scheme; None and a
    problem when it is unknown."""
    tid = fs.text("template") or default
    try:
        return tid, load_scheme(tid)
    except (KeyError, ValueError, FileNotFoundError, InputError):
        fs.problems.append(Problem(fs.header_cell("template")[1], f"未知的评分模板「{tid}」", "评分模板"))
        return tid, None


@dataclass
class ProjectSheet:
    """The blocks every project form has: header, funds, 年度总体目标, indicator table."""

    project: model.Project
    funds: FundsTotal
    goal_second: str  # the 年度总体目标's second column: 实际完成情况 or 1-X月执行情况
    rows: list[IndicatorRow]  # one per indicator of ``project``, in order
    head: int  # the row of the indicator table's header


def read_project_sheet(fs: FormSheet, kind: str, money_unit: str) -> ProjectSheet:
    fs.read_header(12)
    code = fs.text("code")
    name = fs.text("name")
    if not code:
        fs.problems.append(Problem(fs.header_cell("code", "A3")[1], "缺少项目编码，请在表头填写「项目编码」",
                                   "项目编码"))
    if not name:
        fs.problems.append(Problem(fs.header_cell("name", "A3")[1], "缺少项目名称", "项目名称"))
    funds = read_funds(fs, money_unit)
    goal, second = read_goal(fs, funds.end)
    rows, head = indicator_table(fs, funds.end, kind)
    indicators = [read_indicator(fs, ir, f"{code}-I{n}") for n, ir in enumerate(rows, start=1)]
    p = model.Project(code=code, name=name, unit=fs.text("unit"), category=fs.text("category"), funds=funds.lines,
                      goal=goal, indicators=indicators)
    return ProjectSheet(p, funds.total, second, rows, head)
