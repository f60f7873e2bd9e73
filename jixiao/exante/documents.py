"""The ex-ante assessment's documents: the assessment report (.docx, in the usual outline, with
the scoring table as its annex) and the expert scoring form (.xlsx). Both read a stored proposal
and its scores; neither writes the database."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.worksheet.protection import SheetProtection

from jixiao.core import exante as rules
from jixiao.core.display import fmt_amount, fmt_rate, fmt_score
from jixiao.exante.models import Proposal

BODY, HEADING1, HEADING2, TITLE = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"


def _font(run: Any, face: str, size: float, bold: bool = False) -> None:
    run.font.name = face
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)


def _para(doc: Any, text: str, face: str = BODY, size: float = 16, align: Any = None, indent: bool = True) -> None:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), face, size)


def _expert_rows(p: Proposal) -> tuple[list[str], dict[str, list[Decimal]]]:
    scores = list(p.scores.select_related("expert").order_by("expert__username"))
    names = [s.expert.first_name or s.expert.username for s in scores]
    by_item: dict[str, list[Decimal]] = {}
    for s in scores:
        for key, value in s.items.items():
            by_item.setdefault(key, []).append(Decimal(value))
    return names, by_item


def write_report(p: Proposal, path: str | Path) -> None:
    system = rules.system_for(p.policy)
    names, by_item = _expert_rows(p)
    unit = rules.load_rules().money_unit
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    props = doc.core_properties
    props.title = f"{p.name}事前绩效评估报告"
    props.author = p.department.name
    props.subject = "事前绩效评估"
    props.created = props.modified = datetime.now()  # not python-docx's template date
    props.keywords = "事前绩效评估"
    _para(doc, f"{p.name}事前绩效评估报告", TITLE, 22, WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, "")
    _para(doc, "一、评估对象基本情况", HEADING1)
    _para(doc, f"{p.name}（项目编码 {p.code}）由{p.department.name}申报，实施单位为{p.unit or p.department.name}，"
               f"属{p.kind}{'政策' if p.policy else '项目'}，申请 {p.year} 年度预算 {fmt_amount(p.requested)} {unit}"
               + (f"，上年预算 {fmt_amount(p.last_year)} {unit}。" if p.last_year is not None else "。"))
    for label, text in (("立项依据与必要性", p.basis), ("实施方案", p.plan), ("资金测算与筹资方案", p.funding),
                        ("年度绩效目标", p.goal)):
        if text:
            _para(doc, f"{label}：{text}")
    if p.indicators:
        listed = "；".join(f"{i['name']}{i['target_text']}" for i in p.indicators)
        _para(doc, f"申报的绩效指标 {len(p.indicators)} 项：{listed}。")
    _para(doc, "二、评估工作开展情况", HEADING1)
    _para(doc, f"（一）评估依据。{p.trigger_reason}")
    members = list(p.panel.select_related("expert"))
    withdrawn = [m_ for m_ in members if m_.conflict]
    _para(doc, f"（二）评估组织。财政部门组织 {len(members)} 名专家组成评审专家组，专家在评分前逐一声明与本项目"
               f"无利益冲突{'，其中 ' + str(len(withdrawn)) + ' 名声明存在利益关系并回避' if withdrawn else ''}。")
    dims = "、".join(d.name for d in system.dimensions)
    _para(doc, f"（三）评估方法。按{system.label}从{dims}五个方面独立评分，满分 100 分；"
               f"{p.panel_method or '专家组评分取平均'}。")
    _para(doc, "三、综合评估情况与评估结论", HEADING1)
    for d in system.dimensions:
        got = [sum(by_item.get(i.key, []), Decimal(0)) / max(len(by_item.get(i.key, [])), 1) for i in d.items]
        _para(doc, f"{d.name}（{fmt_score(d.points)} 分）：专家平均得分 {fmt_score(sum(got, Decimal(0)))} 分。")
    if p.panel_score is not None:
        cut = rules.cut(p.requested, p.approved or Decimal(0))
        rate = f"，核减率 {fmt_rate(cut.rate)}" if cut.rate is not None else ""
        _para(doc, f"专家组评分 {fmt_score(p.panel_score)} 分，评估结论为“{p.conclusion}”。核定金额 "
                   f"{fmt_amount(p.approved or Decimal(0))} {unit}，核减 {fmt_amount(cut.amount)} {unit}{rate}。")
    else:
        _para(doc, "专家评审尚未完成，暂无评估结论。")
    _para(doc, "四、相关建议", HEADING1)
    advice = [p.opinion] if p.opinion else []
    advice += [s.opinion for s in p.scores.all() if s.opinion]
    for n, text in enumerate(advice or ["无。"], start=1):
        _para(doc, f"{'（' + '一二三四五六七八九十'[n - 1] + '）' if advice and n <= 10 else ''}{text}")
    _para(doc, "五、其他", HEADING1)
    _para(doc, "本报告依据申报单位提供的资料和专家评审意见形成，申报资料的真实性由申报单位负责。"
               + ("回避专家：" + "、".join(m_.expert.first_name or m_.expert.username for m_ in withdrawn) + "。"
                  if withdrawn else ""))
    _para(doc, "附件：事前绩效评估评分表", indent=True)
    doc.add_page_break()
    _para(doc, f"附件  {system.label}", HEADING1, indent=False)
    table = doc.add_table(rows=1, cols=4 + len(names) + 1)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ["评估维度", "评分项", "评分要点", "分值", *names, "平均"], strict=True):
        cell.text = text
    for d in system.dimensions:
        for item in d.items:
            values = by_item.get(item.key, [])
            mean = sum(values, Decimal(0)) / len(values) if values else None
            row = [d.name, item.name, item.basis, fmt_score(item.points), *(fmt_score(v) for v in values),
                   fmt_score(mean) if mean is not None else "—"]
            row += [""] * (len(table.columns) - len(row))
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for para in cell.paragraphs:
                for run in para.runs:
                    _font(run, BODY, 10.5)
    doc.save(str(path))


def write_form(p: Proposal, path: str | Path, expert: str = "") -> None:
    """The expert scoring form: one row per item with its points, a 得分 column to fill in (the
    only unlocked cells), the total as a formula, and the signature lines."""
    system = rules.system_for(p.policy)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "专家评分表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([system.label])
    ws.merge_cells("A1:F1")
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"项目名称：{p.name}", None, None, f"申请金额：{fmt_amount(p.requested)} 万元"])
    ws.append([f"申报单位：{p.department.name}", None, None, f"预算年度：{p.year}"])
    ws.append(["评估维度", "评分项", "评分要点", "分值", "得分", "扣分理由"])
    first = ws.max_row + 1
    for d in system.dimensions:
        for item in d.items:
            ws.append([d.name, item.name, item.basis, float(item.points), None, None])
    last = ws.max_row
    ws.append(["合计", None, None, 100, f"=SUM(E{first}:E{last})", None])
    ws.append([])
    ws.append(["本人与该项目申报单位及相关人员不存在利益关系，评分独立、客观、公正。"])
    ws.append([f"评审专家（签字）：{expert}", None, None, "日期："])
    for row in ws.iter_rows(min_row=4, max_row=last + 1):
        for cell in row:
            cell.border = border
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.font = Font(name="宋体", size=11, bold=cell.row == 4)
            editable = cell.column in (5, 6) and first <= (cell.row or 0) <= last
            cell.protection = Protection(locked=not editable)
    for col, width in zip("ABCDEF", (14, 18, 44, 8, 8, 24), strict=True):
        ws.column_dimensions[col].width = width
    ws.protection = SheetProtection(sheet=True)  # no password: a user can unprotect knowingly
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "4:4"
    wb.save(str(path))
