"""Export of the standard forms as printable workbooks (openpyxl).

Computed cells (执行率, 得分, 总分, 等级, 预警等级) hold values from the rules engine, rounded by
``jixiao.core.display`` — never Excel formulas a user could break — and each carries a comment
with the formula and the numbers used. Text a user typed that starts with = + - @ is written as
a string with the quote-prefix attribute, so no formula can be injected.

Every exported form (not the blank templates) carries the hidden, protected sheet
``workbook.VERSION_SHEET``: the version of each object on it when it was exported, so that an
import of the form after someone else changed the same fields is a conflict, not a silent revert.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.core.changes import Ref, budget_line_key
from jixiao.core.display import fmt_amount, fmt_decimal, fmt_rate
from jixiao.core.model import (
    ACHIEVEMENTS,
    DEVIATION_CAUSES,
    FUND_SOURCES,
    LIKELIHOODS,
    NATURES,
    DepartmentYear,
    Indicator,
    Project,
)
from jixiao.core.monitoring import assess_project, load_monitoring_rules
from jixiao.core.results import DepartmentResult, IndicatorResult, ProjectResult
from jixiao.core.schemes import Scheme, load_scheme
from jixiao.core.targets import TargetError, parse_target
from jixiao.excel import form_layout as L
from jixiao.excel.cells import decimal_cell, needs_escape
from jixiao.excel.forms_read.versions import IDENTITY
from jixiao.excel.workbook import HELPER_SHEET, VERSION_SHEET

AUTHOR = "jixiao"
OPERATORS = ("≥", "≤", "=", ">", "<")
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEAD_FONT = Font(name="宋体", size=10, bold=True)
BODY_FONT = Font(name="仿宋", size=10)
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
COMPUTED_FILL = PatternFill("solid", fgColor="EAF1DD")
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
YEAR = "0"  # 年度 as a plain integer (2022, not 2,022.00)
MONEY = "#,##0.00"
SCORE = "0.00"
RATE = "0.00%"
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
PRINTABLE_MM = 297 - 2 * 12.7  # landscape A4 less 0.5-inch margins
MIN_SCALE = 80  # below it 10 pt text prints under 8 pt: split across pages instead
# Column widths (characters) of the project forms and of the department form.
PROJECT_WIDTHS = (10, 12, 18, 8, 14, 8, 14, 10, 8, 10, 30, 8, 20, 10)
DEPT_WIDTHS = (10, 12, 18, 12, 14, 12, 14, 10, 10, 10, 30, 8, 20, 10)


def _dec2(d: Decimal | None) -> Decimal | None:
    """A score rounded as shown; None (not computable, e.g. a blank 分值) stays a blank cell."""
    return None if d is None else Decimal(fmt_decimal(d, 2))


def _amount(d: Decimal | None) -> str:
    """An amount in a comment's formula; a blank one says so."""
    return "（未填写）" if d is None else fmt_amount(d)


def _rate4(fraction: Decimal | None) -> Decimal | None:
    return None if fraction is None else Decimal(fmt_decimal(fraction, 4))


class Sheet:
    """A form sheet being written row by row over ``width`` columns."""

    def __init__(self, ws: Worksheet, width: int, widths: Sequence[float]):
        self.ws = ws
        self.width = width
        self.widths = list(widths) + [12] * (width - len(widths))
        self.row = 1

    def fit_row(self, r: int) -> None:
        """Row height for wrapped text: Excel does not grow rows of a generated file by itself."""
        lines = 1
        for c in range(1, self.width + 1):
            value = self.ws.cell(row=r, column=c).value
            if isinstance(value, str) and value:
                units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)
                lines = max(lines, -(-units // max(1, int(self.widths[c - 1] * 0.95))))
        self.ws.row_dimensions[r].height = min(400, 14 * lines + 2)

    def put(self, r: int, c: int, value: Any, *, head: bool = False, fmt: str | None = None,
            comment: str | None = None, computed: bool = False, end: int | None = None) -> None:
        cell = self.ws.cell(row=r, column=c)
        if isinstance(value, str):
            cell.value = value
            if needs_escape(value):
                cell.data_type = "s"
                cell.quotePrefix = True
        else:
            cell.value = value
        cell.font = HEAD_FONT if head else BODY_FONT
        cell.alignment = CENTER if head else WRAP
        cell.border = BORDER
        if head:
            cell.fill = HEAD_FILL
        if computed:
            cell.fill = COMPUTED_FILL
        if fmt:
            cell.number_format = fmt
        # The sheet is protected (no password): what the system computes and the labels are
        # locked, what the unit fills in is not.
        lock = LOCKED if head or computed else UNLOCKED
        cell.protection = lock
        if comment:
            cell.comment = Comment(comment, AUTHOR, width=320, height=160)
        if end and end > c:
            for cc in range(c + 1, end + 1):
                self.ws.cell(row=r, column=cc).border = BORDER
                self.ws.cell(row=r, column=cc).protection = lock
            self.ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=end)

    def title(self, text: str, subtitle: str) -> None:
        self.ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=self.width)
        cell = self.ws.cell(row=1, column=1, value=text)
        cell.font = TITLE_FONT
        cell.alignment = CENTER
        self.ws.row_dimensions[1].height = 30
        self.ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=self.width)
        sub = self.ws.cell(row=2, column=1, value=subtitle)
        sub.font = BODY_FONT
        sub.alignment = CENTER
        self.row = 3

    def pairs(self, items: Sequence[tuple[str, Any]]) -> None:
        """Label/value pairs, two per row: label | value spanning the rest of its half."""
        half = self.width // 2
        for i in range(0, len(items), 2):
            for k, (label, value) in enumerate(items[i:i + 2]):
                start = 1 + k * half
                last = half if k == 0 else self.width
                self.put(self.row, start, label, head=True)
                self.put(self.row, start + 1, value, end=last, fmt=YEAR if label == "年度" else None)
            self.row += 1

    def wide(self, label: str, value: str, head_span: int = 1) -> None:
        self.put(self.row, 1, label, head=True, end=head_span)
        self.put(self.row, head_span + 1, value, end=self.width)
        self.ws.row_dimensions[self.row].height = max(30, min(300, 15 * (1 + len(value) // 60)))
        self.row += 1

    def headers(self, labels: Sequence[str], start: int = 1) -> int:
        for i, label in enumerate(labels):
            self.put(self.row, start + i, label, head=True)
        self.fit_row(self.row)
        self.row += 1
        return self.row - 1

    def signatures(self) -> None:
        """The lines an officer signs and stamps (填报单位（盖章）、填报人、联系电话、填报日期、审核人)."""
        self.row += 1
        third = max(2, self.width // 3)
        rows = [[(f"{label}：", 1 + k * 2 * third) for k, label in enumerate(L.SIGNATURES[0])],
                [(f"{label}：", 1 + k * third) for k, label in enumerate(L.SIGNATURES[1])]]
        for items in rows:
            for label, col in items:
                cell = self.ws.cell(row=self.row, column=col, value=label)
                cell.font = BODY_FONT
                cell.alignment = Alignment(vertical="center")
                cell.protection = LOCKED
                value = self.ws.cell(row=self.row, column=col + 1)
                value.protection = UNLOCKED
                value.font = BODY_FONT
            self.ws.row_dimensions[self.row].height = 24
            self.row += 1

    def finish(self, freeze_row: int, repeat_row: int | None = None, print_columns: int | None = None) -> None:
        """Print on landscape A4 at a legible scale (≥ 80 %): the width fits the page (the last
        system columns — 得分比例, 调整理由, 指标编码 — are not printed), a long table continues on
        the next page under its repeated header row instead of shrinking to one page."""
        ws = self.ws
        for i, w in enumerate(self.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = f"A{freeze_row}"
        last = print_columns or self.width
        ws.print_area = f"A1:{get_column_letter(last)}{max(self.row - 1, 1)}"
        if repeat_row:
            ws.print_title_rows = f"{repeat_row}:{repeat_row}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
        ws.page_setup.scale = print_scale(self.widths[:last])
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.print_options.horizontalCentered = True
        ws.protection.sheet = True  # no password: a user can lift it knowingly (审阅 → 撤消工作表保护)
        ws.protection.formatColumns = False  # still allowed: widths, heights, inserting rows
        ws.protection.formatRows = False
        ws.protection.insertRows = False


def print_scale(widths: Sequence[float]) -> int:
    """The print scale (%) at which the columns fill landscape A4, at most 100 and at least
    ``MIN_SCALE``: Excel's column of width w is about 7w + 5 pixels at 96 dpi."""
    mm = sum(7 * w + 5 for w in widths) * 25.4 / 96
    return max(MIN_SCALE, min(100, int(PRINTABLE_MM / mm * 100) // 5 * 5))


class Lists:
    """The hidden sheet of dropdown lists, and the validations that point at it."""

    def __init__(self, wb: Workbook, tpl: Scheme, used: Sequence[Indicator] = ()):
        self.ws = wb.create_sheet(HELPER_SHEET)
        self.ws.sheet_state = "hidden"
        # The scheme's classes, then every class the form itself uses: a dropdown that rejects the
        # value already in its cell would block the unit's own form.
        level1 = list(dict.fromkeys([*(c.level1 for c in tpl.categories), *(i.level1 for i in used if i.level1)]))
        level2 = list(dict.fromkeys([*(l2 for c in tpl.categories for l2 in c.level2),
                                     *(i.level2 for i in used if i.level2)]))
        columns = {
            "level1": level1,
            "level2": level2,
            "op": list(OPERATORS),
            "likelihood": list(LIKELIHOODS),
            "causes": list(DEVIATION_CAUSES),
            "achievement": list(ACHIEVEMENTS),
            "fund_source": list(FUND_SOURCES),
            "nature": list(NATURES),
            "core": ["是", "否"],
        }
        self.ranges: dict[str, str] = {}
        for c, (key, values) in enumerate(columns.items(), start=1):
            self.ws.cell(row=1, column=c, value=key)
            for r, v in enumerate(values, start=2):
                self.ws.cell(row=r, column=c, value=v)
            letter = get_column_letter(c)
            self.ranges[key] = f"'{HELPER_SHEET}'!${letter}$2:${letter}${len(values) + 1}"

    def dropdown(self, ws: Worksheet, key: str, area: str, prompt: str) -> None:
        dv = DataValidation(type="list", formula1=f"={self.ranges[key]}", allow_blank=True,
                            showErrorMessage=key != "causes", errorTitle="输入有误",
                            error=f"请从下拉列表中选择{prompt}",
                            promptTitle=prompt, prompt=f"请从下拉列表选择{prompt}")
        ws.add_data_validation(dv)
        dv.add(area)


def money_rule(ws: Worksheet, area: str) -> None:
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                        showErrorMessage=True, errorTitle="金额有误", error="金额应为不小于 0 的数字（单位见表头）")
    ws.add_data_validation(dv)
    dv.add(area)


def _split_target(text: str | None, unit: str) -> tuple[str, str]:
    """"≥7个" → ("≥", "7个") for the 指标性质 column; qualitative text stays whole; no target: blank."""
    if text is None:
        return "", ""
    try:
        t = parse_target(text, unit)
    except TargetError:
        return "", text
    if t.op in OPERATORS and text.lstrip().startswith(t.op):
        return t.op, text.lstrip()[len(t.op):].lstrip()
    return "", text


def _sheet_title(wb: Workbook, project: Project) -> str:
    bad = '[]:*?/\\'
    base = "".join("_" if ch in bad else ch for ch in f"{project.code} {project.name}").strip("'")[:31]
    name, n = base, 2
    while name in wb.sheetnames or name in (HELPER_SHEET, VERSION_SHEET):
        suffix = f"~{n}"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    return name


def _score_comment(r: IndicatorResult) -> str:
    return f"得分由系统按评分规则计算，不是公式：\n{r.trace}"


def _indicator_rows(s: Sheet, form: str, project: Project | None, indicators: Sequence[Indicator],
                    results: dict[str, IndicatorResult],
                    progress: dict[str, Any]) -> tuple[int, int]:
    cols = L.INDICATOR_COLUMNS[form]
    labels = [label.replace("1-X月", f"1-{progress.get('_month', 'X')}月") for label, _ in cols]
    header_row = s.headers(labels)
    first = s.row
    for ind in indicators:
        op, value = _split_target(ind.target_text, ind.unit)
        res = results.get(ind.code)
        prog = progress.get(ind.code)
        for c, (_label, attr) in enumerate(cols, start=1):
            kw: dict[str, Any] = {}
            if attr == "op":
                v: Any = op
            elif attr == "target_text":
                v = value if op else ind.target_text
            elif attr == "weight":
                v, kw = ind.weight, {"fmt": SCORE}
            elif attr == "score":
                v = _dec2(res.score) if res and res.score is not None else None
                kw = {"fmt": SCORE, "computed": True, "comment": _score_comment(res) if res else None}
            elif attr == "core":
                v = "是" if ind.core else "否"
            elif attr == "actual_text" and res is not None and res.feed is not None:
                # The actual the score used came from a feed (ledger or budget figures): show that
                # value, so the form read back scores as the source did.
                v = res.actual_text
                kw = {"computed": True, "comment": f"实际完成值由系统自动取数（{res.feed}），不是手工填写"}
            elif attr == "ratio_override":
                v = decimal_cell(ind.ratio_override) if ind.ratio_override is not None else None
            elif attr in ("progress_text", "forecast_text", "likelihood", "explanation", "measures"):
                v = getattr(prog, attr) if prog else ""
            elif attr == "causes":
                v = "、".join(prog.causes) if prog else ""
            else:
                v = getattr(ind, attr)
            s.put(s.row, c, "" if v is None else v, **kw)
        s.fit_row(s.row)
        s.row += 1
    return header_row, first


def _dropdowns(s: Sheet, lists: Lists, form: str, first: int, last: int) -> None:
    cols = L.INDICATOR_COLUMNS[form]
    for c, (label, attr) in enumerate(cols, start=1):
        letter = get_column_letter(c)
        area = f"{letter}{first}:{letter}{last}"
        if attr in ("level1", "level2", "op", "likelihood", "causes", "core", "achievement"):
            lists.dropdown(s.ws, attr, area, label)
        elif attr == "weight":
            money_rule(s.ws, area)
        elif attr == "ratio_override":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True,
                                showErrorMessage=True, errorTitle="得分比例有误",
                                error="得分比例为定性指标在其档次内的得分比例，应为 0 到 1 之间的小数（如 0.9）",
                                promptTitle="得分比例",
                                prompt="仅定性指标在档内调整得分时填写（0～1，如 0.9），并写明调整理由")
            s.ws.add_data_validation(dv)
            dv.add(area)


def _funds_block(s: Sheet, form: str, dy: DepartmentYear, p: Project, pr: ProjectResult | None,
                 mon: _Monitor | None) -> tuple[int, int]:
    labels = L.FUNDS_COLUMNS[form]
    if mon is not None:
        labels = [x.replace("1-X月", f"1-{mon.month}月") for x in labels]
    s.put(s.row, 1, f"项目资金（{dy.money_unit}）", head=True, end=2)
    s.headers(labels, start=3)
    first = s.row
    initial = p.initial_budget
    total_row: list[tuple[Any, dict[str, Any]]] = [(initial, {"fmt": MONEY}), (p.budget, {"fmt": MONEY})]
    if form == "self-eval" and pr is not None:
        ex = pr.execution
        total_row += [
            (p.executed, {"fmt": MONEY}), (ex.weight, {"fmt": SCORE}),
            (_rate4(ex.rate), {"fmt": RATE, "computed": True,
                               "comment": "执行率 = 全年执行数(B) ÷ 全年预算数(A) = "
                                          f"{_amount(p.executed)} ÷ {_amount(p.budget)}"
                                          f" = {fmt_rate(ex.rate, 2)}（系统计算，不是公式）"}),
            (_dec2(ex.score), {"fmt": SCORE, "computed": True, "comment": f"系统按评分规则计算：\n{ex.trace}"}),
        ]
    elif form == "monitor" and mon is not None:
        total_row += [
            (mon.done, {"fmt": MONEY}),
            (_rate4(mon.progress), {"fmt": RATE, "computed": True,
                                    "comment": f"1-{mon.month}月执行率 = 1-{mon.month}月累计执行数 ÷ 全年预算数 = "
                                               f"{_amount(mon.done)} ÷ {_amount(p.budget)}（系统计算）"}),
            (_rate4(mon.time), {"fmt": RATE, "computed": True, "comment": f"时间进度 = {mon.month} ÷ 12（系统计算）"}),
            (mon.expected, {"fmt": MONEY}),
            (mon.level_label, {"computed": True, "comment": "预警等级由系统按监控规则计算：\n"
                                                            + "\n".join(mon.reasons or ["执行进度正常"])}),
        ]
    s.put(s.row, 1, L.FUNDS_TOTAL, head=True, end=2)
    for c, (v, kw) in enumerate(total_row, start=3):
        s.put(s.row, c, v, **kw)
    s.row += 1
    for f in p.funds:
        s.put(s.row, 1, f"{L.FUNDS_PART_PREFIX}{f.fund_source}", end=2)
        values = [f.initial, f.budget] + ([f.executed] if form == "self-eval" else [])
        for c, v in enumerate(values, start=3):
            s.put(s.row, c, v, fmt=MONEY)
        s.row += 1
    return first, s.row - 1


class _Monitor:
    """The figures the monitoring form shows for one project at its cut-off month."""

    def __init__(self, dy: DepartmentYear, p: Project):
        rules = load_monitoring_rules()
        months = [cp.month for cp in p.checkpoints]
        self.month = max(months) if months else rules.cutoff_month
        a = assess_project(p, self.month, rules, money_unit=dy.money_unit,
                           rule=load_scheme(dy.project_template).execution)
        self.done = a.executed_to_date
        self.progress = a.execution_progress
        self.time = Decimal(self.month) / Decimal(12)
        self.checkpoint = a.checkpoint
        self.expected = a.checkpoint.expected_executed if a.checkpoint else None
        self.level_label = rules.level_labels.get(a.overall_level, a.overall_level)
        self.reasons = list(a.reasons) + [r for i in a.indicators for r in i.reasons]


def _project_sheet(wb: Workbook, lists: Lists, dy: DepartmentYear, p: Project, pr: ProjectResult | None, form: str,
                   blank: bool) -> None:
    width = len(L.INDICATOR_COLUMNS[form])
    s = Sheet(wb.create_sheet(_sheet_title(wb, p) if not blank else "填报"), width, PROJECT_WIDTHS)
    s.title(L.TITLES[form], f"（{dy.year}年度）")
    mon = _Monitor(dy, p) if form == "monitor" and not blank else None
    header = [("项目名称", p.name), ("项目编码", p.code), ("主管部门", dy.department.name),
              ("实施单位", p.unit), ("年度", dy.year), ("项目类别", p.category)]
    if mon is not None:
        header.append(("监控截止月份", mon.month))
    s.pairs(header)
    freeze = s.row
    f_first, f_last = _funds_block(s, form, dy, p, pr, mon)
    money_rule(s.ws, f"C{f_first}:{get_column_letter(width)}{f_last + (10 if blank else 0)}")
    if form == "monitor":
        cp = mon.checkpoint if mon else None
        s.wide(L.MONITOR_FUNDS_CAUSES, "、".join(cp.causes) if cp else "", head_span=2)
        s.wide(L.MONITOR_FUNDS_MEASURES, cp.measures if cp else "", head_span=2)
    s.put(s.row, 1, L.GOAL_LABEL, head=True, end=2)
    half = 2 + (width - 2) // 2
    second = L.GOAL_ACTUAL if form == "self-eval" else (f"1-{mon.month}月执行情况" if mon else L.GOAL_ACTUAL)
    s.put(s.row, 3, L.GOAL_EXPECTED, head=True, end=half)
    if form != "target":
        s.put(s.row, half + 1, second, head=True, end=width)
    s.row += 1
    s.put(s.row, 1, "", end=2)
    s.put(s.row, 3, p.goal, end=half if form != "target" else width)
    if form != "target":
        if form == "self-eval":
            actual = p.goal_actual
        else:
            actual = mon.checkpoint.goal_progress if mon and mon.checkpoint else ""
        s.put(s.row, half + 1, actual, end=width)
    s.ws.row_dimensions[s.row].height = max(45, min(300, 15 * (1 + len(p.goal) // 40)))
    s.row += 1
    results = {r.code: r for r in pr.indicators} if pr else {}
    progress: dict[str, Any] = {}
    if mon is not None:
        progress["_month"] = mon.month
        if mon.checkpoint:
            progress.update({ip.indicator: ip for ip in mon.checkpoint.indicators})
    header_row, first = _indicator_rows(s, form, p, p.indicators, results, progress)
    last = s.row - 1
    if blank:
        for _ in range(L.DROPDOWN_ROWS):
            for c in range(1, width + 1):
                s.put(s.row, c, None)
            s.row += 1
        last = s.row - 1
    _dropdowns(s, lists, form, first, max(first, last))
    if form == "self-eval":
        s.put(s.row, 1, L.TOTAL_LABEL, head=True, end=2)
        s.put(s.row, 3, _dec2(pr.total) if pr else None, fmt=SCORE, computed=True,
              comment=f"总分 = 执行率得分 + 各指标得分（系统计算）：\n{pr.trace}" if pr else "导入后由系统计算")
        s.put(s.row, 4, L.GRADE_LABEL, head=True)
        s.put(s.row, 5, pr.grade if pr else None, computed=True, end=width,
              comment="等级：90（含）-100 优，80（含）-90 良，60（含）-80 中，60 以下差（按评分模板）")
        s.row += 1
        for label, attr in L.PROJECT_TEXT_FIELDS:
            s.wide(label, getattr(p, attr), head_span=2)
    s.signatures()
    s.finish(freeze, header_row, L.PRINTED_COLUMNS.get(form))


def _dept_sheet(wb: Workbook, lists: Lists, dy: DepartmentYear, res: DepartmentResult) -> None:
    form = "dept-self-eval"
    width = len(L.INDICATOR_COLUMNS[form])
    s = Sheet(wb.create_sheet("部门整体自评表"), width, DEPT_WIDTHS)
    s.title(L.TITLES[form], f"（{dy.year}年度）")
    s.pairs([(L.DEPT_FORM_HEAD[0], dy.department.name), ("年度", dy.year), ("金额单位", dy.money_unit),
             ("主管部门", dy.department.parent_name or "")])
    freeze = s.row
    for label, attr in L.DEPT_TEXT_FIELDS[:2]:
        s.wide(label, getattr(dy, attr), head_span=2)
    # Summary by source and by nature: computed from the detail lines below.
    s.put(s.row, 1, f"年度部门整体支出（{dy.money_unit}）", head=True, end=3)
    s.headers(["全年预算数", "全年执行数", "执行率"], start=4)
    for block, data in (("按资金来源", res.by_source), ("按支出性质", res.by_nature)):
        for name, (b, e) in data.items():
            s.put(s.row, 1, block, end=2)
            s.put(s.row, 3, name)
            s.put(s.row, 4, b, fmt=MONEY, computed=True)
            s.put(s.row, 5, e, fmt=MONEY, computed=True)
            s.put(s.row, 6, _rate4(e / b) if b and e is not None else None, fmt=RATE, computed=True)
            s.row += 1
    ex = res.execution
    s.put(s.row, 1, "合计", head=True, end=3)
    s.put(s.row, 4, res.budget, fmt=MONEY, computed=True)
    s.put(s.row, 5, res.executed, fmt=MONEY, computed=True)
    s.put(s.row, 6, _rate4(ex.rate), fmt=RATE, computed=True,
          comment=f"执行率 = 全年执行数 ÷ 全年预算数 = {_amount(res.executed)} ÷ {_amount(res.budget)}"
                  f" = {fmt_rate(ex.rate, 2)}（系统计算）")
    s.put(s.row, 7, "执行率分值", head=True)
    s.put(s.row, 8, ex.weight, fmt=SCORE)
    s.put(s.row, 9, "执行率得分", head=True)
    s.put(s.row, 10, _dec2(ex.score), fmt=SCORE, computed=True, comment=f"系统按评分规则计算：\n{ex.trace}")
    s.row += 1
    s.put(s.row, 1, f"{L.DEPT_BUDGET_DETAIL}（{dy.money_unit}）", head=True, end=width)
    s.row += 1
    s.headers(L.DEPT_DETAIL_COLUMNS)
    d_first = s.row
    for line in dy.budget_lines:
        values = [line.fund_source, line.nature, line.initial, line.budget, line.executed, line.carry_over]
        for c, v in enumerate(values, start=1):
            s.put(s.row, c, v, fmt=MONEY if c > 2 else None)
        s.row += 1
    d_last = max(s.row - 1, d_first)
    lists.dropdown(s.ws, "fund_source", f"A{d_first}:A{d_last}", "资金来源")
    lists.dropdown(s.ws, "nature", f"B{d_first}:B{d_last}", "支出性质")
    money_rule(s.ws, f"C{d_first}:F{d_last}")
    results = {r.code: r for r in res.indicators}
    header_row, first = _indicator_rows(s, form, None, dy.indicators, results, {})
    _dropdowns(s, lists, form, first, max(first, s.row - 1))
    s.put(s.row, 1, "自评得分", head=True, end=2)
    s.put(s.row, 3, _dec2(res.total), fmt=SCORE, computed=True,
          comment=f"自评得分 = 执行率得分 + 各指标得分（系统计算）：\n{res.trace}")
    s.put(s.row, 4, "自评等级", head=True)
    s.put(s.row, 5, res.grade, computed=True, end=width, comment="等级按部门评分模板的分档计算（含下限）")
    s.row += 1
    for label, attr in L.DEPT_TEXT_FIELDS[2:]:
        s.wide(label, getattr(dy, attr), head_span=2)
    s.signatures()
    s.finish(freeze, header_row, L.PRINTED_COLUMNS.get(form))


def form_objects(dy: DepartmentYear, form: str, projects: Sequence[Project]) -> list[tuple[Ref, int | None]]:
    """The objects a form shows, each with its stored version (None: not read from the database)."""
    if form == "dept-self-eval":
        return [(Ref("year"), dy.version),
                *((Ref("budget_line", "", budget_line_key(b)), b.version) for b in dy.budget_lines),
                *((Ref("indicator", "", i.code), i.version) for i in dy.indicators)]
    out: list[tuple[Ref, int | None]] = []
    for p in projects:
        out.append((Ref("project", p.code), p.version))
        out.extend((Ref("fund", p.code, f.fund_source), f.version) for f in p.funds)
        out.extend((Ref("indicator", p.code, i.code), i.version) for i in p.indicators)
        if form == "monitor" and p.checkpoints:  # the form shows the latest checkpoint (``_Monitor``)
            cp = max(p.checkpoints, key=lambda c: c.month)
            out.append((Ref("checkpoint", p.code, str(cp.month)), cp.version))
    return out


def _version_sheet(wb: Workbook, dy: DepartmentYear, objects: Sequence[tuple[Ref, int]]) -> None:
    """The hidden, protected sheet of what the form was based on (see ``form_layout.VERSION_TITLE``)."""
    ws = wb.create_sheet(VERSION_SHEET)
    ws.sheet_state = "veryHidden"  # not offered by Excel's 取消隐藏; a copy of a sheet leaves it behind
    ws.protection.sheet = True
    ws.append([L.VERSION_TITLE])
    ws.append([L.VERSION_DEPARTMENT, dy.department.code])
    ws.append([L.VERSION_YEAR, dy.year])
    ws.append(list(L.VERSION_COLUMNS))
    for ref, version in objects:
        ws.append([ref.kind, ref.project, ref.key, version])
    for row in ws.iter_rows():
        for cell in row:  # a code is text, even one that looks like a formula
            if isinstance(cell.value, str) and needs_escape(cell.value):
                cell.data_type, cell.quotePrefix = "s", True
    for c, width in zip("ABCD", (14, 14, 30, 10), strict=True):
        ws.column_dimensions[c].width = width


def write_standard_form(dy: DepartmentYear, result: DepartmentResult, form: str, path: Path,
                        project: str | None) -> None:
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty default sheet
    blank_of = L.BLANK_OF.get(form)
    kind = blank_of or form
    tpl = load_scheme(dy.department_template if kind == "dept-self-eval" else dy.project_template)
    sheets_before = len(wb.sheetnames)
    used = dy.indicators if kind == "dept-self-eval" else [i for p in dy.projects for i in p.indicators]
    lists = Lists(wb, tpl, used)
    chosen: list[Project] = []
    if kind == "dept-self-eval":
        _dept_sheet(wb, lists, dy, result)
    elif blank_of:
        _project_sheet(wb, lists, dy, Project(code="", name=""), None, kind, blank=True)
    else:
        by_code = {r.code: r for r in result.projects}
        chosen = [p for p in dy.projects if project is None or p.code == project]
        for p in chosen:
            _project_sheet(wb, lists, dy, p, by_code.get(p.code), kind, blank=False)
        if not chosen:
            s = Sheet(wb.create_sheet("说明"), 4, [20, 20, 20, 20])
            s.title(L.TITLES[kind], f"（{dy.year}年度）本部门年度没有项目")
    # The hidden list sheet goes last, so the first visible sheet opens.
    wb.move_sheet(HELPER_SHEET, offset=len(wb.sheetnames) - 1 - sheets_before)
    known = [(ref, v) for ref, v in form_objects(dy, kind, chosen) if v is not None] if not blank_of else []
    if known:  # a blank template, or a department-year not read from the database, is based on nothing stored
        _version_sheet(wb, dy, known)
    _identity(wb, dy, tpl.id)
    wb.active = 0
    wb.save(path)


def _identity(wb: Workbook, dy: DepartmentYear, template: str) -> None:
    """Whose form this is, in the workbook's custom properties rather than on the printed sheet:
    the department's internal code and the 评分模板 id mean nothing to the officer who signs it."""
    values = {"department_code": dy.department.code, "year": str(dy.year), "template": template}
    props = wb.custom_doc_props  # type: ignore[attr-defined]  # openpyxl ≥ 3.1, not in its stubs
    for attr, name in IDENTITY.items():
        if values[attr]:
            props.append(StringProperty(name=name, value=values[attr]))
