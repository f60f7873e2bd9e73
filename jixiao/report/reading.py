"""Read a report (.txt, .docx, .pdf) into text lines with a location label each, for the auditor.

A .docx is read in document order — paragraphs and table rows interleaved — so a claim's location
(「第 12 段」, 「表 2 第 3 行」) is where a reader finds it. Text and PDF are layouts: their lines
are wrapped, which the auditor undoes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section
from jixiao.excel.safety import check_docx

# The page number of a printed report (「— 5 —」), which PDF extraction puts inside the text flow,
# even in the middle of a sentence that runs over the page break.
_PAGE_NUMBER = re.compile(r"[—－]\s*\d{1,4}\s*[—－]")


@dataclass
class ReportText:
    lines: list[str]
    locations: list[str]
    wrapped: bool  # True for layouts (txt/pdf) whose lines are not paragraphs


def _read_txt(path: Path) -> ReportText:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError([Problem(str(path), "文本文件既不是 UTF-8 也不是 GB18030 编码，无法读取")])
    lines = text.splitlines()
    return ReportText(lines, [f"第 {i} 行" for i in range(1, len(lines) + 1)], True)


def _read_docx(path: Path) -> ReportText:
    check_docx(path)  # size, bomb, damage and table dimensions before python-docx allocates
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged package
        raise InputError([Problem(str(path), f"无法作为 Word 文档（.docx）打开：{exc.__class__.__name__}；"
                                             "请确认文件完整且不是 .doc 格式")]) from None
    lines: list[str] = []
    locations: list[str] = []
    para_no = table_no = 0
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            para_no += 1
            lines.append(item.text)
            locations.append(f"第 {para_no} 段")
        elif isinstance(item, Table):
            table_no += 1
            for r, row in enumerate(item.rows, 1):
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat; keep each text once per row
                    if not cells or cells[-1] != cell.text:
                        cells.append(cell.text)
                lines.append("  ".join(cells))
                locations.append(f"表 {table_no} 第 {r} 行")
    return ReportText(lines, locations, False)


def _read_pdf(path: Path) -> ReportText:
    limits = section("pdf")
    if path.stat().st_size > limits["max_file_bytes"]:
        raise InputError([Problem(str(path), f"文件超过 {limits['max_file_bytes'] // 1024 // 1024} MB 上限，拒绝读取")])
    try:
        reader = PdfReader(str(path))
        count = len(reader.pages)
        if count > limits["max_pages"]:
            raise InputError([Problem(str(path), f"PDF 共 {count} 页，超过上限 {limits['max_pages']} 页，拒绝读取")])
        pages: list[str] = []
        chars = 0
        for page in reader.pages:  # pypdf caps each stream; the budget caps their sum
            text = page.extract_text() or ""
            chars += len(text)
            if chars > limits["max_text_chars"]:
                raise InputError([Problem(str(path), f"PDF 的文字超过 {limits['max_text_chars']} 个字符的上限，拒绝读取"
                                                     "（可能是压缩炸弹）")])
            pages.append(text)
    except (PyPdfError, ValueError, OSError, RecursionError) as exc:
        raise InputError([Problem(str(path), f"无法读取 PDF：{exc.__class__.__name__}，请确认文件完整")]) from None
    lines: list[str] = []
    locations: list[str] = []
    for p, text in enumerate(pages, 1):
        for n, line in enumerate(text.splitlines(), 1):
            lines.append(_PAGE_NUMBER.sub("", line))
            locations.append(f"第 {p} 页第 {n} 行")
    if not any(line.strip() for line in lines):
        raise InputError([Problem(str(path), "PDF 中没有可提取的文字（可能是扫描件），无法审核")])
    return ReportText(lines, locations, True)


READERS = {".txt": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf}


def read_report(path: Path) -> ReportText:
    if not path.is_file():
        raise InputError([Problem(str(path), "文件不存在")])
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError([Problem(str(path), f"不支持的文件类型「{path.suffix}」，请提供 .docx、.txt 或 .pdf")])
    return reader(path)
