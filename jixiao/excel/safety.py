"""Refuse files that are not safe or not possible to read, before any parser touches them.

A .xlsx (and a .docx) is a ZIP package. The first checks read only the file head and the ZIP
central directory (the sizes every entry declares), so an oversized file or an honest
decompression bomb is refused without being inflated. A package can lie about its sizes, so
``inflate_within`` then inflates every entry chunk by chunk — never more than one chunk in memory —
counting the bytes really produced (and, for a workbook, the cells) against the budget, and lets
``zipfile`` check each entry's CRC: a bomb or a damaged entry is refused before any parser
(calamine, python-docx) allocates for it. Limits are data: ``jixiao/rules/limits.json``.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_uncompressed_bytes: int
    max_compression_ratio: int
    ratio_applies_above_bytes: int
    max_rows_per_sheet: int
    max_entries: int
    max_cells: int


def load_limits() -> Limits:
    data = section("excel")
    return Limits(**{k: data[k] for k in Limits.__dataclass_fields__})


def _refuse(name: str, message: str) -> InputError:
    return InputError([Problem(location=name, message=message)])


def _describe_non_zip(head: bytes) -> str:
    if head.startswith(_OLE_MAGIC):
        return ""  # handled by the caller, which looks inside the container
    sample = head[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = sample.decode("gb18030")
        except UnicodeDecodeError:
            return "文件不是 Excel 工作簿（.xlsx），内容无法识别，请确认选择了正确的文件"
    if "<html" in text.lower() or "<table" in text.lower():
        return "文件是网页（HTML）而不是 Excel 工作簿，请在 Excel 中打开后“另存为 .xlsx”再导入"
    if "," in text or "\t" in text:
        return "文件是文本（可能是 CSV 改了扩展名），不是 Excel 工作簿，请在 Excel 中打开后“另存为 .xlsx”再导入"
    return "文件是纯文本，不是 Excel 工作簿（.xlsx），请确认选择了正确的文件"


def check_file(path: str | Path) -> zipfile.ZipFile:
    """Open the package after the checks; raises InputError with a Chinese reason."""
    p = Path(path)
    name = p.name
    limits = load_limits()
    if not p.is_file():
        raise _refuse(str(path), "找不到该文件，请检查路径")
    size = p.stat().st_size
    if size == 0:
        raise _refuse(name, "文件是空的（0 字节），请重新导出或选择正确的文件")
    if size > limits.max_file_bytes:
        raise _refuse(name, f"文件大小 {size / _MB:.1f} MB 超过上限 {limits.max_file_bytes / _MB:.0f} MB，"
                            "请拆分后再导入")
    with p.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(_OLE_MAGIC):
        with p.open("rb") as fh:
            container = fh.read(min(size, 8 * _MB))
        if "EncryptedPackage".encode("utf-16-le") in container:
            raise _refuse(name, "文件受密码保护（已加密），无法读取。"
                                "请在 Excel 中取消“用密码进行加密”后另存为 .xlsx 再导入")
        raise _refuse(name, "这是旧版 Excel 97-2003（.xls）文件，请在 Excel 中“另存为 .xlsx”后再导入")
    if not head.startswith(_ZIP_MAGIC):
        raise _refuse(name, _describe_non_zip(head))
    try:
        package = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(name, "文件已损坏或不完整（ZIP 结构无效），请重新导出后再导入") from None
    try:
        _check_package(package, name, limits)
    except InputError:
        package.close()
        raise
    return package


def _check_package(package: zipfile.ZipFile, name: str, limits: Limits) -> None:
    infos = package.infolist()
    names = {i.filename for i in infos}
    if "mimetype" in names and "content.xml" in names:
        raise _refuse(name, "这是 OpenDocument 表格（.ods），请另存为 .xlsx 后再导入")
    if "xl/workbook.xml" not in names:
        raise _refuse(name, "文件是 ZIP 压缩包，但不是 Excel 工作簿（缺少 xl/workbook.xml），请确认选择了正确的文件")
    if len(infos) > limits.max_entries:
        raise _refuse(name, f"工作簿内部包含 {len(infos)} 个部件，超过上限 {limits.max_entries}，拒绝读取")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        limit = limits.max_uncompressed_bytes / _MB
        raise _refuse(name, f"文件解压后约 {total / _MB:.0f} MB，超过上限 {limit:.0f} MB，"
                            "拒绝读取（可能是压缩炸弹或数据过多，请拆分后再导入）")
    for info in infos:
        if info.file_size > limits.ratio_applies_above_bytes and info.compress_size:
            ratio = info.file_size / info.compress_size
            if ratio > limits.max_compression_ratio:
                raise _refuse(name, f"部件 {info.filename} 的压缩比 {ratio:.0f}:1 异常"
                                    f"（上限 {limits.max_compression_ratio}:1），疑似压缩炸弹，拒绝读取")
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            rows = declared_rows(package, info)
            if rows is not None and rows > limits.max_rows_per_sheet:
                raise _refuse(name, f"工作表部件 {info.filename} 声明了 {rows} 行，"
                                    f"超过上限 {limits.max_rows_per_sheet} 行，请拆分后再导入")
    inflate_within(package, name, limits.max_uncompressed_bytes, cell_limit=limits.max_cells)


def declared_rows(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """The last row of the sheet's <dimension>, read from the first few KB only."""
    try:
        with package.open(info) as fh:
            head = fh.read(4096)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return None
    match = _DIMENSION.search(head)
    return int(match.group(1)) if match and match.group(1) else None


# A cell element starts with "<c " (or "<x:c " with a namespace prefix); counted while inflating.
_CELL_STARTS = (b"<c ", b"<c>", b":c ")
_BOMB = "拒绝读取（可能是压缩炸弹或数据过多，请拆分后再导入）"


def inflate_within(package: zipfile.ZipFile, name: str, budget: int, cell_limit: int | None = None) -> None:
    """Inflate every entry chunk by chunk and refuse the package when the bytes really produced
    exceed ``budget`` (or, for a workbook, the cells exceed ``cell_limit``), or an entry is damaged
    (bad CRC, truncated, unsupported compression). Memory stays at one chunk."""
    chunk = section("package")["chunk_bytes"]
    total = cells = 0
    for info in package.infolist():
        count_cells = cell_limit is not None and info.filename.startswith("xl/worksheets/")
        tail = b""
        try:
            with package.open(info) as fh:
                while data := fh.read(chunk):
                    total += len(data)
                    if total > budget:
                        raise _refuse(name, f"文件解压后超过上限 {budget / _MB:.0f} MB（读取到部件 "
                                            f"{info.filename} 时），{_BOMB}")
                    if count_cells:
                        joined = tail + data
                        cells += sum(joined.count(p) for p in _CELL_STARTS)
                        tail = data[-2:]  # a 3-byte start split across two chunks is counted once
                        if cell_limit is not None and cells > cell_limit:
                            raise _refuse(name, f"工作簿的单元格超过上限 {cell_limit} 个（读取到部件 "
                                                f"{info.filename} 时），{_BOMB}")
        except InputError:
            raise
        except zipfile.BadZipFile as exc:
            why = "CRC 校验失败" if "CRC" in str(exc) else "结构无效"
            raise _refuse(name, f"文件已损坏：部件 {info.filename} {why}，请重新导出后再导入") from None
        except (zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
            raise _refuse(name, f"文件已损坏：部件 {info.filename} 无法解压（或已加密），请重新导出后再导入") from None


_GRID_SPAN = re.compile(rb"<w:gridSpan\s+w:val=\"(\d+)\"")
_TABLE_ROW = re.compile(rb"<w:tr[\s>]")
_GRID_COL = re.compile(rb"<w:gridCol[\s/>]")
_TABLE_GRID = re.compile(rb"<w:tblGrid>(.*?)</w:tblGrid>", re.S)


def check_docx(path: str | Path) -> None:
    """Refuse a .docx that is too large, a decompression bomb (inflated with a budget), damaged,
    or whose tables exceed the dimension limits (``gridSpan``, rows, columns: python-docx would
    expand a ``gridSpan`` of 50,000,000 cell by cell) — before python-docx opens it. Limits:
    ``docx`` in ``rules/limits.json``."""
    p = Path(path)
    name = p.name
    limits = section("docx")
    size = p.stat().st_size
    if size > limits["max_file_bytes"]:
        raise _refuse(name, f"文件大小 {size / _MB:.1f} MB 超过上限 {limits['max_file_bytes'] / _MB:.0f} MB，拒绝读取")
    try:
        package = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(name, "文件不是有效的 Word 文档（.docx）或已损坏，请确认文件完整且不是 .doc 格式") from None
    with package:
        infos = package.infolist()
        if len(infos) > limits["max_entries"]:
            raise _refuse(name, f"文档内部包含 {len(infos)} 个部件，超过上限 {limits['max_entries']}，拒绝读取")
        budget = limits["max_uncompressed_bytes"]
        if sum(i.file_size for i in infos) > budget:
            raise _refuse(name, f"文件解压后超过上限 {budget / _MB:.0f} MB，{_BOMB}")
        inflate_within(package, name, budget)
        try:
            body = package.read("word/document.xml")  # within the budget just checked
        except KeyError:
            raise _refuse(name, "文件不是 Word 文档（缺少 word/document.xml），请确认选择了正确的文件") from None
    spans = [int(m.group(1)) for m in _GRID_SPAN.finditer(body)]
    if spans and max(spans) > limits["max_grid_span"]:
        raise _refuse(name, f"文档中的表格有单元格横跨 {max(spans)} 列（上限 {limits['max_grid_span']} 列），"
                            "表格结构异常，拒绝读取")
    rows = len(_TABLE_ROW.findall(body))
    if rows > limits["max_table_rows"]:
        raise _refuse(name, f"文档中的表格共 {rows} 行，超过上限 {limits['max_table_rows']} 行，拒绝读取")
    for grid in _TABLE_GRID.finditer(body):
        columns = len(_GRID_COL.findall(grid.group(1)))
        if columns > limits["max_table_columns"]:
            raise _refuse(name, f"文档中的表格有 {columns} 列，超过上限 {limits['max_table_columns']} 列，拒绝读取")
