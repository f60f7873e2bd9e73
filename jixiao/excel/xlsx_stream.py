"""A minimal streaming .xlsx writer for the bulk workbook: rows go straight into the deflated ZIP
entry, with no per-cell objects.

Why not XlsxWriter: measured on the synthetic city (300,000 indicator rows) its per-cell path
(cell records, regex escaping, row flushing) took several times the 30 s export budget, while
the bulk workbook needs only what this writes — inline strings, numbers, a bold header row, one
number format, the quote-prefix style, grey system columns, frozen header and column widths. The forms, which need
the full feature set, are written with openpyxl.

Text is escaped as XML, and the control characters XML cannot hold are written the way Excel
itself writes them (``_xHHHH_``).
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from jixiao.excel.cells import col_letter, needs_escape

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NEEDS_XML_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"  # + "/worksheet" etc.
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"  # content types: + ".worksheet+xml" etc.
_NS = f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}"'
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Style indexes in styles.xml below. SYSTEM_HEADER/SYSTEM: the grey trailing columns the system
# fills (versions), whole numbers in grey text.
HEADER, NUMBER, QUOTED, SYSTEM_HEADER, SYSTEM = 1, 2, 3, 4, 5
_STYLES = (_HEAD + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00##"/></numFmts>'
           '<fonts count="3"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
           '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
           '<font><sz val="11"/><color rgb="FF7F7F7F"/><name val="宋体"/><family val="2"/><charset val="134"/></font>'
           '</fonts>'
           '<fills count="4"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill>'
           '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill>'
           '</fill><fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/>'
           '</patternFill></fill></fills>'
           '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
           '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/>'
           '</border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
           '<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
           '<xf numFmtId="1" fontId="2" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"'
           ' applyFill="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _text(value: str) -> str:
    if _NEEDS_XML_ESCAPE.search(value):
        value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", escape(value))
    return value


class SheetStream:
    """Rows of one sheet, written as they come. Row 1 is the header; the last ``system`` columns
    are the system's (grey)."""

    def __init__(self, fh: IO[bytes], headers: Sequence[str], widths: Sequence[float], rows: int,
                 system: int = 0):
        self._fh = fh
        self._letters = [col_letter(c) for c in range(len(headers))]
        self._system_from = len(headers) - system
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
        # The used range, declared up front (readers check it before loading the sheet).
        dimension = f'<dimension ref="A1:{self._letters[-1]}{rows + 1}"/>'
        self._put(f'{_HEAD}<worksheet {_NS}>{dimension}<sheetViews><sheetView workbookViewId="0">'
                  '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                  '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                  f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
        self.row = 1
        self._buffer: list[str] = []
        self.write(headers, style=HEADER)

    def _put(self, text: str) -> None:
        self._fh.write(text.encode("utf-8"))

    def write(self, values: Iterable[Any], style: int = 0) -> None:
        r = str(self.row)
        parts = [f'<row r="{r}">']
        letters = self._letters
        system_from = self._system_from
        system = SYSTEM_HEADER if style == HEADER else SYSTEM
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            ref = letters[c] + r
            if type(v) is str:
                s = system if c >= system_from else QUOTED if needs_escape(v) else style
                s_attr = f' s="{s}"' if s else ""
                parts.append(f'<c r="{ref}"{s_attr} t="inlineStr"><is><t xml:space="preserve">{_text(v)}</t></is></c>')
            else:
                parts.append(f'<c r="{ref}" s="{system if c >= system_from else NUMBER}"><v>{v!r}</v></c>')
        parts.append("</row>")
        self._buffer.append("".join(parts))
        self.row += 1
        if len(self._buffer) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._put("".join(self._buffer))
            self._buffer.clear()

    def close(self) -> None:
        self.flush()
        self._put("</sheetData></worksheet>")


class WorkbookStream:
    """An .xlsx package written sheet after sheet (one sheet open at a time)."""

    def __init__(self, path: str | Path):
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: list[str] = []
        self._open: tuple[IO[bytes], SheetStream] | None = None

    def add_sheet(self, name: str, headers: Sequence[str], widths: Sequence[float], rows: int,
                  system: int = 0) -> SheetStream:
        """A new sheet with ``rows`` data rows below its header (the count goes into <dimension>);
        its last ``system`` columns are grey system columns."""
        self._close_sheet()
        self._names.append(name)
        fh = self._zip.open(f"xl/worksheets/sheet{len(self._names)}.xml", "w", force_zip64=True)
        sheet = SheetStream(fh, headers, widths, rows, system)
        self._open = (fh, sheet)
        return sheet

    def _close_sheet(self) -> None:
        if self._open:
            fh, sheet = self._open
            sheet.close()
            fh.close()
            self._open = None

    def close(self) -> None:
        self._close_sheet()
        n = len(self._names)
        sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SML}.worksheet+xml"/>'
                         for i in range(1, n + 1))
        self._zip.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_SML}.styles+xml"/>'
            f'{sheets}</Types>'))
        self._zip.writestr("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        entries = "".join(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
                          for i, name in enumerate(self._names, start=1))
        self._zip.writestr("xl/workbook.xml", (
            f'{_HEAD}<workbook {_NS}><bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets>{entries}</sheets></workbook>'))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE_RELS}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()

    def __enter__(self) -> WorkbookStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
