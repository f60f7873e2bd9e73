"""Write a department or project self-evaluation report to .docx or .pdf.

The shell around the pure drafting: score, draft, render the charts, build the Word document from
the reference styles, and convert to PDF when asked.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from jixiao.core.drafting import Chart, Draft, draft_department, draft_project, without_illustrative
from jixiao.core.errors import InputError, Problem
from jixiao.core.evidence import EvidenceLine, appendix_blocks
from jixiao.core.model import DepartmentYear
from jixiao.core.scoring import score_department
from jixiao.report.charts import render_chart
from jixiao.report.docx_build import build_docx
from jixiao.report.pdf import docx_to_pdf

FORMATS = (".docx", ".pdf")
# The deployment's choice for 示例 records: "mark" (default: shown with the footnote mark, for the
# demo and for training) or "drop" (a real department's report: no illustrative row anywhere).
ILLUSTRATIVE_ENV = "JIXIAO_REPORT_ILLUSTRATIVE"
ILLUSTRATIVE_CHOICES = ("mark", "drop")


def illustrative_setting() -> str:
    value = os.environ.get(ILLUSTRATIVE_ENV, "mark").strip().lower() or "mark"
    if value not in ILLUSTRATIVE_CHOICES:
        raise InputError([Problem(ILLUSTRATIVE_ENV, f"设置值“{value}”无效，应为 mark（标注示例数据）"
                                                    "或 drop（不输出示例数据）")])
    return value


def draft_for(dy: DepartmentYear, feeds: Mapping[str, str] | None = None, project: str | None = None) -> Draft:
    if illustrative_setting() == "drop":
        dy = without_illustrative(dy)  # scored on what is left, so text and tables still agree
    result = score_department(dy, feeds)
    if project is None:
        return draft_department(dy, result)
    codes = [p.code for p in dy.projects]
    if project not in codes:
        shown = "、".join(codes) if codes else "（无项目）"
        raise InputError([Problem("--project", f"{dy.department.name} {dy.year} 年没有编码为「{project}」的项目；"
                                               f"现有项目：{shown}", "项目编码")])
    index = codes.index(project)
    return draft_project(dy, dy.projects[index], result.projects[index])


def write_report(draft: Draft, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError([Problem(str(out), "输出文件应以 .docx 或 .pdf 结尾", "输出文件")])
    charts = {b.key: render_chart(b) for b in draft.blocks if isinstance(b, Chart)}
    try:
        if suffix == ".docx":
            out.parent.mkdir(parents=True, exist_ok=True)
            build_docx(draft, charts, out)
            return
        with tempfile.TemporaryDirectory(prefix="jixiao-report-") as tmp:
            docx = Path(tmp) / (out.stem + ".docx")
            build_docx(draft, charts, docx)
            docx_to_pdf(docx, out)
    except OSError as exc:  # no such directory, no permission, disk full, file open in Word
        raise InputError([Problem(str(out), f"无法写入输出文件（{exc.strerror or exc}），"
                                            "请检查路径和权限，或先在 Word/WPS 中关闭该文件", "输出文件")]) from None


def generate(dy: DepartmentYear, out: Path, feeds: Mapping[str, str] | None = None,
             project: str | None = None, evidence: Sequence[EvidenceLine] = ()) -> Draft:
    """``evidence``: the 佐证材料 per indicator (``services.evidence.by_indicator``), listed in an
    appendix; the callers that read the department from the database pass it."""
    draft = draft_for(dy, feeds, project)
    draft.blocks.extend(appendix_blocks([x for x in evidence if project is None or x.project == project]))
    write_report(draft, out)
    return draft
