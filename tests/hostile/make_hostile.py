"""The hostile corpus of the attack suite: files a unit, a script or an attacker could hand to
``jixiao import``, ``jixiao audit`` or the upload pages, each meant to break something.

    python tests/hostile/make_hostile.py DIR      # writes every case into DIR

The tests (tests/test_attack_*.py) call the functions directly. Every case must be refused with
a Chinese message naming the place (exit 2 on the command line), never a traceback, never an
exhausted server.

The decompression bomb is built without inflating it: one chunk of sheet XML is compressed once
with a full flush (which resets the compressor, so the same input gives the same bytes again)
and the compressed chunk is repeated, so a 1.5 GB sheet costs seconds, not minutes.
"""
from __future__ import annotations

import json
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "jixiao" / "data" / "demo" / "department-2022.json"


def _base() -> dict[str, Any]:
    doc = json.loads(DEMO.read_text(encoding="utf-8"))
    doc["department"] = {"code": "hostile", "name": "测试单位"}
    return doc


def json_cases() -> dict[str, str]:
    """Name → document text of every hostile exchange-format file, with where the hostility is."""
    out: dict[str, str] = {}

    def case(name: str, edit: Any) -> None:
        doc = _base()
        edit(doc)
        out[name] = json.dumps(doc, ensure_ascii=False)

    def budget(value: Any) -> Any:
        return lambda d: d["budget_lines"][0].__setitem__("budget", value)

    def project_name(value: str) -> Any:
        return lambda d: d["projects"][0].__setitem__("name", value)

    case("huge-exponent", budget("1e999999999"))
    case("tiny-exponent", budget("1e-999999999"))
    case("5000-digits", budget("9" * 5000))
    case("control-char", project_name("项目\u0001名称"))
    case("vertical-tab", project_name("项目\u000b名称"))
    case("noncharacter", project_name("项目\ufffe名称"))
    case("nul", project_name("项目\u0000名称"))
    case("bidi-override", project_name("项目\u202e名称"))
    case("zero-width-code", lambda d: d["projects"][0].__setitem__("code", "P01\u200b"))
    case("odd-month-key", lambda d: d["projects"][0].__setitem__("monthly_executed", {"²": "1"}))
    # a lone surrogate can only travel as a JSON escape
    doc = json.dumps(_base(), ensure_ascii=True)
    out["lone-surrogate"] = doc.replace('"\\u6d4b\\u8bd5\\u5355\\u4f4d"', '"\\ud800"', 1)
    out["deep-nesting"] = '{"format": "jixiao-department-year", "version": 1, "x": ' + "[" * 100000 + "]" * 100000 + "}"
    plain = json.dumps(_base(), ensure_ascii=False)
    out["duplicate-key"] = plain.replace('"year": 2022', '"year": 2022, "year": 2023', 1)
    # numbers as JSON literals, not strings
    out["huge-literal"] = json.dumps(_base(), ensure_ascii=False).replace('"format"', '"x": 1e999999999, "format"', 1)
    out["long-integer-literal"] = json.dumps(_base(), ensure_ascii=False).replace(
        '"format"', '"x": ' + "9" * 5000 + ', "format"', 1)
    out["nan-literal"] = json.dumps(_base(), ensure_ascii=False).replace('"format"', '"x": NaN, "format"', 1)
    return out


# -- ZIP packages written by hand (sizes and CRC as we choose) ----------------------------------

def _zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> None:
    """A ZIP file from (name, deflated bytes, crc, uncompressed size, method) entries."""
    central = b""
    with path.open("wb") as fh:
        for name, data, crc, size, method in entries:
            offset = fh.tell()
            raw = name.encode()
            head = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(raw), 0)
            fh.write(head + raw + data)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, crc, len(data), size,
                                   len(raw), 0, 0, 0, 0, 0, offset) + raw
        start = fh.tell()
        fh.write(central)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0))


def _deflated(data: bytes) -> tuple[bytes, int, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data), 8


_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        '<sheet name="项目" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def xlsx_bomb(path: Path, uncompressed: int = 1_500_000_000, padding: int = 2000) -> tuple[int, int]:
    """A workbook whose one sheet inflates to about ``uncompressed`` bytes of cells (50 per row,
    ``padding`` spaces between rows set the ratio: 2,000 gives about 410:1). Returns (compressed,
    uncompressed) sizes of the sheet."""
    row = ("<row>" + "<c><v>1</v></c>" * 50 + "</row>" + " " * padding).encode()
    chunk = row * max(1, (1 << 20) // len(row))
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(_SHEET_HEAD) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    repeats = max(1, (uncompressed - len(_SHEET_HEAD) - len(_SHEET_TAIL)) // len(chunk))
    tail = c.compress(_SHEET_TAIL) + c.flush()
    crc = zlib.crc32(_SHEET_HEAD)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(_SHEET_TAIL, crc)
    size = len(_SHEET_HEAD) + repeats * len(chunk) + len(_SHEET_TAIL)
    data = head + block * repeats + tail
    entries = [(name, *_deflated(text.encode())) for name, text in _WORKBOOK_PARTS.items()]
    entries.append(("xl/worksheets/sheet1.xml", data, crc, size, 8))
    _zip(path, entries)
    return len(data), size


def xlsx_lying_sizes(path: Path) -> None:
    """A workbook whose sheet declares 1 KB but inflates to 300 MB: the central directory lies,
    so only counting while inflating finds it."""
    xlsx_bomb(path, uncompressed=300_000_000, padding=2000)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, 1024)
            at += 4
    path.write_bytes(bytes(data))


def xlsx_bad_crc(path: Path, good: Path) -> None:
    """``good`` (a real workbook) with one entry's CRC changed in both headers."""
    with zipfile.ZipFile(good) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    parts = []
    for name, body in entries:
        data, crc, size, method = _deflated(body)
        if name.startswith("xl/worksheets/"):
            crc ^= 0xFFFF
        parts.append((name, data, crc, size, method))
    _zip(path, parts)


_DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/'
        'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
        'main+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
}
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_gridspan(path: Path, span: int = 50_000_000) -> None:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body><w:tbl><w:tblGrid><w:gridCol/>'
            f'</w:tblGrid><w:tr><w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>执行率 90%</w:t>'
            '</w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>')
    parts = {**_DOCX_PARTS, "word/document.xml": body}
    _zip(path, [(name, *_deflated(text.encode())) for name, text in parts.items()])


def docx_bomb(path: Path, uncompressed: int = 1_000_000_000) -> None:
    """A report whose document.xml inflates to about ``uncompressed`` bytes of paragraphs."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>'.encode()
    tail = b"</w:body></w:document>"
    chunk = b"<w:p><w:r><w:t>1</w:t></w:r></w:p>" * 30000
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    repeats = max(1, uncompressed // len(chunk))
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + repeats * len(chunk) + len(tail)
    entries = [(name, *_deflated(text.encode())) for name, text in _DOCX_PARTS.items()]
    entries.append(("word/document.xml", first + block * repeats + last, crc, size, 8))
    _zip(path, entries)


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in json_cases().items():
        p = folder / f"hostile-{name}.json"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        written.append(p)
    for name, make in (("xlsx-bomb.xlsx", xlsx_bomb), ("xlsx-lying-sizes.xlsx", xlsx_lying_sizes),
                       ("docx-gridspan.docx", docx_gridspan), ("docx-bomb.docx", docx_bomb)):
        p = folder / f"hostile-{name}"
        make(p)
        written.append(p)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("用法：python tests/hostile/make_hostile.py 目录")
    for p in write_all(Path(sys.argv[1])):
        print(p)
