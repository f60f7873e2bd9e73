"""Find a 自评表 in published tables by its labels and read it as a department-year.

Pure: ``Table`` rows in, a ``Reading`` out. Nothing is read by position: the indicator table is the
row whose cells carry the column labels (三级指标, 年度指标值, 实际完成值, 分值, 得分, 偏差原因…; one
or two header rows), the header block is found by its labels (项目名称, 主管部门, 实施单位), the
funds by theirs (年初预算数, 全年预算数, 全年执行数, 执行率, 得分) and the footer by 总分/等级. The
labels are data (``jixiao/rules/published.json``). Several projects on one sheet are told apart by
each 项目名称 label; a Word or PDF table holding only the indicators takes the project named in the
text before it, or the header block of the table before it.

What a table leaves blank stays blank (None), to be reported by the checks; a value that is there
but cannot be read (an amount such as ``7,00.0,77``) is blank as well, with an error finding at its
cell. A published table has no project code: the projects are numbered P01, P02… in the order of the
file, and each indicator ``<project>-I<n>`` in row order, with an information finding that says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core import model
from jixiao.core.errors import InputError, Problem
from jixiao.core.money import is_money_unit, unit_factor
from jixiao.excel.cells import is_blank, split_unit, to_decimal, to_text
from jixiao.excel.forms_read.sheet import _fund_source, key
from jixiao.published.labels import labels
from jixiao.published.reading import Note, Place, Reading
from jixiao.published.tables import Table

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_NAME_IN_TEXT = re.compile(r"项目名称\s*[:：]\s*(\S[^\s　]*)")
_DEPT_IN_TEXT = re.compile(r"(?:主管部门|部门名称|单位名称|填报单位)\s*[:：]\s*(\S[^\s　]*)")
_AMOUNT_UNIT = re.compile(r"\s*(亿元|万元|千元|元)\s*$")
_LABEL_VALUE = re.compile(r"^\s*([^:：]{2,12}?)\s*[:：]\s*(\S.*)$", re.S)
_UNIT_IN_TEXT = re.compile(r"(?:金额|资金)?单位\s*[:：]\s*(亿元|万元|千元|元)")


# ---------------------------------------------------------------- cells


def _text(value: Any) -> str:
    return "" if is_blank(value) else to_text(value).strip()


def _key(value: Any) -> str:
    return "" if is_blank(value) else key(value)


class _Cells:
    """Number reading with the notes of what could not be read."""

    def __init__(self, notes: list[Note]):
        self.notes = notes

    def number(self, value: Any, where: str, what: str, project: str | None = None,
               unit: str = "") -> Decimal | None:
        """A number cell; ``unit`` written after the number (「10分」) is allowed."""
        if is_blank(value) or _text(value) in ("-", "—", "/", "无", "——"):
            return None
        if unit and isinstance(value, str) and value.strip().endswith(unit):
            value = value.strip()[: -len(unit)]
        try:
            return to_decimal(value)
        except ValueError as exc:
            self.notes.append(Note("R-VALUE-UNREADABLE", f"{what}「{_text(value)}」无法识别为数字（{exc}），"
                                                         "按未填写处理，请核对原表", where, project, what))
            return None

    def rate(self, value: Any, where: str, project: str | None) -> Decimal | None:
        """执行率 in percent: "98%", 98, or the fraction 0.98 of a percent-formatted cell."""
        if is_blank(value):
            return None
        text = _text(value).rstrip("%％")
        number = self.number(text if isinstance(value, str) else value, where, "执行率", project)
        if number is None:
            return None
        return number * 100 if isinstance(value, float) and number <= Decimal("1.5") else number


# ---------------------------------------------------------------- finding the blocks


def _row_columns(row: list[Any]) -> dict[int, str]:
    """Column index -> indicator attribute for the cells of ``row`` that are column labels."""
    cols = labels().columns
    out: dict[int, str] = {}
    for c, v in enumerate(row):
        k = _key(v)
        if k in cols:
            out[c] = cols[k]
    return out


def is_header_row(row: list[Any]) -> bool:
    """Whether a row carries indicator column labels (a table's header, or a repeated one)."""
    return len(set(_row_columns(row).values())) >= 2


def is_row_fragment(table: Table, row: list[Any]) -> bool:
    """Whether ``row`` (at the top of a new page) is the rest of the last indicator row of
    ``table``: some text, but nothing in the target, actual, weight and score columns."""
    heads = _indicator_heads(table)
    if not heads or all(is_blank(v) for v in row):
        return False
    values = [c for a, c in heads[-1].cols.items() if a in ("target_text", "actual_text", "weight", "score")]
    return bool(values) and all(c >= len(row) or is_blank(row[c]) for c in values)


@dataclass
class _Head:
    row: int  # the last header row
    cols: dict[str, int]  # attribute -> column


def _indicator_heads(t: Table) -> list[_Head]:
    """Every indicator header in the table: one row, or two (「绩效指标」 over 一级/二级/三级)."""
    heads: list[_Head] = []
    r = 0
    while r < len(t.rows):
        found = _row_columns(t.rows[r])
        if len(set(found.values())) < 2:
            r += 1
            continue
        last = r
        below = _row_columns(t.rows[r + 1]) if r + 1 < len(t.rows) else {}
        if len(set(below.values())) >= 2:
            found = {**found, **below}
            last = r + 1
        cols: dict[str, int] = {}
        for c in sorted(found):
            # Merged header cells repeat a label over several columns: the first one is the column.
            cols.setdefault(found[c], c)
        if "name" in cols and ({"target_text", "actual_text"} & set(cols)):
            heads.append(_Head(last, cols))
        r = last + 1
    return heads


def _in_cell(value: Any) -> tuple[str, str] | None:
    """「项目名称：职业技能培训」 written in one cell: (header attribute, value)."""
    m = _LABEL_VALUE.match(value) if isinstance(value, str) else None
    attr = labels().header.get(key(m.group(1))) if m else None
    return (attr, m.group(2).strip()) if m and attr else None


def _header_fields(t: Table, start: int, end: int) -> dict[str, tuple[str, str]]:
    """Header labels in rows [start, end) and the value right of each (or after the colon in the
    label's own cell): attr -> (text, place)."""
    lab = labels()
    out: dict[str, tuple[str, str]] = {}
    for r in range(start, min(end, len(t.rows))):
        row = t.rows[r]
        for c, v in enumerate(row):
            k = _key(v)
            attr = lab.header.get(k)
            own = _in_cell(v) if attr is None else None
            if own is not None and own[0] not in out:
                out[own[0]] = (own[1], t.where(r, c))
                continue
            if attr is None or attr in out:
                continue
            for cc in range(c + 1, len(row)):
                w = row[cc]
                if is_blank(w) or _key(w) == k:
                    continue
                if _key(w) in lab.header:
                    break
                out[attr] = (_text(w), t.where(r, cc))
                break
    return out


def _starts(t: Table) -> list[int]:
    """Rows where a project's header block starts: each 项目名称 label."""
    names = {k for k, a in labels().header.items() if a == "name"}
    return [r for r, row in enumerate(t.rows)
            if any(_key(v) in names or (_in_cell(v) or ("", ""))[0] == "name" for v in row)]


def _title(t: Table) -> str:
    texts = [_text(v) for row in t.rows[:3] for v in row if not is_blank(v)]
    return " ".join([*t.preamble[-6:], *texts])


def _year(texts: list[str]) -> int | None:
    for text in texts:
        m = _YEAR.search(text)
        if m:
            return int(m.group(1))
    return None


# ---------------------------------------------------------------- one project block


@dataclass
class _Block:
    """One project (or the department's own table) as found in a table."""

    table: Table
    start: int  # first row of its header block
    head: _Head | None  # its indicator header; None when the table holds only the header block
    end: int  # the row after its last row


def _funds(t: Table, start: int, end: int, cells: _Cells, project: str, context: list[str]) -> _Funds:
    """The funds block in rows [start, end): its total and 其中 rows, the figures the total row
    states (执行率, 得分) and their places."""
    lab = labels()
    budget_keys = lab.funds["budget"]
    head_r = next((r for r in range(start, min(end, len(t.rows)))
                   if any(_key(v) in budget_keys for v in t.rows[r])), None)
    if head_r is None:
        return _Funds(None, [], {}, {}, False)
    cols: dict[str, int] = {}
    unit = ""
    for c, v in enumerate(t.rows[head_r]):
        k = _key(v)
        for role in ("initial", "budget", "executed", "rate", "score", "weight"):
            if k in lab.funds[role]:
                cols.setdefault(role, c)
        _, u = split_unit(_text(v))
        if u and is_money_unit(u):
            unit = u
    if not unit:
        for text in [*(_text(v) for row in t.rows[start:head_r + 1] for v in row), *context]:
            m = _UNIT_IN_TEXT.search(text)
            if m:
                unit = m.group(1)
                break
    factor = unit_factor(unit, "万元") if unit else Decimal(1)
    factor = factor if factor is not None else Decimal(1)
    label_cols = [c for c in range(len(t.rows[head_r])) if c not in cols.values()]

    def label_of(r: int) -> str:
        texts = [_text(t.get(r, c)) for c in label_cols if c < min(cols.values(), default=0)]
        return "".join(dict.fromkeys(x for x in texts if x))

    def amount(r: int, role: str, what: str) -> Decimal | None:
        c = cols.get(role)
        if c is None:
            return None
        value = t.get(r, c)
        written = _AMOUNT_UNIT.search(value) if isinstance(value, str) else None
        if written and (f := unit_factor(written.group(1), "万元")) is not None:  # 「100万元」 in the cell itself
            v = cells.number(value[: written.start()], t.where(r, c), what, project)
            return None if v is None else v * f
        v = cells.number(value, t.where(r, c), what, project)
        return None if v is None else v * factor

    total_r: int | None = None
    parts: list[tuple[str, model.FundLine]] = []
    places: dict[str, str] = {}
    for r in range(head_r + 1, min(end, len(t.rows))):
        if not any(not is_blank(t.get(r, c)) for c in cols.values()):
            if total_r is not None or parts:
                break
            continue
        text = label_of(r)
        k = key(text) if text else ""
        if total_r is None and not parts and (not k or any(w in k for w in lab.funds["total_rows"])):
            total_r = r
            continue
        if k and any(w in k for w in (*lab.funds["part_words"], *model.NATURES)):
            budget, executed = amount(r, "budget", "全年预算数"), amount(r, "executed", "全年执行数")
            if budget is not None or executed is not None:
                parts.append((text, model.FundLine("", budget, executed, amount(r, "initial", "年初预算数"))))
            continue
        break
    stated: dict[str, Any] = {}
    total: model.FundLine | None = None
    if total_r is not None:
        total = model.FundLine("一般公共预算", amount(total_r, "budget", "全年预算数"),
                               amount(total_r, "executed", "全年执行数"), amount(total_r, "initial", "年初预算数"))
        for role in ("budget", "executed", "initial", "rate", "score"):
            if role in cols:
                places[role] = t.where(total_r, cols[role])
        if "rate" in cols:
            stated["execution_rate"] = cells.rate(t.get(total_r, cols["rate"]), places["rate"], project)
        if "score" in cols:
            stated["execution_score"] = cells.number(t.get(total_r, cols["score"]), places["score"], "得分", project,
                                                     "分")
        if total.budget is None and total.executed is None:
            total = None
    return _Funds(total, parts, stated, places, True)


@dataclass
class _Funds:
    total: model.FundLine | None  # the 年度资金总额 row
    parts: list[tuple[str, model.FundLine]]  # the 其中 rows with their labels
    stated: dict[str, Any]  # execution_rate / execution_score of the total row
    places: dict[str, str]
    found: bool  # a funds block is there at all


def _parts_fit(parts: list[model.FundLine], total: model.FundLine | None) -> bool:
    """Parts stand for the whole when there is no total or when their budgets add up to it."""
    return bool(parts) and (total is None or model.sum_known(f.budget for f in parts) == total.budget)


def fund_lines(funds: _Funds) -> list[model.FundLine]:
    """A project's fund lines: the 其中 rows by fund source when they add up to the total (two local
    rows on one source, e.g. 上年结转 + 其他资金 → 其他, are folded), else the total as one line."""
    merged: dict[str, model.FundLine] = {}
    for label, line in funds.parts:
        source = _fund_source(label)
        same = merged.get(source)
        if same is None:
            merged[source] = model.FundLine(source, line.budget, line.executed, line.initial)
        else:
            same.budget = model.sum_known((same.budget, line.budget))
            same.executed = model.sum_known((same.executed, line.executed))
            same.initial = model.sum_known((same.initial, line.initial))
    lines = list(merged.values())
    if _parts_fit(lines, funds.total):
        return lines
    return [funds.total] if funds.total is not None else []


def budget_lines(funds: _Funds) -> list[model.BudgetLine]:
    """A department's budget lines: 基本支出/项目支出 rows when they add up to the total, else the
    total as one 项目支出 line of the 一般公共预算 (the table does not say more)."""
    natures = [(n, line) for label, line in funds.parts for n in model.NATURES if n in label]
    if _parts_fit([line for _, line in natures], funds.total):
        return [model.BudgetLine("一般公共预算", n, f.budget, f.executed, f.initial, origin="报告") for n, f in natures]
    f = funds.total
    return [model.BudgetLine("一般公共预算", "项目支出", f.budget, f.executed, f.initial, origin="报告")] if f else []


def _goal(t: Table, start: int, end: int) -> tuple[str, str]:
    lab = labels()
    for r in range(start, min(end, len(t.rows))):
        row = t.rows[r]
        c = next((c for c, v in enumerate(row) if _key(v) in lab.goal), None)
        if c is None:
            continue
        heads = {_key(v): cc for cc, v in enumerate(row) if not is_blank(v)}
        exp_c = next((heads[k] for k in lab.goal_expected if k in heads and heads[k] != c), None)
        act_c = next((heads[k] for k in lab.goal_actual if k in heads), None)
        if exp_c is not None:
            below = t.rows[r + 1] if r + 1 < len(t.rows) else []
            expected = _text(below[exp_c]) if exp_c < len(below) else ""
            actual = _text(below[act_c]) if act_c is not None and act_c < len(below) else ""
            return expected, actual
        label = row[c]
        value = next((_text(v) for v in row[c + 1:] if not is_blank(v) and _key(v) != _key(label)), "")
        return value, ""
    return "", ""


def _footer(t: Table, block: _Block, cells: _Cells, project: str) -> tuple[dict[str, Any], dict[str, str], int]:
    """总分 and 等级 after the indicator rows: stated figures, their places, the row after them."""
    lab = labels()
    stated: dict[str, Any] = {}
    places: dict[str, str] = {}
    assert block.head is not None
    score_c = block.head.cols.get("score")
    r = block.end
    last = block.end
    for r in range(block.end, min(block.end + 4, len(t.rows))):
        row = t.rows[r]
        first = next((c for c, v in enumerate(row) if not is_blank(v)), None)
        if first is None:
            continue
        k = _key(row[first])
        if k in lab.total:
            value = t.get(r, score_c) if score_c is not None else None
            at = t.where(r, score_c if score_c is not None else first)
            if is_blank(value) or _key(value) == k:  # 「总分 | 99.8」 with no score column under it
                value, at = next(((v, t.where(r, c)) for c, v in enumerate(row)
                                  if c > first and not is_blank(v) and _key(v) != k), (None, at))
            stated["total"] = cells.number(value, at, "总分", project, "分")
            places["total"] = at
            last = r + 1
        elif k in lab.grade:
            value = next((v for v in row[first + 1:] if not is_blank(v) and _key(v) != k), None)
            stated["grade"] = _text(value) or None
            places["grade"] = t.where(r, first)
            last = r + 1
        else:
            break
    return stated, places, last


def _indicator_rows(t: Table, head: _Head, limit: int) -> tuple[list[int], int]:
    """The indicator rows under ``head`` (a row with a 三级指标 name and some value) and the row
    where the table ends: a footer label, the next project's 项目名称, or ``limit``."""
    lab = labels()
    rows: list[int] = []
    name_c = head.cols["name"]
    value_cs = [c for a, c in head.cols.items() if a in ("target_text", "actual_text", "weight", "score")]
    header_keys = set(lab.columns) | set(lab.header)
    r = head.row + 1
    while r < limit:
        row = t.rows[r]
        first = next((c for c, v in enumerate(row) if not is_blank(v)), None)
        if first is None:
            r += 1
            continue
        k = _key(row[first])
        starts_project = "name" in (lab.header.get(k), *(_in_cell(row[first]) or ()))
        if k in lab.total or k in lab.grade or k in lab.stop or starts_project:
            break
        name = t.get(r, name_c)
        if not is_blank(name) and _key(name) not in header_keys and any(not is_blank(t.get(r, c)) for c in value_cs):
            rows.append(r)
        r += 1
    return rows, r


def _levels(t: Table, head: _Head, end: int) -> dict[int, tuple[str, str]]:
    """一级/二级 of every row under ``head``: merged down the rows, or written only in the first row
    of their group (which may be a subtotal row that is not an indicator), they continue."""
    out: dict[int, tuple[str, str]] = {}
    level1 = level2 = ""
    c1, c2 = head.cols.get("level1"), head.cols.get("level2")
    for r in range(head.row + 1, end):
        one = _text(t.get(r, c1)) if c1 is not None else ""
        two = _text(t.get(r, c2)) if c2 is not None else ""
        if one and one != level1:
            level1, level2 = one, ""
        if two:
            level2 = two
        out[r] = (level1, level2)
    return out


def _indicator(t: Table, head: _Head, r: int, code: str, cells: _Cells, project: str | None,
               levels: tuple[str, str]) -> tuple[model.Indicator, Place]:
    def cell(attr: str) -> Any:
        c = head.cols.get(attr)
        return t.get(r, c) if c is not None else None

    def text(attr: str) -> str:
        return _text(cell(attr))

    places = {attr: t.where(r, c) for attr, c in head.cols.items()}
    level1, level2 = levels
    weight = (cells.number(cell("weight"), places.get("weight", ""), "分值", project, "分")
              if "weight" in head.cols else None)
    score = (cells.number(cell("score"), places.get("score", ""), "得分", project, "分")
             if "score" in head.cols else None)
    ind = model.Indicator(
        code=code, level1=level1, level2=level2, name=text("name"),
        target_text=text("target_text") or None, weight=weight, unit=text("unit"),
        actual_text=text("actual_text") or None, deviation_reason=text("deviation_reason"),
        stated_score=score, origin="报告",
    )
    return ind, Place(t.where(r, head.cols["name"]), places)


# ---------------------------------------------------------------- the whole file


def _blocks(tables: list[Table]) -> list[_Block]:
    """Project blocks in file order. A header block without indicators (a Word/PDF table of its
    own) is joined with the next indicator table that has no header block of its own."""
    out: list[_Block] = []
    pending: _Block | None = None
    for t in tables:
        heads = _indicator_heads(t)
        starts = _starts(t)
        if not heads:
            if starts:
                pending = _Block(t, starts[0], None, len(t.rows))
            continue
        for i, head in enumerate(heads):
            before = [s for s in starts if s <= head.row]
            nxt = heads[i + 1].row if i + 1 < len(heads) else len(t.rows)
            start = before[-1] if before else (heads[i - 1].row + 1 if i else 0)
            if not before and pending is not None and i == 0:
                out.append(_Block(pending.table, pending.start, None, pending.end))  # its header block
            out.append(_Block(t, start, head, nxt))
            pending = None
    return out


def read_tables(tables: list[Table], source: str, stem: str) -> Reading:
    """The department-year the tables of one file make; ``InputError`` when no 自评表 is found."""
    blocks = _blocks(tables)
    if not any(b.head is not None for b in blocks):
        raise InputError([Problem(source, "未找到可识别的绩效自评表：应有一行表头同时包含「三级指标」（或「指标名称」）"
                                          "与「年度指标值」或「实际完成值」等列名（可另有一级指标、二级指标、分值、得分、"
                                          "偏差原因），表头之上可有项目名称、主管部门、实施单位和项目资金各栏")])
    lab = labels()
    notes: list[Note] = []
    cells = _Cells(notes)
    reading = Reading(source, model.DepartmentYear(model.Department(code="", name=""), year=0, origin="报告"), notes)
    dy = reading.dy
    texts: list[str] = []
    dept_names: list[str] = []
    dept_codes: list[tuple[str, str]] = []
    header_of_next: _Block | None = None
    n = 0
    for block in blocks:
        if block.head is None:
            header_of_next = block
            continue
        t = block.table
        hb = header_of_next or block
        header_of_next = None
        head_start, head_end = hb.start, (block.head.row if hb is block else hb.end)
        fields = _header_fields(hb.table, head_start, head_end)
        context = hb.table.preamble + ([] if hb.table is t else t.preamble)
        title = _title(hb.table) + " " + " ".join(t.preamble[-6:])
        texts.append(title)
        is_department = any(x in title for x in lab.department_titles) and "name" not in fields
        n += 1
        code = fields.get("code", ("", ""))[0]
        name, name_at = fields.get("name", ("", ""))
        if not name:
            found = next((m.group(1) for x in reversed(context) if (m := _NAME_IN_TEXT.search(x))), "")
            name = found
        if is_department:
            owner: str | None = None
        else:
            used = {p.code for p in dy.projects}
            if not code or code in used:  # none written, or the same code on two projects
                why = f"原表中项目编码「{code}」重复" if code else "原表没有项目编码"
                code = next(c for k in range(n, n + len(used) + 2) if (c := f"P{k:02d}") not in used)
                notes.append(Note("R-PROJECT-CODE", f"{why}，按在文件中的顺序编为 {code}", name_at or
                                  hb.table.where(head_start), code, "项目编码"))
            owner = code
        rows, end = _indicator_rows(t, block.head, block.end)
        indicators: list[model.Indicator] = []
        places: dict[tuple[str | None, str | None], Place] = {}
        levels = _levels(t, block.head, end)
        for i, r in enumerate(rows, start=1):
            icode = f"{code}-I{i}" if owner else f"D-I{i}"
            ind, place = _indicator(t, block.head, r, icode, cells, owner, levels[r])
            indicators.append(ind)
            places[(owner, icode)] = place
        stated_footer, foot_places, _ = _footer(t, _Block(t, block.start, block.head, end), cells, owner or "")
        funds = _funds(hb.table, head_start, head_end, cells, owner or "", context)
        stated_funds, fund_places = funds.stated, funds.places
        goal, goal_actual = _goal(hb.table, head_start, head_end)
        stated = model.Stated(execution_rate=stated_funds.get("execution_rate"),
                              execution_score=stated_funds.get("execution_score"),
                              total=stated_footer.get("total"), grade=stated_footer.get("grade"))
        first_place = name_at or fields.get("department_name", ("", ""))[1] or hb.table.where(head_start)
        place_fields = {**fund_places, **foot_places}
        if name_at:
            place_fields["name"] = name_at
        if is_department:
            dy.indicators.extend(indicators)
            dy.goal, dy.goal_actual, dy.stated = goal, goal_actual, stated
            dy.budget_lines.extend(budget_lines(funds))
            reading.places[(None, None)] = Place(first_place, place_fields)
            n -= 1
        else:
            if not funds.found:
                notes.append(Note("R-FUNDS-MISSING", "原表只有绩效指标，没有项目资金（预算数、执行数）栏",
                                  hb.table.where(head_start), owner, "项目资金"))
            dy.projects.append(model.Project(
                code=code, name=name or f"项目{n}", unit=fields.get("unit", ("", ""))[0],
                category=fields.get("category", ("", ""))[0], funds=fund_lines(funds), goal=goal,
                goal_actual=goal_actual, indicators=indicators, stated=stated, origin="报告"))
            reading.places[(owner, None)] = Place(first_place, place_fields)
        reading.places.update(places)
        if fields.get("department_name"):
            dept_names.append(fields["department_name"][0])
        if fields.get("department_code"):
            dept_codes.append(fields["department_code"])
        if fields.get("year"):
            texts.insert(0, fields["year"][0])
        texts.extend(context)
    if not dept_names:
        dept_names += [m.group(1) for x in texts if (m := _DEPT_IN_TEXT.search(x))]
    dept_name = dept_names[0] if dept_names else ""
    if dept_codes:
        dy.department.code = dept_codes[0][0]
        reading.department_code_given = True
    else:
        dy.department.code = stem
        notes.append(Note("R-DEPARTMENT-CODE", f"原表没有部门编码，以文件名「{stem}」作为部门编码", source, None,
                          "部门编码"))
    dy.department.name = dept_name or dy.department.code
    year = _year(texts)
    if year is None:
        notes.append(Note("R-YEAR-MISSING", "原表没有注明年度（如「2023年度」），年度按 0 处理", source, None, "年度"))
    else:
        reading.year_given = True
    dy.year = year or 0
    return reading

