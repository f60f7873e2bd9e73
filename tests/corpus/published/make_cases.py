"""Build the published-table cases of the corpus from invented data: 自评表 in the local layouts
units publish (header rows found by their labels, 一级/二级 merged down, weight or score columns
missing, several projects on one sheet or one per sheet, amounts in 元, a department-overall table),
the same tables inside .docx files, and a text PDF made from one of them with LibreOffice.

    .venv/bin/python tests/corpus/published/make_cases.py [DIR]

writes every case with its ``NAME.expect.json`` (format: tests/corpus/README.md) into DIR (default:
this folder, where the built files are committed so that the corpus runs without LibreOffice).
Units, projects and figures are made up."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
# (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因): 10 (execution) + 产出 50 + 效益 30 +
# 满意度 10, every target met, so the stated scores are the full weights.
TRAINING = [
    ("产出指标", "数量指标", "培训人次", "≥300人次", "326人次", 20, 20, ""),
    ("产出指标", "质量指标", "培训考核合格率", "≥95%", "97.5%", 15, 15, ""),
    ("产出指标", "时效指标", "培训完成时间", "12月底前", "11月", 10, 10, ""),
    ("产出指标", "成本指标", "人均培训成本", "≤600元", "585元", 5, 5, ""),
    ("效益指标", "社会效益指标", "参训人员持证上岗率", "≥90%", "92%", 30, 30, ""),
    ("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%", "96%", 10, 10, ""),
]
ROADS = [
    ("产出指标", "数量指标", "农村公路养护里程", "≥120公里", "124公里", 20, 20, ""),
    ("产出指标", "质量指标", "养护路段优良路率", "≥85%", "88%", 15, 15, ""),
    ("产出指标", "时效指标", "养护任务完成时间", "按期完成", "按期完成", 10, 10, ""),
    ("产出指标", "成本指标", "每公里养护成本", "≤1.2万元", "1.15万元", 5, 5, ""),
    ("效益指标", "社会效益指标", "群众出行条件", "有效改善", "有效改善", 30, 30, ""),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "93%", 10, 10, ""),
]
SUBSIDY = [
    ("产出指标", "数量指标", "资助困难学生人数", "≥450人", "462人", 20, 20, ""),
    ("产出指标", "质量指标", "资助对象认定准确率", "100%", "100%", 15, 15, ""),
    ("产出指标", "时效指标", "资助资金发放及时率", "100%", "100%", 10, 10, ""),
    ("产出指标", "成本指标", "生均资助标准", "≤2000元", "2000元", 5, 5, ""),
    ("效益指标", "社会效益指标", "困难学生因贫辍学", "无辍学", "无辍学", 30, 30, ""),
    ("满意度指标", "服务对象满意度指标", "受助学生满意度", "≥90%", "95%", 10, 10, ""),
]


def project_rows(ws: Worksheet, top: int, name: str, dept: str, unit: str, budget: Any, executed: Any, rate: Any,
                 rate_score: Any, rows: list[tuple], total: Any, money: str = "万元", head: list[str] | None = None,
                 two_row_head: bool = False, goal: str = "完成年度工作任务。", year: int = 2023) -> int:
    """One project's 自评表 starting at row ``top`` (1-based); returns the row after it."""
    head = head or HEAD
    width = len(head)
    put = lambda r, values: [ws.cell(r, c + 1, v) for c, v in enumerate(values)]  # noqa: E731
    put(top, ["项目支出绩效自评表"])
    ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=width)
    put(top + 1, [f"（{year}年度）"])
    put(top + 2, ["项目名称", name, None, "主管部门", dept, None, "实施单位", unit][:max(width, 8)])
    ws.merge_cells(start_row=top + 2, start_column=2, end_row=top + 2, end_column=3)
    put(top + 3, [f"项目资金（{money}）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.merge_cells(start_row=top + 3, start_column=1, end_row=top + 5, end_column=1)
    put(top + 4, [None, "年度资金总额", budget, budget, executed, 10, rate, rate_score])
    put(top + 5, [None, "其中：财政拨款", budget, budget, executed, None, None, None])
    put(top + 6, ["年度总体目标", goal])
    ws.merge_cells(start_row=top + 6, start_column=2, end_row=top + 6, end_column=width)
    r = top + 7
    if two_row_head:  # 「绩效指标」 over 一级/二级/三级, the other labels merged down over both rows
        put(r, ["绩效指标", None, None, *head[3:]])
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        for c in range(4, width + 1):
            ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
        put(r + 1, head[:3])
        r += 2
    else:
        put(r, head)
        r += 1
    first = r
    for row in rows:
        put(r, list(row)[:width] if width == len(HEAD) else _pick(row, head))
        r += 1
    # 一级指标 merged down its rows, as published tables print it
    group_start = first
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[i - 1][0]:
            if first + i - 1 > group_start:
                ws.merge_cells(start_row=group_start, start_column=1, end_row=first + i - 1, end_column=1)
            group_start = first + i
    if "得分" in head:
        put(r, ["总分", None, None, None, None, 100, total, None][:width])
        r += 1
    return r + 1


def _pick(row: tuple, head: list[str]) -> list[Any]:
    return [row[HEAD.index(h)] for h in head]


def workbook(path: Path, build) -> None:  # type: ignore[no-untyped-def]
    wb = Workbook()
    build(wb)
    wb.save(path)


def docx_table(doc: Any, rows: list[list[Any]], merges: tuple[tuple[int, int, int, int], ...] = ()) -> None:
    t = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    t.style = "Table Grid"  # ruled, as printed tables are: pdfplumber finds the cells by the lines
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                t.cell(r, c).text = str(v)
    for r0, c0, r1, c1 in merges:
        top = t.cell(r0, c0)
        text = top.text
        top.merge(t.cell(r1, c1)).text = text


def indicator_block(rows: list[tuple], with_total: Any = None) -> tuple[list[list[Any]], list[tuple[int, ...]]]:
    out: list[list[Any]] = [list(HEAD)]
    merges = []
    start = 1
    for i, row in enumerate(rows, start=1):
        out.append(list(row))
        if i == len(rows) or rows[i][0] != row[0]:
            if i > start:
                merges.append((start, 0, i, 0))
                for k in range(start + 1, i + 1):
                    out[k][0] = None  # the merged cell holds the text once
            start = i + 1
    if with_total is not None:
        out.append(["总分", None, None, None, None, 100, with_total, None])
    return out, merges


def cases(folder: Path, printed: bool = True) -> dict[str, dict[str, Any]]:
    """Write every case into ``folder``; returns name -> expectations. ``printed``: also the cases
    LibreOffice makes (the PDFs and the .xls), when it is installed."""
    exp: dict[str, dict[str, Any]] = {}

    def xlsx(name: str, expect: dict[str, Any], build) -> None:  # type: ignore[no-untyped-def]
        workbook(folder / f"{name}.xlsx", build)
        exp[f"{name}.xlsx"] = expect

    xlsx("control-local-layout", {
        "about": "项目支出绩效自评表（本地版式）：表头块有项目名称/主管部门/实施单位，项目资金分年初、全年预算和执行，"
                 "一级指标向下合并，各项指标均完成，得分与计算一致",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}, "R-DEPARTMENT-CODE"], "no_errors": True},
        lambda wb: project_rows(wb.active, 1, "职业技能提升培训", "示例市人力资源和社会保障局", "示例市职业培训中心",
                                80, 78.4, "98%", 9.8, TRAINING, 99.8))

    def two_projects(wb: Workbook) -> None:
        ws = wb.active
        r = project_rows(ws, 1, "农村公路日常养护", "示例县交通运输局", "示例县公路养护中心", 360, 352.8, "98%", 9.8,
                         ROADS, 99.8)
        project_rows(ws, r, "家庭经济困难学生资助", "示例县教育局", "示例县学生资助管理中心", 92, 92, "100%", 10,
                     SUBSIDY, 100)

    xlsx("control-two-projects-one-sheet", {
        "about": "一张工作表上先后排了两个项目的自评表，各有表头块、资金和指标，均完成",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}, {"code": "R-PROJECT-CODE", "project": "P02"}],
        "no_errors": True}, two_projects)

    def per_sheet(wb: Workbook) -> None:
        ws = wb.active
        ws.title = "项目1"
        project_rows(ws, 1, "农村公路日常养护", "示例县交通运输局", "示例县公路养护中心", 360, 352.8, "98%", 9.8, ROADS,
                     99.8)
        project_rows(wb.create_sheet("项目2"), 1, "家庭经济困难学生资助", "示例县教育局", "示例县学生资助管理中心",
                     92, 92, "100%", 10, SUBSIDY, 100)

    xlsx("control-one-project-per-sheet", {
        "about": "每个项目一张工作表（项目1、项目2），版式相同，均完成",
        "must": [{"code": "R-PROJECT-CODE", "project": "P02"}], "no_errors": True}, per_sheet)
    xlsx("control-two-row-header-yuan", {
        "about": "指标表头占两行（「绩效指标」合并在一级/二级/三级之上），项目资金以元为单位（800000 元 = 80 万元）",
        "no_errors": True},
        lambda wb: project_rows(wb.active, 1, "职业技能提升培训", "示例市人力资源和社会保障局", "示例市职业培训中心",
                                800000, 784000, "98%", 9.8, TRAINING, 99.8, money="元", two_row_head=True))
    xlsx("no-weight-or-score-columns", {
        "about": "只有一级/二级/三级指标、年度指标值和实际完成值，没有分值和得分列：仍读取并审核，分值按未填写处理",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}], "score": True},
        lambda wb: project_rows(wb.active, 1, "农村公路日常养护", "示例县交通运输局", "示例县公路养护中心", 360, 352.8,
                                "98%", 9.8, ROADS, None, head=[*HEAD[:5], HEAD[7]]))
    xlsx("overspend-local-layout", {
        "about": "全年执行数 76.4 万元超过全年预算数 69 万元，执行率写作 110.7%",
        "must": ["Q-OVERSPEND"]},
        lambda wb: project_rows(wb.active, 1, "社区养老服务补贴", "示例区民政局", "示例区养老服务指导中心", 69, 76.4,
                                "110.7%", 10, SUBSIDY, 100))
    xlsx("total-mismatch-local-layout", {
        "about": "各项得分与执行率得分相加为 99.8 分，表中总分写作 97 分",
        "must": ["Q-TOTAL-MISMATCH"], "no_error_at": ["P01-I1", "P01-I2"]},
        lambda wb: project_rows(wb.active, 1, "职业技能提升培训", "示例市人力资源和社会保障局", "示例市职业培训中心",
                                80, 78.4, "98%", 9.8, TRAINING, 97))
    xlsx("rate-printed-wrong-local-layout", {
        "about": "全年预算数 80 万元、执行数 78.4 万元，执行率应为 98%，表中写作 95%",
        "must": ["Q-RATE-MISMATCH"]},
        lambda wb: project_rows(wb.active, 1, "职业技能提升培训", "示例市人力资源和社会保障局", "示例市职业培训中心",
                                80, 78.4, "95%", 9.5, TRAINING, 99.5))
    xlsx("malformed-amount-local-layout", {
        "about": "全年执行数写作「7,00.0,77」（千分位错乱）：无法识别的金额按未填写处理并报错，不读成 700.077",
        "must": [{"code": "R-VALUE-UNREADABLE", "severity": "错误"}]},
        lambda wb: project_rows(wb.active, 1, "农村公路日常养护", "示例县交通运输局", "示例县公路养护中心", 700,
                                "7,00.0,77", "99%", 9.9, ROADS, 99.9))

    def in_cell_labels(wb: Workbook) -> None:
        ws = wb.active
        ws.title = "自评表"
        ws.append(["2023年度项目支出绩效自评表"])
        ws.append(["项目名称：城乡环卫一体化运行经费", None, None, None, "主管部门：示例县城市管理局"])
        ws.append(["实施单位：示例县环卫所", None, None, None, "单位：万元"])
        ws.append(["资金情况", None, "年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"])
        ws.append([None, "年度资金总额", "500万元", "520万元", "509.6万元", "98.00%", "10分", "9.8分"])
        ws.append(["序号", "一级指标", "二级指标", "三级指标", "年度\n指标值", "实际\n完成值", "分值", "得分",
                   "未完成原因分析"])
        rows = [("产出指标", "数量指标", "生活垃圾清运量", "≥3.6万吨", "3.72万吨", "20分", "20分", ""),
                ("", "质量指标", "垃圾无害化处理率", "100%", "100%", "15分", "15分", ""),
                ("", "时效指标", "日产日清率", "100%", "100%", "10分", "10分", ""),
                ("", "成本指标", "每吨垃圾清运成本", "≤140元", "136元", "5分", "5分", ""),
                ("效益指标", "社会效益指标", "城乡环境卫生达标率", "≥95%", "97%", "30分", "30分", ""),
                ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "93%", "10分", "10分", "")]
        for i, r in enumerate(rows, 1):
            ws.append([i, *r])
        ws.append(["总分", None, None, None, None, None, "100分", "99.8分"])
        ws.append(["填表人：张某", None, None, "联系电话：0000-0000000"])

    xlsx("control-labels-in-cells-units-written", {
        "about": "「项目名称：……」「主管部门：……」写在同一单元格，金额写作「520万元」，分值写作「20分」，"
                 "列名中有换行（「年度\\n指标值」），首列为序号，表下有填表人",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}], "no_errors": True}, in_cell_labels)

    def unreadable(wb: Workbook) -> None:
        ws = wb.active
        for row in (["2023年部门收支总表"], ["项目", "本年收入", "本年支出"], ["一般公共预算财政拨款", 820, 806]):
            ws.append(row)

    xlsx("unreadable-no-indicator-table", {
        "about": "收支总表，没有绩效指标表：拒绝读取，并说明要找的是哪些列名", "loads": False}, unreadable)

    def department(wb: Workbook) -> None:
        ws = wb.active
        ws.append(["部门整体支出绩效自评表"])
        ws.append(["（2023年度）"])
        ws.append(["部门名称", "示例县农业农村局"])
        ws.append(["年度预算执行情况（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                   "得分"])
        ws.append([None, "年度资金总额", 1200, 1250, 1225, 10, "98%", 9.8])
        ws.append([None, "其中：基本支出", 800, 820, 820, None, None, None])
        ws.append([None, "项目支出", 400, 430, 405, None, None, None])
        ws.append(["年度总体目标", "完成高标准农田建设和农业技术推广任务。"])
        ws.append(HEAD)
        for row in TRAINING:
            ws.append(list(row))

    xlsx("department-overall-local-layout", {
        "about": "部门整体支出绩效自评表：部门名称、基本支出和项目支出的预算执行，指标按产出/效益/满意度分类",
        "must": ["R-DEPARTMENT-CODE"], "must_not": ["R-PROJECT-CODE"]}, department)

    # Word documents
    def one_table_docx(path: Path, rows: list[tuple], total: Any, name: str, budget: Any, executed: Any,
                       rate: str, rate_score: Any) -> None:
        doc = Document()
        doc.add_paragraph("项目支出绩效自评表")
        doc.add_paragraph("（2023年度）")
        dept, unit = "示例县交通运输局", "示例县公路养护中心"
        head = [["项目名称", name, name, "主管部门", dept, dept, "实施单位", unit],
                ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                [None, "年度资金总额", budget, budget, executed, 10, rate, rate_score],
                ["年度总体目标", "完成年度养护任务。", *[None] * 6]]
        block, merges = indicator_block(rows, total)
        all_rows = head + block
        shifted = [(r0 + len(head), c0, r1 + len(head), c1) for r0, c0, r1, c1 in merges]
        docx_table(doc, all_rows, ((0, 1, 0, 2), (0, 4, 0, 5), (1, 0, 2, 0), (3, 1, 3, 7), *shifted))
        doc.save(path)

    one_table_docx(folder / "control-one-table.docx", ROADS, 99.8, "农村公路日常养护", 360, 352.8, "98%", 9.8)
    exp["control-one-table.docx"] = {
        "about": "Word 文档中的一张表：表头块、项目资金和指标在同一张表里，单元格横向和纵向合并，均完成",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}], "no_errors": True}

    doc = Document()
    doc.add_paragraph("项目支出绩效自评表（2023年度）")
    docx_table(doc, [["项目名称", "家庭经济困难学生资助", "主管部门", "示例县教育局"],
                     ["实施单位", "示例县学生资助管理中心", "", ""],
                     ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
                     ["年度资金总额", 92, 92, 92, 10, "100%", 10]])
    doc.add_paragraph("绩效指标完成情况")
    block, merges = indicator_block(SUBSIDY, 100)
    docx_table(doc, block, tuple(merges))
    doc.save(folder / "control-header-and-indicators-in-two-tables.docx")
    exp["control-header-and-indicators-in-two-tables.docx"] = {
        "about": "Word 文档中表头块（项目名称、资金）与指标表分成两张表，中间有一段说明文字",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}], "must_not": ["R-FUNDS-MISSING"], "no_errors": True}

    # Two projects in one Word document, one table each (the way a department files its projects).
    doc = Document()
    for name, rows, budget, executed in (("农村公路日常养护", ROADS, 360, 352.8),
                                         ("家庭经济困难学生资助", SUBSIDY, 92, 90.16)):
        doc.add_paragraph("项目支出绩效自评表（2023年度）")
        head = [["项目名称", name, "主管部门", "示例县人民政府办公室", "实施单位", "示例县项目管理中心"],
                ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "执行率", "得分"],
                ["年度资金总额", budget, budget, executed, "98%", 9.8]]
        block, merges = indicator_block(rows, 99.8)
        docx_table(doc, [*head, *block], tuple((r0 + 3, c0, r1 + 3, c1) for r0, c0, r1, c1 in merges))
        doc.add_page_break()
    doc.save(folder / "control-two-projects.docx")
    exp["control-two-projects.docx"] = {
        "about": "一份 Word 文档中两个项目的自评表，各占一张表（表头块、资金和指标在同一张表里），均完成",
        "must": [{"code": "R-PROJECT-CODE", "project": "P01"}, {"code": "R-PROJECT-CODE", "project": "P02"}],
        "no_errors": True}

    doc = Document()
    doc.add_paragraph("项目名称：职业技能提升培训")
    block, merges = indicator_block(TRAINING)
    docx_table(doc, block, tuple(merges))
    doc.save(folder / "indicators-only.docx")
    exp["indicators-only.docx"] = {
        "about": "Word 文档只有指标表（项目名称写在表前的段落里），没有资金栏：资金缺失只作提示，指标处不报错",
        "must": ["R-FUNDS-MISSING"],
        "no_error_at": [f"P01-I{i}" for i in range(1, len(TRAINING) + 1)]}

    # A text PDF: the one-table Word document printed by LibreOffice.
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if printed and soffice is not None:
        from jixiao.report.pdf import docx_to_pdf  # noqa: PLC0415 — only when LibreOffice is there

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "control-table.docx"
            one_table_docx(src, ROADS, 99.8, "农村公路日常养护", 360, 352.8, "98%", 9.8)
            docx_to_pdf(src, folder / "control-table.pdf")
            src = Path(tmp) / "total-mismatch-table.docx"
            one_table_docx(src, ROADS, 96, "农村公路日常养护", 360, 352.8, "98%", 9.8)
            docx_to_pdf(src, folder / "total-mismatch-table.pdf")
            # A table over two pages: 30 indicator rows, the second page without a header.
            long_rows = [("产出指标", "数量指标", f"完成第{i}类服务事项数", "≥10个", "12个", 2, 2, "")
                         for i in range(1, 26)]
            long_rows += [("效益指标", "社会效益指标", f"服务覆盖率{i}", "≥90%", "95%", 10, 10, "")
                          for i in range(1, 4)]
            long_rows += [("满意度指标", "服务对象满意度指标", f"满意度{i}", "≥90%", "96%", 5, 5, "") for i in (1, 2)]
            src = Path(tmp) / "control-table-over-two-pages.docx"
            one_table_docx(src, long_rows, 99.8, "基层公共服务综合保障", 360, 352.8, "98%", 9.8)
            docx_to_pdf(src, folder / "control-table-over-two-pages.pdf")
        exp["control-table.pdf"] = {
            "about": "文本 PDF（由 Word 表格打印）：表头块、资金与指标，合并单元格，均完成",
            "must": [{"code": "R-PROJECT-CODE", "project": "P01"}], "no_errors": True}
        exp["total-mismatch-table.pdf"] = {
            "about": "文本 PDF：各项得分相加为 99.8 分，总分写作 96 分", "must": ["Q-TOTAL-MISMATCH"]}
        exp["control-table-over-two-pages.pdf"] = {
            "about": "文本 PDF：30 行指标的表格跨两页，第二页没有表头，两页的行属于同一个项目，均完成",
            "must": [{"code": "R-PROJECT-CODE", "project": "P01"}],
            "must_not": [{"code": "R-PROJECT-CODE", "project": "P02"}], "no_errors": True}
        # An Excel 97-2003 workbook: the two-projects sheet saved as .xls by LibreOffice.
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "control-excel-97-2003.xlsx"
            workbook(src, two_projects)
            subprocess.run([soffice, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless",
                            "--norestore", "--convert-to", "xls", "--outdir", str(folder), str(src)],
                           capture_output=True, timeout=180, check=True)
        exp["control-excel-97-2003.xls"] = {
            "about": "Excel 97-2003 工作簿（.xls）：一张工作表上两个项目，均完成",
            "must": [{"code": "R-PROJECT-CODE", "project": "P02"}], "no_errors": True}
    for name, e in exp.items():
        (folder / name).with_suffix(".expect.json").write_text(
            json.dumps({"command": "check", **e}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return exp


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    target.mkdir(parents=True, exist_ok=True)
    print("\n".join(sorted(cases(target))))
