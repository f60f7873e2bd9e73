"""Published 自评表 — the tables units print in their own layouts, as .xlsx/.xls, inside a .docx, or as
a text PDF — read as the core's ``DepartmentYear`` so that every check and the scoring run on them.

  read_if_published(path) -> Reading | None   None for jixiao's own files (exchange JSON, the bulk
                                              workbook, jixiao's standard forms): their readers apply
  Reading.review() -> findings                the checks' findings, each naming the place in the
                                              original (sheet!cell, 表2第5行, 第3页表1第5行), and what
                                              reading found (codes R-…)
  Reading.aligned(stored) -> projects         the projects with the codes of the stored ones

``layout`` finds the 自评表 by its labels (pure), ``sources`` reads workbooks and ``documents``
Word and PDF files, ``reading`` holds the result. This module imports none of them until a file
needs them, so that `jixiao check F.json` does not pay for pdfplumber, python-docx and the Excel
readers.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jixiao.published.reading import Reading

SUFFIXES = (".xlsx", ".xls", ".docx", ".pdf")
SUPPORTED = "请使用 .json（交换格式）、.xlsx/.xls（Excel）、.docx（Word）或 .pdf（已发布的自评表）"

__all__ = ["SUFFIXES", "SUPPORTED", "read_if_published"]


def read_if_published(path: str | Path) -> Reading | None:
    """The published table in ``path``; None when the file is one of jixiao's own (or not a table
    format at all). ``InputError`` (saying what was looked for) when it holds no readable 自评表."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in SUFFIXES or not p.is_file():
        return None
    # The readers cost 0.3–1.5 s to import (the Excel chain; python-docx and pdfplumber): each
    # only for a file that needs it, so `jixiao check F.json` or a workbook pays for no other.
    if suffix in (".docx", ".pdf"):
        from jixiao.published import documents  # noqa: PLC0415 — see above

        tables = documents.READERS[suffix](p)
    else:
        from jixiao.published import sources  # noqa: PLC0415 — see above

        found = sources.published_sheets(p) if suffix == ".xlsx" else sources.xls_tables(p)
        if found is None:
            return None
        tables = found
    from jixiao.published import layout  # noqa: PLC0415 — see above

    return layout.read_tables(tables, p.name, p.stem)
