"""Read the standard forms back, finding every field by its label rather than by address.

Tolerated, because real forms arrive that way: extra blank rows and columns, merged cells
(a vertically merged 一级指标 applies to every row it spans), numbers stored as text, full-width
characters, trailing spaces, an operator column or the operator inside the value ("≥100%"),
Chinese numerals, and money in 元 when the block header says so. Problems are collected over the
whole file and raised together; nothing is returned half-read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.core import model
from jixiao.core.display import fmt_decimal
from jixiao.core.errors import InputError, Problem
from jixiao.core.money import is_money_unit, unit_factor
from jixiao.core.numbers import normalize
from jixiao.core.scoring import ScoringError, score_project
from jixiao.core.schemes import Scheme, load_scheme
from jixiao.excel import form_layout as L
from jixiao.excel.cells import is_blank, label_key, split_unit, to_bool, to_decimal, to_int, to_text
from jixiao.excel.importing import ImportOutcome, MonitorSheet
from jixiao.excel.workbook import HELPER_SHEET, Book, Grid

_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_OPS = ("≥", "≤", ">=", "<=", "=", ">", "<")
_FINANCE_WORDS = ("财政拨款", "财政资金", "当年财政", "本年财政", "一般公共")


def _key(text: Any) -> str:
    """Label comparison key: folded, no spaces/colons, no parenthesised parts ("全年预算数(A)")."""
    return _PAREN.sub("", label_key(text))


def _lookup(columns: list[tuple[str, str]], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for label, attr in columns:
        for variant in (label, *aliases.get(label, ())):
            out.setdefault(_key(variant), attr)
            out.setdefault(label_key(variant), attr)
    return out


@dataclass
class FormSheet:
    grid: Grid
    problems: list[Problem]
    warnings: list[Problem]
    header: dict[str, tuple[Any, str]] = field(default_factory=dict)  # attr -> (value, cell)
    monitor: MonitorSheet | None = None  # set when the sheet is a 监控表

    def find(self, labels: set[str], start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        rows = self.grid.rows
        for r in range(start, len(rows) if end is None else min(end, len(rows))):
            for c, v in enumerate(rows[r]):
                if not is_blank(v) and _key(v) in labels:
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

    def read_header(self, limit: int) -> None:
        labels = {_key(k): a for k, a in L.HEADER_FIELDS.items()}
        labels.update({_key(k): L.HEADER_FIELDS[v] for k, v in L.HEADER_ALIASES.items()})
        for r in range(min(limit, len(self.grid.rows))):
            for c, v in enumerate(self.grid.rows[r]):
                if is_blank(v) or _key(v) not in labels:
                    continue
                attr = labels[_key(v)]
                if attr in self.header:
                    continue
                value, vc = self.right_of(r, c)
                if value is not None and _key(value) in labels:
                    value = None
                self.header[attr] = (value, self.grid.addr(r, vc))

    def text(self, attr: str) -> str:
        value = self.header.get(attr, (None, ""))[0]
        return normalize(to_text(value)) if value is not None else ""

    def number(self, value: Any, where: str, label: str, integer: bool = False) -> Any:
        try:
            return to_int(value) if integer else to_decimal(value)
        except ValueError as exc:
            self.problems.append(Problem(where, f"{exc}", label))
            return None


def _money_factor(fs: FormSheet, block_label: Any, dest_unit: str, where: str) -> Decimal:
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


def _funds(fs: FormSheet, money_unit: str) -> tuple[list[model.FundLine], dict[str, Any], int]:
    """Fund lines, the total row's extra figures (执行率, 得分, 1-X月执行数 …), and the row after the block."""
    found = fs.find({_key(L.FUNDS_TOTAL), _key("资金总额"), _key("年度资金总额合计")})
    if found is None:
        fs.problems.append(Problem(f"{fs.grid.name}!A1", f"找不到「{L.FUNDS_TOTAL}」行（项目资金），请按模板填写资金情况", "项目资金"))
        return [], {}, 0
    r, c0 = found
    head_r = None
    for rr in range(r - 1, max(-1, r - 4), -1):
        if any(_key(v) in (_key("全年预算数"), _key("全年预算数(A)")) for v in fs.grid.rows[rr] if not is_blank(v)):
            head_r = rr
            break
    if head_r is None:
        fs.problems.append(Problem(fs.grid.addr(r, c0), "资金表缺少「全年预算数」列标题", "全年预算数"))
        return [], {}, r + 1
    cols: dict[str, int] = {}
    unit_label: Any = None
    for c, v in enumerate(fs.grid.rows[head_r]):
        if is_blank(v):
            continue
        k = _key(v)
        if k.startswith(_key("项目资金")) or k == _key("资金"):
            unit_label = v
        k = re.sub(r"^1-\d+月", "1-X月", k)
        cols.setdefault(k, c)
    factor = _money_factor(fs, unit_label, money_unit, fs.grid.addr(head_r, 0)) if unit_label is not None else Decimal(1)

    def amount(rr: int, label: str) -> Decimal | None:
        c = cols.get(_key(label))
        if c is None:
            return None
        v = fs.number(fs.grid.get(rr, c), fs.grid.addr(rr, c), label)
        return None if v is None else v * factor

    total = {"initial": amount(r, "年初预算数"), "budget": amount(r, "全年预算数"), "executed": amount(r, "全年执行数"),
             "done": amount(r, "1-X月执行数"), "expected": amount(r, "全年预计执行数")}
    for label in ("执行率", "得分", "1-X月执行率"):
        c = cols.get(_key(label))
        total[label] = (fs.grid.get(r, c), fs.grid.addr(r, c)) if c is not None else (None, "")
    funds: list[model.FundLine] = []
    rr = r + 1
    while rr < len(fs.grid.rows):
        label = fs.grid.get(rr, c0)
        if is_blank(label):
            if all(is_blank(v) for v in fs.grid.rows[rr]):
                rr += 1
                continue
            break
        text = normalize(to_text(label))
        if not (text.startswith("其中") or text.replace(" ", "") in model.FUND_SOURCES or "资金" in text or "拨款" in text):
            break
        budget = amount(rr, "全年预算数")
        if budget is not None or amount(rr, "全年执行数") is not None:
            source = _fund_source(text)
            line = model.FundLine(source, budget or Decimal(0), amount(rr, "全年执行数") or Decimal(0), amount(rr, "年初预算数"))
            same = next((f for f in funds if f.fund_source == source), None)
            if same is None:
                funds.append(line)
            else:  # two local rows folded onto one fund source (e.g. 上年结转 + 其他资金 → 其他)
                same.budget += line.budget
                same.executed += line.executed
                same.initial = None if same.initial is None or line.initial is None else same.initial + line.initial
        rr += 1
    if not funds and total["budget"] is not None:
        funds.append(model.FundLine("一般公共预算", total["budget"], total["executed"] or Decimal(0), total["initial"]))
        fs.warnings.append(Problem(fs.grid.addr(r, c0), "没有按资金来源分行，已全部计入“一般公共预算”", "资金来源"))
    return funds, total, rr


def _goal(fs: FormSheet, start: int) -> tuple[str, str]:
    found = fs.find({_key(L.GOAL_LABEL), _key("总体目标"), _key("年度目标")}, start)
    if found is None:
        return "", ""
    r, c = found
    heads = {}
    for cc, v in enumerate(fs.grid.rows[r]):
        if not is_blank(v):
            k = re.sub(r"^1-\d+月", "1-X月", _key(v))
            heads[k] = cc
    exp_c = heads.get(_key(L.GOAL_EXPECTED))
    if exp_c is None:  # "年度总体目标 | text" on one row
        value, _ = fs.right_of(r, c)
        return to_text(value).strip(), ""
    act_c = heads.get(_key(L.GOAL_ACTUAL), heads.get(_key(L.GOAL_PROGRESS)))
    return (to_text(fs.grid.merged_value(r + 1, exp_c)).strip(),
            to_text(fs.grid.merged_value(r + 1, act_c)).strip() if act_c is not None else "")


@dataclass
class IndicatorRow:
    values: dict[str, Any]
    cells: dict[str, str]
    row: int


def _indicator_table(fs: FormSheet, start: int, kind: str) -> tuple[list[IndicatorRow], int]:
    lookup = _lookup(L.INDICATOR_COLUMNS[kind], L.COLUMN_ALIASES)
    for rr in range(start, len(fs.grid.rows)):
        keys = {re.sub(r"^1-\d+月", "1-X月", label_key(v)): c for c, v in enumerate(fs.grid.rows[rr]) if not is_blank(v)}
        keys.update({_key(v): c for c, v in enumerate(fs.grid.rows[rr]) if not is_blank(v)})
        if _key("一级指标") in keys and any(k in keys for k in (_key("三级指标"), _key("指标名称"), _key("指标内容"))):
            cols: dict[str, int] = {}
            for k, c in sorted(keys.items(), key=lambda kv: kv[1]):
                attr = lookup.get(k)
                if attr and attr not in cols:
                    cols[attr] = c
            return _indicator_rows(fs, rr, cols), rr
    fs.problems.append(Problem(f"{fs.grid.name}!A{start + 1}", "找不到绩效指标表头（应有「一级指标」「二级指标」「三级指标」等列）", "绩效指标"))
    return [], len(fs.grid.rows)


_STOP = {_key(x) for x in (L.TOTAL_LABEL, "合计", "自评得分", "总计", *(lbl for lbl, _ in L.PROJECT_TEXT_FIELDS),
                           *(lbl for lbl, _ in L.DEPT_TEXT_FIELDS), "评价结论")}


def _indicator_rows(fs: FormSheet, head: int, cols: dict[str, int]) -> list[IndicatorRow]:
    out: list[IndicatorRow] = []
    carry: dict[str, Any] = {}
    for rr in range(head + 1, len(fs.grid.rows)):
        row = fs.grid.rows[rr]
        first = next((v for v in row if not is_blank(v)), None)
        if first is None:
            continue
        if _key(first) in _STOP:
            break
        values: dict[str, Any] = {}
        cells: dict[str, str] = {}
        for attr, c in cols.items():
            v = fs.grid.merged_value(rr, c) if attr in ("level1", "level2") else fs.grid.get(rr, c)
            if attr in ("level1", "level2"):
                v = v if not is_blank(v) else carry.get(attr)  # a merged or omitted 一级/二级 repeats
                carry[attr] = v
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


def _indicator(fs: FormSheet, ir: IndicatorRow, code: str) -> model.Indicator:
    v, cells = ir.values, ir.cells
    missing = [lbl for lbl, attr in (("三级指标", "name"), ("一级指标", "level1"), ("二级指标", "level2"))
               if is_blank(v.get(attr))]
    for lbl in missing:
        attr = {"三级指标": "name", "一级指标": "level1", "二级指标": "level2"}[lbl]
        fs.problems.append(Problem(cells.get(attr, fs.grid.addr(ir.row, 0)), "必填，不能为空", lbl))
    weight = None
    if "weight" in v:
        weight = fs.number(v["weight"], cells["weight"], "分值")
        if weight is None and is_blank(v["weight"]):
            fs.problems.append(Problem(cells["weight"], "请填写分值", "分值"))
    core = False
    if not is_blank(v.get("core")):
        try:
            core = to_bool(v["core"])
        except ValueError as exc:
            fs.problems.append(Problem(cells["core"], str(exc), "核心指标"))
    actual = v.get("actual_text")
    achievement = normalize(to_text(v.get("achievement"))) or None
    if achievement is not None and achievement not in model.ACHIEVEMENTS:
        fs.problems.append(Problem(cells["achievement"], f"「{achievement}」无效，应为：{'、'.join(model.ACHIEVEMENTS)}", "完成等级"))
    stated = fs.number(v.get("score"), cells.get("score", ""), "得分") if "score" in v else None
    ratio = _ratio(fs, v.get("ratio_override"), cells.get("ratio_override", ""))
    reason = to_text(v.get("override_reason")).strip()
    if ratio is not None and not reason:
        fs.problems.append(Problem(cells.get("override_reason", cells["ratio_override"]),
                                   "填写了得分比例，必须写明调整理由", "得分比例调整理由"))
    return model.Indicator(
        code=normalize(to_text(v.get("code"))) or code,
        level1=normalize(to_text(v.get("level1"))), level2=normalize(to_text(v.get("level2"))),
        name=to_text(v.get("name")).strip(), target_text=_target_text(v.get("op"), v.get("target_text")),
        weight=weight if weight is not None else Decimal(0), unit=normalize(to_text(v.get("unit"))),
        actual_text=None if is_blank(actual) else to_text(actual).strip(), achievement=achievement,
        deviation_reason=to_text(v.get("deviation_reason")).strip(), basis=to_text(v.get("basis")).strip(),
        data_source=to_text(v.get("data_source")).strip(), core=core, stated_score=stated,
        ratio_override=ratio, override_reason=reason if ratio is not None else "",
    )


def _ratio(fs: FormSheet, value: Any, where: str) -> Decimal | None:
    """得分比例 as a fraction: 0.9 as written, or 90 / "90%" read as a percent."""
    if is_blank(value):
        return None
    number = fs.number(value, where, "得分比例")
    if number is None:
        return None
    if number > 1 or (isinstance(value, str) and value.strip().endswith(("%", "％"))):
        number = number / 100
    if not Decimal(0) <= number <= Decimal(1):
        fs.problems.append(Problem(where, f"得分比例「{to_text(value)}」应在 0 到 1（0% 到 100%）之间", "得分比例"))
        return None
    return number


def _stated_rate(fs: FormSheet, value: Any, where: str) -> Decimal | None:
    """执行率 as percent: "89.3%" or 89.3 as written, or the fraction 0.893 of a percent-formatted cell."""
    if is_blank(value):
        return None
    number = fs.number(value, where, "执行率")
    if number is None:
        return None
    return number * 100 if isinstance(value, float) and number <= Decimal("1.5") else number


def _footer(fs: FormSheet, start: int, labels: tuple[str, str]) -> tuple[Decimal | None, str | None]:
    total = grade = None
    found = fs.find({_key(labels[0])}, start)
    if found:
        value, vc = fs.right_of(*found)
        if value is not None and _key(value) != _key(labels[1]):
            total = fs.number(value, fs.grid.addr(found[0], vc), labels[0])
    found = fs.find({_key(labels[1])}, start)
    if found:
        value, _ = fs.right_of(*found)
        grade = normalize(to_text(value)) or None
    return total, grade


def _texts(fs: FormSheet, start: int, fields: list[tuple[str, str]]) -> dict[str, str]:
    out = {}
    for label, attr in fields:
        found = fs.find({_key(label)}, start)
        if found:
            value, _ = fs.right_of(*found)
            out[attr] = to_text(value).strip()
    return out


def _form_kind(grid: Grid) -> str | None:
    for r in range(min(5, len(grid.rows))):
        for v in grid.rows[r]:
            if is_blank(v):
                continue
            k = _key(v)
            for kind, title in L.TITLES.items():
                if _key(title) in k or (kind == "monitor" and "运行监控" in k) or (kind == "target" and "目标申报" in k):
                    return kind
    # No title: decide by the indicator table's columns.
    keys = {_key(v) for row in grid.rows[:60] for v in row if not is_blank(v)}
    if _key("完成目标可能性") in keys:
        return "monitor"
    if keys & {_key("实际完成值"), _key("全年实际值"), _key("实际完成值(B)")}:
        return "dept-self-eval" if _key("单位名称") in keys and _key("项目名称") not in keys else "self-eval"
    if _key("一级指标") in keys:
        return "target"
    return None


def _compare(fs: FormSheet, what: str, stated: Decimal | None, computed: Decimal | None, where: str) -> Decimal | None:
    """Keep a stated figure only when it differs from the computed one, and warn about it."""
    if stated is None or computed is None:
        return stated
    if Decimal(fmt_decimal(stated, 2)) == Decimal(fmt_decimal(computed, 2)):
        return None
    fs.warnings.append(Problem(where, f"表中填写的{what}为 {fmt_decimal(stated, 2)}，系统按评分规则计算为 {fmt_decimal(computed, 2)}；"
                                      "已按系统计算结果评分，填写值作为“自评值”保留", what))
    return stated


def _template(fs: FormSheet, default: str) -> tuple[str, Scheme | None]:
    tid = fs.text("template") or default
    try:
        return tid, load_scheme(tid)
    except (KeyError, ValueError, FileNotFoundError, InputError):
        fs.problems.append(Problem(fs.header.get("template", (None, f"{fs.grid.name}!A1"))[1], f"未知的评分模板「{tid}」", "评分模板"))
        return tid, None


def _project_sheet(fs: FormSheet, kind: str, money_unit: str) -> model.Project | None:
    fs.read_header(12)
    code = fs.text("code")
    name = fs.text("name")
    if not code:
        where = fs.header.get("code", (None, f"{fs.grid.name}!A3"))[1]
        fs.problems.append(Problem(where, "缺少项目编码，请在表头填写「项目编码」", "项目编码"))
    if not name:
        fs.problems.append(Problem(fs.header.get("name", (None, f"{fs.grid.name}!A3"))[1], "缺少项目名称", "项目名称"))
    funds, total, after = _funds(fs, money_unit)
    goal, second = _goal(fs, after)
    rows, head = _indicator_table(fs, after, kind)
    indicators = [_indicator(fs, ir, f"{code}-I{n}") for n, ir in enumerate(rows, start=1)]
    p = model.Project(code=code, name=name, unit=fs.text("unit"), category=fs.text("category"), funds=funds,
                      goal=goal, indicators=indicators)
    if kind == "self-eval":
        p.goal_actual = second
        for attr, value in _texts(fs, head, L.PROJECT_TEXT_FIELDS).items():
            setattr(p, attr, value)
        total_score, grade = _footer(fs, head, (L.TOTAL_LABEL, L.GRADE_LABEL))
        rate_v, rate_at = total.get("执行率", (None, ""))
        score_v, score_at = total.get("得分", (None, ""))
        p.stated = model.Stated(execution_rate=_stated_rate(fs, rate_v, rate_at),
                                execution_score=fs.number(score_v, score_at, "得分") if score_at else None,
                                total=total_score, grade=grade)
        _, tpl = _template(fs, "central-2020")
        if tpl is not None and not fs.problems:
            _check_stated(fs, p, tpl, rows, score_at)
    elif kind == "monitor":
        month_v, month_at = fs.header.get("month", (None, f"{fs.grid.name}!A3"))
        month = fs.number(month_v, month_at, "监控截止月份", integer=True)
        if month is None or not 1 <= month <= 12:
            fs.problems.append(Problem(month_at, "请填写监控截止月份（1 到 12）", "监控截止月份"))
            month = 0
        progress = []
        for ir, ind in zip(rows, p.indicators):
            v = ir.values
            if all(is_blank(v.get(a)) for a in ("progress_text", "forecast_text", "likelihood", "causes", "explanation", "measures")):
                continue  # an indicator not reported at this checkpoint
            causes = _causes(fs, v.get("causes"), ir.cells["causes"])
            likelihood = normalize(to_text(v.get("likelihood"))) or "确定能"
            if likelihood not in model.LIKELIHOODS:
                fs.problems.append(Problem(ir.cells["likelihood"], f"「{likelihood}」无效，应为：{'、'.join(model.LIKELIHOODS)}", "完成目标可能性"))
            progress.append(model.IndicatorProgress(
                indicator=ind.code, progress_text=to_text(v.get("progress_text")).strip(),
                forecast_text=to_text(v.get("forecast_text")).strip(), likelihood=likelihood, causes=causes,
                explanation=to_text(v.get("explanation")).strip(), measures=to_text(v.get("measures")).strip()))
        funds_text = _texts(fs, 0, [(L.MONITOR_FUNDS_CAUSES, "causes"), (L.MONITOR_FUNDS_MEASURES, "measures")])
        found = fs.find({_key(L.MONITOR_FUNDS_CAUSES)})
        causes_at = fs.grid.addr(found[0], fs.grid.merged_end(*found) + 1) if found else fs.grid.name
        checkpoint = model.Checkpoint(month=month, goal_progress=second, expected_executed=total.get("expected"),
                                      indicators=progress, causes=_causes(fs, funds_text.get("causes"), causes_at),
                                      measures=funds_text.get("measures", ""))
        # A sheet with nothing reported for the month carries no checkpoint (only the figures shown).
        reported = progress or second or checkpoint.causes or checkpoint.measures or checkpoint.expected_executed is not None
        p.checkpoints = [checkpoint] if reported else []
        found = fs.find({_key(L.MONITOR_FUNDS_MEASURES)})
        cells: dict[str | None, str] = {None: fs.grid.addr(found[0], fs.grid.merged_end(*found) + 1) if found else fs.grid.name}
        for ir, ind in zip(rows, p.indicators):
            cells[ind.code] = ir.cells.get("measures", fs.grid.addr(ir.row, 0))
        fs.monitor = MonitorSheet(fs.grid.name, month, total.get("done"), cells)
    return p


def _causes(fs: FormSheet, value: Any, where: str) -> list[str]:
    causes = [c for c in re.split(r"[、,，;；\s]+", normalize(to_text(value))) if c]
    for c in causes:
        if c not in model.DEVIATION_CAUSES:
            fs.problems.append(Problem(where, f"偏差原因「{c}」无效，应为：{'、'.join(model.DEVIATION_CAUSES)}", "偏差原因"))
    return causes


def _check_stated(fs: FormSheet, p: model.Project, tpl: Scheme, rows: list[IndicatorRow], score_at: str) -> None:
    try:
        result = score_project(p, tpl)
    except ScoringError as exc:
        fs.problems.append(Problem(fs.grid.name, f"无法评分：{exc}"))
        return
    by_code = {r.code: r for r in result.indicators}
    for ir, ind in zip(rows, p.indicators):
        computed = by_code[ind.code].score if ind.code in by_code else None
        ind.stated_score = _compare(fs, f"指标「{ind.name}」得分", ind.stated_score, computed, ir.cells.get("score", ""))
    st = p.stated
    st.execution_score = _compare(fs, "执行率得分", st.execution_score, result.execution.score, score_at)
    rate = result.execution.rate * 100 if result.execution.rate is not None else None
    st.execution_rate = _compare(fs, "执行率（%）", st.execution_rate, rate, score_at)
    st.total = _compare(fs, "总分", st.total, result.total, f"{fs.grid.name}")
    if st.grade is not None and st.grade == result.grade:
        st.grade = None
    elif st.grade is not None:
        fs.warnings.append(Problem(fs.grid.name, f"表中填写的等级为「{st.grade}」，系统计算为「{result.grade}」", "等级"))


def _dept_sheet(fs: FormSheet) -> model.DepartmentYear | None:
    fs.read_header(12)
    found_unit = fs.find({_key("金额单位")}, 0, 12)
    money_unit = "万元"
    if found_unit:
        value, _ = fs.right_of(*found_unit)
        money_unit = normalize(to_text(value)) or "万元"
    year_v, year_at = fs.header.get("year", (None, f"{fs.grid.name}!A3"))
    year = fs.number(year_v, year_at, "年度", integer=True)
    code = fs.text("department_code")
    if not code:
        fs.problems.append(Problem(fs.header.get("department_code", (None, f"{fs.grid.name}!A3"))[1], "缺少部门编码", "部门编码"))
    if year is None:
        fs.problems.append(Problem(year_at, "缺少年度", "年度"))
    tid, _ = _template(fs, "dept-default")
    texts = _texts(fs, 0, L.DEPT_TEXT_FIELDS)
    lines = _budget_detail(fs, money_unit)
    rows, head = _indicator_table(fs, 0, "dept-self-eval")
    indicators = [_indicator(fs, ir, f"D-I{n}") for n, ir in enumerate(rows, start=1)]
    total, grade = _footer(fs, head, ("自评得分", "自评等级"))
    dy = model.DepartmentYear(
        department=model.Department(code=code, name=fs.text("department_name")),
        year=year or 0, money_unit=money_unit, department_template=tid, budget_lines=lines, indicators=indicators,
        stated=model.Stated(total=total, grade=grade), **texts)
    return dy


def _budget_detail(fs: FormSheet, money_unit: str) -> list[model.BudgetLine]:
    head = None
    for r, row in enumerate(fs.grid.rows):
        keys = {_key(v): c for c, v in enumerate(row) if not is_blank(v)}
        if _key("资金来源") in keys and _key("支出性质") in keys:
            head = (r, keys)
            break
    if head is None:
        fs.problems.append(Problem(f"{fs.grid.name}!A1", f"找不到「{L.DEPT_BUDGET_DETAIL}」表（列：{'、'.join(L.DEPT_DETAIL_COLUMNS)}）", "预算明细"))
        return []
    r0, keys = head
    above = fs.find({_key(L.DEPT_BUDGET_DETAIL)}, max(0, r0 - 2), r0)
    factor = _money_factor(fs, fs.grid.get(*above), money_unit, fs.grid.addr(*above)) if above else Decimal(1)
    lines = []
    for r in range(r0 + 1, len(fs.grid.rows)):
        if any(not is_blank(v) and _key(v) == _key("一级指标") for v in fs.grid.rows[r]):
            break  # the indicator table follows
        source = normalize(to_text(fs.grid.get(r, keys[_key("资金来源")])))
        nature = normalize(to_text(fs.grid.get(r, keys[_key("支出性质")])))
        if not source and not nature:
            if all(is_blank(v) for v in fs.grid.rows[r]):
                continue
            break
        if source not in model.FUND_SOURCES:
            fs.problems.append(Problem(fs.grid.addr(r, keys[_key("资金来源")]), f"「{source}」无效，应为：{'、'.join(model.FUND_SOURCES)}", "资金来源"))
        if nature not in model.NATURES:
            fs.problems.append(Problem(fs.grid.addr(r, keys[_key("支出性质")]), f"「{nature}」无效，应为：{'、'.join(model.NATURES)}", "支出性质"))
        amounts: dict[str, Decimal | None] = {}
        for label, attr in (("年初预算数", "initial"), ("全年预算数", "budget"), ("全年执行数", "executed"), ("年末结转和结余", "carry_over")):
            c = keys.get(_key(label))
            value = fs.number(fs.grid.get(r, c), fs.grid.addr(r, c), label) if c is not None else None
            if value is None and attr in ("budget", "executed") and c is not None and is_blank(fs.grid.get(r, c)):
                fs.problems.append(Problem(fs.grid.addr(r, c), "必填，不能为空", label))
            amounts[attr] = None if value is None else value * factor
        lines.append(model.BudgetLine(source, nature, amounts["budget"] or Decimal(0), amounts["executed"] or Decimal(0),
                                      amounts["initial"], amounts["carry_over"] or Decimal(0)))
    return lines


def read_forms(book: Book, warnings: list[Problem]) -> ImportOutcome:
    problems: list[Problem] = []
    projects: list[model.Project] = []
    dept: model.DepartmentYear | None = None
    codes: set[str] = set()
    years: set[int] = set()
    kinds: set[str] = set()
    templates: dict[str, str] = {}  # 评分模板 -> the first sheet naming it
    monitoring: dict[str, MonitorSheet] = {}
    for name in book.sheet_names:
        if name == HELPER_SHEET:
            continue
        grid = book.grid(name)
        if all(is_blank(v) for row in grid.rows for v in row):
            continue
        kind = _form_kind(grid)
        if kind is None:
            warnings.append(Problem(f"{book.path.name}: {name}", "工作表不是可识别的标准表格（申报表/监控表/自评表），已跳过"))
            continue
        kinds.add(kind)
        fs = FormSheet(grid, problems, warnings)
        if kind == "dept-self-eval":
            dept = _dept_sheet(fs)
            continue
        p = _project_sheet(fs, kind, "万元")
        if fs.text("template"):
            templates.setdefault(fs.text("template"), name)
        if fs.monitor is not None and p is not None and p.code:
            monitoring[p.code] = fs.monitor
        dcode = fs.text("department_code")
        if dcode:
            codes.add(dcode)
        year_v, year_at = fs.header.get("year", (None, ""))
        year = fs.number(year_v, year_at, "年度", integer=True) if year_v is not None else None
        if year:
            years.add(year)
        if p is not None:
            if p.code and p.code in {q.code for q in projects}:
                problems.append(Problem(f"{name}!A1", f"项目编码「{p.code}」在多个工作表中出现", "项目编码"))
            projects.append(p)
    if dept is None and not projects and not problems:
        problems.append(Problem(book.path.name, "文件中没有可导入的表格：应为批量工作簿，或项目支出绩效目标申报表/绩效运行监控表/"
                                                 "项目支出绩效自评表/部门整体支出绩效自评表"))
    if dept is not None and projects:
        problems.append(Problem(book.path.name, "同一文件中不能既有部门整体自评表又有项目表格，请分开导入"))
    if len(kinds - {"dept-self-eval"}) > 1:
        problems.append(Problem(book.path.name, f"同一文件中混有不同种类的项目表格（{'、'.join(sorted(L.TITLES[k] for k in kinds))}），请分开导入"))
    if len(codes) > 1 or len(years) > 1:
        problems.append(Problem(book.path.name, "各工作表的部门编码或年度不一致，请检查表头"))
    if len(templates) > 1:
        problems.append(Problem(book.path.name, f"各工作表的评分模板不一致（{'、'.join(f'{n}：{t}' for t, n in templates.items())}），"
                                                "同一部门年度的项目只能用一个评分模板"))
    if problems:
        raise InputError(problems)
    if dept is not None:
        return ImportOutcome(dept, warnings, "dept-self-eval", dept.department.code, dept.year)
    kind = next(iter(kinds))
    return ImportOutcome(projects, warnings, kind, next(iter(codes), None), next(iter(years), None),
                         next(iter(templates), None), monitoring)
