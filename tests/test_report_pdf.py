"""The demo report as printed (GB/T 9704), read back from the PDF LibreOffice makes of it: 28
characters on a full body line, page numbers on the right of odd pages and the left of even ones
7 mm below the 版心, and real 仿宋 / 楷体 / 黑体 faces embedded — digits in the body's face, no
DejaVu fallback anywhere."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from jixiao import exchange
from jixiao.report import reference as ref
from jixiao.report.generate import generate

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")]

DEMO_FILE = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"
PT_PER_MM = 72 / 25.4
LEFT = 28 * PT_PER_MM
RIGHT = (210 - 26) * PT_PER_MM
TEXT_BOTTOM = (297 - 35) * PT_PER_MM


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Any:
    out = tmp_path_factory.mktemp("pdf") / "demo.pdf"
    generate(exchange.read_file(DEMO_FILE), out)
    with pdfplumber.open(str(out)) as doc:
        yield out, doc


def _lines(page: Any) -> list[list[dict[str, Any]]]:
    rows: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ch in page.chars:
        rows[round(ch["top"])].append(ch)
    return [sorted(rows[k], key=lambda c: c["x0"]) for k in sorted(rows)]


def _is_cjk(text: str) -> bool:
    return "\u4e00" <= text <= "\u9fff" or text in "，。；：、“”（）"


def test_a_full_body_line_holds_28_characters(pdf):
    _, doc = pdf
    full = []
    for page in doc.pages:
        for line in _lines(page):
            body = line[0]["size"] == pytest.approx(ref.BODY_PT, abs=0.1) and "Fang" in line[0]["fontname"]
            # A full line runs from the left to the right edge of the 版心; count lines of Chinese
            # text only (half-width digits make a line hold more characters, as they should).
            if body and abs(line[0]["x0"] - LEFT) < 2 and abs(line[-1]["x1"] - RIGHT) < 3 \
                    and all(_is_cjk(c["text"]) for c in line):
                full.append(len(line))
    assert len(full) > 50
    # Never more than 28; fewer only where 避头尾 (no “，” at a line start, no “ at its end) moves
    # a character to the next line and the rest is spread over the line.
    assert max(full) == 28 and min(full) >= 26
    assert full.count(28) >= 0.9 * len(full)


def test_page_numbers_odd_right_even_left_7mm_below_the_text(pdf):
    _, doc = pdf
    assert len(doc.pages) >= 4
    for number, page in enumerate(doc.pages, start=1):
        footer = [line for line in _lines(page) if line[0]["top"] > TEXT_BOTTOM]
        assert len(footer) == 1, number
        (line,) = footer
        assert "".join(c["text"] for c in line).replace(" ", "") == f"—{number}—"
        assert all("Song" in c["fontname"] and c["size"] == pytest.approx(14, abs=0.1) for c in line)  # 4号宋体
        em = 14  # one character of 4号 in from the edge of the 版心
        if number % 2:
            assert line[-1]["x1"] == pytest.approx(RIGHT - em, abs=2), number
        else:
            assert line[0]["x0"] == pytest.approx(LEFT + em, abs=2), number
        # The top of the number's glyph box, 7 mm below the 版心 (1.5 mm for the font's ascent).
        assert (line[0]["top"] - TEXT_BOTTOM) / PT_PER_MM == pytest.approx(7, abs=1.5), number


def test_body_headings_and_digits_are_set_in_real_official_faces(pdf):
    path, doc = pdf
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert all(r.split()[-5] == "yes" for r in rows)  # embedded: prints as it looks
    assert "DejaVu" not in fonts and "Liberation" not in fonts
    faces: dict[str, set[str]] = defaultdict(set)
    for page in doc.pages[:8]:
        for line in _lines(page):
            text = "".join(c["text"] for c in line)
            size = line[0]["size"] == pytest.approx(ref.BODY_PT, abs=0.1)
            kind = ("" if not size else "h1" if re.match("[一二三四]、", text)
                    else "h2" if re.match("（[一二三四]）", text) else "body")
            for c in line:
                if kind:
                    faces[kind if not c["text"].isdigit() else kind + "-digits"].add(c["fontname"].split("+")[-1])
    assert faces["body"] == {"FandolFang-Regular"}  # 仿宋
    assert faces["body-digits"] == {"FandolFang-Regular"}  # digits in the same face as the text
    assert faces["h1"] == {"FandolHei-Regular"}  # 黑体
    assert faces["h2"] == {"FandolKai-Regular"}  # 楷体
