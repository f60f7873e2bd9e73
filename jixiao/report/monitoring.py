"""The monitoring report (绩效运行监控情况) as Word: execution against time progress, the forecast,
and every warning with its causes and corrective measures.

``add_monitoring_section(doc, report)`` appends the section to a document another report builds;
``write_monitoring_docx(report, path)`` writes it as a document of its own.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.styles.style import CharacterStyle
from docx.text.run import Run

from jixiao.core.display import DASH, fmt_amount, fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.core.monitoring import MonitoringReport

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TABLE_FONT_SIZE = Pt(10.5)  # 五号, the usual size of tables in government reports


def _east_asian(run_or_style: Run | CharacterStyle, font: str) -> None:
    # python-docx's font.name sets only the Latin slots; CJK text needs w:eastAsia as well
    run_or_style.font.name = font
    run_or_style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _heading(doc: DocxDocument, text: str, level: int) -> None:
    h = doc.add_heading(level=level)
    _east_asian(h.add_run(text), HEADING_FONT)


def _para(doc: DocxDocument, text: str) -> None:
    _east_asian(doc.add_paragraph().add_run(text), BODY_FONT)


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]], widths_cm: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for _ in rows:
        table.add_row()
    # Word reads the width of each cell, LibreOffice the column grid: set both
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    for r, texts in enumerate([header, *rows]):
        for cell, text in zip(table.rows[r].cells, texts, strict=True):
            run = cell.paragraphs[0].add_run(text)
            run.bold = r == 0
            run.font.size = TABLE_FONT_SIZE
            _east_asian(run, BODY_FONT)


def _cell_amount(d: Decimal | None) -> str:
    """An amount for a table cell; "—" when blank."""
    return DASH if d is None else fmt_amount(d)


def add_monitoring_section(doc: DocxDocument, report: MonitoringReport, level: int = 1) -> None:
    """Append the monitoring section (heading ``level``) to ``doc``."""
    t = report.totals
    unit = report.money_unit
    m = report.month
    _heading(doc, f"{report.year}年 1-{m}月绩效运行监控情况", level)
    samples = [p.code for p in report.projects if p.origin == "示例"]
    if samples:
        which = "全部项目" if len(samples) == len(report.projects) else "项目 " + "、".join(samples)
        _para(doc, f"说明：{which}的月度执行数和监控填报内容为示例数据，仅用于演示，不代表实际情况。")
    # a blank project budget leaves the sum unknown: said so, never shown as 0
    budget = ("全年预算数未填写完整（有项目的全年预算数为空）" if t.budget is None
              else f"全年预算 {fmt_amount(t.budget)}{unit}")
    _para(doc, (
        f"截至 {m} 月底，序时进度为 {fmt_rate(report.time_progress)}。"
        f"{report.department_name}项目支出{budget}，1-{m}月执行 {fmt_amount(t.executed_to_date)}{unit}，执行进度 "
        f"{fmt_rate(t.execution_progress)}，预计全年执行 {fmt_amount(t.forecast_executed)}{unit}，预计执行率 "
        f"{fmt_rate(t.forecast_rate)}，整体为{report.label(t.level)}。"
        f"{len(report.projects)} 个项目中，{t.counts.get('red', 0)} 个红色预警、"
        f"{t.counts.get('yellow', 0)} 个黄色预警、"
        f"{t.counts.get('green', 0)} 个正常。"
        + (f"本部门纳入重点监控范围；预算 {report.key_threshold} 及以上的项目为重点监控项目。"
           if report.key_monitoring else "")
    ))
    _heading(doc, "一、预算执行进度", level + 1)
    _table(
        doc,
        ["项目（★ 重点监控）", f"全年预算数（{unit}）", f"1-{m}月执行数", "执行进度", "预警", "预计执行率",
         "预计执行率得分"],
        [
            [f"{'★' if p.key_monitoring else ''}{p.code} {p.name}", _cell_amount(p.budget),
             fmt_amount(p.executed_to_date), fmt_rate(p.execution_progress), report.label(p.level),
             fmt_rate(p.forecast.rate), fmt_score(p.forecast.score)]
            for p in report.projects
        ],
        [5.2, 1.9, 1.9, 1.7, 1.9, 1.7, 1.7],
    )
    methods = sorted({p.forecast.description.split("：", 1)[0] for p in report.projects})
    _para(doc, f"年末预测方法：{'；'.join(methods)}。预计执行率得分按项目评价模板的预算执行率规则计算。")
    _heading(doc, "二、预警事项、偏差原因及纠偏措施", level + 1)
    if not report.warnings:
        _para(doc, "本期无预警事项。")
        return
    rows = []
    for w in report.warnings:
        if w.measures:
            measures = w.measures
        elif w.needs_measures:
            measures = "（尚未填写，须补充后提交）"
        else:
            measures = "—"
        causes = "、".join(w.causes) or "—"
        if w.explanation:
            causes = f"{causes}：{w.explanation}"
        rows.append([report.label(w.level), w.message, causes, measures])
    _table(doc, ["预警等级", "预警事项", "偏差原因", "纠偏措施"], rows, [2.0, 7.0, 3.0, 4.0])


def build_monitoring_document(report: MonitoringReport) -> DocxDocument:
    doc = Document()
    normal = doc.styles["Normal"]
    _east_asian(normal, BODY_FONT)
    normal.font.size = Pt(12)
    title = doc.add_heading(level=0)
    _east_asian(title.add_run(f"{report.department_name}{report.year}年绩效运行监控报告"), HEADING_FONT)
    add_monitoring_section(doc, report)
    return doc


def write_monitoring_docx(report: MonitoringReport, path: Path) -> None:
    try:
        build_monitoring_document(report).save(str(path))
    except OSError as exc:
        raise InputError(f"无法写入监控报告：{exc.strerror or exc}", str(path)) from exc
