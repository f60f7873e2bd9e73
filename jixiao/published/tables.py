"""A table as read from a published file, whatever the format: rows of cell values with the place
of every cell in the original.

A workbook sheet, a Word table and a table extracted from a PDF page all become a ``Table``. Merged
cells are filled: every grid position of a merged area holds the area's value (python-docx does the
same for Word tables), so the layout reader sees one shape for all three formats. A cell is named
the way a reader of the original finds it: ``Sheet1!E10`` in a workbook, ``表2第5行`` in a Word
document, ``第3页表1第5行`` in a PDF.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jixiao.excel.cells import addr

SHEET, WORD, PDF = "sheet", "docx", "pdf"


@dataclass
class Table:
    label: str  # the sheet name, "表2", "第3页表1"
    kind: str  # SHEET / WORD / PDF
    rows: list[list[Any]]  # cell values: str, int, float or None; merged areas filled
    # Text around the table that may carry what the table leaves out (项目名称：…, （2023年度）):
    # the paragraphs before a Word table, the lines of a PDF page outside its tables.
    preamble: list[str] = field(default_factory=list)
    # The place of each row when the table is not one block in the original (a PDF table continued
    # on the next page: its rows keep their own page); empty = row r is 「<label>第r+1行」.
    row_places: list[str] = field(default_factory=list)

    def get(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    def where(self, r: int, c: int = 0) -> str:
        """The cell at row ``r`` and column ``c`` (0-based) as a reader of the original names it;
        outside a workbook a row is the finest place a reader can find again."""
        if self.kind == SHEET:
            return addr(self.label, r, c)
        if r < len(self.row_places):
            return self.row_places[r]
        return f"{self.label}第{r + 1}行"

    def continued_by(self, more: Table) -> None:
        """Append the rows of ``more``, the same table continued on the next page."""
        self.row_places = [self.where(r) for r in range(len(self.rows))] + [
            more.where(r) for r in range(len(more.rows))]
        self.rows = self.rows + more.rows


def fill_merged(rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[list[Any]]:
    """Rows with every cell of a merged area holding the area's (top-left) value."""
    out = [list(row) for row in rows]
    for (r0, c0), (r1, c1) in merged:
        if not (0 <= r0 < len(out) and 0 <= c0 < len(out[r0])):
            continue
        value = out[r0][c0]
        for r in range(r0, min(r1, len(out) - 1) + 1):
            for c in range(c0, min(c1, len(out[r]) - 1) + 1):
                out[r][c] = value
    return out
